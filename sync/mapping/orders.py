"""ServiceRequest and DiagnosticReport ⇄ FHIR R4 / US Core."""
from __future__ import annotations

from app.model import DiagnosticReport, ServiceRequest
from sync.mapping.common import (MapContext, base, code_concept, code_of, common_in, concept_in,
                                 concept_out, ext, ext_value, extensions, first, prune, ref,
                                 ref_id, to_datetime, when)

SNOMED = "http://snomed.info/sct"
#: US Core's ServiceRequest categories (SNOMED CT): laboratory and imaging procedures.
CATEGORY_CODES = {"laboratory": "108252007", "imaging": "363679005"}
DR_CATEGORY = "http://terminology.hl7.org/CodeSystem/v2-0074"
DR_CODES = {"laboratory": "LAB", "imaging": "RAD"}


def request_to_fhir(s: ServiceRequest, ctx: MapContext) -> dict:
    category = CATEGORY_CODES.get(s.category)
    return prune(base(s, ctx) | {
        "extension": extensions(ext("category", s.category) if not category else None),
        "status": s.status, "intent": "order", "priority": s.priority,
        "category": [code_concept(SNOMED, category, s.category)] if category else None,
        "code": concept_out(s.code),
        "subject": ref("Patient", s.patient_id),
        "encounter": ref("Encounter", s.encounter_id),
        "authoredOn": when(s.authored_on),
        "requester": ref("Practitioner", s.requester_id),
        "reasonCode": [concept_out(c) for c in s.reasons],
        "note": [{"text": s.note}] if s.note else None,
    })


def request_from_fhir(r: dict) -> ServiceRequest:
    by_code = {v: k for k, v in CATEGORY_CODES.items()}
    return ServiceRequest(
        **common_in(r), patient_id=ref_id(r.get("subject")), code=concept_in(r.get("code")),
        category=ext_value(r, "category") or by_code.get(code_of(first(r.get("category"))), "laboratory"),
        priority=r.get("priority", "routine"), authored_on=to_datetime(r.get("authoredOn")),
        requester_id=ref_id(r.get("requester")), encounter_id=ref_id(r.get("encounter")),
        reasons=[concept_in(c) for c in r.get("reasonCode") or []],
        note=(first(r.get("note")) or {}).get("text"), status=r.get("status", "active"))


def report_to_fhir(d: DiagnosticReport, ctx: MapContext) -> dict:
    category = DR_CODES.get(d.category)
    return prune(base(d, ctx) | {
        "extension": extensions(ext("category", d.category) if not category else None,
                                ext("performer", d.performer)),
        "status": d.status,
        "basedOn": [ref("ServiceRequest", d.service_request_id)] if d.service_request_id else None,
        "category": [code_concept(DR_CATEGORY, category)] if category else None,
        "code": concept_out(d.code),
        "subject": ref("Patient", d.patient_id),
        "encounter": ref("Encounter", d.encounter_id),
        "effectiveDateTime": when(d.issued),
        "issued": when(d.issued),
        "result": [ref("Observation", i) for i in d.result_ids],
        "conclusion": d.conclusion,
    })


def report_from_fhir(r: dict) -> DiagnosticReport:
    by_code = {v: k for k, v in DR_CODES.items()}
    return DiagnosticReport(
        **common_in(r), patient_id=ref_id(r.get("subject")), code=concept_in(r.get("code")),
        issued=to_datetime(r.get("issued") or r.get("effectiveDateTime")),
        category=ext_value(r, "category") or by_code.get(code_of(first(r.get("category"))), "laboratory"),
        service_request_id=ref_id(first(r.get("basedOn"))), encounter_id=ref_id(r.get("encounter")),
        result_ids=[ref_id(x) for x in r.get("result") or []], performer=ext_value(r, "performer"),
        conclusion=r.get("conclusion"), status=r.get("status", "final"))
