"""The initial schema.

Revision ID: 0001
Revises:
This file is frozen: later changes go in new numbered migrations, never here.
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _record_table(name, *extra, indexes=()):
    op.create_table(
        name,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("patient_id", sa.String(36), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("server_version", sa.String(64), nullable=True),
        sa.Column("server_copy", sa.Text, nullable=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        *extra,
    )
    for cols in indexes:
        op.create_index(f"ix_{name}_{'_'.join(cols)}", name, list(cols))


def upgrade() -> None:
    _record_table("patients", sa.Column("mrn", sa.String(32), nullable=False, unique=True),
                  sa.Column("family_key", sa.String(80), nullable=False),
                  sa.Column("birth_date", sa.String(10), nullable=False),
                  indexes=(("family_key", "birth_date"), ("birth_date",)))
    for name in ("practitioners", "organizations", "locations"):
        _record_table(name)
    _record_table("encounters", sa.Column("start", sa.String(40), nullable=False),
                  indexes=(("patient_id", "start"),))
    _record_table("observations", sa.Column("code", sa.String(32), nullable=False),
                  sa.Column("effective", sa.String(40), nullable=False),
                  sa.Column("category", sa.String(20), nullable=False),
                  indexes=(("patient_id", "code", "effective"), ("patient_id", "effective")))
    _record_table("conditions", sa.Column("code", sa.String(16), nullable=False),
                  indexes=(("patient_id",), ("code",)))
    for name in ("allergies", "medication_requests", "medication_statements", "immunizations",
                 "service_requests", "diagnostic_reports", "documents", "consents", "invoices",
                 "payments"):
        _record_table(name, indexes=(("patient_id",),))
    _record_table("notes", sa.Column("encounter_id", sa.String(36), nullable=True),
                  indexes=(("patient_id",), ("encounter_id",)))
    _record_table("appointments", sa.Column("start", sa.String(40), nullable=False),
                  sa.Column("practitioner_id", sa.String(36), nullable=True),
                  indexes=(("patient_id",), ("start",), ("practitioner_id", "start")))
    _record_table("charges", sa.Column("encounter_id", sa.String(36), nullable=True),
                  indexes=(("patient_id",), ("encounter_id",)))
    op.create_table("document_blobs", sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("content", sa.LargeBinary, nullable=False))
    op.create_table("outbox",
                    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
                    sa.Column("resource_type", sa.String(40), nullable=False),
                    sa.Column("resource_id", sa.String(36), nullable=False),
                    sa.Column("op", sa.String(10), nullable=False),
                    sa.Column("base_version", sa.String(64), nullable=True),
                    sa.Column("at", sa.String(40), nullable=False))
    op.create_index("ix_outbox_resource", "outbox", ["resource_type", "resource_id"])
    op.create_table("users",
                    sa.Column("username", sa.String(64), primary_key=True),
                    sa.Column("role", sa.String(20), nullable=False),
                    sa.Column("disabled", sa.Boolean, nullable=False),
                    sa.Column("data", sa.Text, nullable=False))
    op.create_table("audit_log",
                    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
                    sa.Column("at", sa.String(40), nullable=False),
                    sa.Column("username", sa.String(64), nullable=False),
                    sa.Column("action", sa.String(32), nullable=False),
                    sa.Column("outcome", sa.String(16), nullable=False),
                    sa.Column("patient_id", sa.String(36), nullable=True),
                    sa.Column("data", sa.Text, nullable=False),
                    sa.Column("prev_hash", sa.String(64), nullable=False),
                    sa.Column("hash", sa.String(64), nullable=False))
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_patient", "audit_log", ["patient_id"])
    op.create_index("ix_audit_log_username", "audit_log", ["username"])
    op.create_table("audit_head",
                    sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("seq", sa.Integer, nullable=False),
                    sa.Column("hash", sa.String(64), nullable=False))
    op.create_table("settings",
                    sa.Column("key", sa.String(80), primary_key=True),
                    sa.Column("value", sa.Text, nullable=False))
    op.execute("CREATE VIRTUAL TABLE patient_fts USING fts5(terms, content='', "
               "contentless_delete=1, prefix='2 3', tokenize='unicode61 remove_diacritics 2')")


def downgrade() -> None:
    raise RuntimeError("downgrades are not supported: restore the backup taken before upgrading")
