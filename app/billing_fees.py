"""The clinic's fee schedule: codes it enters itself, their prices, and charges posted from it.

The clinic enters every code and description (HCPCS Level II, or codes of its own such as
``OV-EST-15``); Outpost ships no CPT descriptors. A clinic code that is sent on claims
carries the claim code the clinic entered for it.
"""
from __future__ import annotations

import re
from datetime import date

from app import billing
from app.audit import Action
from app.billing_types import HCPCS_LEVEL_II, FeeEntry
from app.errors import NotFound, ValidationError
from app.model import Charge
from app.permissions import Permission
from app.session import Session

_CODE = re.compile(r"[A-Z0-9][A-Z0-9.-]{0,15}")
_CLAIM_CODE = re.compile(r"[A-Z0-9]{5}")  # what goes in SV101-2 (HCPCS, or a code the clinic entered)
KINDS = ("hcpcs", "clinic")


def _validated(code: str, description: str, price, kind: str | None, claim_code: str | None) -> FeeEntry:
    problems: dict[str, str] = {}
    code = (code or "").strip().upper()
    is_hcpcs = re.fullmatch(HCPCS_LEVEL_II, code) is not None
    kind = kind or ("hcpcs" if is_hcpcs else "clinic")
    if not _CODE.fullmatch(code):
        problems["code"] = f"{code!r} is not a fee code (letters, digits, '.', '-'; up to 16)"
    elif kind not in KINDS:
        problems["kind"] = f"must be one of {', '.join(KINDS)}"
    elif kind == "hcpcs" and not is_hcpcs:
        problems["code"] = "an HCPCS Level II code is a letter A–V and four digits (e.g. G0438)"
    description = (description or "").strip()
    if not description:
        problems["description"] = "is required"
    elif len(description) > 200:
        problems["description"] = "at most 200 characters"
    amount = billing.money(price, "price")
    if amount < 0:
        problems["price"] = "cannot be negative"
    claim = (claim_code or "").strip().upper() or None
    if claim and not _CLAIM_CODE.fullmatch(claim):
        problems["claim code"] = "five letters or digits, as the payer expects it"
    if problems:
        raise ValidationError(problems)
    return FeeEntry(code=code, description=description, price=amount, kind=kind, claim_code=claim)


def set_fee(session: Session, *, code: str, description: str, price, kind: str | None = None,
            claim_code: str | None = None, active: bool = True) -> FeeEntry:
    """Add or change one fee-schedule line (audited as a configuration change).

    Raises PermissionDenied without billing rights and ValidationError naming each bad field.
    """
    session.require(Permission.BILLING_WRITE, record_type="FeeSchedule")
    entry = _validated(code, description, price, kind, claim_code)
    entry.active, entry.updated_by, entry.updated_at = active, session.username, session.clock()
    with session.uow() as uow:
        before = uow.fees.get(entry.code)
        uow.fees.put(entry)
        uow.audit.append(session.entry(Action.CONFIG, record_type="FeeSchedule", record_id=entry.code,
                                       detail={"price": str(entry.price), "active": active,
                                               "was": str(before.price) if before else None}))
        uow.commit()
    return entry


def fee_schedule(session: Session, *, active_only: bool = True) -> list[FeeEntry]:
    """The fee schedule, by code (not PHI: no audit entry)."""
    session.require(Permission.BILLING_READ, record_type="FeeSchedule")
    with session.uow() as uow:
        return uow.fees.all(active_only=active_only)


def fee(session: Session, code: str) -> FeeEntry:
    """One fee-schedule line; NotFound when the clinic has no such code."""
    session.require(Permission.BILLING_READ, record_type="FeeSchedule")
    with session.uow() as uow:
        entry = uow.fees.get((code or "").strip().upper())
    if entry is None:
        raise NotFound("fee-schedule code", code)
    return entry


def charge(session: Session, *, encounter_id: str, code: str, diagnosis_codes: list[str], units: int = 1,
           service_date: date | None = None) -> Charge:
    """Post a charge for a visit at the fee schedule's price for ``code``.

    Raises NotFound (code, encounter) and ValidationError (retired code, bad diagnoses).
    """
    entry = fee(session, code)
    if not entry.active:
        raise ValidationError({"code": f"{entry.code} is retired from the fee schedule"})
    return billing.post_charge(session, encounter_id=encounter_id, code=entry.code,
                               description=entry.description, unit_price=entry.price, units=units,
                               diagnosis_codes=diagnosis_codes, service_date=service_date)
