"""The aging report: what is still owed on open invoices, by how long ago they were issued.

An invoice's balance is its total less the payments and adjustments recorded against it;
payments not linked to an invoice are shown apart as unapplied credit. Computed by the
store in whole cents (app.uow.Reports), so it is exact and fast for the whole clinic.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.audit import Action
from app.billing_types import AgingBucket
from app.permissions import Permission
from app.session import Session

#: Upper edge (days since the invoice was issued) of each band but the last.
EDGES = (30, 60, 90)
LABELS = ("0–30", "31–60", "61–90", "90+")


@dataclass(frozen=True)
class AgingReport:
    as_of: date
    buckets: list[AgingBucket]
    unapplied: Decimal
    patient_id: str | None = None

    @property
    def total(self) -> Decimal:
        return sum((b.owed for b in self.buckets), Decimal("0.00"))


def _money(cents: int | None) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(Decimal("0.01"))


def aging_report(session: Session, *, as_of: date | None = None, patient_id: str | None = None) -> AgingReport:
    """Open invoice balances in the bands 0–30, 31–60, 61–90 and 90+ days (audited query).

    Raises PermissionDenied without billing rights.
    """
    session.require(Permission.BILLING_READ, patient_id=patient_id, record_type="Invoice")
    day = as_of or session.clock().date()
    with session.uow() as uow:
        rows = {band: (count, cents) for band, count, cents in
                uow.reports.aging(day, EDGES, patient_id=patient_id)}
        unapplied = uow.reports.money(day, day).unapplied if patient_id is None else Decimal("0.00")
        uow.audit.append(session.entry(Action.QUERY, patient_id=patient_id, record_type="Invoice",
                                       detail={"report": "aging", "as of": day.isoformat()}))
        uow.commit()
    buckets = [AgingBucket(label, rows.get(n, (0, 0))[0], _money(rows.get(n, (0, 0))[1]))
               for n, label in enumerate(LABELS)]
    return AgingReport(day, buckets, unapplied, patient_id)


def aging_csv(report: AgingReport) -> str:
    """The report as CSV: one row per band, then the total."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["as_of", "band", "open_invoices", "owed"])
    for b in report.buckets:
        writer.writerow([report.as_of.isoformat(), b.label, b.invoices, f"{b.owed:.2f}"])
    writer.writerow([report.as_of.isoformat(), "total", sum(b.invoices for b in report.buckets),
                     f"{report.total:.2f}"])
    return out.getvalue()
