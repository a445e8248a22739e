"""Building blocks of a synthetic visit: prescriptions, lab orders with results, vaccines, bills.

Each function returns new records (not stored); :mod:`app.demo_history` decides when
they happen. Ids come from the caller's deterministic id stream.
"""
from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Callable

from app import terminology
from app.demo_clinical import Body, observation
from app.demo_codes import DOSING, FEES, PANELS, VACCINES
from app.model import (Charge, Coding, DiagnosticReport, Immunization, Invoice, MedicationRequest,
                       Observation, Payment, Record, ServiceRequest)

Ids = Callable[[], str]
_FREQ = {"once": 1, "twice": 2, "three": 3}
_DISPLAY: dict[str, str] = {}
_CENT = Decimal("0.01")


def drug(code: str) -> Coding:
    """An RxNorm coding with the shipped display (cached)."""
    display = _DISPLAY.get(code)
    if display is None:
        concept = terminology.lookup("rxnorm", code)
        display = _DISPLAY[code] = concept.display if concept else code
    return Coding("rxnorm", code, display)


def first_word(display: str) -> str:
    """The first word of a drug's name, lower case: its ingredient, for allergy checks."""
    match = re.match(r"\W*(\w+)", display.casefold())
    return match.group(1) if match else ""


def lab_test(code: str, fallback: str) -> Coding:
    """A LOINC coding with the shipped display; ``fallback`` when the code is not shipped."""
    concept = terminology.lookup("loinc", code)
    return Coding("loinc", concept.code, concept.display) if concept else Coding("loinc", code, fallback)


def prescription(ids: Ids, patient_id: str, code: str, *, when: datetime, prescriber: str | None,
                 encounter_id: str | None, status: str = "active",
                 labels: tuple[str, ...] = ()) -> MedicationRequest:
    """A signed prescription with dose, sig and quantity from the demo dosing table."""
    dose, unit, frequency, days, prn = DOSING[code]
    per_day = 4 if prn else _FREQ.get(frequency.split()[0], 1) * Decimal(dose)
    quantity = Decimal(days * per_day) if unit in ("tablet", "capsule", "mL") else Decimal(1)
    route = {"puff": "inhaled", "[IU]": "subcutaneous"}.get(unit, "oral")
    verb = {"puff": "Inhale", "[IU]": "Inject"}.get(unit, "Take")
    return MedicationRequest(
        id=ids(), patient_id=patient_id, medication=drug(code), dose=Decimal(dose), dose_unit=unit,
        route=route, frequency=frequency, sig=f"{verb} {dose} {unit} {frequency}", quantity=quantity,
        quantity_unit=unit if unit in ("tablet", "capsule", "mL") else "package", days_supply=days,
        refills=0 if status == "completed" else (1 if days >= 90 else 3), prn=prn, authored_on=when,
        prescriber_id=prescriber, encounter_id=encounter_id, signed_by=prescriber, signed_at=when,
        status=status, security_labels=list(labels))


def lab_order(rng: random.Random, ids: Ids, body: Body, patient_id: str, panel: str, *, when: datetime,
              requester: str | None, encounter_id: str, reasons: list[Coding],
              results: tuple[str, ...] | None = None) -> list[Record]:
    """An order, its results and the report that carries them (collected at the visit)."""
    order_code, order_display, codes = PANELS[panel]
    # Order the panel when the shipped LOINC subset has it, else its first test (the order
    # service only accepts shipped codes); the results are the panel's tests either way.
    test = lab_test(order_code if terminology.is_valid("loinc", order_code) else codes[0], order_display)
    order = ServiceRequest(id=ids(), patient_id=patient_id, code=test,
                           authored_on=when, requester_id=requester, encounter_id=encounter_id,
                           reasons=reasons, status="completed")
    report_id = ids()
    collected = when + timedelta(minutes=25)
    observations = [observation(ids(), patient_id, code, body.lab(rng, code, when.date()), collected,
                                category="laboratory", encounter_id=encounter_id,
                                service_request_id=order.id, report_id=report_id)
                    for code in (codes if results is None else results)]
    report = DiagnosticReport(id=report_id, patient_id=patient_id, code=order.code,
                              issued=when + timedelta(hours=rng.randint(20, 52)), service_request_id=order.id,
                              encounter_id=encounter_id, result_ids=[o.id for o in observations],
                              performer="Riverbend Regional Laboratory",
                              conclusion=_conclusion(observations))
    return [order, *observations, report]


