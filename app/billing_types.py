"""Plain records the billing and report ports hand back (no behaviour, no store)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

#: HCPCS Level II codes: a letter A–V and four digits (e.g. G0438, J1100).
HCPCS_LEVEL_II = r"[A-V][0-9]{4}"


@dataclass
class FeeEntry:
    """One line of the clinic's fee schedule: a code the clinic entered, its price and,
    for the clinic's own codes, the code it puts on claims (entered by the clinic too)."""
    code: str
    description: str
    price: Decimal
    kind: str = "clinic"  # hcpcs | clinic
    claim_code: str | None = None
    active: bool = True
    updated_at: datetime | None = None
    updated_by: str = ""


@dataclass(frozen=True)
class AgingBucket:
    """Open invoices of one age band: how many, and what is still owed on them."""
    label: str
    invoices: int
    owed: Decimal


@dataclass(frozen=True)
class MoneyTotals:
    """Money in a period (charged, paid, adjusted) and what is owed overall, in exact decimals."""
    charged: Decimal
    paid: Decimal
    adjusted: Decimal
    outstanding: Decimal
    unapplied: Decimal  # payments not linked to any invoice
