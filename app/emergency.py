"""Emergency access ("break the glass").

A user who lacks a permission in an emergency states a reason and gets every clinical
permission for a limited time (``Session.require`` and ``Session.may_see`` honour the
window; user administration, the audit report and clinic settings stay closed). Every
entry written during the window carries ``emergency: True``. Each grant waits on an
administrator's review list until it is marked reviewed — the review is itself an
audit entry, so the whole story stays in the tamper-evident trail.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.audit import Action, AuditEntry
from app.errors import NotFound, ValidationError
from app.permissions import Permission
from app.session import Session

DEFAULT_MINUTES = 60
MAX_MINUTES = 240
GRANTED, ENDED, REVIEWED = "granted", "ended", "reviewed"


@dataclass(frozen=True)
class EmergencyReview:
    """One emergency grant and what was done under it, for an administrator to review."""
    seq: int  # the grant's audit entry
    username: str
    role: str
    at: datetime
    until: datetime
    reason: str
    patient_id: str | None
    workstation: str
    actions: tuple[AuditEntry, ...]
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_note: str = ""

    @property
    def reviewed(self) -> bool:
        return self.reviewed_by is not None


def begin(session: Session, *, reason: str, minutes: int = DEFAULT_MINUTES,
          patient_id: str | None = None) -> datetime:
    """Open an emergency window for ``minutes`` (1–240); returns when it ends.

    Raises ValidationError without a reason or with a length outside the limits.
    """
    reason = " ".join((reason or "").split())
    problems = {}
    if not reason:
        problems["reason"] = "say why emergency access is needed"
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        problems["minutes"] = f"must be between 1 and {MAX_MINUTES}"
    if problems:
        raise ValidationError(problems)
    until = session.clock() + timedelta(minutes=minutes)
    before = session.emergency_until, session.emergency_reason
    session.emergency_until, session.emergency_reason = until, reason
    try:
        with session.uow() as uow:
            uow.audit.append(session.entry(Action.EMERGENCY, patient_id=patient_id,
                                           detail={"event": GRANTED, "reason": reason,
                                                   "minutes": minutes, "until": until.isoformat()}))
            uow.commit()
    except BaseException:
        session.emergency_until, session.emergency_reason = before
        raise
    return until


def end(session: Session) -> None:
    """Close the emergency window early (audited); nothing happens when none is open."""
    if not session.in_emergency:
        session.emergency_until = session.emergency_reason = None
        return
    with session.uow() as uow:
        uow.audit.append(session.entry(Action.EMERGENCY, detail={"event": ENDED}))
        uow.commit()
    session.emergency_until = session.emergency_reason = None


def emergency_reviews(session: Session, *, include_reviewed: bool = False) -> list[EmergencyReview]:
    """Emergency grants (newest first) with what was done under each. Admins only."""
    session.require(Permission.AUDIT_READ)
    with session.uow() as uow:
        marks = uow.audit.query(action=Action.EMERGENCY.value)
        grants = [e for e in marks if e.detail.get("event") == GRANTED]
        reviews = {e.detail.get("review_of"): e for e in marks if e.detail.get("event") == REVIEWED}
        out = []
        for grant in reversed(grants):
            review = reviews.get(grant.seq)
            if review and not include_reviewed:
                continue
            until = datetime.fromisoformat(grant.detail["until"])
            done = [e for e in uow.audit.query(username=grant.username, since=grant.at, until=until)
                    if e.emergency and e.seq != grant.seq]
            out.append(EmergencyReview(
                seq=grant.seq, username=grant.username, role=grant.role, at=grant.at, until=until,
                reason=grant.detail.get("reason", ""), patient_id=grant.patient_id,
                workstation=grant.workstation, actions=tuple(done),
                reviewed_by=review.username if review else None,
                reviewed_at=review.at if review else None,
                review_note=review.detail.get("note", "") if review else ""))
        uow.audit.append(session.entry(Action.QUERY, record_type="AuditEvent",
                                       detail={"check": "emergency access reviews", "rows": len(out)}))
        uow.commit()
    return out


def mark_reviewed(session: Session, seq: int, *, note: str = "") -> None:
    """Record that an administrator reviewed the emergency grant at audit entry ``seq``.

    Raises NotFound when there is no such grant, ValidationError when it was reviewed already.
    """
    session.require(Permission.AUDIT_READ)
    with session.uow() as uow:
        marks = uow.audit.query(action=Action.EMERGENCY.value)
        grant = next((e for e in marks if e.seq == seq and e.detail.get("event") == GRANTED), None)
        if grant is None:
            raise NotFound("emergency access grant", str(seq))
        if any(e.detail.get("event") == REVIEWED and e.detail.get("review_of") == seq for e in marks):
            raise ValidationError({"seq": f"the emergency access at entry {seq} was already reviewed"})
        uow.audit.append(session.entry(Action.EMERGENCY, patient_id=grant.patient_id,
                                       detail={"event": REVIEWED, "review_of": seq,
                                               "user": grant.username, "note": note.strip()}))
        uow.commit()
