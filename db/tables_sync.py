"""Tables for the sync work (created by migration 0003_sync).

- ``sync_checkpoints``: per server and resource type, the server's ``lastUpdated`` up to
  which changes were pulled (the server's clock, never ours).
- ``sync_conflicts``: edits that overlap with a newer server version, kept until a
  person resolves them (both versions and the common ancestor, as FHIR JSON).
- ``sync_rejections``: outbox entries the server refused as invalid; they wait for a
  new local edit instead of blocking the rest of the outbox.
"""
from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from db.tables import metadata

sync_checkpoints = Table(
    "sync_checkpoints", metadata,
    Column("server", String(400), primary_key=True),
    Column("resource_type", String(40), primary_key=True),
    Column("since", String(64), nullable=False),
    Column("updated_at", String(40), nullable=False),
)

sync_conflicts = Table(
    "sync_conflicts", metadata,
    Column("id", String(36), primary_key=True),
    Column("resource_type", String(40), nullable=False),  # the outbox / record type name
    Column("resource_id", String(36), nullable=False),
    Column("patient_id", String(36), nullable=True),
    Column("fields", Text, nullable=False),  # JSON list of FHIR element names
    Column("base", Text, nullable=True),
    Column("mine", Text, nullable=False),
    Column("theirs", Text, nullable=False),
    Column("theirs_version", String(64), nullable=True),
    Column("upto_seq", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # open | decided | applied
    Column("decision", Text, nullable=True),  # JSON {element: "mine" | "theirs"}
    Column("created_at", String(40), nullable=False),
    Column("resolved_at", String(40), nullable=True),
    Column("resolved_by", String(64), nullable=True),
    Index("ix_sync_conflicts_resource", "resource_type", "resource_id"),
    Index("ix_sync_conflicts_status", "status"),
)

sync_rejections = Table(
    "sync_rejections", metadata,
    Column("resource_type", String(40), primary_key=True),
    Column("resource_id", String(36), primary_key=True),
    Column("upto_seq", Integer, nullable=False),
    Column("message", Text, nullable=False),
    Column("at", String(40), nullable=False),
)
