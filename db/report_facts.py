"""The ``report_facts`` projection: one narrow row per visit, charge, invoice, payment and vaccine.

Reports add money up over the whole clinic; decoding every record's JSON to do that does
not scale to hundreds of thousands of patients. The repositories below write a fact row
in the same transaction as the record itself (on add, bulk add and update), so the
projection is never out of step with what was committed. :func:`rebuild` recomputes it
from the records (migration 0004 uses it for stores that already hold bills).
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from app import codec
from app.model import Charge, Encounter, Immunization, Invoice, Payment, Record
from db.repositories import RecordRepository
from db.tables_billing import report_facts

FACT_TYPES = (Encounter, Charge, Invoice, Payment, Immunization)


def local_day(moment: datetime) -> str:
    """The clinic-local date of an instant (this workstation's zone is the clinic's)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().date().isoformat()


def cents(amount: Decimal | None) -> int | None:
    """Dollars as whole cents; amounts are validated to two places, so this is exact."""
    if amount is None:
        return None
    return int((Decimal(amount) * 100).to_integral_value())


def fact(record: Record) -> dict[str, Any]:
    """The fact row of one record (an Encounter, Charge, Invoice, Payment or Immunization)."""
    row: dict[str, Any] = {"record_id": record.id, "resource_type": record.RESOURCE_TYPE,
                           "patient_id": getattr(record, "patient_id", None), "status": record.status,
                           "code": None, "day": None, "cents": None, "link_id": None, "who": None,
                           "place": None}
    if isinstance(record, Encounter):
        row.update(code=record.visit_type, day=local_day(record.start), who=record.practitioner_id,
                   place=record.location_id)
    elif isinstance(record, Charge):
        row.update(code=record.code, cents=cents(record.amount), link_id=record.invoice_id,
                   day=record.service_date.isoformat() if record.service_date else None)
    elif isinstance(record, Invoice):
        row.update(code=record.number, day=record.issued.isoformat(), cents=cents(record.total))
    elif isinstance(record, Payment):
        row.update(code=record.method, cents=cents(record.amount), link_id=record.invoice_id,
                   day=local_day(record.received_at))
    elif isinstance(record, Immunization):
        row.update(code=record.vaccine.code, day=record.occurrence.isoformat())
    return row


def write_facts(conn: Connection, records: list[Record]) -> None:
    """Replace the fact rows of these records."""
    if not records:
        return
    ids = [r.id for r in records]
    for start in range(0, len(ids), 500):
        conn.execute(delete(report_facts).where(report_facts.c.record_id.in_(ids[start:start + 500])))
    conn.execute(insert(report_facts), [fact(r) for r in records])


class FactRepository(RecordRepository):
    """A record repository that also keeps the record's fact row."""

    def _indexed(self, record: Record) -> None:
        write_facts(self.conn, [record])

    def _indexed_many(self, records: list[Record]) -> None:
        # brand-new records have no fact rows yet: one bulk insert, no deletes
        if records:
            self.conn.execute(insert(report_facts), [fact(r) for r in records])


def rebuild(conn: Connection) -> int:
    """Recompute every fact row from the stored records; returns how many were written."""
    from db.mapping import SPECS
    conn.execute(delete(report_facts))
    written = 0
    for cls in FACT_TYPES:
        table = SPECS[cls].table
        batch: list[dict[str, Any]] = []
        for row in conn.execute(select(table.c.data)):
            batch.append(fact(codec.loads(cls, row.data)))
            if len(batch) >= 5000:
                conn.execute(insert(report_facts), batch)
                written, batch = written + len(batch), []
        if batch:
            conn.execute(insert(report_facts), batch)
            written += len(batch)
    return written
