"""The audit trail is tamper-evident: any edited, deleted or inserted row is found and named."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from app import audit_trail, patients
from app.model import HumanName, Patient
from tests.conftest import ADMIN_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def trail(clinic):
    for i in range(4):
        patients.register(clinic.session, Patient(mrn="", name=HumanName(f"Audit{i}", ["Pat"]),
                                                  birth_date=date(1980, 1, 1 + i)))
    with clinic.store.engine.begin() as conn:
        n = conn.execute(text("SELECT max(seq) FROM audit_log")).scalar()
    assert n >= 5
    return clinic, n


def _sql(clinic, statement: str, **params) -> None:
    with clinic.store.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_an_untouched_trail_verifies(trail):
    clinic, _ = trail
    assert audit_trail.verify(clinic.session) is None


def test_an_edited_entry_is_named(trail):
    clinic, _ = trail
    _sql(clinic, "UPDATE audit_log SET username = 'someone-else' WHERE seq = 3")
    broken = audit_trail.verify(clinic.session)
    assert broken.seq == 3 and "altered" in broken.reason


def test_a_deleted_entry_in_the_middle_is_named(trail):
    clinic, _ = trail
    _sql(clinic, "DELETE FROM audit_log WHERE seq = 2")
    broken = audit_trail.verify(clinic.session)
    assert broken.seq == 2 and "missing" in broken.reason


def test_a_deleted_last_entry_is_named(trail):
    clinic, n = trail
    _sql(clinic, "DELETE FROM audit_log WHERE seq = :n", n=n)
    broken = audit_trail.verify(clinic.session)
    assert broken.seq == n and "missing" in broken.reason


def test_an_inserted_entry_is_named(trail):
    clinic, n = trail
    # Make room in the middle (via negative numbers: SQLite checks uniqueness row by row).
    _sql(clinic, "UPDATE audit_log SET seq = -seq WHERE seq >= 3")
    _sql(clinic, "UPDATE audit_log SET seq = 1 - seq WHERE seq < 0")
    _sql(clinic, "INSERT INTO audit_log (seq, at, username, action, outcome, patient_id, data, "
                 "prev_hash, hash) SELECT 3, at, 'intruder', action, outcome, patient_id, data, "
                 "hash, hash FROM audit_log WHERE seq = 2")
    broken = audit_trail.verify(clinic.session)
    assert broken.seq == 3


def test_an_entry_appended_by_raw_sql_is_named(trail):
    clinic, n = trail
    _sql(clinic, "INSERT INTO audit_log (seq, at, username, action, outcome, patient_id, data, "
                 "prev_hash, hash) SELECT seq + 1, at, 'intruder', action, outcome, patient_id, data, "
                 "hash, hash FROM audit_log WHERE seq = :n", n=n)
    broken = audit_trail.verify(clinic.session)
    assert broken.seq == n + 1


def test_outpost_audit_verify_exits_1_naming_the_entry(trail, store_dir):
    clinic, _ = trail
    _sql(clinic, "UPDATE audit_log SET outcome = 'success' WHERE seq = 4")
    _sql(clinic, "UPDATE audit_log SET patient_id = 'x' WHERE seq = 4")
    clinic.store.close()
    env = dict(os.environ, PYTHONPATH=str(ROOT), OUTPOST_PASSWORD=ADMIN_PASSWORD)
    proc = subprocess.run([sys.executable, "-m", "ui.cli", "--data-dir", str(store_dir), "--user",
                           "admin", "audit", "verify"], capture_output=True, text=True, env=env)
    assert proc.returncode == 1
    assert "audit entry 4" in proc.stderr


def test_every_service_read_of_a_chart_is_in_the_trail(trail):
    from app import chart
    clinic, _ = trail
    found = patients.search(clinic.session, "audit2")
    with pytest.raises(Exception):
        chart.open_chart(clinic.session, found[0].id)  # admins may not read clinical records
    with clinic.store.uow() as uow:
        actions = [e.action.value for e in uow.audit.query(patient_id=found[0].id)]
    assert "create" in actions and "permission-denied" in actions
