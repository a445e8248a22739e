"""Schema for the billing work (tables defined in db/tables_billing.py): the clinic's fee
schedule and the reports' projection of visits, charges, invoices, payments and vaccines.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("fee_schedule",
                    sa.Column("code", sa.String(16), primary_key=True),
                    sa.Column("kind", sa.String(8), nullable=False),
                    sa.Column("description", sa.Text, nullable=False),
                    sa.Column("price", sa.String(20), nullable=False),
                    sa.Column("claim_code", sa.String(16), nullable=True),
                    sa.Column("active", sa.Boolean, nullable=False),
                    sa.Column("updated_at", sa.String(40), nullable=False),
                    sa.Column("updated_by", sa.String(64), nullable=False))
    op.create_table("report_facts",
                    sa.Column("record_id", sa.String(36), primary_key=True),
                    sa.Column("resource_type", sa.String(40), nullable=False),
                    sa.Column("patient_id", sa.String(36), nullable=True),
                    sa.Column("status", sa.String(32), nullable=False),
                    sa.Column("code", sa.String(32), nullable=True),
                    sa.Column("day", sa.String(10), nullable=True),
                    sa.Column("cents", sa.Integer, nullable=True),
                    sa.Column("link_id", sa.String(36), nullable=True),
                    sa.Column("who", sa.String(36), nullable=True),
                    sa.Column("place", sa.String(36), nullable=True))
    op.create_index("ix_report_facts_type_day", "report_facts", ["resource_type", "day"])
    op.create_index("ix_report_facts_money", "report_facts", ["resource_type", "status", "code", "cents"])
    op.create_index("ix_report_facts_type_code_patient", "report_facts",
                    ["resource_type", "code", "patient_id", "day"])
    op.create_index("ix_report_facts_patient", "report_facts", ["patient_id", "resource_type"])
    # Stores that already hold bills and vaccines get their projection filled now.
    from db.report_facts import rebuild
    rebuild(op.get_bind())


def downgrade() -> None:
    raise RuntimeError("downgrades are not supported: restore the backup taken before upgrading")
