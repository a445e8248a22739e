"""Patient search as the front desk uses it, on a small and a large store.

Queries are drawn from the generated patients: name prefixes of 2–5 letters,
"family given" pairs, full names, MRNs, birth dates in two formats, phone
fragments, accented names typed without accents and non-Latin names typed in
Latin letters. Each search goes through the real service (permission check,
FTS query, decoding, one audit entry and a durable commit); the store-only and
audit-commit parts are timed separately so a miss can be explained.
"""
from __future__ import annotations

import random
import time

from sqlalchemy import text

from app import demo, patients
from app.audit import Action
from app.codec import loads
from app.model import Patient
from app.search_terms import digits, fold, parse_query
from tests.bench.common import clinic, figures, scratch, timed_ms, user_session

SIZES = {False: (10_000, 200_000), True: (1_000, 5_000)}
QUERIES = 300
TARGET_P95_MS = 20.0


def sample(uow_factory, rng: random.Random, n: int) -> list[Patient]:
    """About ``n`` patients picked at random from a store (``uow_factory`` like Store.uow)."""
    with uow_factory(readonly=True) as uow:
        top = uow.conn.execute(text("SELECT max(rowid) FROM patients")).scalar_one()
        rows = [uow.conn.execute(text("SELECT data FROM patients WHERE rowid = :r"),
                                 {"r": rng.randint(1, top)}).scalar() for _ in range(n)]
    return [loads(Patient, r) for r in rows if r]


def make_queries(people: list[Patient], rng: random.Random, count: int = QUERIES) -> list[str]:
    """A realistic mix of search-box input for these patients."""
    accented = [p for p in people if not (p.name.family + p.name.given[0]).isascii()]
    latin_accented = [p for p in accented if fold(p.name.family) and fold(p.name.family)[0].isascii()
                      and any(ch.isalpha() and ord(ch) < 0x250 for ch in p.name.family)]
    foreign = [p for p in accented if p not in latin_accented]
    makers = (
        (0.20, people, lambda p: fold(p.name.family.split()[0])[:rng.randint(2, 5)]),
        (0.20, people, lambda p: f"{fold(p.name.family)[:rng.randint(3, 6)]} "
                                 f"{fold(p.name.given[0])[:rng.randint(2, 4)]}"),
        (0.07, people, lambda p: f"{p.name.given[0]} {p.name.family}"),
        (0.13, people, lambda p: p.mrn),
        (0.07, people, lambda p: p.birth_date.isoformat()),
        (0.06, people, lambda p: p.birth_date.strftime("%m/%d/%Y")),
        (0.07, people, lambda p: digits(p.phone or "")[-4:]),
        (0.06, people, lambda p: p.phone or ""),
        (0.10, latin_accented or people, lambda p: f"{fold(p.name.family)} {fold(p.name.given[0])}"),
        (0.04, foreign or people, lambda p: fold(p.name.family).strip()),
    )
    queries = []
    for share, pool, make in makers:
        for _ in range(round(share * count)):
            queries.append(make(rng.choice(pool)).strip() or "a")
    rng.shuffle(queries)
    return queries


def _service(session, queries: list[str]) -> tuple[list[float], list[int]]:
    times, hits = [], []
    for q in queries:
        ms, found = timed_ms(lambda: patients.search(session, q))
        times.append(ms)
        hits.append(len(found))
    return times, hits


def _store_only(opened, queries: list[str]) -> list[float]:
    times = []
    for q in queries:
        query = parse_query(q)

        def run():
            with opened.store.uow(readonly=True) as uow:
                return uow.patients.search(query.fts, birth_date=query.birth_date, limit=50)
        times.append(timed_ms(run)[0])
    return times


def _audit_commits(opened, session, n: int = 100) -> list[float]:
    def run():
        with opened.store.uow() as uow:
            uow.audit.append(session.entry(Action.QUERY, record_type="Patient", detail={"results": 1}))
            uow.commit()
    return [timed_ms(run)[0] for _ in range(n)]


def _plan(opened, q: str) -> list[str]:
    query = parse_query(q)
    with opened.store.uow(readonly=True) as uow:
        rows = uow.conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT p.data FROM patient_fts f JOIN patients p ON p.rowid = f.rowid "
            "WHERE patient_fts MATCH :q LIMIT 50"), {"q": query.fts})
        return [r[-1] for r in rows]


def one_size(n: int, *, seed: int = 2026) -> dict:
    with scratch() as folder, clinic(folder / "clinic") as opened:
        started = time.perf_counter()
        demo.populate(opened.session, patients=n, seed=seed, histories=False)
        generated = time.perf_counter() - started
        rng = random.Random(seed)
        queries = make_queries(sample(opened.store.uow, rng, 600), rng)
        desk = user_session(opened, "desk.bench", "front_desk")
        _service(desk, queries[:20])  # warm the page cache and the statement caches
        service, hits = _service(desk, queries)
        return {"patients": n, "generate_s": round(generated, 2),
                "patients_per_s": round(n / generated), "queries": len(queries),
                **figures(service),
                "mean_results": round(sum(hits) / len(hits), 1),
                "no_results": sum(1 for h in hits if h == 0),
                "store_only": figures(_store_only(opened, queries)),
                "audit_commit": figures(_audit_commits(opened, desk)),
                "plan": _plan(opened, "smi jo")}


def run(quick: bool = False) -> dict:
    sizes = [one_size(n) for n in SIZES[quick]]
    largest = sizes[-1]
    return {"target_p95_ms": TARGET_P95_MS, "sizes": sizes,
            "p95_ms": largest["p95_ms"], "p50_ms": largest["p50_ms"],
            "meets_target": largest["p95_ms"] <= TARGET_P95_MS}
