"""Charges, invoices and payments ⇄ FHIR R4 ChargeItem, Invoice and PaymentReconciliation.

Money is a Decimal in the domain and a FHIR Money (US dollars) on the wire.
"""
from __future__ import annotations

from app.model import Charge, Coding, Invoice, Payment
from sync.mapping.common import (MapContext, base, code_of, common_in, concept_in, concept_out,
                                 decimal, ext, ext_value, extensions, number, prune, ref, ref_id,
                                 system_url, to_date, to_datetime, when)

FEES = "fee-schedule"


def _money(value) -> dict:
    return {"value": number(value), "currency": "USD"}


def charge_to_fhir(c: Charge, ctx: MapContext) -> dict:
    return prune(base(c, ctx) | {
        "extension": extensions(ext("unit-price", c.unit_price),
                                ext("invoice", ref("Invoice", c.invoice_id))),
        "status": c.status,
        "code": concept_out(Coding(FEES, c.code, c.description)),
        "subject": ref("Patient", c.patient_id),
        "context": ref("Encounter", c.encounter_id),
        "occurrenceDateTime": when(c.service_date),
        "quantity": {"value": c.units},
        "priceOverride": _money(c.amount),
        "reason": [concept_out(Coding("icd10cm", code)) for code in c.diagnosis_codes],
    })


def charge_from_fhir(r: dict) -> Charge:
    code = concept_in(r.get("code"))
    units = int((r.get("quantity") or {}).get("value", 1))
    price = decimal(ext_value(r, "unit-price"))
    if price is None:  # written elsewhere: derive the unit price from the total
        price = decimal((r.get("priceOverride") or {}).get("value", 0)) / max(units, 1)
    return Charge(
        **common_in(r), patient_id=ref_id(r.get("subject")), code=code.code, description=code.display,
        unit_price=price, units=units, encounter_id=ref_id(r.get("context")),
        diagnosis_codes=[concept_in(x).code for x in r.get("reason") or []],
        service_date=to_date(r.get("occurrenceDateTime")), invoice_id=ref_id(ext_value(r, "invoice")),
        status=r.get("status", "billable"))


def invoice_to_fhir(i: Invoice, ctx: MapContext) -> dict:
    return prune(base(i, ctx) | {
        "identifier": [{"system": system_url("invoice-number"), "value": i.number}],
        "status": i.status,
        "subject": ref("Patient", i.patient_id),
        "date": when(i.issued),
        "lineItem": [{"chargeItemReference": ref("ChargeItem", cid)} for cid in i.charge_ids],
        "totalGross": _money(i.total),
    })


def invoice_from_fhir(r: dict) -> Invoice:
    number_id = next((x.get("value") for x in r.get("identifier") or []), r["id"][:8])
    return Invoice(
        **common_in(r), patient_id=ref_id(r.get("subject")), number=number_id, issued=to_date(r.get("date")),
        charge_ids=[ref_id(li.get("chargeItemReference")) for li in r.get("lineItem") or []],
        total=decimal((r.get("totalGross") or {}).get("value", 0)), status=r.get("status", "issued"))


def payment_to_fhir(p: Payment, ctx: MapContext) -> dict:
    return prune(base(p, ctx) | {
        "extension": extensions(ext("patient", ref("Patient", p.patient_id)),
                                ext("invoice", ref("Invoice", p.invoice_id))),
        "status": p.status,
        "created": when(p.received_at),
        "paymentDate": p.received_at.date().isoformat(),
        "paymentAmount": _money(p.amount),
        "paymentIdentifier": {"value": p.reference} if p.reference else None,
        "detail": [{"type": {"coding": [{"system": system_url("payment-method"), "code": p.method}]},
                    "amount": _money(p.amount)}],
    })


def payment_from_fhir(r: dict) -> Payment:
    detail = (r.get("detail") or [{}])[0]
    return Payment(
        **common_in(r), patient_id=ref_id(ext_value(r, "patient")),
        amount=decimal((r.get("paymentAmount") or {}).get("value", 0)),
        received_at=to_datetime(r.get("created")), method=code_of(detail.get("type"), "cash"),
        reference=(r.get("paymentIdentifier") or {}).get("value"),
        invoice_id=ref_id(ext_value(r, "invoice")), status=r.get("status", "active"))
