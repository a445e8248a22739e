"""Repositories over one open connection (one transaction, owned by the unit of work)."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from itertools import islice
from typing import Any, Generic, Iterable, TypeVar

from sqlalchemy import Connection, and_, func, insert, select, text, update

from app import codec
from app.errors import Conflict, NotFound
from app.model import ENTERED_IN_ERROR, Appointment, Observation, Patient, Record, utcnow
from app.model.clinical import PANEL_CODES
from app.search_terms import fold, patient_terms
from db import observation_latest, tables as t
from db.mapping import SPECS, TableSpec

R = TypeVar("R", bound=Record)


def _outbox_row(record: Record, op: str, base_version: str | None, at: str) -> dict[str, Any]:
    return {"resource_type": record.RESOURCE_TYPE, "resource_id": record.id, "op": op,
            "base_version": base_version, "at": at}


class RecordRepository(Generic[R]):
    """Stores one record type. Every add and update also writes an outbox entry."""

    def __init__(self, conn: Connection, spec: TableSpec):
        self.conn, self.spec, self.table = conn, spec, spec.table

    # -- reading -------------------------------------------------------------
    def _load(self, row) -> R:
        record = codec.loads(self.spec.cls, row.data)
        record.version, record.server_version = row.version, row.server_version
        return record

    def find(self, record_id: str) -> R | None:
        row = self.conn.execute(select(self.table.c.data, self.table.c.version,
                                       self.table.c.server_version)
                                .where(self.table.c.id == record_id)).first()
        return self._load(row) if row else None

    def find_many(self, record_ids: Iterable[str]) -> dict[str, R]:
        """The records with these ids that exist, by id (bulk imports)."""
        ids, out, c = list(dict.fromkeys(record_ids)), {}, self.table.c
        for start in range(0, len(ids), 500):
            q = select(c.id, c.data, c.version, c.server_version).where(c.id.in_(ids[start:start + 500]))
            for row in self.conn.execute(q):
                out[row.id] = self._load(row)
        return out

    def get(self, record_id: str) -> R:
        record = self.find(record_id)
        if record is None:
            raise NotFound(self.spec.cls.RESOURCE_TYPE, record_id)
        return record

    def for_patient(self, patient_id: str, *, order_by: str | None = None, desc: bool = True,
                    limit: int | None = None, include_errors: bool = False,
                    where: dict[str, Any] | None = None) -> list[R]:
        c = self.table.c
        q = select(c.data, c.version, c.server_version).where(c.patient_id == patient_id)
        if not include_errors:
            q = q.where(c.status != ENTERED_IN_ERROR)
        for col, value in (where or {}).items():
            q = q.where(c[col].in_(value) if isinstance(value, (list, tuple, set)) else c[col] == value)
        order_col = order_by or self.spec.time_column
        if order_col:
            q = q.order_by(c[order_col].desc() if desc else c[order_col])
        if limit:
            q = q.limit(limit)
        return [self._load(row) for row in self.conn.execute(q)]

    def all(self, *, include_errors: bool = False) -> list[R]:
        """Every record of this type (for small directories such as practitioners and locations)."""
        c = self.table.c
        q = select(c.data, c.version, c.server_version)
        if not include_errors:
            q = q.where(c.status != ENTERED_IN_ERROR)
        return [self._load(row) for row in self.conn.execute(q)]

    def count(self, where: dict[str, Any] | None = None) -> int:
        q = select(func.count()).select_from(self.table)
        for col, value in (where or {}).items():
            q = q.where(self.table.c[col] == value)
        return self.conn.execute(q).scalar_one()

    def server_copy(self, record_id: str) -> dict | None:
        raw = self.conn.execute(select(self.table.c.server_copy)
                                .where(self.table.c.id == record_id)).scalar()
        return json.loads(raw) if raw else None

    # -- writing -------------------------------------------------------------
    def _row(self, record: R, now: datetime) -> dict[str, Any]:
        return {"id": record.id, "patient_id": getattr(record, "patient_id", None),
                "status": record.status, "version": record.version,
                "server_version": record.server_version, "data": codec.dumps(record),
                "created_at": record.created_at.isoformat(), "updated_at": now.isoformat(),
                **self.spec.extra(record)}

    def add(self, record: R) -> R:
        now = utcnow()
        record.created_at = record.created_at or now
        record.updated_at, record.version = now, 1
        self.conn.execute(insert(self.table).values(self._row(record, now)))
        self.conn.execute(insert(t.outbox).values(_outbox_row(record, "create", None, now.isoformat())))
        self._indexed(record)
        return record

    def add_many(self, records: Iterable[R], *, outbox: bool = True) -> int:
        """Bulk insert (demo data, imports); same rows and outbox entries as :meth:`add`."""
        now = utcnow()
        rows, boxes = [], []
        batch = list(records)
        for record in batch:
            record.created_at = record.created_at or now
            record.updated_at, record.version = now, 1
            rows.append(self._row(record, now))
            boxes.append(_outbox_row(record, "create", None, now.isoformat()))
        if rows:
            self.conn.execute(insert(self.table), rows)
            if outbox:
                self.conn.execute(insert(t.outbox), boxes)
            self._indexed_many(batch)
        return len(rows)

    def update(self, record: R) -> R:
        """Save a changed record; Conflict if someone saved it since it was read."""
        now = utcnow()
        base = record.version
        record.version, record.updated_at = base + 1, now
        row = self._row(record, now)
        del row["id"], row["created_at"]
        result = self.conn.execute(update(self.table)
                                   .where(and_(self.table.c.id == record.id, self.table.c.version == base))
                                   .values(row))
        if result.rowcount != 1:
            record.version = base
            raise Conflict(f"this {record.RESOURCE_TYPE} was changed by someone else since you "
                           "opened it; reopen it to see their change")
        self.conn.execute(insert(t.outbox).values(
            _outbox_row(record, "update", record.server_version, now.isoformat())))
        self._indexed(record)
        return record

    def put_from_server(self, record: R, server_copy: str) -> R:
        """Store a record as the server has it (pulled or merged), with its server copy.

        No outbox entry: nothing changed here. The local version still moves on, so an
        editor holding the old version gets a Conflict instead of overwriting it.
        """
        now = utcnow()
        c = self.table.c
        current = self.conn.execute(select(c.version, c.created_at).where(c.id == record.id)).first()
        record.version = current.version + 1 if current else 1
        record.created_at = record.created_at or (
            datetime.fromisoformat(current.created_at) if current else now)
        record.updated_at = now
        row = self._row(record, now) | {"server_copy": server_copy}
        if current:
            del row["id"]
            self.conn.execute(update(self.table).where(c.id == record.id).values(row))
        else:
            self.conn.execute(insert(self.table).values(row))
        self._indexed(record)
        return record

    def put_many_from_server(self, items: Iterable[tuple[R, str]]) -> int:
        """:meth:`put_from_server` for many records this store does not hold yet (most of a
        first pull): one insert for the lot, no outbox entries. The caller makes sure none
        exists (an existing id fails the whole insert, and its transaction with it)."""
        now = utcnow()
        rows, batch = [], []
        for record, server_copy in items:
            record.version, record.created_at, record.updated_at = 1, record.created_at or now, now
            rows.append(self._row(record, now) | {"server_copy": server_copy})
            batch.append(record)
        if rows:
            self.conn.execute(insert(self.table), rows)
            self._indexed_many(batch)
        return len(rows)

    def _indexed(self, record: R) -> None:
        """Hook for tables with a search index."""

    def _indexed_many(self, records: list[R]) -> None:
        """Hook for tables with a search index, after a bulk insert of new records."""
        for record in records:
            self._indexed(record)


def _terms(p: Patient) -> str:
    return patient_terms(names=[p.name.text, *(n.text for n in p.other_names)], mrn=p.mrn,
                         birth_date=p.birth_date,
                         phones=[c.value for c in p.telecom if c.system == "phone"])


class PatientRepository(RecordRepository[Patient]):
    def _rowid(self, patient_id: str) -> int:
        return self.conn.execute(text("SELECT rowid FROM patients WHERE id = :id"),
                                 {"id": patient_id}).scalar_one()

    def _indexed(self, p: Patient) -> None:
        rowid = self._rowid(p.id)
        self.conn.execute(text("DELETE FROM patient_fts WHERE rowid = :r"), {"r": rowid})
        if p.status != ENTERED_IN_ERROR:
            self.conn.execute(text("INSERT INTO patient_fts(rowid, terms) VALUES (:r, :t)"),
                              {"r": rowid, "t": _terms(p)})

    def _indexed_many(self, records: list[Patient]) -> None:
        # New rows have no index entries yet: one rowid query and one executemany per
        # batch instead of three statements per patient (bulk imports, demo data).
        rowids: dict[str, int] = {}
        ids = [p.id for p in records]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join(f":i{n}" for n in range(len(chunk)))
            rows = self.conn.execute(text(f"SELECT id, rowid FROM patients WHERE id IN ({marks})"),
                                     {f"i{n}": v for n, v in enumerate(chunk)})
            rowids.update((row[0], row[1]) for row in rows)
        entries = [{"r": rowids[p.id], "t": _terms(p)} for p in records if p.status != ENTERED_IN_ERROR]
        if entries:
            self.conn.execute(text("INSERT INTO patient_fts(rowid, terms) VALUES (:r, :t)"), entries)

    def by_mrn(self, mrn: str) -> Patient | None:
        row = self.conn.execute(select(t.patients.c.data, t.patients.c.version,
                                       t.patients.c.server_version)
                                .where(t.patients.c.mrn == mrn)).first()
        return self._load(row) if row else None

    def search(self, fts_query: str | None, *, birth_date: date | None, limit: int) -> list[Patient]:
        c = t.patients.c
        params: dict[str, Any] = {"limit": limit}
        if fts_query:
            sql = ("SELECT p.data, p.version, p.server_version FROM patient_fts f "
                   "JOIN patients p ON p.rowid = f.rowid WHERE patient_fts MATCH :q")
            params["q"] = fts_query
            if birth_date:
                sql += " AND p.birth_date = :b"
                params["b"] = birth_date.isoformat()
            rows = self.conn.execute(text(sql + " LIMIT :limit"), params)
        elif birth_date:
            rows = self.conn.execute(select(c.data, c.version, c.server_version)
                                     .where(c.birth_date == birth_date.isoformat(),
                                            c.status != ENTERED_IN_ERROR).limit(limit))
        else:
            return []
        return [self._load(r) for r in rows]

    def similar(self, family: str, birth_date: date) -> list[Patient]:
        c = t.patients.c
        rows = self.conn.execute(select(c.data, c.version, c.server_version)
                                 .where(c.birth_date == birth_date.isoformat(),
                                        c.status != ENTERED_IN_ERROR))
        key = fold(family)[:4]
        return [p for p in (self._load(r) for r in rows) if fold(p.name.family)[:4] == key or not key]

    def next_mrn(self) -> str:
        """The next free clinic MRN (6+ digits, ascending)."""
        top = self.conn.execute(text("SELECT max(CAST(mrn AS INTEGER)) FROM patients "
                                     "WHERE mrn GLOB '[0-9]*'")).scalar()
        return str(max(int(top or 0) + 1, 100001))


class ObservationRepository(RecordRepository[Observation]):
    # the dashboard's latest-value summary moves with every write, in the same transaction
    def _indexed(self, record: Observation) -> None:
        observation_latest.record_written(self.conn, record)

    def _indexed_many(self, records: list[Observation]) -> None:
        observation_latest.records_added(self.conn, records)

    def latest(self, patient_id: str, codes: Iterable[str]) -> dict[str, Observation]:
        """The newest value of each code, also when it came as a component of a panel
        (PANEL_CODES: blood pressure from another system)."""
        out = {}
        c = t.observations.c
        for code in codes:
            stored_as = (code, *PANEL_CODES.get(code, ()))
            rows = self.conn.execute(
                select(c.data, c.version, c.server_version)
                .where(c.patient_id == patient_id, c.code.in_(stored_as), c.status != ENTERED_IN_ERROR)
                .order_by(c.effective.desc()).limit(1 if len(stored_as) == 1 else 20))
            found = next((o for o in (self._load(r).part(code) for r in rows) if o is not None), None)
            if found is not None:
                out[code] = found
        return out

    def series(self, patient_id: str, code: str, *, since: datetime | None = None,
               limit: int | None = None) -> list[Observation]:
        """Values of one code, oldest first, including those held by panels (see latest)."""
        c = t.observations.c
        stored_as = (code, *PANEL_CODES.get(code, ()))
        q = (select(c.data, c.version, c.server_version)
             .where(c.patient_id == patient_id, c.code.in_(stored_as), c.status != ENTERED_IN_ERROR))
        if since:
            q = q.where(c.effective >= since.isoformat())
        q = q.order_by(c.effective.desc())
        values = (o for o in (self._load(r).part(code) for r in self.conn.execute(q)) if o is not None)
        if limit:
            values = islice(values, limit)
        return list(reversed(list(values)))


def _utc(moment: datetime) -> str:
    # start columns hold UTC ISO text (the scheduling service stores UTC), so text order is time order
    return moment.astimezone(timezone.utc).isoformat()


class AppointmentRepository(RecordRepository[Appointment]):
    def between(self, start: datetime, end: datetime, *, practitioner_id: str | None = None,
                location_id: str | None = None) -> list[Appointment]:
        """Appointments starting in [start, end), by start time, optionally for one
        practitioner or location (entered-in-error ones left out)."""
        c = self.table.c
        q = (select(c.data, c.version, c.server_version)
             .where(c.start >= _utc(start), c.start < _utc(end),
                    c.status != ENTERED_IN_ERROR).order_by(c.start))
        if practitioner_id:
            q = q.where(c.practitioner_id == practitioner_id)
        found = [self._load(row) for row in self.conn.execute(q)]
        # location has no column of its own (few appointments per day): filter here
        return [a for a in found if location_id is None or a.location_id == location_id]


def repository_for(conn: Connection, cls: type[R]) -> RecordRepository[R]:
    spec = SPECS[cls]
    if cls is Appointment:
        return AppointmentRepository(conn, spec)
    if cls is Patient:
        return PatientRepository(conn, spec)
    if cls is Observation:
        return ObservationRepository(conn, spec)
    from db.report_facts import FACT_TYPES, FactRepository  # the reports' projection (billing, vaccines)
    if cls in FACT_TYPES:
        return FactRepository(conn, spec)
    return RecordRepository(conn, spec)