def _conclusion(results: list[Observation]) -> str:
    flagged = [o.code.display.split(" [")[0] for o in results if o.interpretation in ("H", "L")]
    return "Abnormal: " + ", ".join(flagged) if flagged else "Within reference ranges."


def vaccine(rng: random.Random, ids: Ids, patient_id: str, cvx: str, *, day: date,
            performer: str | None, encounter_id: str | None, dose_number: int | None = None,
            note: str | None = None) -> Immunization:
    display, maker, route, site = VACCINES[cvx]
    concept = terminology.lookup("cvx", cvx)
    coding = Coding("cvx", concept.code, concept.display) if concept else Coding("cvx", cvx, display)
    return Immunization(id=ids(), patient_id=patient_id, vaccine=coding, occurrence=day,
                        lot_number=f"{maker[:2].upper()}{rng.randint(1000, 9999)}{rng.choice('ABCDEFGHJK')}",
                        expiration_date=day + timedelta(days=rng.randint(120, 540)), manufacturer=maker,
                        site=site, route=route, dose_number=dose_number, performer_id=performer,
                        encounter_id=encounter_id, note=note)


def visit_fee(kind: str, age: float, problems: int, had_wellness_visit: bool) -> str:
    """The fee-schedule code for a visit of this kind (Medicare wellness visits for 65+)."""
    if kind == "new-patient":
        return "OV-NEW-30"
    if kind == "telehealth":
        return "TH-EST-15"
    if kind == "annual-physical":
        if age >= 65:
            return "G0439" if had_wellness_visit else "G0438"
        return "PREV-ADULT" if age >= 18 else "PREV-CHILD"
    return "OV-EST-25" if problems >= 2 else "OV-EST-15"


def bill(rng: random.Random, ids: Ids, patient_id: str, *, codes: list[str], diagnoses: list[str],
         encounter_id: str, day: date, today: date, number: str, insured: bool) -> list[Record]:
    """Charges for a visit, the invoice that groups them and, for older visits, the payments."""
    invoice_id = ids()
    charges = [Charge(id=ids(), patient_id=patient_id, code=code, description=FEES[code][0],
                      unit_price=FEES[code][1], encounter_id=encounter_id, diagnosis_codes=diagnoses[:4],
                      service_date=day, invoice_id=invoice_id, status="billed") for code in codes]
    total = sum((c.amount for c in charges), Decimal("0"))
    invoice = Invoice(id=invoice_id, patient_id=patient_id, number=number,
                      issued=min(today, day + timedelta(days=2)), charge_ids=[c.id for c in charges],
                      total=total)
    payments: list[Record] = []
    age_days = (today - day).days
    if insured and age_days > 30:
        share = (total * Decimal(rng.randint(70, 85)) / 100).quantize(_CENT)
        payments.append(_payment(ids, patient_id, share, day + timedelta(days=rng.randint(14, 30)), "insurer",
                                 f"EOB-{rng.randint(10**6, 10**7 - 1)}", invoice_id))
        if rng.random() < 0.9:
            payments.append(_payment(ids, patient_id, total - share, day + timedelta(days=rng.randint(31, 45)),
                                     rng.choice(("card", "card", "cash")), None, invoice_id))
    elif age_days > 30 and rng.random() < 0.8:
        payments.append(_payment(ids, patient_id, total, day + timedelta(days=rng.randint(0, 30)),
                                 rng.choice(("card", "cash")), None, invoice_id))
    if sum((p.amount for p in payments), Decimal("0")) == total and payments:
        invoice.status = "balanced"
    return [*charges, invoice, *payments]


def _payment(ids: Ids, patient_id: str, amount: Decimal, day: date, method: str, reference: str | None,
             invoice_id: str) -> Payment:
    received = datetime(day.year, day.month, day.day, 18, 0, tzinfo=timezone.utc)
    return Payment(id=ids(), patient_id=patient_id, amount=amount, received_at=received, method=method,
                   reference=reference, invoice_id=invoice_id)
