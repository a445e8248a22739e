"""Tables for the interfaces work (created by migration 0005_interfaces)."""
from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text  # noqa: F401

from db.tables import metadata  # noqa: F401
