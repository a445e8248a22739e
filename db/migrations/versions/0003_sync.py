"""Schema for the sync work (tables defined in db/tables_sync.py).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa  # noqa: F401 - used once this migration has tables
from alembic import op  # noqa: F401

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    raise RuntimeError("downgrades are not supported: restore the backup taken before upgrading")
