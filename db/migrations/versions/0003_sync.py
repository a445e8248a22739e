"""Schema for the sync work (tables defined in db/tables_sync.py).

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_checkpoints",
        sa.Column("server", sa.String(400), primary_key=True),
        sa.Column("resource_type", sa.String(40), primary_key=True),
        sa.Column("since", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("resource_type", sa.String(40), nullable=False),
        sa.Column("resource_id", sa.String(36), nullable=False),
        sa.Column("patient_id", sa.String(36), nullable=True),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("base", sa.Text, nullable=True),
        sa.Column("mine", sa.Text, nullable=False),
        sa.Column("theirs", sa.Text, nullable=False),
        sa.Column("theirs_version", sa.String(64), nullable=True),
        sa.Column("upto_seq", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decision", sa.Text, nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("resolved_at", sa.String(40), nullable=True),
        sa.Column("resolved_by", sa.String(64), nullable=True),
    )
    op.create_index("ix_sync_conflicts_resource", "sync_conflicts", ["resource_type", "resource_id"])
    op.create_index("ix_sync_conflicts_status", "sync_conflicts", ["status"])
    op.create_table(
        "sync_rejections",
        sa.Column("resource_type", sa.String(40), primary_key=True),
        sa.Column("resource_id", sa.String(36), primary_key=True),
        sa.Column("upto_seq", sa.Integer, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    raise RuntimeError("downgrades are not supported: restore the backup taken before upgrading")
