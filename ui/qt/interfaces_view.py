"""Interfaces: import FHIR and HL7 v2 files, the HL7 review queue, EHI export and the
MLLP listener's status, on one page (Clinic ▸ Interfaces).

Imports run off the UI thread through :mod:`ui.qt.ops` with progress and Cancel:
HL7 stops between two messages (each message is complete on its own); FHIR stops
between two batches of an NDJSON file (what was written stays; importing the same
file again adds only the rest, since ids are kept). A FHIR Bundle is one transaction
and reports no progress of its own: the bar is indeterminate while it is read.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QLabel, QMainWindow,
                               QProgressBar, QPushButton, QTableView, QTabWidget, QVBoxLayout,
                               QWidget)

from app import formatting as fmt
from app import hl7_import
from app.permissions import Permission
from app.session import Session
from ui.qt import ops
from ui.qt.interfaces_export import ExportPane
from ui.qt.interfaces_review import ReviewPane
from ui.qt.interfaces_rows import ResultRow, fhir_rows, hl7_rows, results_model
from ui.qt.style import scaled_font

LISTENER_OFF = ("HL7 listener (MLLP): off. The desktop client does not listen for lab or hospital "
                "feeds; IT starts the listener on the interface workstation "
                "(outpost import hl7 --listen --port 2575).")


def may_use(session: Session) -> bool:
    """Whether the page is offered: import (administrators) or EHI export (clinicians too)."""
    return session.can(Permission.IMPORT) or session.can(Permission.EXPORT)


def choose_files(parent: QWidget | None, title: str, pattern: str) -> list[str]:
    """Files the user picked (tests replace this: a real file dialog would wait)."""
    paths, _ = QFileDialog.getOpenFileNames(parent, title, "", pattern)
    return paths


@dataclass
class ImportDone:
    kind: str  # "FHIR" | "HL7"
    rows: list[ResultRow] = field(default_factory=list)
    stopped: bool = False
    held: int = 0

    def summary(self) -> str:
        if self.stopped and not self.rows:
            return (f"{self.kind} import stopped. What was read before stopping is kept; importing "
                    "the same files again adds only the rest.")
        refused = sum(r.bad for r in self.rows)
        if self.kind == "HL7":
            text = f"HL7 import finished: {fmt.count_text(len(self.rows), 'message')}"
            text += f", {refused} refused (AE or AR)" if refused else ", all accepted (AA)"
        else:
            files = sum(r.where == "—" for r in self.rows)
            entries = len(self.rows) - files
            text = f"FHIR import finished: {fmt.count_text(files, 'file')}"
            text += f", {fmt.count_text(entries, 'entry', 'entries')} refused" if entries else ", nothing refused"
        if self.held:
            text += f"; {fmt.count_text(self.held, 'message')} held for review"
        if self.stopped:
            text += " (stopped: the messages after these were not read)"
        return text + "."


class _Where:
    """The file being read, set by the worker and read by the UI thread's progress slot."""

    def __init__(self):
        self.name, self.lock = "", threading.Lock()

    def set(self, name: str) -> None:
        with self.lock:
            self.name = name

    def get(self) -> str:
        with self.lock:
            return self.name


def hl7_work(session: Session, paths: list[str], where: _Where):
    def work(progress: ops.Progress) -> ImportDone:
        def report(name: str, done: int, total: int) -> None:
            where.set(f"{name}: message {done} of {total}")
            progress.report(done, total)
        by_file = hl7_import.import_files(session, paths, progress=report, stop=lambda: progress.cancelled)
        rows = hl7_rows(by_file)
        return ImportDone("HL7", rows, stopped=progress.cancelled, held=sum(r.review for r in rows))
    return work


