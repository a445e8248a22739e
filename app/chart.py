"""Everything the chart's first screen shows, in one audited read."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.audit import Action
from app.errors import NotFound
from app.model import (ENTERED_IN_ERROR, AllergyIntolerance, Appointment, ClinicalNote, Condition,
                       Encounter, Immunization, MedicationRequest, MedicationStatement, Observation,
                       Patient)
from app.observations import VITAL_CODES
from app.permissions import Permission
from app.session import Session

RECENT = 20


@dataclass
class ChartSummary:
    patient: Patient
    allergies: list[AllergyIntolerance] = field(default_factory=list)
    problems: list[Condition] = field(default_factory=list)
    medications: list[MedicationRequest] = field(default_factory=list)
    home_medications: list[MedicationStatement] = field(default_factory=list)
    latest_vitals: dict[str, Observation] = field(default_factory=dict)
    recent_labs: list[Observation] = field(default_factory=list)
    recent_encounters: list[Encounter] = field(default_factory=list)
    draft_notes: list[ClinicalNote] = field(default_factory=list)
    immunizations: list[Immunization] = field(default_factory=list)
    upcoming: list[Appointment] = field(default_factory=list)
    hidden_sensitive: int = 0  # records withheld because the user lacks the sensitive permission

    @property
    def age(self) -> int:
        return age_on(self.patient.birth_date, date.today())


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def open_chart(session: Session, patient_id: str) -> ChartSummary:
    """Load the chart's first screen for a patient. Audited as a chart open (a read)."""
    session.require(Permission.CHART_READ, patient_id=patient_id)
    now = session.clock()
    with session.uow() as uow:
        patient = uow.patients.find(patient_id)
        if patient is None or patient.status == ENTERED_IN_ERROR:
            raise NotFound("patient", patient_id)
        summary = ChartSummary(patient=patient)
        summary.allergies = uow.records(AllergyIntolerance).for_patient(
            patient_id, where={"status": "active"})
        summary.problems = uow.records(Condition).for_patient(patient_id, where={"status": "active"})
        summary.medications = uow.records(MedicationRequest).for_patient(
            patient_id, where={"status": ["active", "draft", "on-hold"]})
        summary.home_medications = uow.records(MedicationStatement).for_patient(
            patient_id, where={"status": "active"})
        summary.latest_vitals = uow.observations.latest(patient_id, VITAL_CODES)
        summary.recent_labs = uow.observations.for_patient(
            patient_id, limit=RECENT, where={"category": "laboratory"})
        summary.recent_encounters = uow.records(Encounter).for_patient(patient_id, limit=RECENT)
        summary.draft_notes = uow.records(ClinicalNote).for_patient(patient_id, where={"status": "draft"})
        summary.immunizations = uow.records(Immunization).for_patient(patient_id, limit=RECENT)
        summary.upcoming = [a for a in uow.records(Appointment).for_patient(
            patient_id, desc=False, where={"status": ["booked", "arrived", "checked-in"]})
            if a.start >= now][:5]
        uow.audit.append(session.entry(Action.READ, patient_id=patient_id, record_type="Patient",
                                       record_id=patient_id, detail={"view": "chart opened"}))
        uow.commit()
    _withhold_sensitive(session, summary)
    return summary


def _withhold_sensitive(session: Session, summary: ChartSummary) -> None:
    hidden = 0
    for name in ("problems", "medications", "home_medications", "recent_labs", "draft_notes",
                 "immunizations", "allergies", "recent_encounters"):
        rows = getattr(summary, name)
        kept = [r for r in rows if session.may_see(r.security_labels)]
        hidden += len(rows) - len(kept)
        setattr(summary, name, kept)
    summary.hidden_sensitive = hidden
