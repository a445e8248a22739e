"""Tables for the billing work (created by migration 0004_billing).

``fee_schedule`` is the clinic's own price list (codes it enters: HCPCS Level II and its
own; no CPT descriptors are shipped). ``report_facts`` is a narrow projection of the
records that reports add up — visits, money in whole cents, vaccines by CVX, each with its
(clinic-local) day —
kept in step by the repositories on every write (db/report_facts.py), so the dashboard
and the aging report sum with SQL over small integer columns instead of decoding JSON.
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text

from db.tables import metadata

fee_schedule = Table(
    "fee_schedule", metadata,
    Column("code", String(16), primary_key=True),
    Column("kind", String(8), nullable=False),  # hcpcs | clinic
    Column("description", Text, nullable=False),
    Column("price", String(20), nullable=False),  # a Decimal as text: exact
    Column("claim_code", String(16), nullable=True),  # the code sent on claims, when not ``code``
    Column("active", Boolean, nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("updated_by", String(64), nullable=False),
)

report_facts = Table(
    "report_facts", metadata,
    Column("record_id", String(36), primary_key=True),
    Column("resource_type", String(40), nullable=False),
    Column("patient_id", String(36), nullable=True),
    Column("status", String(32), nullable=False),
    Column("code", String(32), nullable=True),  # fee code, payment method, CVX or visit type
    Column("day", String(10), nullable=True),  # service, issue, receipt, occurrence or visit date
    Column("cents", Integer, nullable=True),  # money in whole cents (exact)
    Column("link_id", String(36), nullable=True),  # the invoice a charge or payment belongs to
    Column("who", String(36), nullable=True),  # an encounter's practitioner
    Column("place", String(36), nullable=True),  # an encounter's location
    Index("ix_report_facts_type_day", "resource_type", "day"),
    Index("ix_report_facts_money", "resource_type", "status", "code", "cents"),
    Index("ix_report_facts_type_code_patient", "resource_type", "code", "patient_id", "day"),
    Index("ix_report_facts_patient", "patient_id", "resource_type"),
    # covering indexes for the dashboard (migration 0006): its scans read no table rows
    Index("ix_report_facts_visits", "resource_type", "day", "status", "who", "place", "code"),
    Index("ix_report_facts_period", "resource_type", "status", "day", "code", "cents", "link_id"),
    Index("ix_report_facts_given", "resource_type", "status", "code", "day", "patient_id"),
)
