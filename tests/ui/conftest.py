"""Fixtures for the desktop client's tests: no real dialogs, no real settings file,
and patients with a short history on the real store from ``tests/conftest.py``."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QSettings

from app import allergies, observations, problems
from app.model import Patient, utcnow
from tests.ui._patients import register
from ui.qt import errors, ops


@pytest.fixture(autouse=True)
def shown_errors(monkeypatch) -> list[str]:
    """Every message the error presenter would have shown (a real modal box would hang)."""
    shown: list[str] = []
    monkeypatch.setattr(errors, "present", lambda parent, title, text: shown.append(text))
    return shown


@pytest.fixture(autouse=True)
def settings(tmp_path, qapp) -> QSettings:
    """Client settings in a throwaway file (never the developer's own)."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield QSettings(str(tmp_path / "settings" / "outpost.ini"), QSettings.Format.IniFormat)


@pytest.fixture(autouse=True)
def finish_background_work(qtbot):
    """No test leaves work running against a store its fixture is about to close."""
    yield
    ops.wait_idle()
    qtbot.waitUntil(lambda: not ops.busy(), timeout=5000)


@pytest.fixture
def charted(sessions) -> Patient:
    """A patient with an allergy, two problems (one sensitive) and today's vitals (systolic BP high)."""
    doctor = sessions["physician"]
    patient = register(doctor, "Maria", "Lopez", date(1961, 5, 20), phone="555-201-3344")
    allergies.record(doctor, patient_id=patient.id, rxnorm="834102", reaction="hives",
                     severity="severe")
    problems.add(doctor, patient_id=patient.id, code="I10", onset_date=date(2015, 6, 1))
    problems.add(doctor, patient_id=patient.id, code="F32.A")  # depression: labelled sensitive
    taken = utcnow() - timedelta(hours=2)
    for code, value in (("8480-6", "162"), ("8462-4", "78"), ("8867-4", "72")):
        observations.record_vital(doctor, patient_id=patient.id, code=code, value=value, effective=taken)
    return patient
