"""The shared write path for clinical records: check, store with outbox, audit, commit.

Topic modules (problems, allergies, ...) validate their own fields and then call these.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from app.audit import Action
from app.errors import NotFound, ValidationError
from app.model import ENTERED_IN_ERROR, Patient, Record
from app.permissions import Permission
from app.session import Session
from app.uow import UnitOfWork

R = TypeVar("R", bound=Record)


def _require_patient(uow: UnitOfWork, patient_id: str) -> Patient:
    patient = uow.patients.find(patient_id)
    if patient is None or patient.status == ENTERED_IN_ERROR:
        raise NotFound("patient", patient_id)
    return patient


def create(session: Session, record: R, permission: Permission,
           check: Callable[[UnitOfWork, R], None] | None = None) -> R:
    """Store a new record for its patient (which must exist) and audit the creation."""
    patient_id = getattr(record, "patient_id", None)
    session.require(permission, patient_id=patient_id, record_type=record.RESOURCE_TYPE)
    with session.uow() as uow:
        if patient_id:
            _require_patient(uow, patient_id)
        if check:
            check(uow, record)
        uow.records(type(record)).add(record)
        uow.audit.append(session.entry(Action.CREATE, patient_id=patient_id,
                                       record_type=record.RESOURCE_TYPE, record_id=record.id))
        uow.commit()
    return record


def change(session: Session, cls: type[R], record_id: str, permission: Permission,
           edit: Callable[[R], None], *, action: Action = Action.UPDATE,
           detail: dict | None = None) -> R:
    """Load a record, apply ``edit`` to it, and save it (optimistic lock) with an audit entry."""
    session.require(permission, record_type=cls.RESOURCE_TYPE)
    with session.uow() as uow:
        repo = uow.records(cls)
        record = repo.get(record_id)
        if record.status == ENTERED_IN_ERROR:
            raise ValidationError({"record": "was entered in error and can no longer change"})
        edit(record)
        repo.update(record)
        uow.audit.append(session.entry(action, patient_id=getattr(record, "patient_id", None),
                                       record_type=cls.RESOURCE_TYPE, record_id=record_id,
                                       detail=detail or {}))
        uow.commit()
    return record


def retract(session: Session, cls: type[R], record_id: str, permission: Permission, *,
            reason: str) -> R:
    """Mark a record entered-in-error (clinical records are never deleted)."""
    if not reason.strip():
        raise ValidationError({"reason": "say why the entry was a mistake"})

    def _mark(record: R) -> None:
        record.status = ENTERED_IN_ERROR

    return change(session, cls, record_id, permission, _mark, action=Action.DELETE,
                  detail={"reason": reason})


def list_for(session: Session, cls: type[R], patient_id: str, permission: Permission, *,
             limit: int | None = None, **where) -> list[R]:
    """A patient's records of one type, newest first, hiding sensitive ones the user may not see."""
    session.require(permission, patient_id=patient_id, record_type=cls.RESOURCE_TYPE)
    with session.uow() as uow:
        rows = uow.records(cls).for_patient(patient_id, limit=limit, where=where or None)
        uow.audit.append(session.entry(Action.READ, patient_id=patient_id,
                                       record_type=cls.RESOURCE_TYPE, detail={"count": len(rows)}))
        uow.commit()
    return [r for r in rows if session.may_see(r.security_labels)]
