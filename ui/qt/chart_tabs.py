"""The chart's tabs after Summary, in the order a clinician reads a chart."""
from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.session import Session
from ui.qt.chart_documents import DocumentsTab
from ui.qt.chart_events import ChartEvents
from ui.qt.chart_immunizations import ImmunizationsTab
from ui.qt.chart_labs import LabsTab
from ui.qt.chart_notes import NotesTab
from ui.qt.chart_records import AllergiesTab, MedicationsTab, ProblemsTab
from ui.qt.vitals_view import VitalsTab

TAB_TITLES = ("Encounters and notes", "Vitals", "Problems", "Medications", "Allergies",
              "Immunizations", "Labs and orders", "Documents")


def build_tab(title: str, session: Session, patient_id: str, events: ChartEvents) -> QWidget:
    """The tab called ``title``; it loads itself off the UI thread. KeyError for an unknown title."""
    kinds = {"Encounters and notes": NotesTab, "Vitals": VitalsTab, "Problems": ProblemsTab,
             "Medications": MedicationsTab, "Allergies": AllergiesTab,
             "Immunizations": ImmunizationsTab, "Labs and orders": LabsTab, "Documents": DocumentsTab}
    return kinds[title](session, patient_id, events)
