"""The clinic dashboard (visits, no-shows, money and every quality measure) on a large clinic.

The store holds demo patients (demographics and coverage from app.demo) plus, for each of
them, the records the dashboard reads, at outpatient prevalences: a visit in the last
year with its charge and (mostly) a payment, an appointment, hypertension (about a third
of adults) with a blood pressure, diabetes (about one in ten) with an HbA1c, lipid panels,
and influenza, Td/Tdap, zoster and pneumococcal vaccines. Full histories for 200,000
patients would take hours to generate; these are the rows the measures touch. Target:
the whole dashboard, computed through the service, in ≤ 2 s at 200,000 patients.

Generating 200,000 patients takes 10-20 minutes; with OUTPOST_BENCH_CACHE set to a folder the
store is kept there and later runs reuse it (migrated on sign-in when the schema moved on).
Beside the wall-clock figures the run reports its CPU time, the load average and each store
query's time, since the development machine is shared.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from sqlalchemy import text

from app import dashboard, demo
from app.model import (Appointment, Charge, Coding, Condition, Encounter, Immunization, Observation,
                       Payment)
from app.demo_users import DEMO_PASSWORD
from tests.bench.common import clinic, figures, scratch, timed_ms, user_session
from ui import wiring

SIZES = {False: 200_000, True: 5_000}
TARGET_MS = 2000.0
TODAY = date(2026, 3, 2)
RUNS = 5
_ICD = "http://hl7.org/fhir/sid/icd-10-cm"
_LOINC = "http://loinc.org"
_CVX = "http://hl7.org/fhir/sid/cvx"


def _at(rng: random.Random, days_back: int) -> datetime:
    day = TODAY - timedelta(days=rng.randint(1, days_back))
    return datetime(day.year, day.month, day.day, rng.randint(8, 16), 0, tzinfo=timezone.utc)


def _obs(pid: str, code: str, value: str, unit: str, when: datetime, category: str) -> Observation:
    return Observation(patient_id=pid, code=Coding(_LOINC, code), effective=when, category=category,
                       value=Decimal(value), unit=unit)


def _shot(pid: str, cvx: str, day: date) -> Immunization:
    return Immunization(patient_id=pid, vaccine=Coding(_CVX, cvx), occurrence=day)


def records_for(rng: random.Random, pid: str, age: int, staff: list[str]) -> list:
    """The dashboard-relevant records of one patient."""
    when = _at(rng, 360)
    doc = rng.choice(staff)
    visit = Encounter(patient_id=pid, start=when, end=when + timedelta(minutes=20), status="finished",
                      practitioner_id=doc, visit_type=rng.choice(("follow-up", "follow-up", "new-patient",
                                                                  "annual-physical")))
    fee = Decimal(rng.choice(("115.00", "165.00", "210.00")))
    out: list = [visit,
                 Appointment(patient_id=pid, start=when, end=when + timedelta(minutes=20), practitioner_id=doc,
                             status=rng.choices(("fulfilled", "noshow", "cancelled"), (90, 6, 4))[0]),
                 Charge(patient_id=pid, code="OV-EST-15", description="Office visit", unit_price=fee,
                        encounter_id=visit.id, diagnosis_codes=["Z00.00"], service_date=when.date())]
    if rng.random() < 0.7:
        out.append(Payment(patient_id=pid, amount=fee, received_at=when + timedelta(days=3), method="card"))
    if age >= 18 and rng.random() < min(0.6, 0.1 + age / 150):
        out.append(Condition(patient_id=pid, code=Coding(_ICD, "I10")))
        at = _at(rng, 400)
        out += [_obs(pid, "8480-6", str(rng.randint(112, 165)), "mm[Hg]", at, "vital-signs"),
                _obs(pid, "8462-4", str(rng.randint(66, 98)), "mm[Hg]", at, "vital-signs")]
    if age >= 18 and rng.random() < 0.1:
        out.append(Condition(patient_id=pid, code=Coding(_ICD, "E11.9")))
        if rng.random() < 0.85:
            out.append(_obs(pid, "4548-4", f"{rng.uniform(5.6, 11.5):.1f}", "%", _at(rng, 400), "laboratory"))
    if 40 <= age <= 75 and rng.random() < 0.6:
        out.append(_obs(pid, "2093-3", str(rng.randint(140, 260)), "mg/dL", _at(rng, 1500), "laboratory"))
    if age >= 19:
        if rng.random() < 0.45:
            out.append(_shot(pid, "140", _at(rng, 330).date()))
        if rng.random() < 0.6:
            out.append(_shot(pid, "115", _at(rng, 3000).date()))
        if age >= 50 and rng.random() < 0.35:
            out.append(_shot(pid, "187", _at(rng, 2000).date()))
        if age >= 65 and rng.random() < 0.55:
            out.append(_shot(pid, "216", _at(rng, 2000).date()))
    return out


def _fill(opened, n: int, seed: int) -> int:
    demo.populate(opened.session, patients=n, seed=seed, histories=False, today=TODAY)
    with opened.store.uow(readonly=True) as uow:
        people = uow.conn.execute(text("SELECT id, birth_date FROM patients")).all()
        staff = list(uow.conn.execute(text("SELECT id FROM practitioners")).scalars()) or [None]
    rng, added = random.Random(seed), 0
    for start in range(0, len(people), 5_000):
        batch: dict[type, list] = {}
        for pid, born in people[start:start + 5_000]:
            b = date.fromisoformat(born)
            age = TODAY.year - b.year - ((TODAY.month, TODAY.day) < (b.month, b.day))
            for record in records_for(rng, pid, age, staff):
                batch.setdefault(type(record), []).append(record)
        with opened.store.uow() as uow:
            for cls, rows in batch.items():
                added += uow.records(cls).add_many(rows, outbox=False)
            uow.commit()
    return added


def _query_timings(opened, end: date) -> dict[str, list[float]]:
    """[wall ms, CPU ms] of each store query the dashboard makes (the best of three), so a run
    on a loaded machine still shows where the time goes."""
    start, as_of = end - timedelta(days=365), end - timedelta(days=1)
    year_ago, at = dashboard._instant(as_of - timedelta(days=365)), dashboard._instant
    parts = {
        "visits": lambda r: r.visits(start, end),
        "appointment_statuses": lambda r: r.appointment_statuses(at(start), at(end)),
        "money": lambda r: r.money(start, end),
        "births": lambda r: r.births(),
        "latest_hba1c": lambda r: r.latest_values(dashboard.DIABETES, dashboard.HBA1C, year_ago),
        "latest_systolic": lambda r: r.latest_values(dashboard.HYPERTENSION, dashboard.SYSTOLIC, year_ago),
        "latest_diastolic": lambda r: r.latest_values(dashboard.HYPERTENSION, dashboard.DIASTOLIC, year_ago),
        "vaccines": lambda r: [r.with_vaccine(codes, date(1900, 1, 1)) for codes in (
            dashboard.FLU, dashboard.TD, dashboard.ZOSTER, dashboard.PNEUMOCOCCAL)],
        "screenings": lambda r: [r.with_result(codes, at(as_of - timedelta(days=days)))
                                 for codes, _, _, days in dashboard.SCREENINGS.values()],
    }
    out = {}
    with opened.store.uow(readonly=True) as uow:
        for name, part in parts.items():
            best = [float("inf"), float("inf")]
            for _ in range(3):
                wall, cpu = time.perf_counter(), time.process_time()
                part(uow.reports)
                best = [min(best[0], (time.perf_counter() - wall) * 1000),
                        min(best[1], (time.process_time() - cpu) * 1000)]
            out[name] = [round(best[0], 1), round(best[1], 1)]
    return out


def _generate(folder: Path, n: int, seed: int) -> dict:
    with clinic(folder) as opened:
        started = time.perf_counter()
        records = _fill(opened, n, seed=seed)
        user_session(opened, "dr.bench", "physician")
        return {"records": records, "generate_s": round(time.perf_counter() - started, 1)}


@contextmanager
def _dataset(n: int, seed: int) -> Iterator[tuple[Path, dict, bool]]:
    """The benchmark's store: made in a scratch folder, or — with OUTPOST_BENCH_CACHE set to a
    folder — made there once and reused (200,000 patients take 10-20 minutes to generate).
    Yields the store folder, how it was made, and whether it was reused."""
    cache = os.environ.get("OUTPOST_BENCH_CACHE")
    if not cache:
        with scratch() as folder:
            yield folder / "clinic", _generate(folder / "clinic", n, seed), False
        return
    folder = Path(cache) / f"dashboard-{n}-{seed}"
    made = folder / "generated.json"
    reused = made.exists()
    if not reused:
        shutil.rmtree(folder, ignore_errors=True)  # a half-made one from an interrupted run
        made_now = _generate(folder, n, seed)
        made.write_text(json.dumps(made_now))
    yield folder, json.loads(made.read_text()), reused


def run(quick: bool = False) -> dict:
    n = SIZES[quick]
    with _dataset(n, seed=2026) as (folder, made, reused):
        opened = wiring.sign_in(folder, "dr.bench", DEMO_PASSWORD)  # migrates a cached older store
        try:
            return _measure(opened, n, made, reused)
        finally:
            opened.close()


def _measure(opened, n: int, made: dict, reused: bool) -> dict:
    doc = opened.session
    start, end = TODAY - timedelta(days=365), TODAY
    dashboard.dashboard(doc, start=start, end=end)  # warm the page cache
    samples, cpu, board = [], [], None
    for _ in range(RUNS):
        used = time.process_time()
        ms, board = timed_ms(lambda: dashboard.dashboard(doc, start=start, end=end))
        samples.append(ms)
        cpu.append((time.process_time() - used) * 1000)
    drill_ms, listed = timed_ms(lambda: dashboard.patients_for(
        doc, "hypertension-controlled", as_of=end - timedelta(days=1), numerator=False))
    stats = figures(samples)
    return {"patients": n, **made, "data_reused": reused, **stats,
            "cpu_p50_ms": figures(cpu)["p50_ms"], "load_average": round(os.getloadavg()[0], 1),
            "queries_ms": _query_timings(opened, end),
            "target_ms": TARGET_MS, "within_target": stats["p95_ms"] <= TARGET_MS,
            "visits": board.visits, "no_show_rate": str(board.no_show_rate),
            "measures": {k: [m.numerator, m.denominator] for k, m in board.measures.items()},
            "drill_down_ms": round(drill_ms, 1), "drill_down_patients": len(listed)}
