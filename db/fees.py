"""The clinic's fee schedule as stored (prices as exact decimal text)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, insert, select, update

from app.billing_types import FeeEntry
from app.model import utcnow
from db.tables_billing import fee_schedule as fees


def _entry(row) -> FeeEntry:
    return FeeEntry(code=row.code, description=row.description, price=Decimal(row.price), kind=row.kind,
                    claim_code=row.claim_code, active=bool(row.active),
                    updated_at=datetime.fromisoformat(row.updated_at), updated_by=row.updated_by)


class FeeScheduleRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def get(self, code: str) -> FeeEntry | None:
        row = self.conn.execute(select(fees).where(fees.c.code == code)).first()
        return _entry(row) if row else None

    def all(self, *, active_only: bool = True) -> list[FeeEntry]:
        q = select(fees).order_by(fees.c.code)
        if active_only:
            q = q.where(fees.c.active.is_(True))
        return [_entry(r) for r in self.conn.execute(q)]

    def put(self, entry: FeeEntry) -> None:
        entry.updated_at = entry.updated_at or utcnow()
        values = {"kind": entry.kind, "description": entry.description, "price": str(entry.price),
                  "claim_code": entry.claim_code, "active": entry.active,
                  "updated_at": entry.updated_at.isoformat(), "updated_by": entry.updated_by}
        done = self.conn.execute(update(fees).where(fees.c.code == entry.code).values(values)).rowcount
        if not done:
            self.conn.execute(insert(fees).values(code=entry.code, **values))
