"""The store's side of the HL7 interface: the review queue and other systems' patient ids."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects.sqlite import insert as upsert

from app.model import utcnow
from db.tables_interfaces import interface_identifiers, interface_review


class InterfaceRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def add_review(self, item: dict[str, Any]) -> None:
        row = dict(item)
        row["candidates"] = json.dumps(list(row.get("candidates") or []))
        row.setdefault("status", "open")
        row.setdefault("created_at", utcnow().isoformat())
        self.conn.execute(insert(interface_review).values(row))

    def reviews(self, status: str | None = "open") -> list[dict[str, Any]]:
        q = select(interface_review).order_by(interface_review.c.created_at)
        if status:
            q = q.where(interface_review.c.status == status)
        out = []
        for row in self.conn.execute(q).mappings():
            item = dict(row)
            item["candidates"] = json.loads(item["candidates"])
            out.append(item)
        return out

    def resolve_review(self, review_id: str) -> bool:
        result = self.conn.execute(update(interface_review).where(interface_review.c.id == review_id)
                                   .values(status="resolved"))
        return result.rowcount == 1

    def patient_for(self, authority: str, value: str) -> str | None:
        return self.conn.execute(select(interface_identifiers.c.patient_id).where(
            interface_identifiers.c.authority == authority,
            interface_identifiers.c.value == value)).scalar()

    def link(self, authority: str, value: str, patient_id: str) -> None:
        stmt = upsert(interface_identifiers).values(authority=authority, value=value, patient_id=patient_id)
        self.conn.execute(stmt.on_conflict_do_update(index_elements=["authority", "value"],
                                                     set_={"patient_id": patient_id}))
