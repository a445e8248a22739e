"""Central patient lookup: find a patient on the central server who is not in this store
(a patient of another clinic, say) and pull their record in.

The search uses standard FHIR search parameters (``family``, ``given``, ``birthdate``,
``identifier``) with no clinic tag, so every clinic's patients are found. Pulling a
patient reads ``Patient/id`` and then, per resource type, ``Type?patient=Patient/id``
following ``next`` links; everything is applied in one local transaction through the same
three-way path a pull uses (a local edit is never overwritten). Both steps are audited.
A patient of another clinic pulled in is followed from then on (sync/scope.py): later
rounds bring what changes on the server for them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from app.audit import Action
from app.errors import NotFound, ValidationError
from app.permissions import Permission
from app.session import Session
from sync import mapping, scope
from sync.gateway import Gateway
from sync.incoming import CONFLICT, MERGED, SAME, SKIPPED, apply_incoming
from sync.mapping import MapContext
from sync.mapping.common import CLINIC_TAG_SYSTEM
from sync.pull import next_link

PATIENT_TYPES = scope.PATIENT_TYPES  # the types pulled with a patient


@dataclass(frozen=True)
class CentralPatient:
    id: str
    name: str
    birth_date: str | None
    sex: str | None
    clinic_code: str | None  # the clinic tag on the server copy (None: none)
    local: bool  # already in this store


def _name(resource: dict) -> str:
    names = resource.get("name") or [{}]
    n = names[0]
    return n.get("text") or " ".join([*(n.get("given") or []), n.get("family", "")]).strip()


def _clinic(resource: dict) -> str | None:
    return next((t.get("code") for t in (resource.get("meta") or {}).get("tag") or []
                 if t.get("system") == CLINIC_TAG_SYSTEM), None)


def search_central(session: Session, gateway: Gateway, *, family: str = "", given: str = "",
                   birth_date: date | None = None, identifier: str = "", limit: int = 20) -> list[CentralPatient]:
    """Patients on the central server matching every criterion given. Raises
    ValidationError when none is given, SyncError when the server cannot answer."""
    session.require(Permission.SYNC)
    session.require(Permission.PATIENT_READ)
    params = [(k, v) for k, v in (("family", family.strip()), ("given", given.strip()),
                                   ("birthdate", birth_date.isoformat() if birth_date else ""),
                                   ("identifier", identifier.strip())) if v]
    if not params:
        raise ValidationError({"search": "give a family name, given name, birth date or identifier"})
    query = "&".join(f"{k}={quote(v, safe='|')}" for k, v in params)
    page = gateway.search(f"Patient?{query}&_count={limit}")
    found = [e["resource"] for e in page.get("entry") or []
             if (e.get("resource") or {}).get("resourceType") == "Patient"
             and (e.get("search") or {}).get("mode", "match") == "match"][:limit]
    with session.uow() as uow:
        local = {r["id"] for r in found if uow.records(mapping.BY_OUTBOX_TYPE["Patient"]).find(r["id"])}
        uow.audit.append(session.entry(Action.QUERY, record_type="Patient",
                                       detail={"central_search": [k for k, _ in params], "found": len(found)}))
        uow.commit()
    return [CentralPatient(r["id"], _name(r), r.get("birthDate"), r.get("gender"), _clinic(r), r["id"] in local)
            for r in found]


@dataclass
class PulledPatient:
    patient_id: str
    stored: int = 0  # resources new or updated here
    merged: int = 0
    conflicts: int = 0
    skipped: int = 0  # unchanged, or types we do not keep


def pull_patient(session: Session, gateway: Gateway, ctx: MapContext, patient_id: str) -> PulledPatient:
    """Bring a central patient's record into this store. NotFound when the server has no
    such patient; SyncError when it cannot answer (nothing is stored then)."""
    session.require(Permission.SYNC)
    session.require(Permission.PATIENT_READ, patient_id=patient_id)
    patient = gateway.read("Patient", patient_id)
    if patient is None:
        raise NotFound("Patient on the central server", patient_id)
    resources = [patient]
    for wire_type in PATIENT_TYPES:
        url: str | None = f"{wire_type}?patient={quote('Patient/' + patient_id, safe='')}&_count=200"
        while url:
            page = gateway.search(url)
            resources += [e["resource"] for e in page.get("entry") or []
                          if (e.get("resource") or {}).get("resourceType") == wire_type
                          and (e.get("search") or {}).get("mode", "match") == "match"]
            url = next_link(page)
    result = PulledPatient(patient_id)
    with session.uow() as uow:
        for resource in resources:
            outcome = apply_incoming(session, uow, resource, ctx)
            result.stored += outcome not in (SAME, SKIPPED, MERGED, CONFLICT)
            result.merged += outcome == MERGED
            result.conflicts += outcome == CONFLICT
            result.skipped += outcome in (SAME, SKIPPED)
        if scope.elsewhere(patient, ctx):  # another clinic's too: later rounds keep them up to date
            scope.follow(uow, patient_id, caught_up=True)
        uow.audit.append(session.entry(Action.IMPORT, patient_id=patient_id, record_type="Patient",
                                       record_id=patient_id,
                                       detail={"central_lookup": True, "from": gateway.base_url,
                                               "clinic": _clinic(patient), "stored": result.stored}))
        uow.commit()
    return result
