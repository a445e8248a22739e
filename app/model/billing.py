"""Charges, invoices and payments. Money is always Decimal."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from app.model.common import Record


@dataclass(kw_only=True)
class Charge(Record):
    RESOURCE_TYPE = "ChargeItem"
    patient_id: str
    code: str  # the clinic's fee-schedule code (HCPCS Level II or the clinic's own)
    description: str
    unit_price: Decimal
    units: int = 1
    encounter_id: str | None = None
    diagnosis_codes: list[str] = field(default_factory=list)  # ICD-10-CM pointers
    service_date: date | None = None
    invoice_id: str | None = None
    status: str = "billable"  # planned | billable | billed | not-billable | entered-in-error

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.units


@dataclass(kw_only=True)
class Invoice(Record):
    RESOURCE_TYPE = "Invoice"
    patient_id: str
    number: str
    issued: date
    charge_ids: list[str] = field(default_factory=list)
    total: Decimal = Decimal("0")
    status: str = "issued"  # draft | issued | balanced | cancelled | entered-in-error


@dataclass(kw_only=True)
class Payment(Record):
    RESOURCE_TYPE = "PaymentReconciliation"
    patient_id: str
    amount: Decimal
    received_at: datetime
    method: str = "cash"  # cash | card | insurer | adjustment
    reference: str | None = None
    invoice_id: str | None = None
    status: str = "active"  # active | cancelled | entered-in-error
