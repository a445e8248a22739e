"""Appointment ⇄ FHIR R4 Appointment."""
from __future__ import annotations

from app.model import Appointment
from sync.mapping.common import (MapContext, base, code_of, common_in, ext, ext_value, extensions,
                                 first, prune, ref, ref_id, system_url, to_datetime, when)


def _actor(participants: list, resource_type: str) -> str | None:
    for p in participants:
        value = (p.get("actor") or {}).get("reference", "")
        if value.split("/")[-2:-1] == [resource_type]:
            return ref_id(p["actor"])
    return None


def to_fhir(a: Appointment, ctx: MapContext) -> dict:
    actors = [ref("Patient", a.patient_id), ref("Practitioner", a.practitioner_id),
              ref("Location", a.location_id)]
    return prune(base(a, ctx) | {
        "extension": extensions(ext("telehealth-url", a.telehealth_url)),
        "status": a.status,
        "appointmentType": {"coding": [{"system": system_url("appointment-type"), "code": a.appointment_type}]},
        "reasonCode": [{"text": a.reason}] if a.reason else None,
        "start": when(a.start), "end": when(a.end),
        "comment": a.note,
        "participant": [{"actor": actor, "status": "accepted"} for actor in actors if actor],
    })


def from_fhir(r: dict) -> Appointment:
    people = r.get("participant") or []
    return Appointment(
        **common_in(r), patient_id=_actor(people, "Patient"), start=to_datetime(r.get("start")),
        end=to_datetime(r.get("end")), practitioner_id=_actor(people, "Practitioner"),
        location_id=_actor(people, "Location"),
        appointment_type=code_of(r.get("appointmentType"), "follow-up"),
        telehealth_url=ext_value(r, "telehealth-url"),
        reason=(first(r.get("reasonCode")) or {}).get("text"), note=r.get("comment"),
        status=r.get("status", "booked"))
