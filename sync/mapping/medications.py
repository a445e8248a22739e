"""MedicationRequest, MedicationStatement and Immunization ⇄ FHIR R4 / US Core."""
from __future__ import annotations

from app.model import Immunization, MedicationRequest, MedicationStatement
from sync.mapping.common import (MapContext, base, common_in, concept_in, concept_out, decimal,
                                 ext, ext_value, extensions, first, number, prune, ref, ref_id,
                                 to_date, to_datetime, when)


def _text(value: str | None) -> dict | None:
    return {"text": value} if value else None


def _note(text):
    return [{"text": text}] if text else None


def _note_in(r):
    return (first(r.get("note")) or {}).get("text")


def request_to_fhir(m: MedicationRequest, ctx: MapContext) -> dict:
    dose = prune({"value": number(m.dose), "unit": m.dose_unit}) if m.dose is not None else None
    dosage = prune({"text": m.sig, "timing": {"code": {"text": m.frequency}} if m.frequency else None,
                    "asNeededBoolean": m.prn, "route": _text(m.route),
                    "doseAndRate": [{"doseQuantity": dose}] if dose else None})
    dispense = prune({
        "numberOfRepeatsAllowed": m.refills,
        "quantity": prune({"value": number(m.quantity), "unit": m.quantity_unit}) if m.quantity is not None else None,
        "expectedSupplyDuration": ({"value": m.days_supply, "unit": "days",
                                    "system": "http://unitsofmeasure.org", "code": "d"}
                                   if m.days_supply is not None else None)})
    return prune(base(m, ctx) | {
        "extension": extensions(ext("signed-by", m.signed_by), ext("signed-at", m.signed_at)),
        "status": m.status, "intent": "order",
        "medicationCodeableConcept": concept_out(m.medication),
        "subject": ref("Patient", m.patient_id),
        "encounter": ref("Encounter", m.encounter_id),
        "authoredOn": when(m.authored_on),
        "requester": ref("Practitioner", m.prescriber_id),
        "note": _note(m.note),
        "dosageInstruction": [dosage],
        "dispenseRequest": dispense,
    })


def request_from_fhir(r: dict) -> MedicationRequest:
    dosage = first(r.get("dosageInstruction")) or {}
    dose = (first(dosage.get("doseAndRate")) or {}).get("doseQuantity") or {}
    dispense = r.get("dispenseRequest") or {}
    qty = dispense.get("quantity") or {}
    supply = dispense.get("expectedSupplyDuration") or {}
    return MedicationRequest(
        **common_in(r), patient_id=ref_id(r.get("subject")),
        medication=concept_in(r.get("medicationCodeableConcept")),
        dose=decimal(dose.get("value")), dose_unit=dose.get("unit"),
        route=(dosage.get("route") or {}).get("text"),
        frequency=((dosage.get("timing") or {}).get("code") or {}).get("text"), sig=dosage.get("text"),
        quantity=decimal(qty.get("value")), quantity_unit=qty.get("unit"),
        refills=dispense.get("numberOfRepeatsAllowed", 0),
        days_supply=int(supply["value"]) if supply.get("value") is not None else None,
        prn=bool(dosage.get("asNeededBoolean", False)), authored_on=to_datetime(r.get("authoredOn")),
        prescriber_id=ref_id(r.get("requester")), encounter_id=ref_id(r.get("encounter")),
        signed_by=ext_value(r, "signed-by"), signed_at=to_datetime(ext_value(r, "signed-at")),
        note=_note_in(r), status=r.get("status", "active"))


def statement_to_fhir(m: MedicationStatement, ctx: MapContext) -> dict:
    return prune(base(m, ctx) | {
        "status": m.status,
        "medicationCodeableConcept": concept_out(m.medication),
        "subject": ref("Patient", m.patient_id),
        "effectivePeriod": prune({"start": when(m.effective_start), "end": when(m.effective_end)}),
        "informationSource": {"display": m.information_source} if m.information_source else None,
        "dosage": [{"text": m.dosage}] if m.dosage else None,
        "note": _note(m.note),
    })


def statement_from_fhir(r: dict) -> MedicationStatement:
    period = r.get("effectivePeriod") or {}
    return MedicationStatement(
        **common_in(r), patient_id=ref_id(r.get("subject")),
        medication=concept_in(r.get("medicationCodeableConcept")),
        dosage=(first(r.get("dosage")) or {}).get("text"),
        effective_start=to_date(period.get("start") or r.get("effectiveDateTime")),
        effective_end=to_date(period.get("end")),
        information_source=(r.get("informationSource") or {}).get("display"),
        note=_note_in(r), status=r.get("status", "active"))


def immunization_to_fhir(i: Immunization, ctx: MapContext) -> dict:
    return prune(base(i, ctx) | {
        "status": i.status,
        "vaccineCode": concept_out(i.vaccine),
        "patient": ref("Patient", i.patient_id),
        "encounter": ref("Encounter", i.encounter_id),
        "occurrenceDateTime": when(i.occurrence),
        "manufacturer": {"display": i.manufacturer} if i.manufacturer else None,
        "lotNumber": i.lot_number,
        "expirationDate": when(i.expiration_date),
        "site": _text(i.site), "route": _text(i.route),
        "performer": [{"actor": ref("Practitioner", i.performer_id)}] if i.performer_id else None,
        "note": _note(i.note),
        "protocolApplied": [{"doseNumberPositiveInt": i.dose_number}] if i.dose_number else None,
    })


def immunization_from_fhir(r: dict) -> Immunization:
    return Immunization(
        **common_in(r), patient_id=ref_id(r.get("patient")), vaccine=concept_in(r.get("vaccineCode")),
        occurrence=to_date(r.get("occurrenceDateTime")), lot_number=r.get("lotNumber"),
        expiration_date=to_date(r.get("expirationDate")),
        manufacturer=(r.get("manufacturer") or {}).get("display"),
        site=(r.get("site") or {}).get("text"), route=(r.get("route") or {}).get("text"),
        dose_number=(first(r.get("protocolApplied")) or {}).get("doseNumberPositiveInt"),
        performer_id=ref_id((first(r.get("performer")) or {}).get("actor")),
        encounter_id=ref_id(r.get("encounter")), note=_note_in(r), status=r.get("status", "completed"))
