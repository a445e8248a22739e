"""Users, settings and the audit log, as stored in the encrypted database."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterator

from sqlalchemy import Connection, func, insert, select, update

from app import codec
from app.audit import GENESIS, Action, AuditEntry, seal, verify_chain
from app.model import User
from db import tables as t


class UserRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def get(self, username: str) -> User | None:
        raw = self.conn.execute(select(t.users.c.data).where(t.users.c.username == username)).scalar()
        return codec.loads(User, raw) if raw else None

    def add(self, user: User) -> None:
        self.conn.execute(insert(t.users).values(username=user.username, role=user.role,
                                                 disabled=user.disabled, data=codec.dumps(user)))

    def update(self, user: User) -> None:
        self.conn.execute(update(t.users).where(t.users.c.username == user.username)
                          .values(role=user.role, disabled=user.disabled, data=codec.dumps(user)))

    def all(self) -> list[User]:
        rows = self.conn.execute(select(t.users.c.data).order_by(t.users.c.username))
        return [codec.loads(User, r.data) for r in rows]


class SettingsRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def get(self, key: str, default: Any = None) -> Any:
        raw = self.conn.execute(select(t.settings.c.value).where(t.settings.c.key == key)).scalar()
        return json.loads(raw) if raw is not None else default

    def set(self, key: str, value: Any) -> None:
        raw = json.dumps(value)
        if self.conn.execute(update(t.settings).where(t.settings.c.key == key).values(value=raw)).rowcount == 0:
            self.conn.execute(insert(t.settings).values(key=key, value=raw))


def _entry(row) -> AuditEntry:
    data = json.loads(row.data)
    return AuditEntry(seq=row.seq, at=datetime.fromisoformat(row.at), username=row.username,
                      action=Action(row.action), outcome=row.outcome, patient_id=row.patient_id,
                      prev_hash=row.prev_hash, hash=row.hash, **data)


class AuditRepository:
    """Append-only: there is no update or delete here, and every entry extends the chain."""

    def __init__(self, conn: Connection, key: bytes):
        self.conn, self.key = conn, key

    def head(self) -> tuple[int, str]:
        row = self.conn.execute(select(t.audit_head.c.seq, t.audit_head.c.hash)
                                .where(t.audit_head.c.id == 1)).first()
        return (row.seq, row.hash) if row else (0, GENESIS)

    def append(self, entry: AuditEntry) -> AuditEntry:
        seq, prev = self.head()
        # After tampering the table may hold rows beyond the head; never collide with them
        # (the audit trail must keep recording; verify still reports the break).
        top = self.conn.execute(select(func.max(t.audit_log.c.seq))).scalar() or 0
        seal(entry, key=self.key, seq=max(seq, top) + 1, prev_hash=prev)
        data = {"role": entry.role, "record_type": entry.record_type, "record_id": entry.record_id,
                "workstation": entry.workstation, "location_id": entry.location_id,
                "emergency": entry.emergency, "detail": entry.detail}
        self.conn.execute(insert(t.audit_log).values(
            seq=entry.seq, at=entry.at.isoformat(), username=entry.username,
            action=Action(entry.action).value, outcome=entry.outcome, patient_id=entry.patient_id,
            data=json.dumps(data, sort_keys=True, ensure_ascii=False),
            prev_hash=entry.prev_hash, hash=entry.hash))
        if seq == 0 and not self.conn.execute(select(t.audit_head.c.id)).first():
            self.conn.execute(insert(t.audit_head).values(id=1, seq=entry.seq, hash=entry.hash))
        else:
            self.conn.execute(update(t.audit_head).where(t.audit_head.c.id == 1)
                              .values(seq=entry.seq, hash=entry.hash))
        return entry

    def verify(self):
        """The first break in the chain (app.audit.ChainBreak), or None when intact."""
        head = self.conn.execute(select(t.audit_head.c.seq, t.audit_head.c.hash)).first()
        return verify_chain(self.iter_all(), key=self.key,
                            head=(head.seq, head.hash) if head else None)

    def iter_all(self) -> Iterator[AuditEntry]:
        for row in self.conn.execute(select(t.audit_log).order_by(t.audit_log.c.seq)):
            yield _entry(row)

    def query(self, *, since: datetime | None = None, until: datetime | None = None,
              username: str | None = None, patient_id: str | None = None,
              action: str | None = None, limit: int | None = None) -> list[AuditEntry]:
        c = t.audit_log.c
        q = select(t.audit_log).order_by(c.seq)
        if since:
            q = q.where(c.at >= since.isoformat())
        if until:
            q = q.where(c.at <= until.isoformat())
        if username:
            q = q.where(c.username == username)
        if patient_id:
            q = q.where(c.patient_id == patient_id)
        if action:
            q = q.where(c.action == action)
        if limit:
            q = q.limit(limit)
        return [_entry(r) for r in self.conn.execute(q)]
