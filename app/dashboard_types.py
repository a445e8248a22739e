"""Plain records the report port hands back to the dashboard (no behaviour, no store)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class VisitCount:
    """Visits on one clinic-local day by one practitioner at one location, of one type."""
    day: date
    practitioner_id: str | None
    location_id: str | None
    visit_type: str | None
    count: int


@dataclass(frozen=True)
class CodeRange:
    """ICD-10-CM codes from ``low`` (inclusive) up to ``high`` (exclusive), e.g. E10–E14."""
    low: str
    high: str
