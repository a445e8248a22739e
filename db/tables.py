"""Table definitions (SQLAlchemy Core). Migrations in ``db/migrations`` create them.

Every syncable record type has one table with the same core columns — id (the FHIR
id), patient, status, the local version, the server's version and last server copy,
the full domain record as JSON — plus a few typed columns that queries and indexes need.
"""
from __future__ import annotations

from sqlalchemy import (Boolean, Column, Integer, LargeBinary, MetaData, String, Table, Text,
                        Index, text)

metadata = MetaData()


def _record_table(name: str, *extra: Column, indexes: tuple[tuple[str, ...], ...] = ()) -> Table:
    table = Table(
        name, metadata,
        Column("id", String(36), primary_key=True),
        Column("patient_id", String(36), nullable=True),
        Column("status", String(32), nullable=False),
        Column("version", Integer, nullable=False),
        Column("server_version", String(64), nullable=True),
        Column("server_copy", Text, nullable=True),
        Column("data", Text, nullable=False),
        Column("created_at", String(40), nullable=False),
        Column("updated_at", String(40), nullable=False),
        *extra,
    )
    for cols in indexes:
        Index(f"ix_{name}_{'_'.join(cols)}", *(table.c[c] for c in cols))
    return table


patients = _record_table(
    "patients",
    Column("mrn", String(32), nullable=False, unique=True),
    Column("family_key", String(80), nullable=False),
    Column("birth_date", String(10), nullable=False),
    indexes=(("family_key", "birth_date"), ("birth_date",), ("status", "birth_date", "id")),
)
practitioners = _record_table("practitioners")
organizations = _record_table("organizations")
locations = _record_table("locations")
encounters = _record_table(
    "encounters", Column("start", String(40), nullable=False),
    indexes=(("patient_id", "start"),),
)
observations = _record_table(
    "observations",
    Column("code", String(32), nullable=False),
    Column("effective", String(40), nullable=False),
    Column("category", String(20), nullable=False),
    indexes=(("patient_id", "code", "effective"), ("patient_id", "effective"),
             ("code", "effective", "patient_id")),
)
# The latest live observation per patient and test (db/observation_latest.py keeps it in the
# same transaction as every observation write; migration 0007 creates and backfills it), so the
# dashboard reads one narrow row per patient instead of every observation. ``effective`` is UTC.
latest_observations = Table(
    "latest_observations", metadata,
    Column("patient_id", String(36), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("effective", String(40), nullable=False),
    Column("value", Text, nullable=True),  # the Decimal as text (exact), None without a number
    Column("record_id", String(36), nullable=False),
    Index("ix_latest_observations_code", "code", "effective", "patient_id", "value"),
    Index("ix_latest_observations_record", "record_id"),
    sqlite_with_rowid=False,
)
conditions = _record_table("conditions", Column("code", String(16), nullable=False),
                           indexes=(("patient_id",), ("code",)))
# the dashboard's "patients with an active condition" reads this index only (migration 0006)
Index("ix_conditions_code_clinical", conditions.c.code, conditions.c.status,
      text("json_extract(data, '$.clinical_status')"), conditions.c.patient_id)
allergies = _record_table("allergies", indexes=(("patient_id",),))
medication_requests = _record_table("medication_requests", indexes=(("patient_id",),))
medication_statements = _record_table("medication_statements", indexes=(("patient_id",),))
immunizations = _record_table("immunizations", indexes=(("patient_id",),))
service_requests = _record_table("service_requests", indexes=(("patient_id",),))
diagnostic_reports = _record_table("diagnostic_reports", indexes=(("patient_id",),))
notes = _record_table("notes", Column("encounter_id", String(36), nullable=True),
                      indexes=(("patient_id",), ("encounter_id",)))
documents = _record_table("documents", indexes=(("patient_id",),))
appointments = _record_table(
    "appointments",
    Column("start", String(40), nullable=False),
    Column("practitioner_id", String(36), nullable=True),
    indexes=(("patient_id",), ("start",), ("practitioner_id", "start"), ("start", "status")),
)
consents = _record_table("consents", indexes=(("patient_id",),))
charges = _record_table("charges", Column("encounter_id", String(36), nullable=True),
                        indexes=(("patient_id",), ("encounter_id",)))
invoices = _record_table("invoices", indexes=(("patient_id",),))
payments = _record_table("payments", indexes=(("patient_id",),))

document_blobs = Table(
    "document_blobs", metadata,
    Column("id", String(36), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)

outbox = Table(
    "outbox", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("resource_type", String(40), nullable=False),
    Column("resource_id", String(36), nullable=False),
    Column("op", String(10), nullable=False),
    Column("base_version", String(64), nullable=True),
    Column("at", String(40), nullable=False),
    Index("ix_outbox_resource", "resource_type", "resource_id"),
)

users = Table(
    "users", metadata,
    Column("username", String(64), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("data", Text, nullable=False),
)

audit_log = Table(
    "audit_log", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),
    Column("username", String(64), nullable=False),
    Column("action", String(32), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("patient_id", String(36), nullable=True),
    Column("data", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_patient", "patient_id"),
    Index("ix_audit_log_username", "username"),
)

audit_head = Table(
    "audit_head", metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

settings = Table(
    "settings", metadata,
    Column("key", String(80), primary_key=True),
    Column("value", Text, nullable=False),
)

#: Full-text index over patients' names, MRN, birth date and phone (created by migration).
PATIENT_FTS_DDL = ("CREATE VIRTUAL TABLE patient_fts USING fts5(terms, content='', "
                   "contentless_delete=1, prefix='2 3', tokenize='unicode61 remove_diacritics 2')")
FTS_TABLES = ("patient_fts",)

# Topic modules add their tables to the same metadata (imported last: they import it from here).
from db import tables_billing, tables_interfaces, tables_security, tables_sync  # noqa: E402,F401
