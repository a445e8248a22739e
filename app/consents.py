"""Patient consents (treatment, privacy notice, research, information sharing...): recorded and revoked."""
from __future__ import annotations

from datetime import date

from app import records
from app.errors import ValidationError
from app.model import Consent
from app.permissions import Permission
from app.session import Session

CATEGORIES = ("treatment", "hipaa-notice", "information-sharing", "research", "telehealth",
              "immunization", "procedure")
DECISIONS = ("permit", "deny")


def record(session: Session, *, patient_id: str, category: str, decision: str = "permit",
           signed_on: date | None = None, policy: str | None = None,
           note: str | None = None) -> Consent:
    """Record a consent the patient gave (or refused) on ``signed_on`` (today by default).

    Raises ValidationError for an unknown category or decision, or a future date.
    """
    problems = {}
    if category not in CATEGORIES:
        problems["category"] = f"must be one of {', '.join(CATEGORIES)}"
    if decision not in DECISIONS:
        problems["decision"] = "must be permit or deny"
    day = signed_on or session.clock().date()
    if day > session.clock().date():
        problems["date"] = f"{day.isoformat()} is in the future"
    if problems:
        raise ValidationError(problems)
    consent = Consent(patient_id=patient_id, category=category, date=day, decision=decision,
                      policy=policy, note=note)
    return records.create(session, consent, Permission.PATIENT_WRITE)


def revoke(session: Session, consent_id: str, *, reason: str) -> Consent:
    """The patient withdraws a consent: it becomes inactive (kept, with the reason)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "say why (or at whose request) the consent is revoked"})

    def _revoke(c: Consent) -> None:
        if c.status != "active":
            raise ValidationError({"consent": f"is {c.status}, not active"})
        c.status = "inactive"
        c.note = f"{c.note}\nrevoked: {reason}" if c.note else f"revoked: {reason}"

    return records.change(session, Consent, consent_id, Permission.PATIENT_WRITE, _revoke,
                          detail={"reason": reason})


def retract(session: Session, consent_id: str, *, reason: str) -> Consent:
    return records.retract(session, Consent, consent_id, Permission.PATIENT_WRITE, reason=reason)


def for_patient(session: Session, patient_id: str, *, active_only: bool = False) -> list[Consent]:
    where = {"status": "active"} if active_only else {}
    return records.list_for(session, Consent, patient_id, Permission.PATIENT_READ, **where)


def has_consent(session: Session, patient_id: str, category: str) -> bool:
    """Whether the patient's latest active consent of this category permits."""
    latest = sorted((c for c in for_patient(session, patient_id, active_only=True) if c.category == category),
                    key=lambda c: (c.date, c.created_at))
    return bool(latest) and latest[-1].decision == "permit"
