"""Tables for the interfaces work (created by migration 0005_interfaces).

- ``interface_review``: HL7 v2 messages a person has to look at: an uncertain patient
  match (never merged silently), a result with no matching order, a message for a
  patient we do not know. The message text is kept (the store is encrypted).
- ``interface_identifiers``: patient identifiers other systems use (assigning authority
  and value, e.g. a lab's or a hospital's MRN), so their next message matches at once.
"""
from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, Text

from db.tables import metadata

interface_review = Table(
    "interface_review", metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(32), nullable=False),  # uncertain-match | unknown-patient | unmatched-result
    Column("status", String(16), nullable=False),  # open | resolved
    Column("message_type", String(16), nullable=False),
    Column("control_id", String(64), nullable=False),
    Column("patient_id", String(36), nullable=True),
    Column("candidates", Text, nullable=False),  # JSON list of patient ids
    Column("reason", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
)
Index("ix_interface_review_status", interface_review.c.status, interface_review.c.created_at)

interface_identifiers = Table(
    "interface_identifiers", metadata,
    Column("authority", String(64), primary_key=True),
    Column("value", String(64), primary_key=True),
    Column("patient_id", String(36), nullable=False),
)
