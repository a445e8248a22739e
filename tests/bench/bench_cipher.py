"""What encryption costs: one workload on an SQLCipher store and on an unencrypted file
opened by the same engine code, and how long opening the store takes.

Workload: bulk-insert patients, read random patients by id, run searches, and save
single-record updates in separate (durable) transactions. The reads and searches
go through the store layer, not the audited services, so the figures show the
store's cost rather than the audit trail's.
"""
from __future__ import annotations

import os
import random
import time
from pathlib import Path

from sqlalchemy import Engine, text

from app import demo
from app.demo_users import DEMO_PASSWORD
from app.model import User
from app.search_terms import parse_query
from app.session import Session
from db import migrate
from db.engine import make_engine
from db.keyslots import KeySlots
from db.store import DB_FILE, Store
from db.uow import SqlUnitOfWork
from tests.bench.bench_search import make_queries, sample
from tests.bench.common import figures, scratch, timed_ms

SIZES = {False: dict(patients=20_000, reads=2_000, searches=500, updates=200),
         True: dict(patients=5_000, reads=500, searches=100, updates=50)}
TARGET_RATIO = 1.3


def _workload(engine: Engine, audit_key: bytes, size: dict, seed: int = 5) -> dict[str, float]:
    """Seconds per phase of the workload on one engine."""
    def uow(readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, audit_key, readonly=readonly)
    session = Session(user=User(username="bench", role="admin", display_name="Benchmark"),
                      uow_factory=uow, workstation="bench")
    rng, phases = random.Random(seed), {}
    started = time.perf_counter()
    demo.populate(session, patients=size["patients"], seed=seed, histories=False)
    phases["insert_s"] = time.perf_counter() - started
    with uow(readonly=True) as u:
        ids = [r[0] for r in u.conn.execute(text("SELECT id FROM patients ORDER BY rowid"))]
    started = time.perf_counter()
    for _ in range(size["reads"]):
        with uow(readonly=True) as u:
            u.patients.get(rng.choice(ids))
    phases["read_s"] = time.perf_counter() - started
    queries = [parse_query(q) for q in make_queries(sample(uow, rng, 300), rng, size["searches"])]
    started = time.perf_counter()
    for q in queries:
        with uow(readonly=True) as u:
            u.patients.search(q.fts, birth_date=q.birth_date, limit=50)
    phases["search_s"] = time.perf_counter() - started
    started = time.perf_counter()
    for n in range(size["updates"]):
        with uow() as u:
            patient = u.patients.get(rng.choice(ids))
            patient.language = ("en", "es", "vi")[n % 3]
            u.patients.update(patient)
            u.commit()
    phases["update_s"] = time.perf_counter() - started
    phases["total_s"] = sum(phases.values())
    return {k: round(v, 3) for k, v in phases.items()}


def _plain_engine(folder: Path) -> Engine:
    folder.mkdir(parents=True)
    engine = make_engine(folder / DB_FILE, None)
    migrate.upgrade(engine, folder / DB_FILE, take_backup=False)
    return engine


def _open_times(folder: Path, key: bytes | None, trials: int = 5) -> list[float]:
    def open_and_query():
        engine = make_engine(folder / DB_FILE, key)
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM patients")).scalar_one()
        engine.dispose()
    return [timed_ms(open_and_query)[0] for _ in range(trials)]


def _best(runs: list[dict[str, float]]) -> dict[str, float]:
    return min(runs, key=lambda phases: phases["total_s"])


def run(quick: bool = False) -> dict:
    size = SIZES[quick]
    plain_runs, encrypted_runs = [], []
    with scratch() as folder:
        # Alternate the two stores, twice each, and keep each one's best run: neither
        # side pays alone for warming Python's caches or for a noisy moment.
        for n in range(2):
            plain = _plain_engine(folder / f"plain{n}")
            plain_runs.append(_workload(plain, os.urandom(32), size))
            plain.dispose()
            store, _ = Store.create(folder / f"encrypted{n}", admin_username="admin",
                                    admin_password=DEMO_PASSWORD)
            encrypted_runs.append(_workload(store.engine, store.audit_key, size))
            store.close()
        encrypted_dir = folder / "encrypted0"
        unlock_ms = [timed_ms(lambda: Store.unlock(encrypted_dir, "admin", DEMO_PASSWORD).close())[0]
                     for _ in range(3)]
        unwrap_ms, key = timed_ms(lambda: KeySlots.load(encrypted_dir).unlock_user("admin", DEMO_PASSWORD))
        keyed = _open_times(encrypted_dir, key)
        unkeyed = _open_times(folder / "plain0", None)
    encrypted, plain_best = _best(encrypted_runs), _best(plain_runs)
    ratio = encrypted["total_s"] / plain_best["total_s"]
    return {**size, "encrypted": encrypted, "plain": plain_best, "runs_each": len(plain_runs),
            "ratio": round(ratio, 3), "ratio_by_phase": {
                k: round(encrypted[k] / plain_best[k], 3) for k in plain_best if plain_best[k]},
            "target_ratio": TARGET_RATIO, "meets_target": ratio <= TARGET_RATIO,
            "store_open_ms": figures(unlock_ms)["p50_ms"], "key_unwrap_ms": round(unwrap_ms, 1),
            "keyed_open_first_query_ms": figures(keyed)["p50_ms"],
            "plain_open_first_query_ms": figures(unkeyed)["p50_ms"]}
