"""The ``latest_observations`` summary: each patient's latest live value of each test.

The dashboard's measures ask "the latest HbA1c (or blood pressure) of every diabetic (or
hypertensive) patient"; answered from the observation rows that is one sorted probe and a
JSON decode per patient, which does not scale to 200,000 patients. The observation
repository calls :func:`record_written` / :func:`records_added` in the same transaction as
every write, so the summary is never out of step with what was committed; :func:`rebuild`
recomputes it from the records (migration 0007 backfills existing stores with it).

"Latest" is the latest ``effective`` instant compared in UTC (the records keep the offset
they were charted with), ties broken by the larger record id; entered-in-error
observations never count, so retracting the latest one brings back the one before it. A
panel (a blood pressure imported or pulled as one Observation) counts for each component's
test, as :meth:`app.model.Observation.values` gives them.
"""
from __future__ import annotations

from datetime import datetime, timezone
from itertools import chain
from typing import Any, Iterable

from sqlalchemy import Connection, text

from app import codec
from app.model import ENTERED_IN_ERROR, Observation

_UPSERT = text(
    "INSERT INTO latest_observations (patient_id, code, effective, value, record_id) "
    "VALUES (:patient_id, :code, :effective, :value, :record_id) "
    "ON CONFLICT (patient_id, code) DO UPDATE SET effective = excluded.effective, "
    "value = excluded.value, record_id = excluded.record_id "
    "WHERE (excluded.effective, excluded.record_id) > "
    "(latest_observations.effective, latest_observations.record_id)")


def utc_text(moment: datetime) -> str:
    """An instant as UTC ISO text, so text order is time order (naive means UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat()


def _row(patient_id: str, code: str, effective: datetime, value, record_id: str) -> dict[str, Any]:
    return {"patient_id": patient_id, "code": code, "effective": utc_text(effective),
            "value": None if value is None else str(value), "record_id": record_id}


def _candidates(o: Observation) -> list[dict[str, Any]]:
    """The summary rows one observation offers: its own value and, for a panel (blood
    pressure 85354-9), each component's (systolic 8480-6, diastolic 8462-4)."""
    if o.status == ENTERED_IN_ERROR or not o.patient_id:
        return []
    return [_row(o.patient_id, code, o.effective, value, o.id) for code, value, _ in o.values()]


def _best(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The latest row per (patient, test)."""
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row["patient_id"], row["code"])
        held = best.get(key)
        if held is None or (row["effective"], row["record_id"]) > (held["effective"], held["record_id"]):
            best[key] = row
    return list(best.values())


def records_added(conn: Connection, records: list[Observation]) -> None:
    """New observations (none of them stored before): each can only become the latest."""
    rows = _best(chain.from_iterable(map(_candidates, records)))
    if rows:
        conn.execute(_UPSERT, rows)


def record_written(conn: Connection, record: Observation) -> None:
    """One observation was added or changed (edited, retracted, or replaced by the server's copy)."""
    held = {(p, c) for p, c in conn.execute(
        text("SELECT patient_id, code FROM latest_observations WHERE record_id = :id"), {"id": record.id})}
    for patient_id, code in held:  # it was the latest: its time, value, test or status may have changed
        recompute(conn, patient_id, code)
    fresh = [row for row in _candidates(record) if (row["patient_id"], row["code"]) not in held]
    if fresh:  # where it was not the latest, it can only become the latest
        conn.execute(_UPSERT, _best(fresh))


# A row's own value, and its whole record only when it is a panel (to read its components).
_COLUMNS = ("id, effective, code, json_extract(data, '$.value'), "
            "CASE WHEN json_extract(data, '$.components') IS NOT NULL THEN data END")


def _offered(patient_id: str, rows) -> Iterable[dict[str, Any]]:
    for rid, when, code, value, panel in rows:
        if panel is None:
            yield _row(patient_id, code, datetime.fromisoformat(when), value, rid)
        else:
            yield from _candidates(codec.loads(Observation, panel))


def recompute(conn: Connection, patient_id: str, code: str) -> None:
    """Find the latest live observation of one patient's test again from the records."""
    rows = conn.execute(text(
        f"SELECT {_COLUMNS} FROM observations WHERE patient_id = :p AND status != :eie "
        "AND (code = :c OR json_extract(data, '$.components') IS NOT NULL)"),
        {"p": patient_id, "c": code, "eie": ENTERED_IN_ERROR}).all()
    conn.execute(text("DELETE FROM latest_observations WHERE patient_id = :p AND code = :c"),
                 {"p": patient_id, "c": code})
    best = [row for row in _best(_offered(patient_id, rows)) if row["code"] == code]
    if best:
        conn.execute(_UPSERT, best)


def rebuild(conn: Connection) -> int:
    """Recompute the whole summary from the stored observations; returns how many rows it holds.

    Reads the observations in patient order, so memory holds one patient's at a time.
    """
    conn.execute(text("DELETE FROM latest_observations"))
    rows = conn.execute(text(
        f"SELECT patient_id, {_COLUMNS} FROM observations "
        "WHERE status != :eie AND patient_id IS NOT NULL ORDER BY patient_id"), {"eie": ENTERED_IN_ERROR})
    written, batch, group, patient = 0, [], [], None
    for row in rows:
        if row[0] != patient:
            batch += _best(_offered(patient, group))
            group, patient = [], row[0]
            if len(batch) >= 5000:
                conn.execute(_UPSERT, batch)
                written, batch = written + len(batch), []
        group.append(row[1:])
    batch += _best(_offered(patient, group))
    if batch:
        conn.execute(_UPSERT, batch)
    return written + len(batch)
