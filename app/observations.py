"""Vital signs and lab results: LOINC-coded, UCUM units, range-checked."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from app import records, terminology
from app.audit import Action
from app.errors import ConfirmationRequired, ValidationError
from app.model import Coding, Observation
from app.permissions import Permission
from app.session import Session

#: The vitals shown on the chart's first screen, in display order.
VITAL_CODES = ("8480-6", "8462-4", "8867-4", "9279-1", "8310-5", "59408-5", "29463-7",
               "8302-2", "39156-5")


def interpret(value: Decimal, low: Decimal | None, high: Decimal | None) -> str | None:
    if low is not None and value < low:
        return "L"
    if high is not None and value > high:
        return "H"
    return "N" if low is not None or high is not None else None


def _decimal(value, field: str) -> Decimal:
    try:
        result = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"{value!r} is not a number"}) from None
    if not result.is_finite():
        raise ValidationError({field: f"{value!r} is not a number"})
    return result


def build(*, patient_id: str, code: str, value, effective: datetime, unit: str | None = None,
          category: str | None = None, encounter_id: str | None = None,
          confirm: bool = False, **extra) -> Observation:
    """A validated observation (not stored).

    Unknown LOINC codes and wrong units are refused; a value outside the physiological
    range raises ConfirmationRequired unless ``confirm`` (it might be a typo).
    """
    test = terminology.loinc_test(code)
    if test is None:
        raise ValidationError({"code": f"{code} is not a LOINC code this clinic records"})
    amount = _decimal(value, test.display)
    if unit and unit != test.unit:
        raise ValidationError({"unit": f"{test.display} is recorded in {test.unit}, not {unit}"})
    if amount < 0:
        raise ValidationError({test.display: "cannot be negative"})
    if effective.tzinfo is None:
        raise ValidationError({"time": "needs a time zone"})
    outside = ((test.phys_min is not None and amount < test.phys_min)
               or (test.phys_max is not None and amount > test.phys_max))
    if outside and not confirm:
        raise ConfirmationRequired({test.display: f"{amount} {test.unit} is outside the usual "
                                    f"range {test.phys_min}–{test.phys_max}; is it correct?"})
    return Observation(patient_id=patient_id, code=Coding("loinc", test.code, test.display),
                       effective=effective, category=category or ("vital-signs" if test.kind == "vital" else "laboratory"),
                       value=amount, unit=test.unit, ref_low=test.ref_low, ref_high=test.ref_high,
                       interpretation=interpret(amount, test.ref_low, test.ref_high),
                       encounter_id=encounter_id, **extra)


def record_vital(session: Session, *, patient_id: str, code: str, value, effective: datetime | None = None,
                 unit: str | None = None, encounter_id: str | None = None, confirm: bool = False) -> Observation:
    obs = build(patient_id=patient_id, code=code, value=value, unit=unit,
                effective=effective or session.clock(), encounter_id=encounter_id, confirm=confirm,
                performer_id=session.user.practitioner_id)
    return records.create(session, obs, Permission.VITALS_WRITE)


def record_result(session: Session, *, patient_id: str, code: str, value, effective: datetime | None = None,
                  unit: str | None = None, service_request_id: str | None = None,
                  encounter_id: str | None = None, confirm: bool = False) -> Observation:
    obs = build(patient_id=patient_id, code=code, value=value, unit=unit, category="laboratory",
                effective=effective or session.clock(), encounter_id=encounter_id, confirm=confirm,
                service_request_id=service_request_id)
    return records.create(session, obs, Permission.RESULT_WRITE)


def trend(session: Session, patient_id: str, code: str, *, limit: int = 200) -> list[Observation]:
    """The most recent ``limit`` values of one test, oldest first (for charts and flowsheets)."""
    session.require(Permission.CHART_READ, patient_id=patient_id, record_type="Observation")
    with session.uow() as uow:
        rows = uow.observations.series(patient_id, code, limit=limit)
        uow.audit.append(session.entry(Action.READ, patient_id=patient_id, record_type="Observation",
                                       detail={"code": code, "count": len(rows)}))
        uow.commit()
    return [o for o in rows if session.may_see(o.security_labels)]
