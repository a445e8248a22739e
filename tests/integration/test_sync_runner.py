"""The background sync runner (plain Python) against a real FHIR server: progress, cancel,
exponential back-off, on-demand rounds and a status that tells the truth."""
from __future__ import annotations

import threading
from datetime import date

import pytest

from app import patients
from app.model import HumanName, Patient
from sync.gateway import GatewayOptions, HttpGateway
from sync.runner import SyncRunner, store_status
from tests.fhir_server import TOKEN
from tests.integration._sync import Workstation, clinic_code


@pytest.fixture
def ws(tmp_path):
    station = Workstation(tmp_path / "ws", clinic_code(), "ws")
    yield station
    station.close()


def _register(ws: Workstation, family: str = "Mwangi") -> Patient:
    return patients.register(ws.doctor, Patient(mrn="", name=HumanName(family, ["Wanjiru"]),
                                                birth_date=date(1988, 6, 1), sex="female"),
                             confirm_duplicate=True)


def _connect(url: str):
    return lambda: HttpGateway(url, GatewayOptions(token=TOKEN, timeout=5, connect_timeout=1))


def test_a_round_reports_progress_in_items_and_bytes_and_the_status_after_it(ws, fhir_server):
    _register(ws)
    assert store_status(ws.doctor).pending > 0
    seen, statuses = [], []
    runner = SyncRunner(ws.doctor, _connect(fhir_server.url), on_progress=seen.append,
                        on_status=statuses.append)
    report = runner.run_once()
    assert report.failed is None and report.pushed >= 2
    assert {p.phase for p in seen} >= {"push", "pull"}
    assert seen[-1].items >= report.pushed and seen[-1].bytes > 0
    assert [p.requests for p in seen] == list(range(1, len(seen) + 1))
    now = runner.status()
    assert (now.pending, now.conflicts, now.last_outcome, now.last_error, now.state) == (0, 0, "success", None, "idle")
    assert now.last_sync is not None and now.failures == 0 and now.next_round_in == pytest.approx(300, abs=1)
    assert statuses[0].state == "running" and statuses[-1].state == "idle"


def test_failed_rounds_back_off_exponentially_and_say_why(ws):
    _register(ws)
    clock = [1000.0]
    runner = SyncRunner(ws.doctor, _connect("http://127.0.0.1:9/fhir"), backoff=5, backoff_max=30,
                        clock=lambda: clock[0])
    waits = []
    for _ in range(5):
        report = runner.run_once()
        assert report.failed and "cannot be reached" in report.failed
        waits.append(runner.status().next_round_in)
    assert waits == [5, 10, 20, 30, 30]
    now = runner.status()
    assert now.state == "waiting" and now.failures == 5 and "cannot be reached" in now.last_error
    assert now.pending > 0 and now.last_outcome == "failure"  # the store's own record agrees
    assert "cannot be reached" in store_status(ws.doctor).last_error


def test_a_cancelled_round_stops_at_a_safe_point_and_the_next_one_finishes(ws, fhir_server):
    _register(ws)
    runner = SyncRunner(ws.doctor, _connect(fhir_server.url))
    runner.on_progress = lambda p: runner.cancel()  # cancel as soon as the first Bundle is confirmed
    report = runner.run_once()
    assert report.failed and "cancelled" in report.failed and report.pulled == 0
    assert runner.status().state == "waiting" and "cancelled" in runner.status().last_error
    runner.on_progress = lambda p: None
    again = runner.run_once()
    assert again.failed is None and runner.status().pending == 0 and runner.failures == 0


def test_the_background_thread_runs_at_once_and_again_on_demand(ws, fhir_server):
    rounds = threading.Semaphore(0)
    runner = SyncRunner(ws.doctor, _connect(fhir_server.url), interval=3600,
                        on_status=lambda s: rounds.release() if s.state == "idle" else None)
    runner.start()
    try:
        assert rounds.acquire(timeout=30)  # the first round, straight away
        _register(ws, "Otieno")
        assert runner.status().pending > 0
        runner.sync_now()
        assert rounds.acquire(timeout=30)  # on demand, long before the hour is up
        assert runner.status().pending == 0
    finally:
        runner.stop()
    assert runner.status().state == "stopped"
