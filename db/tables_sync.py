"""Tables for the sync work (created by migration 0003_sync)."""
from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text  # noqa: F401

from db.tables import metadata  # noqa: F401
