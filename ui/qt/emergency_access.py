"""Emergency access ("break the glass"): a user who lacks a permission in an emergency gives
a reason and gets time-limited access, flagged in the audit trail; administrators review
each grant and what was done under it."""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QPlainTextEdit, QPushButton, QSpinBox, QTableView, QVBoxLayout,
                               QWidget)

from app import emergency
from app import formatting as fmt
from app.emergency import EmergencyReview
from app.session import Session
from ui.qt import admin_dialogs as ask
from ui.qt import ops
from ui.qt.models import Column, RowsModel
from ui.qt.style import alert_style

WARNING = ("Emergency access is for a patient's safety only. Everything you open is flagged "
           "and an administrator reviews it.")


class BreakGlassDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Emergency access")
        warning = QLabel(WARNING)
        warning.setWordWrap(True)
        warning.setStyleSheet(alert_style())
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("e.g. Patient unconscious in the waiting room; need medication list")
        self.minutes = QSpinBox(minimum=1, maximum=emergency.MAX_MINUTES,
                                value=emergency.DEFAULT_MINUTES, suffix=" minutes")
        form = QFormLayout()
        form.addRow("&Reason", self.reason)
        form.addRow("&For", self.minutes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Break the glass")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(warning)
        layout.addLayout(form)
        layout.addWidget(buttons)


def break_the_glass(parent: QWidget, session: Session, *, patient_id: str | None = None,
                    on_granted=None) -> None:
    """Ask for a reason and a length, then open the emergency window (audited)."""
    form = BreakGlassDialog(parent)
    if not ask.run_dialog(form):
        return
    reason, minutes = form.reason.toPlainText(), form.minutes.value()

    def granted(until) -> None:
        ask.tell(parent, f"Emergency access is open until {fmt.datetime_text(until)}.")
        if on_granted:
            on_granted(until)
    ops.run(parent, lambda: emergency.begin(session, reason=reason, minutes=minutes, patient_id=patient_id),
            on_success=granted)


REVIEW_COLUMNS = [
    Column("Entry", lambda r: str(r.seq), sort_key=lambda r: r.seq, align_right=True),
    Column("When", lambda r: fmt.datetime_text(r.at)),
    Column("Until", lambda r: fmt.datetime_text(r.until)),
    Column("User", lambda r: f"{r.username} ({fmt.code_words(r.role)})"),
    Column("Patient", lambda r: fmt.text(r.patient_id)),
    Column("Actions", lambda r: str(len(r.actions)), align_right=True),
    Column("Reviewed", lambda r: f"{r.reviewed_by}: {r.review_note}" if r.reviewed else "Not yet"),
    Column("Reason", lambda r: r.reason),
]


class EmergencyReviewView(QWidget):
    """The administrator's review list: grants not yet reviewed (or all)."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.model = RowsModel(REVIEW_COLUMNS, row_id=lambda r: str(r.seq))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.review_button = QPushButton("&Mark reviewed…")
        self.review_button.clicked.connect(self.review)
        self.show_all = QPushButton("Show &reviewed too")
        self.show_all.setCheckable(True)
        self.show_all.toggled.connect(self.reload)
        self.empty = QLabel("No emergency access waits for review.")
        row = QHBoxLayout()
        row.addWidget(self.review_button)
        row.addWidget(self.show_all)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        self.reload()

    def reload(self) -> None:
        every = self.show_all.isChecked()
        ops.run(self, lambda: emergency.emergency_reviews(self.session, include_reviewed=every),
                on_success=self._show)

    def _show(self, reviews: list[EmergencyReview]) -> None:
        self.model.set_rows(reviews)
        self.table.resizeColumnsToContents()
        self.empty.setVisible(not reviews)
        if reviews:
            self.table.selectRow(0)

    def selected(self) -> EmergencyReview | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def review(self) -> None:
        r = self.selected()
        note = ask.ask_text(self, "Emergency access review", f"Your finding on {r.username}'s access:") if r else None
        if note is not None:
            ops.run(self, lambda: emergency.mark_reviewed(self.session, r.seq, note=note),
                    on_success=lambda _: self.reload())
