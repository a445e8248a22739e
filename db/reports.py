"""Clinic-wide aggregates for the dashboard and the aging report, computed by SQL.

Money comes from the ``report_facts`` projection in whole cents (exact integers, turned
into Decimal only at the end); visits and vaccines too. Clinical measures read the typed,
indexed columns (condition code, observation code and time) and decode only the one
value they need per patient.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import Connection, text

from app.billing_types import MoneyTotals
from app.dashboard_types import CodeRange, VisitCount

_LIVE = "status NOT IN ('entered-in-error', 'cancelled')"
_CHARGED = "('billable', 'billed')"


def _money(cents: int | None) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(Decimal("0.01"))


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def _ranges(ranges: tuple[CodeRange, ...], params: dict) -> str:
    parts = []
    for n, r in enumerate(ranges):
        params[f"lo{n}"], params[f"hi{n}"] = r.low, r.high
        parts.append(f"(c.code >= :lo{n} AND c.code < :hi{n})")
    return "(" + " OR ".join(parts or ["0"]) + ")"


class ReportQueries:
    def __init__(self, conn: Connection):
        self.conn = conn

    def _rows(self, sql: str, **params):
        return self.conn.execute(text(sql), params)

    def _ids(self, sql: str, **params) -> set[str]:
        """The distinct values of the ``id`` column of ``sql``, joined into one string by SQLite
        and split here: a clinic-wide set of patients (up to 200,000) without a row per patient."""
        joined = self._all(f"SELECT group_concat(id) FROM ({sql})", **params)[0][0]
        return set(joined.split(",")) if joined else set()

    def _all(self, sql: str, **params) -> list[tuple]:
        """Every row as a plain tuple, fetched by the driver in one go: the clinic-wide reads
        return up to a few hundred thousand rows, and building a result row object per row
        would cost more than the query."""
        cursor = self.conn.connection.cursor()
        try:
            return cursor.execute(sql, params).fetchall()
        finally:
            cursor.close()

    def visits(self, start: date, end: date, *, practitioner_id: str | None = None,
               location_id: str | None = None) -> list[VisitCount]:
        # grouped in the covering index's own order (status before who), so SQLite needs no
        # sort; the statuses that count are folded together here
        only = (" AND who = :p" if practitioner_id else "") + (" AND place = :l" if location_id else "")
        rows = self._all(
            "SELECT day, who, place, code, count(*) FROM report_facts WHERE resource_type = 'Encounter' "
            f"AND day >= :a AND day < :b AND {_LIVE}{only} GROUP BY day, status, who, place, code",
            a=start.isoformat(), b=end.isoformat(), p=practitioner_id, l=location_id)
        counts: dict[tuple, int] = {}
        for day, who, place, code, n in rows:
            counts[day, who, place, code] = counts.get((day, who, place, code), 0) + n
        return [VisitCount(date.fromisoformat(day), who, place, code, n)
                for (day, who, place, code), n in sorted(counts.items(), key=lambda kv: kv[0][0])]

    def appointment_statuses(self, start: datetime, end: datetime, *, practitioner_id: str | None = None,
                             location_id: str | None = None) -> dict[str, int]:
        # the period's statuses joined into one string and counted here: SQLite's GROUP BY
        # would sort every appointment of the period first (200,000 at a large clinic). The
        # location has no column of its own: it is read from the record's JSON, and only for
        # the period's rows of the chosen practitioner (if any).
        only = ((" AND practitioner_id = :p" if practitioner_id else "")
                + (" AND json_extract(data, '$.location_id') = :l" if location_id else ""))
        joined = self._all("SELECT group_concat(status, char(31)) FROM appointments "
                           f"WHERE start >= :a AND start < :b{only}", a=_utc(start), b=_utc(end),
                           p=practitioner_id, l=location_id)[0][0]
        return dict(Counter(joined.split("\x1f"))) if joined else {}

    def money(self, start: date, end: date) -> MoneyTotals:
        # two scans of the covering period index: one over charges, one over payments
        period = "day >= :a AND day < :b"
        args = {"a": start.isoformat(), "b": end.isoformat()}
        all_charged, charged = self._all(
            f"SELECT sum(cents), sum(CASE WHEN {period} THEN cents END) FROM report_facts "
            f"WHERE resource_type = 'ChargeItem' AND status IN {_CHARGED}", **args)[0]
        all_paid, paid, adjusted, unapplied = self._all(
            f"SELECT sum(cents), sum(CASE WHEN {period} AND code != 'adjustment' THEN cents END), "
            f"sum(CASE WHEN {period} AND code = 'adjustment' THEN cents END), "
            "sum(CASE WHEN link_id IS NULL THEN cents END) FROM report_facts "
            "WHERE resource_type = 'PaymentReconciliation' AND status = 'active'", **args)[0]
        return MoneyTotals(_money(charged), _money(paid), _money(adjusted),
                           _money((all_charged or 0) - (all_paid or 0)), _money(unapplied))

    def _open_invoices(self, patient_id: str | None) -> str:
        who = "AND i.patient_id = :p" if patient_id else ""
        return (
            "WITH paid AS (SELECT link_id, sum(cents) AS cents FROM report_facts "
            "  WHERE resource_type = 'PaymentReconciliation' AND status = 'active' AND link_id IS NOT NULL "
            "  AND day <= :d GROUP BY link_id), "
            "open AS (SELECT i.patient_id, julianday(:d) - julianday(i.day) AS age, "
            "  i.cents - coalesce(paid.cents, 0) AS owed FROM report_facts i "
            "  LEFT JOIN paid ON paid.link_id = i.record_id "
            f"  WHERE i.resource_type = 'Invoice' AND i.{_LIVE} AND i.day <= :d {who}) ")

    def aging(self, as_of: date, edges: tuple[int, ...], *,
              patient_id: str | None = None) -> list[tuple[int, int, int]]:
        """(band, open invoices, cents owed) per band; band n holds ages up to edges[n] days,
        the last band everything older."""
        band = "CASE " + " ".join(f"WHEN age <= {int(e)} THEN {n}" for n, e in enumerate(edges)) + \
               f" ELSE {len(edges)} END"
        rows = self._rows(self._open_invoices(patient_id) +
                          f"SELECT {band} AS band, count(*), sum(owed) FROM open WHERE owed > 0 GROUP BY band",
                          d=as_of.isoformat(), p=patient_id)
        return [(r[0], r[1], r[2]) for r in rows]

    def owing_patients(self, as_of: date, min_days: int) -> list[tuple[str, int]]:
        rows = self._rows(self._open_invoices(None) +
                          "SELECT patient_id, sum(owed) FROM open WHERE owed > 0 AND age >= :m "
                          "GROUP BY patient_id ORDER BY sum(owed) DESC", d=as_of.isoformat(), m=min_days)
        return [(r[0], r[1]) for r in rows]

    def births(self) -> dict[str, date]:
        # the ids and the birth dates as two joined strings, in the covering index's order (no
        # sort here, and the dict comes out in birth-date order, so sorting by age is one pass)
        ids, days = self._all("SELECT group_concat(id), group_concat(birth_date) FROM (SELECT id, "
                              "birth_date FROM patients WHERE status = 'active' ORDER BY birth_date)")[0]
        if not ids:
            return {}
        ids, days = ids.split(","), days.split(",")
        parsed = {text: date.fromisoformat(text) for text in set(days)}  # ~1 per 8 patients
        return dict(zip(ids, map(parsed.__getitem__, days)))

    # Patients come once per matching row (no DISTINCT: its temporary b-tree costs more
    # than the set that drops the repeats).
    def with_condition(self, ranges: tuple[CodeRange, ...]) -> set[str]:
        params: dict = {}
        return self._ids(
            f"SELECT c.patient_id AS id FROM conditions c WHERE {_ranges(ranges, params)} "
            "AND c.status != 'entered-in-error' "
            "AND json_extract(c.data, '$.clinical_status') IN ('active', 'recurrence', 'relapse')", **params)

    def latest_values(self, ranges: tuple[CodeRange, ...], loinc: str,
                      since: datetime) -> dict[str, Decimal | None]:
        # The latest-value summary (db/observation_latest.py) read in one sequential range of
        # its (code, effective) index, matched to the patients here: cheaper than a probe
        # per patient, whose pages are scattered over the whole summary.
        # Ids and values come as two joined strings (a missing value as ''), not a row each.
        patients = self.with_condition(ranges)
        ids, texts = self._all(
            "SELECT group_concat(patient_id), group_concat(coalesce(value, '')) FROM latest_observations "
            "WHERE code = :code AND effective >= :since", code=loinc, since=_utc(since))[0]
        ids, texts = (ids.split(","), texts.split(",")) if ids else ([], [])
        values: dict[str, Decimal | None] = {text: Decimal(text) for text in set(texts) - {""}}  # few
        values[""] = None
        latest = dict(zip(ids, map(values.__getitem__, texts)))
        return {pid: latest.get(pid) for pid in patients}

    def with_vaccine(self, cvx: tuple[str, ...], since: date) -> set[str]:
        marks = ", ".join(f":v{n}" for n in range(len(cvx)))
        return self._ids(
            "SELECT patient_id AS id FROM report_facts WHERE resource_type = 'Immunization' "
            f"AND code IN ({marks}) AND day >= :since AND status = 'completed'",
            since=since.isoformat(), **{f"v{n}": c for n, c in enumerate(cvx)})

    def with_result(self, loinc: tuple[str, ...], since: datetime) -> set[str]:
        # a live result since then exists exactly when the latest one is that recent
        marks = ", ".join(f":c{n}" for n in range(len(loinc)))
        return self._ids(f"SELECT patient_id AS id FROM latest_observations WHERE code IN ({marks}) "
                         "AND effective >= :since", since=_utc(since),
                         **{f"c{n}": c for n, c in enumerate(loinc)})
