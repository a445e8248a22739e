"""The problem list: ICD-10-CM coded conditions, resolved when they end, never deleted."""
from __future__ import annotations

from datetime import date

from app import records, terminology
from app.errors import ConfirmationRequired, ValidationError
from app.model import Coding, Condition
from app.permissions import Permission
from app.session import Session
from app.uow import UnitOfWork

CATEGORIES = ("problem-list-item", "encounter-diagnosis")
VERIFICATION = ("confirmed", "provisional", "differential", "unconfirmed", "refuted")
#: Clinical statuses under which a problem still counts as current.
CURRENT = ("active", "recurrence", "relapse")
#: ICD-10-CM chapter 5 (F codes: mental and behavioural disorders) is sensitive by law in
#: many places, so these conditions carry the PSY label and are withheld without permission.
BEHAVIOURAL_CHAPTER = "F"


def concept_for(code: str, field: str = "code") -> Coding:
    """The ICD-10-CM coding for ``code`` with the display from terminology.

    Raises ValidationError naming ``field`` when the code is not ICD-10-CM.
    """
    concept = terminology.lookup("icd10cm", code or "")
    if concept is None:
        raise ValidationError({field: f"{code!r} is not an ICD-10-CM code"})
    return Coding("icd10cm", concept.code, concept.display)


def labels_for(code: Coding) -> list[str]:
    return ["PSY"] if code.code.upper().startswith(BEHAVIOURAL_CHAPTER) else []


def add(session: Session, *, patient_id: str, code: str, onset_date: date | None = None,
        category: str = "problem-list-item", verification_status: str = "confirmed",
        encounter_id: str | None = None, note: str | None = None,
        confirm: bool = False) -> Condition:
    """Add a condition to a patient's problem list.

    Raises ValidationError (unknown code, future onset, unknown category) and
    ConfirmationRequired when the same code is already an active problem, unless ``confirm``.
    """
    coding = concept_for(code)
    problems = {}
    if onset_date and onset_date > session.clock().date():
        problems["onset date"] = f"{onset_date.isoformat()} is in the future"
    if category not in CATEGORIES:
        problems["category"] = f"must be one of {', '.join(CATEGORIES)}"
    if verification_status not in VERIFICATION:
        problems["verification status"] = f"must be one of {', '.join(VERIFICATION)}"
    if problems:
        raise ValidationError(problems)
    condition = Condition(patient_id=patient_id, code=coding, onset_date=onset_date,
                          category=category, verification_status=verification_status,
                          recorded_date=session.clock().date(), encounter_id=encounter_id,
                          recorder_id=session.user.practitioner_id, note=note,
                          security_labels=labels_for(coding))

    def _no_duplicate(uow: UnitOfWork, new: Condition) -> None:
        if confirm:
            return
        same = uow.records(Condition).for_patient(patient_id, where={"status": "active",
                                                                     "code": coding.code})
        if same:
            raise ConfirmationRequired({"code": f"{coding.display} ({coding.code}) is already an "
                                        "active problem; add it again?"})

    return records.create(session, condition, Permission.CLINICAL_WRITE, check=_no_duplicate)


def resolve(session: Session, condition_id: str, *, abatement_date: date | None = None,
            clinical_status: str = "resolved") -> Condition:
    """Mark a problem resolved (or inactive/in remission) as of ``abatement_date`` (today by default).

    Raises ValidationError for a future date, a date before the onset, or an unknown status.
    """
    if clinical_status not in ("resolved", "inactive", "remission"):
        raise ValidationError({"clinical status": "must be resolved, inactive or remission"})
    when = abatement_date or session.clock().date()
    if when > session.clock().date():
        raise ValidationError({"abatement date": f"{when.isoformat()} is in the future"})

    def _end(c: Condition) -> None:
        if c.onset_date and when < c.onset_date:
            raise ValidationError({"abatement date": "is before the onset date"})
        c.clinical_status, c.abatement_date = clinical_status, when
        # The record status mirrors "current or not" so lists and the chart can filter in SQL.
        c.status = "inactive"

    return records.change(session, Condition, condition_id, Permission.CLINICAL_WRITE, _end)


def retract(session: Session, condition_id: str, *, reason: str) -> Condition:
    """Mark a problem entered-in-error (kept in the store, hidden from lists)."""
    return records.retract(session, Condition, condition_id, Permission.CLINICAL_WRITE, reason=reason)


def active(session: Session, patient_id: str) -> list[Condition]:
    """The patient's current problems (sensitive ones only for users who may see them)."""
    return records.list_for(session, Condition, patient_id, Permission.CHART_READ, status="active")


def all_for(session: Session, patient_id: str) -> list[Condition]:
    """Every problem, current and resolved, except those entered in error."""
    return records.list_for(session, Condition, patient_id, Permission.CHART_READ)
