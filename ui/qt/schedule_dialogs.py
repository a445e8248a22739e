"""The booking and rescheduling forms, and the questions the schedule asks.

``ask_confirm``, ``ask_reason`` and ``run_dialog`` are module-level so tests replace them
(a real modal dialog would wait for a click forever).
"""
from __future__ import annotations

from datetime import date, datetime, time, tzinfo

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
                               QInputDialog, QLabel, QLineEdit, QMessageBox, QSpinBox, QTimeEdit,
                               QWidget)

from app import patients, scheduling
from app.session import Session
from ui.qt import ops
from ui.qt.schedule_data import Directory

TITLE = "Outpost EHR"


def _ask_confirm(parent: QWidget | None, text: str) -> bool:
    answer = QMessageBox.question(parent, TITLE, text)
    return answer == QMessageBox.StandardButton.Yes


def _ask_reason(parent: QWidget | None, title: str, label: str) -> str | None:
    text, ok = QInputDialog.getText(parent, title, label)
    return text if ok else None


def _run_dialog(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


ask_confirm = _ask_confirm
ask_reason = _ask_reason
run_dialog = _run_dialog


def _fill(combo: QComboBox, items: list[tuple[str, str]], current: str | None) -> None:
    for item_id, name in items:
        combo.addItem(name, item_id)
    if current:
        at = combo.findData(current)
        if at >= 0:
            combo.setCurrentIndex(at)


class BookDialog(QDialog):
    """Book an appointment: patient, when, how long, with whom, where, what kind."""

    def __init__(self, session: Session, names: Directory, *, day: date, at: time,
                 practitioner_id: str | None, location_id: str | None,
                 patient: tuple[str, str] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Book an appointment")
        form = QFormLayout(self)
        self.find = QLineEdit(placeholderText="Name, MRN, birth date or phone")
        self.find.textChanged.connect(self._search)
        self.patient = QComboBox()
        if patient:
            self.patient.addItem(patient[1], patient[0])
        self.day = QDateEdit(QDate(day.year, day.month, day.day), calendarPopup=True)
        self.day.setDisplayFormat("d MMM yyyy")
        self.start = QTimeEdit(QTime(at.hour, at.minute))
        self.start.setDisplayFormat("HH:mm")
        self.minutes = QSpinBox(minimum=scheduling.MIN_MINUTES, maximum=scheduling.MAX_MINUTES,
                                value=20, singleStep=5, suffix=" minutes")
        self.practitioner = QComboBox()
        _fill(self.practitioner, names.practitioners, practitioner_id)
        self.location = QComboBox()
        self.location.addItem("This workstation's location", None)
        _fill(self.location, names.locations, location_id)
        self.kind = QComboBox()
        for code in scheduling.TYPES:
            self.kind.addItem(code.replace("-", " ").capitalize(), code)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.link = QLineEdit(placeholderText="https://…")
        self.link_label = QLabel("Meeting &link")
        self.link_label.setBuddy(self.link)
        self.reason = QLineEdit()
        form.addRow("&Find patient", self.find)
        form.addRow("&Patient", self.patient)
        form.addRow("&Date", self.day)
        form.addRow("&Start", self.start)
        form.addRow("&Length", self.minutes)
        form.addRow("P&ractitioner", self.practitioner)
        form.addRow("L&ocation", self.location)
        form.addRow("&Type", self.kind)
        form.addRow(self.link_label, self.link)
        form.addRow("Rea&son", self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Book")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.kind.setCurrentIndex(scheduling.TYPES.index("follow-up"))
        self._kind_changed()

    def _kind_changed(self) -> None:
        telehealth = self.kind.currentData() == "telehealth"
        self.link.setVisible(telehealth)
        self.link_label.setVisible(telehealth)

    def _search(self, text: str) -> None:
        if len(text.strip()) < 2:
            return
        ops.run(self, lambda: patients.search(self.session, text, limit=20), on_success=self._found)

    def _found(self, found) -> None:
        self.patient.clear()
        for p in found:
            self.patient.addItem(f"{p.name} (MRN {p.mrn}, born {p.birth_date:%d %b %Y})", p.id)

    def booking(self, tz: tzinfo) -> dict:
        """The arguments for :func:`app.scheduling.book` (the service checks them)."""
        day, at = self.day.date().toPython(), self.start.time().toPython()
        telehealth = self.kind.currentData() == "telehealth"
        return {"patient_id": self.patient.currentData() or "", "minutes": self.minutes.value(),
                "start": datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=tz),
                "practitioner_id": self.practitioner.currentData() or "",
                "location_id": self.location.currentData(),
                "appointment_type": self.kind.currentData(),
                "telehealth_url": self.link.text().strip() if telehealth else None,
                "reason": self.reason.text().strip() or None}


class RescheduleDialog(QDialog):
    """A new date and start time (the length is kept) and, optionally, another practitioner."""

    def __init__(self, names: Directory, *, start: datetime, practitioner_id: str | None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Reschedule the appointment")
        form = QFormLayout(self)
        self.day = QDateEdit(QDate(start.year, start.month, start.day), calendarPopup=True)
        self.day.setDisplayFormat("d MMM yyyy")
        self.start = QTimeEdit(QTime(start.hour, start.minute))
        self.start.setDisplayFormat("HH:mm")
        self.practitioner = QComboBox()
        _fill(self.practitioner, names.practitioners, practitioner_id)
        form.addRow("&Date", self.day)
        form.addRow("&Start", self.start)
        form.addRow("P&ractitioner", self.practitioner)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Move")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def move(self, tz: tzinfo) -> dict:
        day, at = self.day.date().toPython(), self.start.time().toPython()
        return {"start": datetime.combine(day, at.replace(second=0, microsecond=0), tzinfo=tz),
                "practitioner_id": self.practitioner.currentData()}
