"""What each printed document shows, read in one unit of work from an id a user would pass.

Which id each kind takes (``outpost print KIND --id ID``):

* visit-summary: an encounter id (or a patient id or MRN: that patient's latest visit)
* prescription: a prescription (MedicationRequest) id
* invoice: an invoice id (or an encounter id: the invoice of that visit)
* chart, immunization-record: a patient id or MRN
* lab-report: a lab report (DiagnosticReport) id or the id of the lab order it answers
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.errors import NotFound
from app.model import (ENTERED_IN_ERROR, AllergyIntolerance, Charge, ClinicalNote, Condition,
                       DiagnosticReport, Encounter, Immunization, Invoice, Location, MedicationRequest,
                       MedicationStatement, Observation, Patient, Payment, Practitioner,
                       ServiceRequest)

ID_MEANING = {
    "visit-summary": "an encounter id (or a patient id or MRN for the latest visit)",
    "prescription": "a prescription id",
    "invoice": "an invoice id (or an encounter id)",
    "chart": "a patient id or MRN",
    "immunization-record": "a patient id or MRN",
    "lab-report": "a lab report id or lab order id",
}


@dataclass
class Printable:
    """A document's content: the patient and the records it is about."""
    kind: str
    patient: Patient
    records: dict[str, Any] = field(default_factory=dict)
    record_type: str | None = None
    record_id: str | None = None


def _live(record) -> bool:
    return record is not None and getattr(record, "status", None) != ENTERED_IN_ERROR


def _patient(uow, ident: str) -> Patient | None:
    p = uow.patients.find(ident) or uow.patients.by_mrn(ident)
    return p if _live(p) else None


def _practitioner(uow, practitioner_id: str | None) -> Practitioner | None:
    return uow.records(Practitioner).find(practitioner_id) if practitioner_id else None


def _not_found(kind: str, ident: str) -> NotFound:
    error = NotFound(kind, ident)
    error.args = (f"nothing to print as {kind} for id {ident!r}: give {ID_MEANING[kind]}",)
    return error


def _of_visit(uow, visit: Encounter) -> dict[str, Any]:
    pid = visit.patient_id
    at_visit = lambda cls, **kw: [r for r in uow.records(cls).for_patient(pid, desc=False, **kw)  # noqa: E731
                                  if getattr(r, "encounter_id", None) == visit.id]
    return {
        "encounter": visit,
        "practitioner": _practitioner(uow, visit.practitioner_id),
        "location": uow.records(Location).find(visit.location_id) if visit.location_id else None,
        "vitals": [part for o in at_visit(Observation) if o.category == "vital-signs"
                   for part in (o.part(code) for code, _, _ in o.values()) if part is not None],
        "labs": [o for o in at_visit(Observation) if o.category == "laboratory"],
        "diagnoses": at_visit(Condition),
        "prescriptions": at_visit(MedicationRequest),
        "immunizations": at_visit(Immunization),
        "orders": at_visit(ServiceRequest),
        "notes": [n for n in at_visit(ClinicalNote) if n.status in ("signed", "amended")],
        "problems": uow.records(Condition).for_patient(pid, where={"status": "active"}),
        "allergies": uow.records(AllergyIntolerance).for_patient(pid, where={"status": "active"}),
        "medications": uow.records(MedicationRequest).for_patient(
            pid, where={"status": ["active", "on-hold"]}),
    }


def visit_summary(uow, ident: str) -> Printable:
    visit = uow.records(Encounter).find(ident)
    if not _live(visit):
        patient = _patient(uow, ident)
        visits = uow.records(Encounter).for_patient(  # the latest visit that took place
            patient.id, limit=1, where={"status": ["finished", "in-progress"]}) if patient else []
        visit = visits[0] if visits else None
    if not _live(visit):
        raise _not_found("visit-summary", ident)
    return Printable("visit-summary", uow.patients.get(visit.patient_id), _of_visit(uow, visit),
                     "Encounter", visit.id)


def prescription(uow, ident: str) -> Printable:
    rx = uow.records(MedicationRequest).find(ident)
    if not _live(rx):
        raise _not_found("prescription", ident)
    visit = uow.records(Encounter).find(rx.encounter_id) if rx.encounter_id else None
    prescriber = _practitioner(uow, rx.prescriber_id or (visit.practitioner_id if visit else None))
    return Printable("prescription", uow.patients.get(rx.patient_id),
                     {"prescription": rx, "prescriber": prescriber, "encounter": visit,
                      "allergies": uow.records(AllergyIntolerance).for_patient(
                          rx.patient_id, where={"status": "active"})},
                     "MedicationRequest", rx.id)


