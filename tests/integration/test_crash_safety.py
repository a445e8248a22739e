"""Killing the process mid-burst loses no committed record and never leaves an unopenable store."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from db.store import Store
from tests.conftest import ADMIN_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _burst_then_kill(store_dir: Path, round_no: int, rng: random.Random) -> list[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, str(ROOT / "tests/integration/_burst_writer.py"),
                              str(store_dir), ADMIN_PASSWORD, str(round_no)],
                             stdout=subprocess.PIPE, text=True, env=env)
    committed: list[str] = []
    deadline = time.monotonic() + 30
    target = rng.randint(5, 120)
    while len(committed) < target and time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        committed.append(line.strip())
    child.send_signal(signal.SIGKILL)
    child.wait()
    # Lines printed before the kill but not yet read are committed records too.
    committed.extend(l.strip() for l in child.stdout.read().splitlines() if l.strip())
    return committed


def test_sigkill_during_a_burst_of_writes_loses_no_committed_record(clinic, store_dir):
    clinic.store.close()
    rng = random.Random(1234)
    all_committed: list[str] = []
    for round_no in range(6):
        committed = _burst_then_kill(store_dir, round_no, rng)
        assert committed, "the writer committed nothing before it was killed"
        all_committed += committed
        store = Store.unlock(store_dir, "admin", ADMIN_PASSWORD)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        with store.uow() as uow:
            missing = [pid for pid in all_committed if uow.patients.find(pid) is None]
            assert not missing, f"round {round_no}: {len(missing)} committed patients lost"
            for pid in committed[-3:]:
                assert len(uow.observations.for_patient(pid)) == 1
        store.close()
