"""Print one of a patient's documents from the client, or save it as a PDF and open it.

The user chooses the document (and, for a visit summary, prescription, invoice or lab report,
which one), who receives it and why; app.printing makes the PDF, checks the permissions and
records the print as a disclosure. Printing draws the PDF page by page from memory
(ui.qt.print_pages); only "Save as PDF…" writes a file, the one the user chose. The work runs
on the background thread (ui.qt.ops); errors reach the user through ui.qt.errors.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Callable, Sequence

from PySide6.QtCore import QStandardPaths, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QVBoxLayout, QWidget)

from app import billing_visits, encounters, medications, orders
from app import formatting as fmt
from app.model import ENTERED_IN_ERROR
from app.printing import KINDS, PrintedDocument, print_document, print_to_file
from app.session import Session
from ui.qt import errors, ops, print_pages
from ui.qt.style import alert_style

TITLES = {"visit-summary": "After-visit summary", "prescription": "Prescription",
          "invoice": "Invoice / superbill", "chart": "Complete chart",
          "immunization-record": "Immunization record", "lab-report": "Lab report"}
#: What the "which one" list is called, per kind that needs one.
WHICH = {"visit-summary": "Visit", "prescription": "Prescription", "invoice": "Invoice",
         "lab-report": "Lab report"}
MNEMONIC = {"prescription": "Prescr&iption"}  # Alt+P is Print…
PATIENT = "The patient"
RECIPIENTS = (PATIENT, "The patient's representative", "Another provider", "An insurer or payer",
              "Someone else")
PURPOSES = ("", "At the patient's request", "Continuing care or referral", "Payment or claim",
            "Legal request")


# -- the lists to choose from (background thread) -----------------------------------------
def _live(rows):
    return [r for r in rows if getattr(r, "status", None) != ENTERED_IN_ERROR]


def _visits(session: Session, pid: str) -> list[tuple[str, str]]:
    return [(f"{fmt.date_text(e.start)}  {fmt.code_words(e.visit_type)} ({fmt.code_words(e.status)})", e.id)
            for e in _live(encounters.for_patient(session, pid)) if e.status != "cancelled"]


def _prescriptions(session: Session, pid: str) -> list[tuple[str, str]]:
    return [(f"{fmt.date_text(rx.authored_on)}  {fmt.coding_text(rx.medication, with_code=False)} "
             f"({fmt.code_words(rx.status)}) — {fmt.text(rx.sig)}", rx.id)
            for rx in _live(medications.prescriptions(session, pid))]


def _invoices(session: Session, pid: str) -> list[tuple[str, str]]:
    return [(f"{inv.number}  {fmt.date_text(inv.issued)}  ${inv.total:,.2f} ({fmt.code_words(inv.status)})",
             inv.id) for inv in _live(billing_visits.invoices(session, pid))]


def _reports(session: Session, pid: str) -> list[tuple[str, str]]:
    return [(f"{fmt.date_text(r.issued)}  {fmt.coding_text(r.code, with_code=False)} "
             f"({fmt.code_words(r.status)})", r.id) for r in _live(orders.reports(session, pid))]


CHOICES: dict[str, Callable[[Session, str], list[tuple[str, str]]]] = {
    "visit-summary": _visits, "prescription": _prescriptions, "invoice": _invoices, "lab-report": _reports}


# -- the questions the flow asks (module-level: tests replace them) ------------------------
def _choose_printer(parent: QWidget | None, title: str) -> QPrinter | None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)  # print queues show this: never the patient's name
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(f"Print {title.lower()}")
    return printer if dialog.exec() == QDialog.DialogCode.Accepted else None


def _ask_pdf_path(parent: QWidget | None, suggested: str) -> str | None:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    path, _ = QFileDialog.getSaveFileName(parent, "Save as PDF", str(Path(folder) / suggested),
                                          "PDF files (*.pdf)")
    return path or None


choose_printer = _choose_printer
ask_pdf_path = _ask_pdf_path


def open_file(path: str) -> bool:
    """Open a saved PDF in the desktop's PDF viewer; False when none would open it."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(path))