def fhir_work(session: Session, paths: list[str], where: _Where):
    def work(progress: ops.Progress) -> ImportDone:
        from sync import fhir_import  # sync/ is loaded when first used, not at start-up
        total = sum(Path(p).stat().st_size for p in paths if Path(p).is_file()) or 1
        read: dict[str, int] = {}

        def report(name: str, done: int, size: int) -> None:
            progress.check()  # Cancel: stop between two batches (each batch is committed whole)
            read[name] = done
            where.set(f"{name}: {done * 100 // max(size, 1)}%")
            progress.report(sum(read.values()) * 1000 // total, 1000)
        try:
            results = fhir_import.import_files(session, paths, progress=report)
        except ops.Cancelled:
            return ImportDone("FHIR", stopped=True)
        return ImportDone("FHIR", fhir_rows(results))
    return work


class ImportPane(QWidget):
    """Buttons, progress with Cancel, and the results table of the last import."""

    def __init__(self, session: Session, on_imported=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.on_imported = session, on_imported
        self.op: ops.Op | None = None
        self.where = _Where()
        self.fhir_button = QPushButton("Import &FHIR…")
        self.fhir_button.setToolTip("FHIR R4 Bundles (.json) or bulk-export NDJSON files (.ndjson)")
        self.hl7_button = QPushButton("Import &HL7…")
        self.hl7_button.setToolTip("HL7 v2 messages: ADT, ORU (results), VXU (immunizations), SIU")
        self.fhir_button.clicked.connect(self.import_fhir)
        self.hl7_button.clicked.connect(self.import_hl7)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.bar = QProgressBar()
        self.status = QLabel("Choose files to import. Each message or entry is listed with what became of it.")
        self.status.setWordWrap(True)
        self.model = results_model(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()  # the titles fit before any row is there
        self.listener = QLabel(LISTENER_OFF)
        self.listener.setWordWrap(True)
        self.listener.setObjectName("listener_status")
        buttons = QHBoxLayout()
        for w in (self.fhir_button, self.hl7_button):
            buttons.addWidget(w)
        buttons.addWidget(self.bar, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(0)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.listener)
        self._set_busy(False)

    def rows(self) -> list[ResultRow]:
        return self.model.rows()

    def import_fhir(self) -> None:
        paths = choose_files(self, "Import FHIR files", "FHIR files (*.json *.ndjson *.jsonl);;All files (*)")
        if paths:
            self._start(paths, fhir_work(self.session, paths, self.where), "FHIR")

    def import_hl7(self) -> None:
        paths = choose_files(self, "Import HL7 v2 messages", "HL7 v2 files (*.hl7 *.txt *.msg);;All files (*)")
        if paths:
            self._start(paths, hl7_work(self.session, paths, self.where), "HL7")

    def _start(self, paths: list[str], work, kind: str) -> None:
        self.model.set_rows([])
        self.where.set("")
        self.status.setText(f"Importing {fmt.count_text(len(paths), 'file')} ({kind})…")
        self._set_busy(True)
        self.op = ops.run(self, work, with_progress=True, on_success=self._done,
                          on_failure=self._failed, on_progress=self._progressed)

    def cancel(self) -> None:
        if self.op is not None and not self.op.done:
            self.op.cancel()
            self.status.setText("Stopping after the message or batch being written…")
            self.cancel_button.setEnabled(False)

    def _progressed(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, total))
        where = self.where.get()
        if where:
            self.status.setText(f"Importing {where}")

    def _done(self, done: ImportDone) -> None:
        self._set_busy(False)
        self.model.set_rows(done.rows)
        self.table.resizeColumnsToContents()
        for column in (3, 4):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 420))
        self.table.resizeRowsToContents()
        self.status.setText(done.summary())
        if self.on_imported is not None:
            self.on_imported(done)

    def _failed(self, exc: Exception) -> None:
        from ui.qt import errors
        self._set_busy(False)
        self.status.setText("The import did not run.")
        errors.show_error(self, exc)

    def _set_busy(self, busy: bool) -> None:
        self.fhir_button.setEnabled(not busy)
        self.hl7_button.setEnabled(not busy)
        self.bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        if busy:
            self.bar.setRange(0, 0)  # indeterminate until the first report (a Bundle sends none)


class InterfacesView(QWidget):
    """The page: Import, Review queue and EHI export tabs (import ones only with the import permission)."""

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        title = QLabel("Interfaces")
        title.setFont(scaled_font(title.font(), 1.3, bold=True))
        self.tabs = QTabWidget()
        self.importing: ImportPane | None = None
        self.review: ReviewPane | None = None
        if session.can(Permission.IMPORT):
            self.review = ReviewPane(session, on_count=self._review_count)
            self.importing = ImportPane(session, on_imported=lambda _: self.review.reload())
            self.tabs.addTab(self.importing, "&Import")
            self.tabs.addTab(self.review, "&Review queue")
        self.export = ExportPane(session)
        self.tabs.addTab(self.export, "EHI &export")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        if self.importing is None:
            note = QLabel("Importing files and the HL7 review queue need the import permission "
                          "(the clinic's administrators).")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addWidget(self.tabs, 1)

    def _review_count(self, count: int) -> None:
        if self.review is not None:
            index = self.tabs.indexOf(self.review)
            self.tabs.setTabText(index, f"&Review queue ({count})" if count else "&Review queue")

    def set_patient(self, patient_id: str | None, name: str | None) -> None:
        """The chart open in the window (EHI export offers it)."""
        self.export.set_patient(patient_id, name)


def show_page(window: QMainWindow) -> InterfacesView:
    """Show the page in the main window's stack (built when first shown), with its open patient."""
    view = getattr(window, "interfaces", None)
    if view is None:
        view = window.interfaces = InterfacesView(window.session)
        window.pages.addWidget(view)
    chart = getattr(window, "chart", None)
    summary = getattr(chart, "summary", None) if chart is not None else None
    if summary is not None:
        view.set_patient(summary.patient.id, fmt.person_name(summary.patient.name))
    else:
        view.set_patient(None, None)
    window.pages.setCurrentWidget(view)
    return view
