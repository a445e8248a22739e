"""Schema for the interfaces work (tables defined in db/tables_interfaces.py).

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa  # noqa: F401 - used once this migration has tables
from alembic import op  # noqa: F401

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise RuntimeError("downgrades are not supported: restore the backup taken before upgrading")
