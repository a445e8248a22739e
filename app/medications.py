"""Prescriptions (MedicationRequest) and the patient's home medications (MedicationStatement).

A prescription starts as a draft (nurses and physicians may draft), becomes active when a
physician signs it, and from then on is never edited: it can only be stopped or cancelled.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from app import records, terminology
from app.allergies import substance_for
from app.errors import ConfirmationRequired, ValidationError
from app.model import AllergyIntolerance, Coding, MedicationRequest, MedicationStatement
from app.permissions import Permission
from app.session import Session
from app.uow import UnitOfWork

ROUTES = ("oral", "sublingual", "topical", "transdermal", "inhaled", "nasal", "ophthalmic", "otic",
          "subcutaneous", "intramuscular", "intravenous", "subdermal", "rectal", "vaginal")
_ROUTE_WORDS = {"oral": "by mouth", "sublingual": "under the tongue", "inhaled": "by inhalation",
                "nasal": "in the nose", "ophthalmic": "in the eye", "otic": "in the ear",
                "rectal": "rectally", "vaginal": "vaginally", "topical": "on the skin"}
_COUNTABLE = ("tablet", "capsule", "puff", "drop", "patch", "spray", "suppository")
MAX_REFILLS = 11
#: The fields of a draft prescription that :func:`revise` may change.
EDITABLE = ("dose", "dose_unit", "route", "frequency", "quantity", "quantity_unit", "refills",
            "days_supply", "prn", "sig", "note")


def _positive(value, field: str) -> Decimal:
    if isinstance(value, float):
        raise ValidationError({field: "give an exact number (text or Decimal), not a float"})
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"{value!r} is not a number"}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: "must be more than zero"})
    return amount


def _drug(rxnorm: str) -> Coding:
    concept = terminology.lookup("rxnorm", rxnorm or "")
    if concept is None:
        raise ValidationError({"medication": f"{rxnorm!r} is not an RxNorm code"})
    return Coding("rxnorm", concept.code, concept.display)


def build_sig(rx: MedicationRequest) -> str:
    """Patient instructions from dose, route and frequency, e.g. "Take 1 tablet by mouth twice daily"."""
    dose = f"{rx.dose.normalize():f}" if rx.dose is not None else ""
    unit = rx.dose_unit or ""
    if unit in _COUNTABLE and rx.dose is not None and rx.dose > 1:
        unit += "s"
    parts = ["Take" if rx.route in ("oral", "sublingual", None) else "Use", dose, unit,
             _ROUTE_WORDS.get(rx.route or "", f"by {rx.route} route" if rx.route else ""),
             rx.frequency or "", "as needed" if rx.prn else ""]
    return " ".join(p for p in parts if p)


def _validate(rx: MedicationRequest) -> None:
    problems = {}
    if rx.route not in ROUTES:
        problems["route"] = f"must be one of {', '.join(ROUTES)}"
    if not (rx.frequency or "").strip():
        problems["frequency"] = "is required (e.g. twice daily)"
    if not (rx.dose_unit or "").strip():
        problems["dose unit"] = "is required (e.g. tablet, mg, mL)"
    if isinstance(rx.refills, bool) or not isinstance(rx.refills, int) or not 0 <= rx.refills <= MAX_REFILLS:
        problems["refills"] = f"must be a whole number from 0 to {MAX_REFILLS}"
    if rx.days_supply is not None and not (isinstance(rx.days_supply, int) and 1 <= rx.days_supply <= 365):
        problems["days supply"] = "must be from 1 to 365 days"
    if problems:
        raise ValidationError(problems)


def _first_word(text: str) -> str:
    match = re.match(r"\W*(\w+)", text.casefold())
    return match.group(1) if match else ""


def allergy_conflicts(drug: Coding, allergies: list[AllergyIntolerance]) -> list[AllergyIntolerance]:
    """The active allergies a drug may trigger: same RxNorm code, or the same first word of
    the name (the ingredient: "amoxicillin 500 MG Oral Capsule" vs an amoxicillin allergy)."""
    word = _first_word(drug.display)
    return [a for a in allergies if a.clinical_status == "active" and (
        (a.substance.system == "rxnorm" and a.substance.code == drug.code)
        or (word and _first_word(a.substance.display) == word))]


def _allergy_check(patient_id: str, drug: Coding, confirm: bool):
    def check(uow: UnitOfWork, _record) -> None:
        if confirm:
            return
        allergies = uow.records(AllergyIntolerance).for_patient(patient_id, where={"status": "active"})
        hits = allergy_conflicts(drug, allergies)
        if hits:
            names = ", ".join(f"{a.substance.display}" + (f" ({a.reaction})" if a.reaction else "")
                              for a in hits)
            raise ConfirmationRequired({"allergy": f"the patient is allergic to {names}; "
                                        f"prescribe {drug.display} anyway?"})
    return check


def prescribe(session: Session, *, patient_id: str, rxnorm: str, dose, dose_unit: str, route: str,
              frequency: str, quantity, quantity_unit: str | None = None, refills: int = 0,
              days_supply: int | None = None, prn: bool = False, sig: str | None = None,
              encounter_id: str | None = None, note: str | None = None,
              confirm: bool = False) -> MedicationRequest:
    """Draft a prescription (not valid until signed).

    Raises ValidationError naming each bad field, and ConfirmationRequired when the drug
    matches an active allergy, unless ``confirm``.
    """
    rx = MedicationRequest(patient_id=patient_id, medication=_drug(rxnorm),
                           dose=_positive(dose, "dose"), dose_unit=dose_unit, route=route,
                           frequency=(frequency or "").strip(), quantity=_positive(quantity, "quantity"),
                           quantity_unit=quantity_unit or dose_unit, refills=refills,
                           days_supply=days_supply, prn=prn, authored_on=session.clock(),
                           prescriber_id=session.user.practitioner_id, encounter_id=encounter_id,
                           note=note)
    _validate(rx)
    rx.sig = (sig or "").strip() or build_sig(rx)
    return records.create(session, rx, Permission.PRESCRIBE,
                          check=_allergy_check(patient_id, rx.medication, confirm))


def revise(session: Session, request_id: str, **changes) -> MedicationRequest:
    """Change fields of a draft prescription (see EDITABLE).

    Raises ValidationError when the prescription is already signed or a field is bad.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: "cannot be changed on a prescription" for name in sorted(unknown)})

    def _edit(rx: MedicationRequest) -> None:
        if rx.status != "draft":
            raise ValidationError({"prescription": f"is {rx.status}; a signed prescription cannot "
                                   "be edited, only stopped or cancelled"})
        for name, value in changes.items():
            if name in ("dose", "quantity"):
                value = _positive(value, name)
            setattr(rx, name, value)
        _validate(rx)
        if "sig" not in changes:
            rx.sig = build_sig(rx)

    return records.change(session, MedicationRequest, request_id, Permission.PRESCRIBE, _edit)


