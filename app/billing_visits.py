"""What the billing screen lists besides charges and payments: a patient's visits (date and
kind only, never the notes) to post charges against, and their invoices."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app import records
from app.model import Encounter, Invoice
from app.permissions import Permission
from app.session import Session


@dataclass(frozen=True)
class Visit:
    id: str
    start: datetime
    visit_type: str
    status: str


def visits(session: Session, patient_id: str) -> list[Visit]:
    """A patient's encounters, newest first, as billing sees them (audited read)."""
    rows = records.list_for(session, Encounter, patient_id, Permission.BILLING_READ)
    return [Visit(e.id, e.start, e.visit_type, e.status) for e in rows if e.status != "cancelled"]


def invoices(session: Session, patient_id: str) -> list[Invoice]:
    """A patient's invoices, newest first (audited read)."""
    return records.list_for(session, Invoice, patient_id, Permission.BILLING_READ)
