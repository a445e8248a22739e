"""Allergies and intolerances: RxNorm-coded drugs or free-text substances (foods, latex...)."""
from __future__ import annotations

from datetime import date

from app import records, terminology
from app.errors import ConfirmationRequired, ValidationError
from app.model import AllergyIntolerance, Coding
from app.permissions import Permission
from app.session import Session
from app.uow import UnitOfWork

CATEGORIES = ("medication", "food", "environment", "biologic")
TYPES = ("allergy", "intolerance")
SEVERITIES = ("mild", "moderate", "severe")
CRITICALITIES = ("low", "high", "unable-to-assess")
ENDED = ("inactive", "resolved")


def substance_for(rxnorm: str | None, text: str | None) -> Coding:
    """The substance coding: an RxNorm drug from terminology, or free text (system "text").

    Raises ValidationError naming "substance" when neither or an unknown RxNorm code is given.
    """
    if rxnorm:
        concept = terminology.lookup("rxnorm", rxnorm)
        if concept is None:
            raise ValidationError({"substance": f"{rxnorm!r} is not an RxNorm code"})
        return Coding("rxnorm", concept.code, concept.display)
    if text and text.strip():
        name = " ".join(text.split())
        return Coding("text", name.casefold(), name)
    raise ValidationError({"substance": "is required (an RxNorm drug or a description)"})


def _same_substance(a: Coding, b: Coding) -> bool:
    if a.system == b.system and a.code == b.code:
        return True
    return a.display.casefold() == b.display.casefold()


def _check(**choices: tuple[str | None, tuple[str, ...]]) -> None:
    problems = {field.replace("_", " "): f"must be one of {', '.join(allowed)}"
                for field, (value, allowed) in choices.items()
                if value is not None and value not in allowed}
    if problems:
        raise ValidationError(problems)


def record(session: Session, *, patient_id: str, rxnorm: str | None = None,
           substance_text: str | None = None, category: str | None = None,
           type: str = "allergy", reaction: str | None = None, severity: str | None = None,
           criticality: str | None = None, onset_date: date | None = None,
           note: str | None = None, confirm: bool = False) -> AllergyIntolerance:
    """Record an allergy or intolerance.

    Raises ValidationError (no substance, unknown code or choice, future onset) and
    ConfirmationRequired when the patient already has an active allergy to the same
    substance, unless ``confirm``.
    """
    substance = substance_for(rxnorm, substance_text)
    category = category or ("medication" if substance.system == "rxnorm" else "food")
    _check(category=(category, CATEGORIES), type=(type, TYPES), severity=(severity, SEVERITIES),
           criticality=(criticality, CRITICALITIES))
    if onset_date and onset_date > session.clock().date():
        raise ValidationError({"onset date": f"{onset_date.isoformat()} is in the future"})
    allergy = AllergyIntolerance(
        patient_id=patient_id, substance=substance, category=category, type=type,
        reaction=(reaction or "").strip() or None, severity=severity,
        criticality=criticality or ("high" if severity == "severe" else None),
        onset_date=onset_date, recorder_id=session.user.practitioner_id, note=note)

    def _no_duplicate(uow: UnitOfWork, new: AllergyIntolerance) -> None:
        if confirm:
            return
        current = uow.records(AllergyIntolerance).for_patient(patient_id, where={"status": "active"})
        same = [a for a in current if _same_substance(a.substance, substance)]
        if same:
            raise ConfirmationRequired({"substance": f"an active allergy to {same[0].substance.display} "
                                        "is already recorded; record another?"})

    return records.create(session, allergy, Permission.CLINICAL_WRITE, check=_no_duplicate)


def end(session: Session, allergy_id: str, *, clinical_status: str = "inactive",
        note: str | None = None) -> AllergyIntolerance:
    """Mark an allergy inactive or resolved (e.g. after a negative challenge test)."""
    _check(clinical_status=(clinical_status, ENDED))

    def _end(a: AllergyIntolerance) -> None:
        a.clinical_status = clinical_status
        a.status = "inactive"  # mirrors clinical status so the chart's active list filters in SQL
        if note:
            a.note = note

    return records.change(session, AllergyIntolerance, allergy_id, Permission.CLINICAL_WRITE, _end)


def retract(session: Session, allergy_id: str, *, reason: str) -> AllergyIntolerance:
    """Mark an allergy entered-in-error (kept in the store, hidden from lists)."""
    return records.retract(session, AllergyIntolerance, allergy_id, Permission.CLINICAL_WRITE,
                           reason=reason)


def active(session: Session, patient_id: str) -> list[AllergyIntolerance]:
    """The patient's active allergies."""
    return records.list_for(session, AllergyIntolerance, patient_id, Permission.CHART_READ,
                            status="active")


def all_for(session: Session, patient_id: str) -> list[AllergyIntolerance]:
    """Every allergy, active or ended, except those entered in error."""
    return records.list_for(session, AllergyIntolerance, patient_id, Permission.CHART_READ)
