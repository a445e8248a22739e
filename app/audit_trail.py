"""Reading and checking the audit trail, and the audit report as CSV."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Iterable

from app.audit import Action, AuditEntry, ChainBreak
from app.errors import ValidationError
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
           action: str | None = None, export: str | None = None) -> list[AuditEntry]:
    """Audit entries matching every given filter, oldest first. Admins only; the query
    itself is audited (``export`` names where a copy is written, e.g. a CSV file).

    Raises ValidationError for an unknown action name.
    """
    session.require(Permission.AUDIT_READ)
    if action is not None and action not in {a.value for a in Action}:
        raise ValidationError({"action": f"must be one of {', '.join(a.value for a in Action)}"})
    with session.uow() as uow:
        rows = uow.audit.query(since=since, until=until, username=username,
                               patient_id=patient_id, action=action)
        detail = {"check": "audit report", "rows": len(rows),
                  "filters": {k: v for k, v in (("from", since and since.isoformat()),
                                                ("to", until and until.isoformat()),
                                                ("user", username), ("action", action)) if v}}
        if export:
            detail["written_to"] = export
        # A query even when written to a file: it is the clinic's own review, not a disclosure.
        uow.audit.append(session.entry(Action.QUERY, record_type="AuditEvent", patient_id=patient_id,
                                       detail=detail))
        uow.commit()
    return rows


CSV_COLUMNS = ("seq", "at", "username", "role", "action", "outcome", "patient_id", "record_type",
               "record_id", "workstation", "location_id", "emergency", "detail")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting with these as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(entries: Iterable[AuditEntry]) -> str:
    """The audit report as CSV text (one header row, one row per entry). Never raises on data."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow([_cell(v) for v in (
            e.seq, e.at.isoformat(), e.username, e.role, Action(e.action).value, e.outcome,
            e.patient_id, e.record_type, e.record_id, e.workstation, e.location_id,
            "yes" if e.emergency else "no",
            json.dumps(e.detail, sort_keys=True, ensure_ascii=False, default=str))])
    return out.getvalue()
