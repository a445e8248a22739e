"""Audit trail entries → FHIR R4 AuditEvent (one way: the server keeps the clinic's trail)."""
from __future__ import annotations

import uuid

from app.audit import Action, AuditEntry
from sync.mapping.common import CLINIC_TAG_SYSTEM, EXT, MapContext, prune, ref, when

DCM = "http://dicom.nema.org/resources/ontology/DCM"
AUDIT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
ACTIONS = {Action.CREATE: "C", Action.READ: "R", Action.UPDATE: "U", Action.DELETE: "D",
           Action.QUERY: "E"}
OUTCOMES = {"success": "0", "failure": "4", "denied": "4"}
_NAMESPACE = uuid.UUID("6f1c3c9a-4f0e-4c55-9d51-5f7b1e6b2a10")


def audit_event_id(store_id: str, seq: int) -> str:
    """A stable id per entry, so sending an entry twice stores it once."""
    return str(uuid.uuid5(_NAMESPACE, f"{store_id}/{seq}"))


def to_fhir(entry: AuditEntry, ctx: MapContext, *, store_id: str) -> dict:
    """The AuditEvent for one sealed audit entry (its chain digest travels with it)."""
    action = Action(entry.action)
    entities = [{"what": ref("Patient", entry.patient_id), "type": {"code": "1"}} if entry.patient_id else None,
                {"what": ref(entry.record_type, entry.record_id)}
                if entry.record_type and entry.record_id and "-" not in entry.record_type else None]
    return prune({
        "resourceType": "AuditEvent", "id": audit_event_id(store_id, entry.seq),
        "meta": {"tag": [{"system": CLINIC_TAG_SYSTEM, "code": ctx.clinic_code}]},
        "extension": [{"url": EXT + "audit-hash", "valueString": entry.hash},
                      {"url": EXT + "audit-seq", "valueInteger": entry.seq}],
        "type": ({"system": DCM, "code": "110110", "display": "Patient Record"} if entry.patient_id
                 else {"system": AUDIT_TYPE, "code": "rest"}),
        "subtype": [{"system": EXT.replace("StructureDefinition", "CodeSystem") + "audit-action",
                     "code": action.value}],
        "action": ACTIONS.get(action, "E"),
        "recorded": when(entry.at),
        "outcome": OUTCOMES.get(entry.outcome, "0"),
        "agent": [prune({"who": {"display": entry.username}, "requestor": True,
                         "role": [{"text": entry.role}] if entry.role else None,
                         "location": ref("Location", entry.location_id)})],
        "source": prune({"site": entry.workstation or None, "observer": {"display": "Outpost EHR"}}),
        "entity": [e for e in entities if e],
    })