def sign(session: Session, request_id: str) -> MedicationRequest:
    """Sign a draft prescription, making it active. Physicians only (PRESCRIPTION_SIGN)."""
    def _sign(rx: MedicationRequest) -> None:
        if rx.status != "draft":
            raise ValidationError({"prescription": f"is {rx.status}; only a draft can be signed"})
        rx.status, rx.signed_at = "active", session.clock()
        rx.signed_by = session.user.practitioner_id or session.username
        rx.prescriber_id = rx.prescriber_id or session.user.practitioner_id

    return records.change(session, MedicationRequest, request_id, Permission.PRESCRIPTION_SIGN, _sign)


def stop(session: Session, request_id: str, *, reason: str) -> MedicationRequest:
    """Stop an active prescription, or cancel a draft one; the reason is kept in the note."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "say why the medication is stopped"})

    def _stop(rx: MedicationRequest) -> None:
        if rx.status not in ("draft", "active", "on-hold"):
            raise ValidationError({"prescription": f"is already {rx.status}"})
        rx.status = "cancelled" if rx.status == "draft" else "stopped"
        rx.note = f"{rx.note}\n{rx.status}: {reason}" if rx.note else f"{rx.status}: {reason}"

    return records.change(session, MedicationRequest, request_id, Permission.PRESCRIBE, _stop,
                          detail={"reason": reason})


def retract(session: Session, request_id: str, *, reason: str) -> MedicationRequest:
    return records.retract(session, MedicationRequest, request_id, Permission.PRESCRIBE, reason=reason)


def prescriptions(session: Session, patient_id: str, *, current_only: bool = False) -> list[MedicationRequest]:
    """The patient's prescriptions (drafts and active ones only, when ``current_only``)."""
    where = {"status": ["draft", "active", "on-hold"]} if current_only else {}
    return records.list_for(session, MedicationRequest, patient_id, Permission.CHART_READ, **where)


# -- home medications ---------------------------------------------------------------
def record_statement(session: Session, *, patient_id: str, rxnorm: str | None = None,
                     medication_text: str | None = None, dosage: str | None = None,
                     effective_start: date | None = None, information_source: str | None = "patient",
                     note: str | None = None) -> MedicationStatement:
    """Record a medication the patient takes (RxNorm, or free text for unlisted products)."""
    if rxnorm:
        medication = _drug(rxnorm)
    else:
        try:
            medication = substance_for(None, medication_text)
        except ValidationError:
            raise ValidationError({"medication": "is required (an RxNorm drug or its name)"}) from None
    if effective_start and effective_start > session.clock().date():
        raise ValidationError({"start date": f"{effective_start.isoformat()} is in the future"})
    statement = MedicationStatement(patient_id=patient_id, medication=medication,
                                    dosage=(dosage or "").strip() or None,
                                    effective_start=effective_start,
                                    information_source=information_source, note=note)
    return records.create(session, statement, Permission.CLINICAL_WRITE)


def stop_statement(session: Session, statement_id: str, *, end: date | None = None,
                   reason: str | None = None) -> MedicationStatement:
    """Record that the patient no longer takes a home medication."""
    when = end or session.clock().date()

    def _stop(s: MedicationStatement) -> None:
        if s.status != "active":
            raise ValidationError({"medication": f"is already {s.status}"})
        if s.effective_start and when < s.effective_start:
            raise ValidationError({"end date": "is before the start date"})
        s.status, s.effective_end = "stopped", when
        if reason:
            s.note = f"{s.note}\nstopped: {reason}" if s.note else f"stopped: {reason}"

    return records.change(session, MedicationStatement, statement_id, Permission.CLINICAL_WRITE, _stop)


def home_medications(session: Session, patient_id: str) -> list[MedicationStatement]:
    """Home medications the patient currently takes."""
    return records.list_for(session, MedicationStatement, patient_id, Permission.CHART_READ,
                            status="active")
