"""Encounter, Observation, Condition and AllergyIntolerance ⇄ FHIR R4 / US Core."""
from __future__ import annotations

from app.model import AllergyIntolerance, Condition, Encounter, Observation, ObservationComponent
from app.terminology import SYSTEM_URLS
from sync.mapping.common import (MapContext, base, code_concept, code_of, common_in, concept_in,
                                 concept_out, decimal, ext, ext_value, extensions, first, number,
                                 prune, ref, ref_id, system_url, to_date, to_datetime, when)

TERM = "http://terminology.hl7.org/CodeSystem/"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
OBS_CATEGORY = TERM + "observation-category"
INTERPRETATION = TERM + "v3-ObservationInterpretation"
DATA_ABSENT = TERM + "data-absent-reason"
CONDITION_CATEGORY = TERM + "condition-category"
CONDITION_CLINICAL, CONDITION_VERIFICATION = TERM + "condition-clinical", TERM + "condition-ver-status"
ALLERGY_CLINICAL, ALLERGY_VERIFICATION = (TERM + "allergyintolerance-clinical",
                                          TERM + "allergyintolerance-verification")
EIE = "entered-in-error"


def _note(text: str | None) -> list | None:
    return [{"text": text}] if text else None


def _note_in(r: dict) -> str | None:
    return (first(r.get("note")) or {}).get("text")


def encounter_to_fhir(e: Encounter, ctx: MapContext) -> dict:
    return prune(base(e, ctx) | {
        "status": e.status,
        "class": {"system": ACT_CODE, "code": e.class_code},
        "type": [{"coding": [{"system": system_url("visit-type"), "code": e.visit_type}]}],
        "subject": ref("Patient", e.patient_id),
        "participant": [{"individual": ref("Practitioner", e.practitioner_id)}] if e.practitioner_id else None,
        "appointment": [ref("Appointment", e.appointment_id)] if e.appointment_id else None,
        "period": prune({"start": when(e.start), "end": when(e.end)}),
        "reasonCode": [concept_out(c) for c in e.reasons],
        "location": [{"location": ref("Location", e.location_id)}] if e.location_id else None,
    })


def encounter_from_fhir(r: dict) -> Encounter:
    period = r.get("period") or {}
    return Encounter(
        **common_in(r), patient_id=ref_id(r.get("subject")), start=to_datetime(period.get("start")),
        end=to_datetime(period.get("end")), status=r.get("status", "unknown"),
        class_code=(r.get("class") or {}).get("code", "AMB"),
        visit_type=code_of(first(r.get("type")), "office-visit"),
        practitioner_id=ref_id((first(r.get("participant")) or {}).get("individual")),
        location_id=ref_id((first(r.get("location")) or {}).get("location")),
        appointment_id=ref_id(first(r.get("appointment"))),
        reasons=[concept_in(c) for c in r.get("reasonCode") or []])


def _quantity(value, unit, shown: str | None = None) -> dict | None:
    """A UCUM quantity; ``shown`` is the unit as the sender wrote it when that differs from
    the UCUM code ("mmHg" for mm[Hg])."""
    if value is None:
        return None
    return prune({"value": number(value), "unit": shown or unit,
                  "system": SYSTEM_URLS["ucum"] if unit else None, "code": unit})


def _shown_unit(qty: dict) -> str | None:
    unit = qty.get("unit")
    return unit if unit and qty.get("code") and unit != qty["code"] else None


def observation_to_fhir(o: Observation, ctx: MapContext) -> dict:
    rng = prune({"low": _quantity(o.ref_low, o.unit, o.unit_shown),
                  "high": _quantity(o.ref_high, o.unit, o.unit_shown)})
    out = base(o, ctx) | {
        "extension": extensions(ext("report", ref("DiagnosticReport", o.report_id))),
        "status": o.status,
        "basedOn": [ref("ServiceRequest", o.service_request_id)] if o.service_request_id else None,
        "category": [code_concept(OBS_CATEGORY, o.category)],
        "code": concept_out(o.code),
        "subject": ref("Patient", o.patient_id),
        "encounter": ref("Encounter", o.encounter_id),
        "effectiveDateTime": when(o.effective),
        "performer": [ref("Practitioner", o.performer_id)] if o.performer_id else None,
        "interpretation": [code_concept(INTERPRETATION, o.interpretation)] if o.interpretation else None,
        "note": _note(o.note),
        "referenceRange": [rng] if rng else None,
    }
    if o.value is not None:
        out["valueQuantity"] = _quantity(o.value, o.unit, o.unit_shown)
    elif o.value_text is not None:
        out["valueString"] = o.value_text
    if o.components:
        out["component"] = [_component_out(c) for c in o.components]
    return prune(out)


def _component_out(c: ObservationComponent) -> dict:
    rng = prune({"low": _quantity(c.ref_low, c.unit, c.unit_shown),
                  "high": _quantity(c.ref_high, c.unit, c.unit_shown)})
    out = {"code": concept_out(c.code),
           "dataAbsentReason": code_concept(DATA_ABSENT, c.absent_reason),
           "interpretation": [code_concept(INTERPRETATION, c.interpretation)] if c.interpretation else None,
           "referenceRange": [rng] if rng else None}
    if c.value is not None:
        out["valueQuantity"] = _quantity(c.value, c.unit, c.unit_shown)
    elif c.value_text is not None:
        out["valueString"] = c.value_text
    return prune(out)


