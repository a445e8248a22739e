"""Charges, invoices, payments and the patient's balance. Money is Decimal, never float."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Iterable

from app import records, terminology
from app.audit import Action
from app.errors import NotFound, ValidationError
from app.model import ENTERED_IN_ERROR, Charge, Encounter, Invoice, Payment
from app.permissions import Permission
from app.session import Session

METHODS = ("cash", "card", "insurer", "adjustment")
MAX_DIAGNOSES = 12  # the CMS-1500 claim form has twelve diagnosis pointers
_FEE_CODE = re.compile(r"[A-Z0-9][A-Z0-9.-]{0,15}")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Balance:
    """What the patient was charged, paid and had adjusted; ``due`` is what is left."""
    charges: Decimal
    payments: Decimal
    adjustments: Decimal

    @property
    def due(self) -> Decimal:
        return self.charges - self.payments - self.adjustments


def money(value, field: str) -> Decimal:
    """An exact amount in dollars and cents. Floats are refused: they cannot hold cents exactly."""
    if isinstance(value, float) or isinstance(value, bool):
        raise ValidationError({field: "give the amount as text or a Decimal, not a float"})
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: f"{value!r} is not an amount"}) from None
    if not amount.is_finite():
        raise ValidationError({field: f"{value!r} is not an amount"})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: f"{value} has more than two decimal places"})
    return amount.quantize(CENT)


def summarize(charges: Iterable[Charge], payments: Iterable[Payment]) -> Balance:
    """The balance of these charges and payments (entered-in-error and void ones left out)."""
    charged = sum((c.amount for c in charges if c.status in ("billable", "billed")), Decimal("0"))
    live = [p for p in payments if p.status == "active"]
    paid = sum((p.amount for p in live if p.method != "adjustment"), Decimal("0"))
    adjusted = sum((p.amount for p in live if p.method == "adjustment"), Decimal("0"))
    return Balance(charged, paid, adjusted)


def post_charge(session: Session, *, encounter_id: str, code: str, description: str, unit_price,
                units: int = 1, diagnosis_codes: list[str], service_date: date | None = None) -> Charge:
    """Post a charge for a visit, with ICD-10-CM diagnosis pointers (billable codes).

    Raises NotFound (encounter) and ValidationError naming each bad field.
    """
    session.require(Permission.BILLING_WRITE, record_type=Charge.RESOURCE_TYPE)
    price, problems = money(unit_price, "unit price"), {}
    fee = (code or "").strip().upper()
    if not _FEE_CODE.fullmatch(fee):
        problems["code"] = f"{code!r} is not a fee-schedule code"
    if not (description or "").strip():
        problems["description"] = "is required"
    if price < 0:
        problems["unit price"] = "cannot be negative"
    if isinstance(units, bool) or not isinstance(units, int) or units < 1:
        problems["units"] = "must be a whole number, 1 or more"
    diagnoses = _diagnoses(diagnosis_codes, problems)
    if problems:
        raise ValidationError(problems)
    with session.uow() as uow:
        visit = uow.records(Encounter).find(encounter_id)
    if visit is None or visit.status == ENTERED_IN_ERROR:
        raise NotFound("encounter", encounter_id)
    charge = Charge(patient_id=visit.patient_id, encounter_id=visit.id, code=fee,
                    description=description.strip(), unit_price=price, units=units,
                    diagnosis_codes=diagnoses, service_date=service_date or visit.start.date())
    return records.create(session, charge, Permission.BILLING_WRITE)


def _diagnoses(codes: list[str], problems: dict[str, str]) -> list[str]:
    found = []
    for code in codes or []:
        concept = terminology.lookup("icd10cm", code or "")
        if concept is None:
            problems["diagnosis codes"] = f"{code!r} is not an ICD-10-CM code"
        elif not terminology.is_billable(concept.code):
            problems["diagnosis codes"] = f"{concept.code} is a category; pick a billable code under it"
        elif concept.code not in found:
            found.append(concept.code)
    if not codes:
        problems["diagnosis codes"] = "at least one diagnosis is required"
    elif len(found) > MAX_DIAGNOSES:
        problems["diagnosis codes"] = f"at most {MAX_DIAGNOSES} diagnoses per charge"
    return found


def make_invoice(session: Session, *, patient_id: str, issued: date | None = None) -> Invoice:
    """Invoice every unbilled charge of a patient: the total is their exact sum, and the
    charges are linked to the invoice and marked billed, all in one transaction.

    Raises ValidationError when there is nothing to bill.
    """
    session.require(Permission.BILLING_WRITE, patient_id=patient_id, record_type=Invoice.RESOURCE_TYPE)
    day = issued or session.clock().date()
    with session.uow() as uow:
        charges = [c for c in uow.records(Charge).for_patient(patient_id, where={"status": "billable"})
                   if c.invoice_id is None]
        if not charges:
            raise ValidationError({"charges": "this patient has no unbilled charges"})
        invoice = Invoice(patient_id=patient_id, number="", issued=day, charge_ids=[c.id for c in charges],
                          total=sum((c.amount for c in charges), Decimal("0")))
        invoice.number = f"INV-{day:%Y%m%d}-{invoice.id[:8].upper()}"
        uow.records(Invoice).add(invoice)
        for charge in charges:
            charge.invoice_id, charge.status = invoice.id, "billed"
            uow.records(Charge).update(charge)
            uow.audit.append(session.entry(Action.UPDATE, patient_id=patient_id,
                                           record_type=Charge.RESOURCE_TYPE, record_id=charge.id,
                                           detail={"billed on": invoice.id}))
        uow.audit.append(session.entry(Action.CREATE, patient_id=patient_id, record_type=Invoice.RESOURCE_TYPE,
                                       record_id=invoice.id, detail={"charges": len(charges),
                                                                     "total": str(invoice.total)}))
        uow.commit()
    return invoice


def record_payment(session: Session, *, patient_id: str, amount, method: str,
                   reference: str | None = None, invoice_id: str | None = None,
                   received_at: datetime | None = None) -> Payment:
    """Record money received (or an adjustment written off). Raises ValidationError for a
    non-positive amount, an unknown method, or an invoice of another patient."""
    value, problems = money(amount, "amount"), {}
    if value <= 0:
        problems["amount"] = "must be more than zero"
    if method not in METHODS:
        problems["method"] = f"must be one of {', '.join(METHODS)}"
    if problems:
        raise ValidationError(problems)
    payment = Payment(patient_id=patient_id, amount=value, method=method, reference=reference,
                      invoice_id=invoice_id, received_at=received_at or session.clock())

    def _invoice_matches(uow, p: Payment) -> None:
        if invoice_id:
            invoice = uow.records(Invoice).find(invoice_id)
            if invoice is None or invoice.patient_id != patient_id:
                raise ValidationError({"invoice": f"{invoice_id} is not an invoice of this patient"})

    return records.create(session, payment, Permission.BILLING_WRITE, check=_invoice_matches)


def void_charge(session: Session, charge_id: str, *, reason: str) -> Charge:
    """Mark an unbilled charge entered-in-error (a billed one must be credited instead)."""
    with session.uow() as uow:
        charge = uow.records(Charge).find(charge_id)
    if charge is not None and charge.status == "billed":
        raise ValidationError({"charge": "is already on an invoice; post an adjustment instead"})
    return records.retract(session, Charge, charge_id, Permission.BILLING_WRITE, reason=reason)


def charges(session: Session, patient_id: str) -> list[Charge]:
    return records.list_for(session, Charge, patient_id, Permission.BILLING_READ)


def payments(session: Session, patient_id: str) -> list[Payment]:
    return records.list_for(session, Payment, patient_id, Permission.BILLING_READ)


def balance(session: Session, patient_id: str) -> Balance:
    """The patient's balance: charges − payments − adjustments, exactly (audited read)."""
    session.require(Permission.BILLING_READ, patient_id=patient_id, record_type=Charge.RESOURCE_TYPE)
    with session.uow() as uow:
        result = summarize(uow.records(Charge).for_patient(patient_id),
                           uow.records(Payment).for_patient(patient_id))
        uow.audit.append(session.entry(Action.READ, patient_id=patient_id, record_type="Balance"))
        uow.commit()
    return result
