"""Schema for the security work (tables defined in db/tables_security.py).

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa  # noqa: F401 - used once this migration has tables
from alembic import op  # noqa: F401

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise RuntimeError("downgrades are not supported: restore the backup taken before upgrading")
