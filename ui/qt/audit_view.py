"""The audit report viewer: filter by user, patient, dates and action; export the rows as
CSV; check the chain. Reading it is itself audited (:mod:`app.audit_trail`)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QComboBox, QDateEdit, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QTableView, QVBoxLayout, QWidget)

from app import audit_trail
from app import formatting as fmt
from app.audit import Action, AuditEntry
from app.session import Session
from ui.qt import admin_dialogs as ask
from ui.qt import ops
from ui.qt.models import Column, RowsModel, sorted_proxy
from ui.qt.style import alert_style


def _detail(e: AuditEntry) -> str:
    return "; ".join(f"{k}: {v}" for k, v in (e.detail or {}).items())


AUDIT_COLUMNS = [
    Column("#", lambda e: str(e.seq), sort_key=lambda e: e.seq, align_right=True),
    Column("When", lambda e: fmt.datetime_text(e.at), sort_key=lambda e: e.at.isoformat()),
    Column("User", lambda e: e.username),
    Column("Role", lambda e: fmt.code_words(e.role)),
    Column("Action", lambda e: e.action.value if isinstance(e.action, Action) else str(e.action)),
    Column("Outcome", lambda e: e.outcome),
    Column("Patient", lambda e: fmt.text(e.patient_id)),
    Column("Record", lambda e: " ".join(filter(None, [e.record_type, e.record_id])) or fmt.MISSING),
    Column("Workstation", lambda e: fmt.text(e.workstation)),
    Column("Emergency", lambda e: "Yes" if e.emergency else ""),
    Column("Details", _detail),
]


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


class AuditView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.entries: list[AuditEntry] = []
        self.user = QLineEdit(placeholderText="any user")
        self.patient = QLineEdit(placeholderText="any patient (patient id)")
        self.action = QComboBox()
        self.action.addItem("Any action", None)
        for a in Action:
            self.action.addItem(a.value, a.value)
        today = date.today()
        self.since = QDateEdit(_qdate(today - timedelta(days=30)), calendarPopup=True)
        self.until = QDateEdit(_qdate(today), calendarPopup=True)
        for edit in (self.since, self.until):
            edit.setDisplayFormat("d MMM yyyy")
        self.search_button = QPushButton("&Show entries")
        self.search_button.clicked.connect(self.search)
        self.export_button = QPushButton("&Export CSV…")
        self.export_button.clicked.connect(self.export)
        self.verify_button = QPushButton("&Verify the chain")
        self.verify_button.clicked.connect(self.verify)
        filters = QHBoxLayout()
        for label, widget in (("User", self.user), ("Patient", self.patient), ("Action", self.action),
                              ("From", self.since), ("To", self.until)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.search_button)
        self.model = RowsModel(AUDIT_COLUMNS, row_id=lambda e: str(e.seq))
        self.table = QTableView()
        self.table.setModel(sorted_proxy(self.model, self))
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.summary, self.chain = QLabel(), QLabel()
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.chain)
        bottom.addWidget(self.verify_button)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def filters(self) -> dict:
        tz = datetime.now().astimezone().tzinfo
        since = datetime.combine(self.since.date().toPython(), time.min, tzinfo=tz)
        until = datetime.combine(self.until.date().toPython() + timedelta(days=1), time.min, tzinfo=tz)
        return {"since": since.astimezone(timezone.utc), "until": until.astimezone(timezone.utc),
                "username": self.user.text().strip() or None,
                "patient_id": self.patient.text().strip() or None, "action": self.action.currentData()}

    def search(self) -> None:
        chosen = self.filters()
        ops.run(self, lambda: audit_trail.report(self.session, **chosen), on_success=self._show,
                label="Reading the audit trail…")

    def _show(self, entries: list[AuditEntry]) -> None:
        self.entries = entries
        self.model.set_rows(entries)
        self.table.resizeColumnsToContents()
        self.summary.setText(fmt.count_text(len(entries), "entry", "entries"))

    def export(self) -> None:
        path = ask.ask_save_path(self, "Export the audit report", "audit-report.csv")
        if path is None:
            return
        chosen = self.filters()

        def work() -> int:
            rows = audit_trail.report(self.session, **chosen, export=path)
            Path(path).write_text(audit_trail.to_csv(rows), encoding="utf-8")
            return len(rows)
        ops.run(self, work, label="Writing the audit report…",
                on_success=lambda n: self.summary.setText(
                    f"{fmt.count_text(n, 'entry', 'entries')} written to {Path(path).name}"))

    def verify(self) -> None:
        ops.run(self, lambda: audit_trail.verify(self.session), on_success=self._verified,
                label="Checking the audit trail…")

    def _verified(self, broken) -> None:
        if broken is None:
            self.chain.setText("The audit trail is intact.")
            self.chain.setStyleSheet("")
        else:
            self.chain.setText(f"The audit trail was altered at {broken}.")
            self.chain.setStyleSheet(alert_style())
