"""Tables for the security work (created by migration 0002_security)."""
from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text  # noqa: F401

from db.tables import metadata  # noqa: F401
