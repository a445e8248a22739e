"""Registering test patients through the real service (shared by the client's tests)."""
from __future__ import annotations

from datetime import date

from app import patients
from app.model import ContactPoint, HumanName, Patient


def register(session, given: str, family: str, born: date, *, sex: str = "female",
             phone: str | None = None) -> Patient:
    """A registered patient (duplicates allowed: tests pick their own names)."""
    telecom = [ContactPoint("phone", phone)] if phone else []
    return patients.register(session, Patient(mrn="", name=HumanName(family, [given]), birth_date=born,
                                              sex=sex, telecom=telecom), confirm_duplicate=True)


def chart_tab(qtbot, session, patient_id: str, title: str):
    """A chart opened for the patient (closed by qtbot after the test) and its tab ``title``,
    shown and loaded: returns (view, tab)."""
    from ui.qt.chart_view import ChartView
    view = ChartView(session, patient_id)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: title in view.tab_titles(), timeout=5000)
    tab = view.show_tab(title)
    qtbot.waitUntil(lambda: tab.loaded, timeout=5000)
    return view, tab
