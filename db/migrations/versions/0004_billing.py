"""Schema for the billing work (tables defined in db/tables_billing.py).

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa  # noqa: F401 - used once this migration has tables
from alembic import op  # noqa: F401

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise RuntimeError("downgrades are not supported: restore the backup taken before upgrading")
