"""Tables for the security work (created by migration 0002_security)."""
from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from db.tables import metadata

#: Patients' requests to amend their records (HIPAA §164.526; ONC §170.315(d)(4)).
#: Local to the clinic: not a FHIR resource, so not in the outbox.
amendments = Table(
    "amendments", metadata,
    Column("id", String(36), primary_key=True),
    Column("patient_id", String(36), nullable=False),
    Column("status", String(16), nullable=False),
    Column("requested_at", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("data", Text, nullable=False),
    Index("ix_amendments_patient_id", "patient_id"),
)
