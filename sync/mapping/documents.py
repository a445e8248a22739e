"""Clinical notes, attached documents and consents ⇄ FHIR R4 DocumentReference / Consent.

A note and a document are both DocumentReferences; US Core's ``clinical-note``
category tells a note from an attached file on the way back. A document's bytes
travel as a Binary with the same id (see :func:`binary`).
"""
from __future__ import annotations

import base64

from app.model import Addendum, ClinicalNote, Consent, Document
from sync.mapping.common import (MapContext, base, code_concept, code_of, common_in, ext, ext_all,
                                 ext_value, extensions, first, prune, ref, ref_id, struct_ext,
                                 struct_in, system_url, to_date, to_datetime, when)

US_CORE_DOC_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
LOINC = "http://loinc.org"
NOTE_TYPES = {"progress-note": "11506-3", "history-and-physical": "34117-2", "consult-note": "11488-4",
              "discharge-summary": "18842-5", "procedure-note": "28570-0"}
DOC_STATUS = {"draft": "preliminary", "signed": "final", "amended": "amended",
              "entered-in-error": "entered-in-error"}
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
SECTIONS = ("subjective", "objective", "assessment", "plan")


def is_note(resource: dict) -> bool:
    """Whether a DocumentReference is a clinical note (else an attached document)."""
    return any(c.get("code") == "clinical-note" for cat in resource.get("category") or []
               for c in cat.get("coding") or [])


def _note_text(n: ClinicalNote) -> str:
    parts = [f"{name.capitalize()}: {getattr(n, name)}" for name in SECTIONS if getattr(n, name)]
    return "\n\n".join([n.title, *parts])


def note_to_fhir(n: ClinicalNote, ctx: MapContext) -> dict:
    loinc = NOTE_TYPES.get(n.note_type)
    text = base64.b64encode(_note_text(n).encode()).decode()
    return prune(base(n, ctx, "DocumentReference") | {
        "extension": extensions(*(ext(s, getattr(n, s)) for s in SECTIONS),
                                ext("note-type", n.note_type), ext("signed-by", n.signed_by),
                                ext("signed-at", n.signed_at), ext("note-status", n.status),
                                *(struct_ext("addendum", a) for a in n.addenda)),
        "status": "entered-in-error" if n.status == "entered-in-error" else "current",
        "docStatus": DOC_STATUS.get(n.status, "preliminary"),
        "type": (code_concept(LOINC, loinc) if loinc else {"text": n.note_type}),
        "category": [code_concept(US_CORE_DOC_CATEGORY, "clinical-note")],
        "subject": ref("Patient", n.patient_id),
        "date": when(n.signed_at or n.updated_at or n.created_at),
        "author": [ref("Practitioner", n.author_id)] if n.author_id else None,
        "description": n.title,
        "content": [{"attachment": {"contentType": "text/plain; charset=utf-8", "data": text,
                                    "title": n.title}}],
        "context": {"encounter": [ref("Encounter", n.encounter_id)]} if n.encounter_id else None,
    })


def note_from_fhir(r: dict) -> ClinicalNote:
    by_loinc = {v: k for k, v in NOTE_TYPES.items()}
    status = ext_value(r, "note-status") or {v: k for k, v in DOC_STATUS.items()}.get(
        r.get("docStatus"), "draft")
    return ClinicalNote(
        **common_in(r), patient_id=ref_id(r.get("subject")),
        encounter_id=ref_id(first((r.get("context") or {}).get("encounter"))),
        note_type=ext_value(r, "note-type") or by_loinc.get(code_of(r.get("type")), "progress-note"),
        title=r.get("description") or "Progress note",
        **{s: ext_value(r, s, "") for s in SECTIONS},
        author_id=ref_id(first(r.get("author"))), signed_by=ext_value(r, "signed-by"),
        signed_at=to_datetime(ext_value(r, "signed-at")),
        addenda=[struct_in(Addendum, e) for e in ext_all(r, "addendum")], status=status)


def document_to_fhir(d: Document, ctx: MapContext) -> dict:
    return prune(base(d, ctx, "DocumentReference") | {
        "extension": extensions(ext("sha256", d.sha256)),
        "status": d.status,
        "category": [code_concept(system_url("document-category"), d.category or "document")],
        "subject": ref("Patient", d.patient_id),
        "date": when(d.created_at),
        "author": [ref("Practitioner", d.author_id)] if d.author_id else None,
        "description": d.title,
        "content": [{"attachment": {"contentType": d.content_type, "url": f"Binary/{d.id}",
                                    "size": d.size, "title": d.title}}],
        "context": {"encounter": [ref("Encounter", d.encounter_id)]} if d.encounter_id else None,
    })


def document_from_fhir(r: dict) -> Document:
    attachment = (first(r.get("content")) or {}).get("attachment") or {}
    category = code_of(first(r.get("category")))
    return Document(
        **common_in(r), patient_id=ref_id(r.get("subject")), title=r.get("description") or attachment.get("title", ""),
        content_type=attachment.get("contentType", "application/octet-stream"), size=attachment.get("size", 0),
        sha256=ext_value(r, "sha256", ""), category=None if category == "document" else category,
        encounter_id=ref_id(first((r.get("context") or {}).get("encounter"))),
        author_id=ref_id(first(r.get("author"))), status=r.get("status", "current"))


def binary(d: Document, content: bytes) -> dict:
    """The Binary that carries a document's bytes (same id as the document)."""
    return {"resourceType": "Binary", "id": d.id, "contentType": d.content_type,
            "data": base64.b64encode(content).decode()}


def consent_to_fhir(c: Consent, ctx: MapContext) -> dict:
    scope = {"treatment": "treatment", "research": "research"}.get(c.category, "patient-privacy")
    return prune(base(c, ctx) | {
        "extension": extensions(ext("note", c.note)),
        "status": c.status,
        "scope": code_concept(CONSENT_SCOPE, scope),
        "category": [code_concept(system_url("consent-category"), c.category)],
        "patient": ref("Patient", c.patient_id),
        "dateTime": when(c.date),
        "policyRule": {"text": c.policy or c.category},
        "provision": {"type": c.decision},
    })


def consent_from_fhir(r: dict) -> Consent:
    rule = (r.get("policyRule") or {}).get("text")
    category = code_of(first(r.get("category")), "treatment")
    return Consent(
        **common_in(r), patient_id=ref_id(r.get("patient")), category=category,
        date=to_date(r.get("dateTime")), decision=(r.get("provision") or {}).get("type", "permit"),
        policy=None if rule == category else rule, note=ext_value(r, "note"),
        status=r.get("status", "active"))
