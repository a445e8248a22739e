"""Amendment requests as stored in the encrypted database (table ``amendments``)."""
from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from app import codec
from app.amendments import AmendmentRequest
from app.errors import Conflict, NotFound
from db.tables_security import amendments as table


class AmendmentRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def _load(self, row) -> AmendmentRequest:
        item = codec.loads(AmendmentRequest, row.data)
        item.version = row.version
        return item

    def get(self, amendment_id: str) -> AmendmentRequest:
        row = self.conn.execute(select(table.c.data, table.c.version)
                                .where(table.c.id == amendment_id)).first()
        if row is None:
            raise NotFound("amendment request", amendment_id)
        return self._load(row)

    def add(self, item: AmendmentRequest) -> AmendmentRequest:
        item.version = 1
        self.conn.execute(insert(table).values(
            id=item.id, patient_id=item.patient_id, status=item.status,
            requested_at=item.requested_at.isoformat(), version=item.version,
            data=codec.dumps(item)))
        return item

    def update(self, item: AmendmentRequest) -> AmendmentRequest:
        """Optimistic lock on ``item.version``; Conflict when someone changed it meanwhile."""
        done = self.conn.execute(update(table).where(table.c.id == item.id,
                                                     table.c.version == item.version)
                                 .values(status=item.status, version=item.version + 1,
                                         data=codec.dumps(item)))
        if done.rowcount != 1:
            raise Conflict("this amendment request was changed by someone else; reopen it")
        item.version += 1
        return item

    def for_patient(self, patient_id: str) -> list[AmendmentRequest]:
        rows = self.conn.execute(select(table.c.data, table.c.version)
                                 .where(table.c.patient_id == patient_id)
                                 .order_by(table.c.requested_at.desc()))
        return [self._load(r) for r in rows]
