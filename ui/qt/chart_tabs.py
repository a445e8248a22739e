"""The chart's tabs after Summary, in the order a clinician reads a chart."""
from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.session import Session
from ui.qt.chart_events import ChartEvents


def build_tabs(session: Session, patient_id: str, events: ChartEvents) -> list[tuple[str, QWidget]]:
    """(title, widget) for every tab after Summary; each loads itself off the UI thread."""
    from ui.qt.chart_notes import NotesTab
    from ui.qt.chart_records import AllergiesTab, MedicationsTab, ProblemsTab
    from ui.qt.vitals_view import VitalsTab
    return [("Encounters and notes", NotesTab(session, patient_id, events)),
            ("Vitals", VitalsTab(session, patient_id, events)),
            ("Problems", ProblemsTab(session, patient_id, events)),
            ("Medications", MedicationsTab(session, patient_id, events)),
            ("Allergies", AllergiesTab(session, patient_id, events))]
