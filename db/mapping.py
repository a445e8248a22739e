"""Which table holds which record type, and how its indexed columns are filled."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import Table

from app import model as m
from app.search_terms import family_key
from db import tables as t


@dataclass(frozen=True)
class TableSpec:
    cls: type[m.Record]
    table: Table
    extra: Callable[[Any], dict[str, Any]] = lambda r: {}
    #: the column that orders a patient's records by time, when there is one
    time_column: str | None = None


def _iso(value) -> str:
    return value.isoformat()


SPECS: dict[type, TableSpec] = {spec.cls: spec for spec in (
    TableSpec(m.Patient, t.patients, lambda p: {
        "mrn": p.mrn, "family_key": family_key(p.name.family), "birth_date": p.birth_date.isoformat()}),
    TableSpec(m.Practitioner, t.practitioners),
    TableSpec(m.Organization, t.organizations),
    TableSpec(m.Location, t.locations),
    TableSpec(m.Encounter, t.encounters, lambda e: {"start": _iso(e.start)}, "start"),
    TableSpec(m.Observation, t.observations, lambda o: {
        "code": o.code.code, "effective": _iso(o.effective), "category": o.category}, "effective"),
    TableSpec(m.Condition, t.conditions, lambda c: {"code": c.code.code}),
    TableSpec(m.AllergyIntolerance, t.allergies),
    TableSpec(m.MedicationRequest, t.medication_requests),
    TableSpec(m.MedicationStatement, t.medication_statements),
    TableSpec(m.Immunization, t.immunizations),
    TableSpec(m.ServiceRequest, t.service_requests),
    TableSpec(m.DiagnosticReport, t.diagnostic_reports),
    TableSpec(m.ClinicalNote, t.notes, lambda n: {"encounter_id": n.encounter_id}),
    TableSpec(m.Document, t.documents),
    TableSpec(m.Appointment, t.appointments, lambda a: {
        "start": _iso(a.start), "practitioner_id": a.practitioner_id}, "start"),
    TableSpec(m.Consent, t.consents),
    TableSpec(m.Charge, t.charges, lambda c: {"encounter_id": c.encounter_id}),
    TableSpec(m.Invoice, t.invoices),
    TableSpec(m.Payment, t.payments),
)}

BY_RESOURCE_TYPE: dict[str, TableSpec] = {s.cls.RESOURCE_TYPE: s for s in SPECS.values()}
