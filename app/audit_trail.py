"""Reading and checking the audit trail."""
from __future__ import annotations

from datetime import datetime

from app.audit import Action, AuditEntry, ChainBreak
from app.permissions import Permission
from app.session import Session


def verify(session: Session) -> ChainBreak | None:
    """The first altered, removed or inserted entry, or None when the trail is intact."""
    session.require(Permission.AUDIT_READ)
    with session.uow() as uow:
        broken = uow.audit.verify()
        uow.audit.append(session.entry(Action.QUERY, record_type="AuditEvent",
                                       outcome="failure" if broken else "success",
                                       detail={"check": "audit verify",
                                               "result": str(broken) if broken else "intact"}))
        uow.commit()
    return broken


def report(session: Session, *, since: datetime | None = None, until: datetime | None = None,
           username: str | None = None, patient_id: str | None = None,
           action: str | None = None) -> list[AuditEntry]:
    session.require(Permission.AUDIT_READ)
    with session.uow() as uow:
        rows = uow.audit.query(since=since, until=until, username=username,
                               patient_id=patient_id, action=action)
        uow.audit.append(session.entry(Action.QUERY, record_type="AuditEvent",
                                       detail={"check": "audit report", "rows": len(rows)}))
        uow.commit()
    return rows
