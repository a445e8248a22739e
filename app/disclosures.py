"""Accounting of disclosures (HIPAA §164.528; ONC §170.315(d)(11)).

Every print and export of a patient's records is an audit entry (Action.PRINT or
Action.EXPORT with the patient's id); this module lists them for one patient with who,
when, what and to whom. Services that print or export put ``what`` (or ``kind``),
``recipient`` and ``purpose`` in the entry's detail; :func:`record` does that for a
disclosure made outside the product (a faxed letter, a copy handed over).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.audit import Action, AuditEntry
from app.errors import ValidationError
from app.permissions import Permission
from app.session import Session

DISCLOSURE_ACTIONS = (Action.PRINT, Action.EXPORT)


@dataclass(frozen=True)
class Disclosure:
    seq: int
    at: datetime
    username: str
    role: str
    action: str  # print | export
    what: str
    recipient: str
    purpose: str
    workstation: str
    outcome: str
    emergency: bool

    @classmethod
    def of(cls, e: AuditEntry) -> "Disclosure":
        d = e.detail
        what = d.get("what") or d.get("kind") or " ".join(
            part for part in (e.record_type, e.record_id) if part) or "records"
        return cls(seq=e.seq, at=e.at, username=e.username, role=e.role, action=Action(e.action).value,
                   what=str(what), recipient=str(d.get("recipient", "")),
                   purpose=str(d.get("purpose", "")), workstation=e.workstation, outcome=e.outcome,
                   emergency=e.emergency)


def record(session: Session, *, patient_id: str, what: str, recipient: str, purpose: str = "",
           action: Action = Action.PRINT, record_type: str | None = None,
           record_id: str | None = None) -> AuditEntry:
    """Note a disclosure of a patient's records to ``recipient`` (audited as a print/export).

    Raises ValidationError without ``what`` or ``recipient``, PermissionDenied without the
    print (or export) permission, NotFound for an unknown patient.
    """
    if action not in DISCLOSURE_ACTIONS:
        raise ValidationError({"action": "a disclosure is a print or an export"})
    problems = {k: "required" for k, v in (("what", what), ("recipient", recipient)) if not v.strip()}
    if problems:
        raise ValidationError(problems)
    session.require(Permission.PRINT if action == Action.PRINT else Permission.EXPORT,
                    patient_id=patient_id)
    with session.uow() as uow:
        uow.patients.get(patient_id)
        entry = uow.audit.append(session.entry(
            action, patient_id=patient_id, record_type=record_type, record_id=record_id,
            detail={"what": what.strip(), "recipient": recipient.strip(), "purpose": purpose.strip(),
                    "disclosure": True}))
        uow.commit()
    return entry


def for_patient(session: Session, patient_id: str, *, since: datetime | None = None,
                until: datetime | None = None) -> list[Disclosure]:
    """The patient's disclosures, oldest first. Needs the audit report permission; audited."""
    session.require(Permission.AUDIT_READ, patient_id=patient_id)
    with session.uow() as uow:
        rows = [Disclosure.of(e) for e in uow.audit.query(patient_id=patient_id, since=since,
                                                           until=until)
                if e.action in DISCLOSURE_ACTIONS]
        uow.audit.append(session.entry(Action.QUERY, patient_id=patient_id, record_type="AuditEvent",
                                       detail={"check": "accounting of disclosures",
                                               "rows": len(rows)}))
        uow.commit()
    return rows
