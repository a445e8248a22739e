"""Shared pieces of the benchmarks: throw-away clinic stores, sessions, and timing figures."""
from __future__ import annotations

import math
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from app import accounts
from app.demo_users import DEMO_PASSWORD
from app.session import Session
from ui import wiring


def figures(samples_ms: list[float]) -> dict[str, float | int]:
    """p50, p95, max and mean of timings in milliseconds (nearest-rank percentiles)."""
    xs = sorted(samples_ms)
    if not xs:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "max_ms": 0.0, "mean_ms": 0.0, "count": 0}

    def rank(q: float) -> float:
        return xs[min(len(xs) - 1, max(0, math.ceil(q * len(xs)) - 1))]

    return {"p50_ms": round(rank(0.50), 2), "p95_ms": round(rank(0.95), 2), "max_ms": round(xs[-1], 2),
            "mean_ms": round(sum(xs) / len(xs), 2), "count": len(xs)}


def timed_ms(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


@contextmanager
def scratch() -> Iterator[Path]:
    """A temporary folder for generated stores, deleted afterwards whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix="outpost-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def clinic(folder: Path) -> Iterator[wiring.Opened]:
    """A new encrypted demo clinic store with the administrator signed in; closed afterwards."""
    opened, _ = wiring.create_clinic(folder, clinic_name="Benchmark clinic", admin_username="admin",
                                     admin_password=DEMO_PASSWORD)
    try:
        yield opened
    finally:
        opened.store.close()


def user_session(opened: wiring.Opened, username: str, role: str) -> Session:
    """Add a user with this role to the store and sign them in (e.g. a physician for the chart)."""
    accounts.add_user(opened.session, opened.store, username=username, role=role, display_name=username,
                      password=DEMO_PASSWORD)
    return accounts.start_session(opened.store.uow, username=username, password=DEMO_PASSWORD,
                                  workstation="bench")
