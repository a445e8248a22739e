"""Schema for the security work (tables defined in db/tables_security.py).

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("amendments",
                    sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("patient_id", sa.String(36), nullable=False),
                    sa.Column("status", sa.String(16), nullable=False),
                    sa.Column("requested_at", sa.String(40), nullable=False),
                    sa.Column("version", sa.Integer, nullable=False),
                    sa.Column("data", sa.Text, nullable=False))
    op.create_index("ix_amendments_patient_id", "amendments", ["patient_id"])


def downgrade() -> None:
    raise RuntimeError("downgrades are not supported: restore the backup taken before upgrading")
