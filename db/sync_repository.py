"""The store's side of sync: the outbox, server copies, checkpoints, conflicts, rejections.

One instance works inside one unit of work (one transaction), like every repository.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select, update

from app.model import utcnow
from db import tables as t
from db.mapping import BY_RESOURCE_TYPE
from db.tables_sync import sync_checkpoints, sync_conflicts, sync_rejections

PACKAGE_MARK = "package:"  # theirs_version of a conflict with a sync package's edit (sync/package_conflicts.py)


@dataclass(frozen=True)
class Pending:
    """One resource with local changes waiting to be sent (its outbox rows squashed)."""
    resource_type: str  # the outbox's name for the record type
    resource_id: str
    upto_seq: int  # the last outbox row this send covers


@dataclass(frozen=True)
class ServerState:
    server_version: str | None
    server_copy: str | None  # JSON text
    patient_id: str | None


class SyncRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    # -- outbox ------------------------------------------------------------------
    def pending(self) -> list[Pending]:
        """Resources with unsent changes, oldest first, leaving out those waiting on a
        conflict resolution and those the server refused (until edited again)."""
        o = t.outbox.c
        rows = self.conn.execute(select(o.resource_type, o.resource_id, func.max(o.seq).label("upto"))
                                 .group_by(o.resource_type, o.resource_id).order_by(func.min(o.seq)))
        parked = self.parked()
        rejected = {(r.resource_type, r.resource_id): r.upto_seq
                    for r in self.conn.execute(select(sync_rejections))}
        out = []
        for r in rows:
            key = (r.resource_type, r.resource_id)
            if key in parked or rejected.get(key, -1) >= r.upto:
                continue
            out.append(Pending(r.resource_type, r.resource_id, r.upto))
        return out

    def outbox_count(self) -> int:
        return self.conn.execute(select(func.count()).select_from(t.outbox)).scalar_one()

    def parked(self) -> set[tuple[str, str]]:
        c = sync_conflicts.c
        return {(r.resource_type, r.resource_id) for r in self.conn.execute(
            select(c.resource_type, c.resource_id).where(c.status != "applied"))}

    def clear_outbox(self, resource_type: str, resource_id: str, upto_seq: int) -> None:
        o = t.outbox.c
        self.conn.execute(delete(t.outbox).where(and_(o.resource_type == resource_type,
                                                      o.resource_id == resource_id, o.seq <= upto_seq)))

    def has_pending(self, resource_type: str, resource_id: str) -> int | None:
        """The last outbox seq for a resource, or None when nothing waits to be sent."""
        o = t.outbox.c
        return self.conn.execute(select(func.max(o.seq)).where(
            and_(o.resource_type == resource_type, o.resource_id == resource_id))).scalar()

    # -- server state ----------------------------------------------------------------
    def server_state(self, resource_type: str, resource_id: str) -> ServerState | None:
        table = BY_RESOURCE_TYPE[resource_type].table
        row = self.conn.execute(select(table.c.server_version, table.c.server_copy, table.c.patient_id)
                                .where(table.c.id == resource_id)).first()
        return ServerState(row.server_version, row.server_copy, row.patient_id) if row else None

    def server_states(self, resource_type: str, resource_ids: list[str]) -> dict[str, ServerState]:
        """:meth:`server_state` for many resources of one type, by id (those that exist)."""
        table, out = BY_RESOURCE_TYPE[resource_type].table, {}
        ids = list(dict.fromkeys(resource_ids))
        for start in range(0, len(ids), 500):
            rows = self.conn.execute(select(table.c.id, table.c.server_version, table.c.server_copy,
                                            table.c.patient_id).where(table.c.id.in_(ids[start:start + 500])))
            out.update((r.id, ServerState(r.server_version, r.server_copy, r.patient_id)) for r in rows)
        return out

    def confirm_many(self, resource_type: str, confirmed: list[tuple[str, str | None, str, int]]) -> None:
        """:meth:`confirm` for many resources of one type, as (id, server version, server
        copy, last outbox seq sent): three statements for the lot."""
        if not confirmed:
            return
        table, o, r = BY_RESOURCE_TYPE[resource_type].table, t.outbox.c, sync_rejections.c
        params = [{"_id": rid, "_version": version, "_copy": copy, "_upto": upto}
                  for rid, version, copy, upto in confirmed]
        self.conn.execute(update(table).where(table.c.id == bindparam("_id"))
                          .values(server_version=bindparam("_version"), server_copy=bindparam("_copy")),
                          params)
        self.conn.execute(delete(t.outbox).where(and_(o.resource_type == resource_type,
                                                      o.resource_id == bindparam("_id"),
                                                      o.seq <= bindparam("_upto"))), params)
        self.conn.execute(delete(sync_rejections).where(and_(r.resource_type == resource_type,
                                                             r.resource_id == bindparam("_id"))), params)

    def confirm(self, resource_type: str, resource_id: str, server_version: str | None,
                server_copy: str, upto_seq: int) -> None:
        """The server holds our change: remember its version and copy; drop what was sent."""
        table = BY_RESOURCE_TYPE[resource_type].table
        self.conn.execute(update(table).where(table.c.id == resource_id)
                          .values(server_version=server_version, server_copy=server_copy))
        self.clear_outbox(resource_type, resource_id, upto_seq)
        self.conn.execute(delete(sync_rejections).where(and_(
            sync_rejections.c.resource_type == resource_type, sync_rejections.c.resource_id == resource_id)))

    # -- checkpoints -----------------------------------------------------------------
    def checkpoint(self, server: str, resource_type: str) -> str | None:
        c = sync_checkpoints.c
        return self.conn.execute(select(c.since).where(
            and_(c.server == server, c.resource_type == resource_type))).scalar()

    def set_checkpoint(self, server: str, resource_type: str, since: str) -> None:
        c = sync_checkpoints.c
        values = {"since": since, "updated_at": utcnow().isoformat()}
        if self.conn.execute(update(sync_checkpoints).where(
                and_(c.server == server, c.resource_type == resource_type)).values(values)).rowcount == 0:
            self.conn.execute(insert(sync_checkpoints).values(server=server, resource_type=resource_type,
                                                              **values))

    # -- audit trail -----------------------------------------------------------------
    def audit_after(self, seq: int, limit: int) -> list:
        """Audit entries after ``seq``, in order (for sending them to the server)."""
        from db.accounts import _entry  # the audit row format is db.accounts' to know
        c = t.audit_log.c
        return [_entry(r) for r in self.conn.execute(
            select(t.audit_log).where(c.seq > seq).order_by(c.seq).limit(limit))]

    def read_patients_after(self, seq: int) -> tuple[set[str], int]:
        """The patients whose records were read (a chart opened) in audit entries after
        ``seq``, and the last entry's seq (to look from next time)."""
        c = t.audit_log.c
        upto = self.conn.execute(select(func.max(c.seq))).scalar() or seq
        ids = {r[0] for r in self.conn.execute(
            select(c.patient_id).distinct().where(and_(c.seq > seq, c.seq <= upto, c.action == "read",
                                                       c.patient_id.is_not(None))))}
        return ids, upto

    # -- rejections ------------------------------------------------------------------
    def reject(self, resource_type: str, resource_id: str, upto_seq: int, message: str) -> None:
        key = and_(sync_rejections.c.resource_type == resource_type,
                   sync_rejections.c.resource_id == resource_id)
        self.conn.execute(delete(sync_rejections).where(key))
        self.conn.execute(insert(sync_rejections).values(
            resource_type=resource_type, resource_id=resource_id, upto_seq=upto_seq, message=message,
            at=utcnow().isoformat()))

    def rejections(self) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in self.conn.execute(select(sync_rejections))]

    # -- conflicts -------------------------------------------------------------------
    def add_conflict(self, conflict: dict[str, Any]) -> None:
        """Store a new open conflict, replacing an undecided-or-unapplied earlier one on the
        same resource of the same kind (with the server, or with a package's edit, whose
        ``theirs_version`` is ``package:...``): one of each kind can wait at a time."""
        c = sync_conflicts.c
        package = c.theirs_version.like(PACKAGE_MARK + "%")
        same_kind = package if str(conflict.get("theirs_version") or "").startswith(PACKAGE_MARK) else \
            or_(c.theirs_version.is_(None), ~package)
        self.conn.execute(delete(sync_conflicts).where(and_(
            c.resource_type == conflict["resource_type"], c.resource_id == conflict["resource_id"],
            c.status != "applied", same_kind)))
        row = dict(conflict, fields=json.dumps(conflict["fields"]), status="open",
                   created_at=utcnow().isoformat())
        self.conn.execute(insert(sync_conflicts).values(**row))

    def open_conflict(self, resource_type: str, resource_id: str, theirs_version: str | None) -> bool:
        """Whether a conflict on this server version of the resource already waits for a person."""
        c = sync_conflicts.c
        return self.conn.execute(select(c.id).where(and_(
            c.resource_type == resource_type, c.resource_id == resource_id, c.status == "open",
            c.theirs_version == theirs_version))).first() is not None

    def conflict_with(self, resource_type: str, resource_id: str, theirs_version: str) -> bool:
        """Whether a conflict on exactly this version of theirs was ever recorded (any status)."""
        c = sync_conflicts.c
        return self.conn.execute(select(c.id).where(and_(
            c.resource_type == resource_type, c.resource_id == resource_id,
            c.theirs_version == theirs_version))).first() is not None

    def conflicts(self, status: str | None = "open") -> list[dict[str, Any]]:
        q = select(sync_conflicts).order_by(sync_conflicts.c.created_at)
        if status:
            q = q.where(sync_conflicts.c.status == status)
        return [_conflict(r) for r in self.conn.execute(q)]

    def conflict(self, conflict_id: str) -> dict[str, Any] | None:
        row = self.conn.execute(select(sync_conflicts).where(sync_conflicts.c.id == conflict_id)).first()
        return _conflict(row) if row else None

    def decide(self, conflict_id: str, decision: dict[str, str], *, username: str, at: str) -> None:
        self.conn.execute(update(sync_conflicts).where(sync_conflicts.c.id == conflict_id).values(
            status="decided", decision=json.dumps(decision), resolved_by=username, resolved_at=at))

    def mark_applied(self, conflict_id: str) -> None:
        self.conn.execute(update(sync_conflicts).where(sync_conflicts.c.id == conflict_id)
                          .values(status="applied"))


def _conflict(row) -> dict[str, Any]:
    out = dict(row._mapping)
    out["fields"] = json.loads(out["fields"])
    out["decision"] = json.loads(out["decision"]) if out["decision"] else None
    return out
