"""Schema for the interfaces work (tables defined in db/tables_interfaces.py): the HL7
review queue and the identifiers other systems give our patients.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("interface_review",
                    sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("kind", sa.String(32), nullable=False),
                    sa.Column("status", sa.String(16), nullable=False),
                    sa.Column("message_type", sa.String(16), nullable=False),
                    sa.Column("control_id", sa.String(64), nullable=False),
                    sa.Column("patient_id", sa.String(36), nullable=True),
                    sa.Column("candidates", sa.Text, nullable=False),
                    sa.Column("reason", sa.Text, nullable=False),
                    sa.Column("message", sa.Text, nullable=False),
                    sa.Column("created_at", sa.String(40), nullable=False))
    op.create_index("ix_interface_review_status", "interface_review", ["status", "created_at"])
    op.create_table("interface_identifiers",
                    sa.Column("authority", sa.String(64), primary_key=True),
                    sa.Column("value", sa.String(64), primary_key=True),
                    sa.Column("patient_id", sa.String(36), nullable=False))


def downgrade() -> None:
    raise RuntimeError("downgrades are not supported: restore the backup taken before upgrading")
