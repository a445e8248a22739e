"""A patient's insurance coverage: who pays first, second, ... and on which dates."""
from __future__ import annotations

from datetime import date

from app import records
from app.model import Coverage, Patient
from app.errors import ValidationError
from app.permissions import Permission
from app.session import Session

RELATIONSHIPS = ("self", "spouse", "child", "other")


def _check(coverages: list[Coverage]) -> None:
    problems: dict[str, str] = {}
    seen: set[int] = set()
    for n, c in enumerate(coverages, 1):
        if not (c.payer or "").strip():
            problems[f"coverage {n} payer"] = "is required"
        if not (c.member_id or "").strip():
            problems[f"coverage {n} member id"] = "is required"
        if c.relationship not in RELATIONSHIPS:
            problems[f"coverage {n} relationship"] = f"must be one of {', '.join(RELATIONSHIPS)}"
        if c.start and c.end and c.end < c.start:
            problems[f"coverage {n} dates"] = "ends before it starts"
        if c.priority < 1 or c.priority in seen:
            problems[f"coverage {n} priority"] = "each coverage needs its own order (1 = primary)"
        seen.add(c.priority)
    if problems:
        raise ValidationError(problems)


def set_coverages(session: Session, patient_id: str, coverages: list[Coverage]) -> Patient:
    """Replace a patient's coverage list (front desk or billing staff).

    Raises ValidationError naming each bad coverage, NotFound, PermissionDenied.
    """
    _check(coverages)
    permission = Permission.BILLING_WRITE if session.can(Permission.BILLING_WRITE) else Permission.PATIENT_WRITE

    def _edit(patient: Patient) -> None:
        patient.coverages = sorted(coverages, key=lambda c: c.priority)

    return records.change(session, Patient, patient_id, permission, _edit,
                          detail={"coverages": len(coverages)})


def coverage_on(patient: Patient, day: date, priority: int = 1) -> Coverage | None:
    """The coverage of this order (1 = primary) in force on ``day``, if any (pure)."""
    live = sorted((c for c in patient.coverages
                   if (c.start is None or c.start <= day) and (c.end is None or day <= c.end)),
                  key=lambda c: c.priority)
    return live[priority - 1] if len(live) >= priority else None
