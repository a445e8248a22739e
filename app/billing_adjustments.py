"""Adjustments: amounts the clinic writes off or credits, always with a reason."""
from __future__ import annotations

from app import billing
from app.errors import ValidationError
from app.model import Payment
from app.session import Session

REASONS = ("contractual", "courtesy", "bad-debt", "small-balance", "correction")


def adjust(session: Session, *, patient_id: str, amount, reason: str, note: str | None = None,
           invoice_id: str | None = None) -> Payment:
    """Reduce what a patient owes by ``amount`` (kept apart from payments in the balance).

    Raises ValidationError for an unknown reason or a non-positive amount, PermissionDenied
    without billing rights.
    """
    if reason not in REASONS:
        raise ValidationError({"reason": f"must be one of {', '.join(REASONS)}"})
    reference = f"{reason}: {note.strip()}" if note and note.strip() else reason
    return billing.record_payment(session, patient_id=patient_id, amount=amount, method="adjustment",
                                  reference=reference, invoice_id=invoice_id)
