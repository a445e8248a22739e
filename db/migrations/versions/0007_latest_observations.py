"""The dashboard's latest-value summary (db/observation_latest.py): each patient's latest live
observation per test, created and backfilled from the stored observations, so the measures read
one narrow row per patient instead of every observation.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("latest_observations",
                    sa.Column("patient_id", sa.String(36), primary_key=True),
                    sa.Column("code", sa.String(32), primary_key=True),
                    sa.Column("effective", sa.String(40), nullable=False),
                    sa.Column("value", sa.Text, nullable=True),
                    sa.Column("record_id", sa.String(36), nullable=False),
                    sqlite_with_rowid=False)
    op.create_index("ix_latest_observations_code", "latest_observations",
                    ["code", "effective", "patient_id", "value"])
    op.create_index("ix_latest_observations_record", "latest_observations", ["record_id"])
    from db.observation_latest import rebuild
    rebuild(op.get_bind())


def downgrade() -> None:
    raise RuntimeError("downgrades are not supported: restore the backup taken before upgrading")
