"""Encounters (visits)."""
from __future__ import annotations

from datetime import datetime

from app import records
from app.errors import ValidationError
from app.model import Coding, Encounter
from app.permissions import Permission
from app.session import Session

VISIT_TYPES = ("office-visit", "new-patient", "follow-up", "annual-physical", "telehealth",
               "urgent", "procedure", "immunization-only", "nurse-visit")
CLASSES = {"AMB": "ambulatory", "VR": "virtual", "HH": "home health"}


def start(session: Session, *, patient_id: str, visit_type: str = "office-visit",
          start: datetime | None = None, practitioner_id: str | None = None,
          location_id: str | None = None, reasons: list[Coding] | None = None,
          appointment_id: str | None = None) -> Encounter:
    """Open an encounter for a patient (in progress)."""
    if visit_type not in VISIT_TYPES:
        raise ValidationError({"visit type": f"must be one of {', '.join(VISIT_TYPES)}"})
    when = start or session.clock()
    if when.tzinfo is None:
        raise ValidationError({"start": "needs a time zone"})
    encounter = Encounter(patient_id=patient_id, start=when, visit_type=visit_type,
                          class_code="VR" if visit_type == "telehealth" else "AMB",
                          practitioner_id=practitioner_id or session.user.practitioner_id,
                          location_id=location_id or session.location_id,
                          reasons=list(reasons or []), appointment_id=appointment_id)
    return records.create(session, encounter, Permission.NOTE_WRITE)


def finish(session: Session, encounter_id: str, *, end: datetime | None = None) -> Encounter:
    def _close(e: Encounter) -> None:
        e.end = end or session.clock()
        if e.end < e.start:
            raise ValidationError({"end": "is before the start of the encounter"})
        e.status = "finished"

    return records.change(session, Encounter, encounter_id, Permission.NOTE_WRITE, _close)


def for_patient(session: Session, patient_id: str, *, limit: int | None = None) -> list[Encounter]:
    return records.list_for(session, Encounter, patient_id, Permission.CHART_READ, limit=limit)