def _invoice_by(uow, ident: str) -> Invoice | None:
    inv = uow.records(Invoice).find(ident)
    if _live(inv):
        return inv
    visit = uow.records(Encounter).find(ident)
    if _live(visit):
        charges = [c for c in uow.records(Charge).for_patient(visit.patient_id)
                   if c.encounter_id == visit.id and c.invoice_id]
        return uow.records(Invoice).find(charges[0].invoice_id) if charges else None
    return None


def invoice(uow, ident: str) -> Printable:
    inv = _invoice_by(uow, ident)
    if not _live(inv):
        raise _not_found("invoice", ident)
    charges = [c for c in uow.records(Charge).for_patient(inv.patient_id, desc=False)
               if c.id in inv.charge_ids]
    payments = [p for p in uow.records(Payment).for_patient(inv.patient_id, desc=False)
                if p.invoice_id == inv.id and p.status == "active"]
    visit_ids = {c.encounter_id for c in charges if c.encounter_id}
    visit = uow.records(Encounter).find(sorted(visit_ids)[0]) if visit_ids else None
    patient = uow.patients.get(inv.patient_id)
    return Printable("invoice", patient,
                     {"invoice": inv, "charges": charges, "payments": payments, "encounter": visit,
                      "practitioner": _practitioner(uow, visit.practitioner_id if visit else None),
                      "coverage": patient.coverages[0] if patient.coverages else None},
                     "Invoice", inv.id)


def chart(uow, ident: str) -> Printable:
    patient = _patient(uow, ident)
    if patient is None:
        raise _not_found("chart", ident)
    pid = patient.id
    labs = uow.observations.for_patient(pid, desc=False, where={"category": "laboratory"})
    visits = uow.records(Encounter).for_patient(pid, desc=False)
    staff = {v.practitioner_id for v in visits if v.practitioner_id}
    return Printable("chart", patient, {
        "problems": uow.records(Condition).for_patient(pid, desc=False),
        "allergies": uow.records(AllergyIntolerance).for_patient(pid, desc=False),
        "medications": uow.records(MedicationRequest).for_patient(pid, desc=False),
        "home_medications": uow.records(MedicationStatement).for_patient(pid, desc=False),
        "immunizations": uow.records(Immunization).for_patient(pid, desc=False),
        "encounters": visits,
        "notes": [n for n in uow.records(ClinicalNote).for_patient(pid, desc=False)
                  if n.status in ("signed", "amended")],
        "labs": labs,
        "practitioners": {i: _practitioner(uow, i) for i in staff},
    }, "Patient", pid)


def immunization_record(uow, ident: str) -> Printable:
    patient = _patient(uow, ident)
    if patient is None:
        raise _not_found("immunization-record", ident)
    shots = uow.records(Immunization).for_patient(patient.id, desc=False)
    return Printable("immunization-record", patient, {
        "immunizations": shots,
        "allergies": uow.records(AllergyIntolerance).for_patient(patient.id, where={"status": "active"}),
    }, "Patient", patient.id)


def lab_report(uow, ident: str) -> Printable:
    report = uow.records(DiagnosticReport).find(ident)
    order = uow.records(ServiceRequest).find(ident) if not _live(report) else None
    if _live(order):
        report = next((r for r in uow.records(DiagnosticReport).for_patient(order.patient_id)
                       if r.service_request_id == order.id and _live(r)), None)
    if not _live(report):
        raise _not_found("lab-report", ident)
    order = order or (uow.records(ServiceRequest).find(report.service_request_id)
                      if report.service_request_id else None)
    results = [o for o in (uow.observations.find(i) for i in report.result_ids) if _live(o)]
    if not results:
        results = [o for o in uow.observations.for_patient(report.patient_id, desc=False,
                                                           where={"category": "laboratory"})
                   if o.report_id == report.id]
    return Printable("lab-report", uow.patients.get(report.patient_id), {
        "report": report, "order": order, "results": results,
        "requester": _practitioner(uow, order.requester_id if order else None),
    }, "DiagnosticReport", report.id)


GATHER = {"visit-summary": visit_summary, "prescription": prescription, "invoice": invoice,
          "chart": chart, "immunization-record": immunization_record, "lab-report": lab_report}
