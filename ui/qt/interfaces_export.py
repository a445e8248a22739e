"""EHI export (ONC §170.315(b)(10)) from the client: the open patient or the whole clinic
into a folder the user chooses, off the UI thread with progress and Cancel (a stopped
export leaves nothing behind). The service checks the export permission and records
each patient exported as a disclosure."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QRadioButton, QVBoxLayout,
                               QWidget)

from app import formatting as fmt
from app.permissions import Permission
from app.session import Session
from ui.qt import errors, ops

DEFAULT_RECIPIENT = "the patient or their representative"
NOT_ALLOWED = ("You are not allowed to export records; ask the clinic's administrator if you need to.")


def choose_folder(parent: QWidget | None, title: str) -> str:
    """The folder the user picked, "" if none (tests replace this: a real dialog would wait)."""
    return QFileDialog.getExistingDirectory(parent, title)


def target_folder(chosen: Path, now: datetime | None = None) -> Path:
    """The chosen folder when it is empty, else a new folder inside it for this export."""
    if chosen.is_dir() and any(chosen.iterdir()):
        stamp = (now or datetime.now()).strftime("%Y-%m-%d %H%M%S")
        return chosen / f"Outpost EHI export {stamp}"
    return chosen


@dataclass
class ExportDone:
    result: object | None  # sync.ehi_export.ExportResult; None when stopped

    def summary(self) -> str:
        r = self.result
        if r is None:
            return "Export stopped; nothing was written and nothing recorded as disclosed."
        counts = ", ".join(f"{n} {t}" for t, n in r.counts.items()) or "no records"
        return (f"Exported {fmt.count_text(r.patients, 'patient')} into the folder\n{r.out}\n"
                f"{counts}; {fmt.count_text(r.attachments, 'attached file').lower()}.\n"
                "README.md in the folder describes the format. Each patient's export is listed "
                "in their disclosures.")


def export_work(session: Session, out: Path, patient_id: str | None, recipient: str):
    def work(progress: ops.Progress) -> ExportDone:
        from sync import ehi_export  # sync/ is loaded when first used, not at start-up

        def report(done: int, total: int) -> None:
            progress.check()  # Cancel: the export's unit of work rolls back, its folder is removed
            progress.report(done, total)
        try:
            return ExportDone(ehi_export.export_ehi(session, out, patient_id=patient_id,
                                                    recipient=recipient or DEFAULT_RECIPIENT,
                                                    progress=report))
        except ops.Cancelled:
            return ExportDone(None)
    return work


class ExportPane(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.patient_id: str | None = None
        self.op: ops.Op | None = None
        self.last: ExportDone | None = None
        self.patient_choice = QRadioButton("The open patient")
        self.clinic_choice = QRadioButton("The whole clinic (every patient)")
        group = QButtonGroup(self)
        group.addButton(self.patient_choice)
        group.addButton(self.clinic_choice)
        self.recipient = QLineEdit(DEFAULT_RECIPIENT)
        self.recipient.setToolTip("To whom the records go (listed in each patient's disclosures)")
        self.export_button = QPushButton("E&xport EHI…")
        self.export_button.clicked.connect(self.export)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.bar = QProgressBar()
        explain = QLabel("Electronic health information as FHIR R4 NDJSON, one file per kind of record, "
                         "with attached files and a README describing the format. Choose an empty folder "
                         "(or one where a new folder is made for this export).")
        explain.setWordWrap(True)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setObjectName("export_status")
        self.status.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("Export", self.patient_choice)
        form.addRow("", self.clinic_choice)
        form.addRow("Recipient", self.recipient)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.bar, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(0)  # the button keeps its size while the bar is hidden
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status, 1)
        self.allowed = session.can(Permission.EXPORT)
        if not self.allowed:
            self.status.setText(NOT_ALLOWED)
        self.export_button.setEnabled(self.allowed)
        self._set_busy(False)
        self.set_patient(None, None)

    def set_patient(self, patient_id: str | None, name: str | None) -> None:
        self.patient_id = patient_id
        self.patient_choice.setEnabled(patient_id is not None)
        self.patient_choice.setText(f"The open patient: {name}" if patient_id
                                    else "The open patient (no chart is open)")
        (self.patient_choice if patient_id else self.clinic_choice).setChecked(True)

    def export(self) -> None:
        """Ask for the folder and export (the service refuses roles without the permission)."""
        chosen = choose_folder(self, "Export EHI into folder")
        if not chosen:
            return
        out = target_folder(Path(chosen))
        patient_id = self.patient_id if self.patient_choice.isChecked() else None
        self.status.setText(f"Exporting {'the patient' if patient_id else 'the whole clinic'} to {out}…")
        self._set_busy(True)
        self.op = ops.run(self, export_work(self.session, out, patient_id, self.recipient.text().strip()),
                          with_progress=True, on_success=self._done, on_failure=self._failed,
                          on_progress=self._progressed)

    def cancel(self) -> None:
        if self.op is not None and not self.op.done:
            self.op.cancel()
            self.cancel_button.setEnabled(False)

    def _progressed(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, total))
        self.status.setText(f"Exporting: patient {done} of {total}…")

    def _done(self, done: ExportDone) -> None:
        self.last = done
        self._set_busy(False)
        self.status.setText(done.summary())

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        self.status.setText("Nothing was exported. " + errors.message_for(exc).split("\n")[0])
        errors.show_error(self, exc)

    def _set_busy(self, busy: bool) -> None:
        self.export_button.setEnabled(self.allowed and not busy)
        self.bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        if busy:
            self.bar.setRange(0, 0)
