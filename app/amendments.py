"""Patients' requests to amend their records (HIPAA §164.526; ONC §170.315(d)(4)).

A request is recorded as the patient put it; a clinician then accepts it — linking the
record that was amended (the amendment itself is made through the usual service for that
record, so it is versioned and synced like any other change) — or denies it with the
reason the patient will be told. Nothing is ever deleted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app import model
from app.audit import Action
from app.errors import NotFound, ValidationError
from app.model import Patient, Record, new_id
from app.permissions import Permission
from app.session import Session

REQUESTED, ACCEPTED, DENIED = "requested", "accepted", "denied"


@dataclass(kw_only=True)
class AmendmentRequest:
    id: str = field(default_factory=new_id)
    patient_id: str
    requested_at: datetime
    requested_by: str  # the patient, or who asked on their behalf
    description: str  # the change asked for, in the patient's words
    record_type: str | None = None  # the record it concerns, when known
    record_id: str | None = None
    recorded_by: str = ""
    status: str = REQUESTED
    decided_at: datetime | None = None
    decided_by: str | None = None
    amended_record_type: str | None = None  # accepted: the record that now holds the change
    amended_record_id: str | None = None
    denial_reason: str | None = None
    note: str = ""
    version: int = 0


def request(session: Session, *, patient_id: str, description: str, requested_by: str = "patient",
            record_type: str | None = None, record_id: str | None = None) -> AmendmentRequest:
    """Record a patient's amendment request. Raises ValidationError, NotFound."""
    session.require(Permission.PATIENT_WRITE, patient_id=patient_id)
    description = description.strip()
    if not description:
        raise ValidationError({"description": "say what the patient asks to be changed"})
    item = AmendmentRequest(patient_id=patient_id, requested_at=session.clock(),
                            requested_by=requested_by.strip() or "patient", description=description,
                            record_type=record_type, record_id=record_id,
                            recorded_by=session.username)
    with session.uow() as uow:
        uow.patients.get(patient_id)
        if record_type and record_id:
            _linked(uow, record_type, record_id, patient_id)
        uow.amendments.add(item)
        uow.audit.append(session.entry(Action.CREATE, patient_id=patient_id,
                                       record_type="AmendmentRequest", record_id=item.id,
                                       detail={"about": record_type or ""}))
        uow.commit()
    return item


def accept(session: Session, amendment_id: str, *, amended_record_type: str,
           amended_record_id: str, note: str = "") -> AmendmentRequest:
    """Accept a request, linking the record that was amended (it must be this patient's).

    Raises NotFound, ValidationError (already decided, or the record is someone else's).
    """
    def decide(item: AmendmentRequest, uow) -> None:
        _linked(uow, amended_record_type, amended_record_id, item.patient_id)
        item.status = ACCEPTED
        item.amended_record_type, item.amended_record_id = amended_record_type, amended_record_id
    return _decide(session, amendment_id, decide, note=note)


def deny(session: Session, amendment_id: str, *, reason: str, note: str = "") -> AmendmentRequest:
    """Deny a request; ``reason`` (required) is what the patient will be told."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "a denial needs the reason the patient will be given"})

    def decide(item: AmendmentRequest, uow) -> None:
        item.status, item.denial_reason = DENIED, reason
    return _decide(session, amendment_id, decide, note=note)


def for_patient(session: Session, patient_id: str) -> list[AmendmentRequest]:
    """A patient's amendment requests, newest first (reading them is audited)."""
    session.require(Permission.PATIENT_READ, patient_id=patient_id)
    with session.uow() as uow:
        items = uow.amendments.for_patient(patient_id)
        uow.audit.append(session.entry(Action.READ, patient_id=patient_id,
                                       record_type="AmendmentRequest", detail={"rows": len(items)}))
        uow.commit()
    return items


def _decide(session: Session, amendment_id: str, decide, *, note: str) -> AmendmentRequest:
    with session.uow() as uow:
        patient_id = uow.amendments.get(amendment_id).patient_id
    session.require(Permission.CLINICAL_WRITE, patient_id=patient_id)  # audits in its own uow
    with session.uow() as uow:
        item = uow.amendments.get(amendment_id)
        if item.status != REQUESTED:
            raise ValidationError({"status": f"this request was already {item.status}"})
        decide(item, uow)
        item.decided_at, item.decided_by, item.note = session.clock(), session.username, note.strip()
        uow.amendments.update(item)
        uow.audit.append(session.entry(Action.UPDATE, patient_id=item.patient_id,
                                       record_type="AmendmentRequest", record_id=item.id,
                                       detail={"decision": item.status,
                                               "amended": item.amended_record_id or ""}))
        uow.commit()
    return item


def _record_class(resource_type: str) -> type[Record]:
    for name in dir(model):
        cls = getattr(model, name)
        if isinstance(cls, type) and issubclass(cls, Record) and cls.RESOURCE_TYPE == resource_type:
            return cls
    raise ValidationError({"record_type": f"{resource_type} is not a kind of record"})


def _linked(uow, resource_type: str, record_id: str, patient_id: str) -> Record:
    record = uow.records(_record_class(resource_type)).find(record_id)
    if record is None:
        raise NotFound(resource_type, record_id)
    owner = record.id if isinstance(record, Patient) else getattr(record, "patient_id", None)
    if owner != patient_id:
        raise ValidationError({"record": "the linked record belongs to another patient"})
    return record

