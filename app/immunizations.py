"""Immunizations given here or reported from elsewhere, CVX-coded; and vaccines not given."""
from __future__ import annotations

from datetime import date

from app import records, terminology
from app.errors import ConfirmationRequired, ValidationError
from app.model import Coding, Immunization
from app.permissions import Permission
from app.session import Session

ROUTES = {"IM": "intramuscular", "SC": "subcutaneous", "ID": "intradermal", "PO": "oral",
          "IN": "intranasal"}
SITES = ("left deltoid", "right deltoid", "left thigh", "right thigh", "left arm", "right arm",
         "left gluteus", "right gluteus", "mouth", "nose")
NOT_DONE_REASONS = ("patient refused", "parent refused", "medical contraindication",
                    "immune", "out of stock", "other")


def vaccine_for(cvx: str) -> Coding:
    """The CVX coding for ``cvx`` (display from terminology); ValidationError naming "vaccine"."""
    concept = terminology.lookup("cvx", cvx or "")
    if concept is None:
        raise ValidationError({"vaccine": f"{cvx!r} is not a CVX code"})
    return Coding("cvx", concept.code, concept.display)


def _when(session: Session, occurrence: date | None) -> date:
    when = occurrence or session.clock().date()
    if when > session.clock().date():
        raise ValidationError({"date given": f"{when.isoformat()} is in the future"})
    return when


def record(session: Session, *, patient_id: str, cvx: str, occurrence: date | None = None,
           lot_number: str | None = None, expiration_date: date | None = None,
           manufacturer: str | None = None, site: str | None = None, route: str | None = None,
           dose_number: int | None = None, encounter_id: str | None = None,
           note: str | None = None, confirm: bool = False) -> Immunization:
    """Record a vaccine given (today unless ``occurrence``).

    Raises ValidationError naming bad fields (unknown CVX, future date, unknown route or
    site, dose number < 1) and ConfirmationRequired when the lot had expired on the day
    it was given, unless ``confirm``.
    """
    vaccine, when = vaccine_for(cvx), _when(session, occurrence)
    problems = {}
    if route is not None and route not in ROUTES:
        problems["route"] = f"must be one of {', '.join(ROUTES)}"
    if site is not None and site not in SITES:
        problems["site"] = f"must be one of {', '.join(SITES)}"
    if dose_number is not None and (isinstance(dose_number, bool) or dose_number < 1):
        problems["dose number"] = "must be 1 or more"
    lot = (lot_number or "").strip() or None
    if lot and len(lot) > 30:
        problems["lot number"] = "is longer than 30 characters"
    if problems:
        raise ValidationError(problems)
    if expiration_date and expiration_date < when and not confirm:
        raise ConfirmationRequired({"expiration date": f"lot {lot or ''} expired on "
                                    f"{expiration_date.isoformat()}, before it was given; is that right?"})
    shot = Immunization(patient_id=patient_id, vaccine=vaccine, occurrence=when, lot_number=lot,
                        expiration_date=expiration_date, manufacturer=manufacturer, site=site,
                        route=route, dose_number=dose_number,
                        performer_id=session.user.practitioner_id, encounter_id=encounter_id,
                        note=note)
    return records.create(session, shot, Permission.IMMUNIZATION_WRITE)


def record_not_done(session: Session, *, patient_id: str, cvx: str, reason: str,
                    occurrence: date | None = None, note: str | None = None,
                    encounter_id: str | None = None) -> Immunization:
    """Record that a vaccine was not given, and why (refusal, contraindication, ...)."""
    vaccine, when = vaccine_for(cvx), _when(session, occurrence)
    if reason not in NOT_DONE_REASONS:
        raise ValidationError({"reason": f"must be one of {', '.join(NOT_DONE_REASONS)}"})
    text = f"not given: {reason}" + (f" — {note}" if note else "")
    shot = Immunization(patient_id=patient_id, vaccine=vaccine, occurrence=when, status="not-done",
                        performer_id=session.user.practitioner_id, encounter_id=encounter_id,
                        note=text)
    return records.create(session, shot, Permission.IMMUNIZATION_WRITE)


def retract(session: Session, immunization_id: str, *, reason: str) -> Immunization:
    return records.retract(session, Immunization, immunization_id, Permission.IMMUNIZATION_WRITE,
                           reason=reason)


def for_patient(session: Session, patient_id: str, *, given_only: bool = False) -> list[Immunization]:
    """The patient's immunizations, most recent first (only those given, when ``given_only``)."""
    where = {"status": "completed"} if given_only else {}
    rows = records.list_for(session, Immunization, patient_id, Permission.CHART_READ, **where)
    return sorted(rows, key=lambda i: i.occurrence, reverse=True)