def _component_in(c: dict) -> ObservationComponent:
    qty = c.get("valueQuantity") or {}
    rng = first(c.get("referenceRange")) or {}
    return ObservationComponent(
        code=concept_in(c.get("code")), value=decimal(qty.get("value")),
        unit=qty.get("code") or qty.get("unit") or (rng.get("low") or rng.get("high") or {}).get("code"),
        unit_shown=_shown_unit(qty),
        value_text=c.get("valueString"), interpretation=code_of(first(c.get("interpretation"))),
        absent_reason=code_of(c.get("dataAbsentReason")),
        ref_low=decimal((rng.get("low") or {}).get("value")), ref_high=decimal((rng.get("high") or {}).get("value")))


def observation_from_fhir(r: dict) -> Observation:
    qty = r.get("valueQuantity") or {}
    rng = first(r.get("referenceRange")) or {}
    unit = qty.get("code") or qty.get("unit") or (rng.get("low") or rng.get("high") or {}).get("code")
    return Observation(
        **common_in(r), patient_id=ref_id(r.get("subject")), code=concept_in(r.get("code")),
        effective=to_datetime(r.get("effectiveDateTime") or (r.get("effectivePeriod") or {}).get("start")
                              or r.get("issued")),
        category=code_of(first(r.get("category")), "laboratory"), value=decimal(qty.get("value")),
        unit=unit, unit_shown=_shown_unit(qty), value_text=r.get("valueString"),
        ref_low=decimal((rng.get("low") or {}).get("value")),
        ref_high=decimal((rng.get("high") or {}).get("value")),
        interpretation=code_of(first(r.get("interpretation"))),
        encounter_id=ref_id(r.get("encounter")),
        service_request_id=ref_id(first(r.get("basedOn"))),
        report_id=ref_id(ext_value(r, "report")),
        performer_id=ref_id(first(r.get("performer"))), note=_note_in(r),
        status=r.get("status", "final"), components=[_component_in(c) for c in r.get("component") or []])


def condition_to_fhir(c: Condition, ctx: MapContext) -> dict:
    erroneous = c.status == EIE
    return prune(base(c, ctx) | {
        "clinicalStatus": None if erroneous else code_concept(CONDITION_CLINICAL, c.clinical_status),
        "verificationStatus": code_concept(CONDITION_VERIFICATION, EIE if erroneous else c.verification_status),
        "extension": extensions(ext("clinical-status", c.clinical_status) if erroneous else None),
        "category": [code_concept(CONDITION_CATEGORY, c.category)],
        "code": concept_out(c.code),
        "subject": ref("Patient", c.patient_id),
        "encounter": ref("Encounter", c.encounter_id),
        "onsetDateTime": when(c.onset_date),
        "abatementDateTime": when(c.abatement_date),
        "recordedDate": when(c.recorded_date),
        "recorder": ref("Practitioner", c.recorder_id),
        "note": _note(c.note),
    })


def condition_from_fhir(r: dict) -> Condition:
    verification = code_of(r.get("verificationStatus"), "confirmed")
    erroneous = verification == EIE
    return Condition(
        **common_in(r), patient_id=ref_id(r.get("subject")), code=concept_in(r.get("code")),
        clinical_status=(ext_value(r, "clinical-status") if erroneous else None)
        or code_of(r.get("clinicalStatus"), "active"),
        verification_status="confirmed" if erroneous else verification,
        category=code_of(first(r.get("category")), "problem-list-item"),
        onset_date=to_date(r.get("onsetDateTime")), abatement_date=to_date(r.get("abatementDateTime")),
        recorded_date=to_date(r.get("recordedDate")), encounter_id=ref_id(r.get("encounter")),
        recorder_id=ref_id(r.get("recorder")), note=_note_in(r), status=EIE if erroneous else "active")


def allergy_to_fhir(a: AllergyIntolerance, ctx: MapContext) -> dict:
    erroneous = a.status == EIE
    reaction = prune({"manifestation": [{"text": a.reaction}] if a.reaction else None,
                      "severity": a.severity})
    return prune(base(a, ctx) | {
        "extension": extensions(ext("clinical-status", a.clinical_status) if erroneous else None),
        "clinicalStatus": None if erroneous else code_concept(ALLERGY_CLINICAL, a.clinical_status),
        "verificationStatus": code_concept(ALLERGY_VERIFICATION, EIE if erroneous else a.verification_status),
        "type": a.type, "category": [a.category], "criticality": a.criticality,
        "code": concept_out(a.substance),
        "patient": ref("Patient", a.patient_id),
        "onsetDateTime": when(a.onset_date),
        "recorder": ref("Practitioner", a.recorder_id),
        "note": _note(a.note),
        "reaction": [reaction] if reaction.get("manifestation") else None,
    })


def allergy_from_fhir(r: dict) -> AllergyIntolerance:
    verification = code_of(r.get("verificationStatus"), "confirmed")
    erroneous = verification == EIE
    reaction = first(r.get("reaction")) or {}
    return AllergyIntolerance(
        **common_in(r), patient_id=ref_id(r.get("patient")), substance=concept_in(r.get("code")),
        category=first(r.get("category")) or "medication", type=r.get("type", "allergy"),
        criticality=r.get("criticality"),
        reaction=(first(reaction.get("manifestation")) or {}).get("text"), severity=reaction.get("severity"),
        clinical_status=(ext_value(r, "clinical-status") if erroneous else None)
        or code_of(r.get("clinicalStatus"), "active"),
        verification_status="confirmed" if erroneous else verification,
        onset_date=to_date(r.get("onsetDateTime")), recorder_id=ref_id(r.get("recorder")),
        note=_note_in(r), status=EIE if erroneous else "active")