def _print_work(session: Session, request: dict, printer: QPrinter, progress) -> tuple[PrintedDocument, int]:
    printed = print_document(session, request["kind"], request["ident"], recipient=request["recipient"],
                             purpose=request["purpose"])
    return printed, print_pages.paint(printed.pdf, printer, progress)


class PrintDialog(QDialog):
    """Choose a document and its recipient, then Print… or Save as PDF…."""

    def __init__(self, session: Session, patient_id: str, *, kind: str | None = None,
                 ident: str | None = None, kinds: Sequence[str] = KINDS, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.patient_id = session, patient_id
        self.setWindowTitle("Print or save a document")
        self._wanted, self._serial, self._working = ident, 0, False
        self.kind = QComboBox()
        for k in kinds:
            self.kind.addItem(TITLES[k], k)
        self.which = QComboBox()
        self.which.setMinimumContentsLength(44)
        self.which.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.which.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 60)
        self.which_label = QLabel("&Which")
        self.which_label.setBuddy(self.which)
        self.recipient = QComboBox()
        self.recipient.addItems(RECIPIENTS)
        self.recipient_name = QLineEdit(placeholderText="Name, e.g. Dr. Lee, Riverbend Cardiology")
        self.recipient_name.setAccessibleName("Recipient's name")
        self.purpose = QComboBox(editable=True)
        self.purpose.addItems(PURPOSES)
        self.purpose.lineEdit().setPlaceholderText("Why it is given out (optional)")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.print_button = QPushButton("&Print…")
        self.save_button = QPushButton("&Save as PDF…")
        self.close_button = QPushButton("Close")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_pdf)
        self.close_button.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Document", self.kind)
        form.addRow(self.which_label, self.which)
        form.addRow("&Recipient", self.recipient)
        form.addRow("&Name", self.recipient_name)
        form.addRow("P&urpose", self.purpose)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.print_button, self.save_button, self.close_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        if kind is not None and self.kind.findData(kind) >= 0:
            self.kind.setCurrentIndex(self.kind.findData(kind))
        self.recipient.currentIndexChanged.connect(self._recipient_changed)
        self.kind.currentIndexChanged.connect(lambda _: self._kind_changed())
        self.which.currentIndexChanged.connect(lambda _: self._enable())
        self._recipient_changed()
        self._kind_changed()

    # -- choosing ---------------------------------------------------------------------
    def chosen_kind(self) -> str:
        return self.kind.currentData()

    def _kind_changed(self) -> None:
        kind = self.chosen_kind()
        self._serial += 1
        self.which.clear()
        self._say("")
        needs_list = kind in CHOICES
        self.which.setVisible(needs_list)
        self.which_label.setVisible(needs_list)
        if not needs_list:
            self._enable()
            return
        self.which_label.setText(MNEMONIC.get(kind, f"&{WHICH[kind]}"))
        self.which.addItem("Loading…", None)
        self._enable()
        serial = self._serial
        ops.run(self, lambda: CHOICES[kind](self.session, self.patient_id),
                on_success=lambda rows: self._show_choices(serial, rows),
                on_failure=lambda exc: self._choices_failed(serial, exc))

    def _show_choices(self, serial: int, rows: list[tuple[str, str]]) -> None:
        if serial != self._serial:
            return  # the user chose another kind meanwhile
        self.which.clear()
        for label, ident in rows:
            self.which.addItem(label, ident)
        if not rows:
            self.which.addItem("None recorded for this patient", None)
        elif self._wanted and self.which.findData(self._wanted) >= 0:
            self.which.setCurrentIndex(self.which.findData(self._wanted))
        self._wanted = None
        self._enable()
        QTimer.singleShot(0, self, self._fit)

    def _fit(self) -> None:
        """Room for the longest entry of the list (up to its maximum width)."""
        self.resize(max(self.width(), self.sizeHint().width()), self.height())

    def _choices_failed(self, serial: int, exc: Exception) -> None:
        if serial != self._serial:
            return
        self.which.clear()
        self._say(errors.message_for(exc), alert=True)
        self._enable()

    def _recipient_changed(self) -> None:
        self.recipient_name.setEnabled(self.recipient.currentText() != PATIENT)

    def _enable(self) -> None:
        ready = not self._working and (self.chosen_kind() not in CHOICES
                                       or self.which.currentData() is not None)
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def _say(self, text: str, *, alert: bool = False) -> None:
        self.message.setStyleSheet(alert_style() if alert else "")
        self.message.setText(text)

    def request(self) -> dict | None:
        """What to print, for whom and why; None (and a message) when something is missing."""
        kind = self.chosen_kind()
        ident = self.which.currentData() if kind in CHOICES else self.patient_id
        if not ident:
            self._say(f"Choose the {WHICH[kind].lower()} to print.", alert=True)
            return None
        who, name = self.recipient.currentText(), self.recipient_name.text().strip()
        if who != PATIENT and not name:
            self._say("Type the recipient's name: the patient's accounting of disclosures lists it.",
                      alert=True)
            self.recipient_name.setFocus()
            return None
        recipient = "patient" if who == PATIENT else f"{name} ({who[0].lower()}{who[1:]})"
        return {"kind": kind, "ident": ident, "recipient": recipient,
                "purpose": self.purpose.currentText().strip(),
                "to": "the patient" if who == PATIENT else name}

    # -- doing ------------------------------------------------------------------------
    def print_document(self) -> None:
        request = self.request()
        if request is None:
            return
        printer = choose_printer(self, TITLES[request["kind"]])
        if printer is None:
            self._say("Nothing was printed.")
            return
        self._busy(True)
        session = self.session
        ops.run(self, lambda progress: _print_work(session, request, printer, progress),
                with_progress=True, label="Printing…",
                on_success=lambda result: self._printed(*result, request["to"]), on_failure=self._failed)

    def save_pdf(self) -> None:
        request = self.request()
        if request is None:
            return
        suggested = f"{request['kind']}-{date.today().isoformat()}.pdf"
        path = ask_pdf_path(self, suggested)
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        self._busy(True)
        session = self.session
        ops.run(self, lambda: print_to_file(session, request["kind"], request["ident"], path,
                                            recipient=request["recipient"], purpose=request["purpose"]),
                label="Saving the PDF…", on_success=lambda printed: self._saved(printed, path, request["to"]),
                on_failure=self._failed)

    def _busy(self, working: bool) -> None:
        self._working = working
        self._enable()

    def _printed(self, printed: PrintedDocument, pages: int, to: str) -> None:
        self._busy(False)
        self._say(f"{TITLES[printed.kind]}: {fmt.count_text(pages, 'page')} sent to the printer."
                  f"{_withheld(printed)} Recorded as a disclosure to {to}.")

    def _saved(self, printed: PrintedDocument, path: str, to: str) -> None:
        self._busy(False)
        opened = open_file(path)
        self._say(f"{TITLES[printed.kind]} saved as {path}"
                  + ("" if opened else "; no program was found to open PDF files") + "."
                  + f"{_withheld(printed)} Recorded as a disclosure to {to}.")

    def _failed(self, exc: Exception) -> None:
        self._busy(False)
        self._say("Nothing was printed or saved.", alert=True)
        errors.show_error(self, exc)


def _withheld(printed: PrintedDocument) -> str:
    if not printed.withheld:
        return ""
    one = printed.withheld == 1
    return (f" {fmt.count_text(printed.withheld, 'sensitive record')} {'was' if one else 'were'} left out: "
            f"your role may not see {'it' if one else 'them'}.")


def open_dialog(parent: QWidget, session: Session, patient_id: str, *, kind: str | None = None,
                ident: str | None = None, kinds: Sequence[str] = KINDS) -> PrintDialog:
    """Show the print dialog (window-modal, not blocking) for one patient."""
    dialog = PrintDialog(session, patient_id, kind=kind, ident=ident, kinds=kinds, parent=parent)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
