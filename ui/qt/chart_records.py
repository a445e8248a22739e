"""The Problems, Allergies and Medications tabs: the patient's list and a form to add to it.

Each tab is a :class:`RecordsTab`: a table of what is recorded (newest first), and a form
whose values go to one ``app/`` service off the UI thread. A warning the service raises
as ConfirmationRequired (a duplicate problem, an allergy to the prescribed drug) is put
to the user through :data:`ui.qt.registration.confirm`, and the record is stored only
when confirmed.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable, Sequence

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QFormLayout,
                               QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QTableView, QVBoxLayout, QWidget)

from app import allergies, medications, problems
from app import formatting as fmt
from app.errors import ConfirmationRequired, ValidationError
from app.model import AllergyIntolerance, Condition, MedicationRequest
from app.session import Session
from ui.qt import errors, ops, printing, registration
from ui.qt.chart_events import ChartEvents
from ui.qt.chart_picker import CodePicker
from ui.qt.models import Column, RowsModel
from ui.qt.style import alert_style


def _combo(choices: Sequence[str], *, blank: str | None = None) -> QComboBox:
    box = QComboBox()
    if blank is not None:
        box.addItem(blank, None)
    for value in choices:
        box.addItem(fmt.code_words(value), value)
    return box


class RecordsTab(QWidget):
    """A table of records and a form; subclasses say what to load, show and save."""
    record_type = ""
    form_title = ""
    MEASURED_ROWS = 150

    def __init__(self, session: Session, patient_id: str, events: ChartEvents,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.patient_id, self.events = session, patient_id, events
        self.loaded = False
        self.model = RowsModel(self.columns(), row_id=lambda r: r.id,
                               abnormal=self.abnormal, parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.form_title)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.save_button = QPushButton("&Add")
        self.save_button.clicked.connect(lambda: self.save())
        box = QGroupBox(self.form_title)
        form = QFormLayout(box)
        self.build_form(form)
        form.addRow(self.message)
        form.addRow(self.save_button)
        box.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        layout = QHBoxLayout(self)
        actions = self.table_actions()
        if actions:  # buttons acting on the selected row, under the table
            left, row = QVBoxLayout(), QHBoxLayout()
            left.addWidget(self.table, 1)
            for button in actions:
                row.addWidget(button)
            row.addStretch(1)
            left.addLayout(row)
            layout.addLayout(left, 3)
        else:
            layout.addWidget(self.table, 3)
        layout.addWidget(box, 2, Qt.AlignmentFlag.AlignTop)
        events.changed.connect(self._changed)
        self.reload()

    # -- what subclasses say ------------------------------------------------
    def columns(self) -> list[Column]:
        raise NotImplementedError

    def abnormal(self, row) -> bool:
        return False

    def build_form(self, form: QFormLayout) -> None:
        raise NotImplementedError

    def load(self) -> list:
        raise NotImplementedError

    def work(self, confirm: bool) -> Callable[[], Any]:
        """A function storing the form's record (runs off the UI thread)."""
        raise NotImplementedError

    def clear_form(self) -> None:
        pass

    def table_actions(self) -> list[QPushButton]:
        """Buttons shown under the table (none by default)."""
        return []

    def selected(self):
        """The record of the table's current row, or None."""
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    # -- loading and saving --------------------------------------------------
    def _changed(self, record_type: str) -> None:
        if record_type == self.record_type:
            self.reload()

    def reload(self) -> None:
        ops.run(self, self.load, on_success=self._show)

    def _show(self, rows: list) -> None:
        self.model.set_rows(rows)
        if len(rows) <= self.MEASURED_ROWS:  # measuring more rows would stall the UI thread
            self.table.resizeColumnsToContents()
        self.loaded = True

    def save(self, *, confirm: bool = False) -> None:
        try:
            work = self.work(confirm)
        except ValidationError as exc:  # the form itself is incomplete
            self._failed(exc)
            return
        self.save_button.setEnabled(False)
        ops.run(self, work, on_success=self._saved, on_failure=self._failed)

    def _saved(self, record) -> None:
        self.save_button.setEnabled(True)
        self.message.setStyleSheet("")
        self.message.setText("Saved.")
        self.clear_form()
        self.events.changed.emit(self.record_type)

    def _failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ConfirmationRequired):
            text = "\n".join(errors.sentence(w) for w in exc.warnings.values())
            if registration.confirm(self, "Please check", text):
                self.save(confirm=True)
            else:
                self._say("Not saved.")
        elif isinstance(exc, ValidationError):
            self._say("Not saved. " + " ".join(errors.sentence(f"{f}: {w}") for f, w in exc.problems.items()))
        else:
            errors.show_error(self, exc)

    def _say(self, text: str) -> None:
        self.message.setStyleSheet(alert_style())
        self.message.setText(text)


def _need(concept, what: str):
    if concept is None:
        raise ValidationError({what: "choose one from the list"})
    return concept


# -- problems ----------------------------------------------------------------
class ProblemsTab(RecordsTab):
    record_type = Condition.RESOURCE_TYPE
    form_title = "Add a problem"

    def columns(self):
        return [Column("Code", lambda c: fmt.text(c.code.code)),
                Column("Problem", lambda c: fmt.text(c.code.display)),
                Column("Onset", lambda c: fmt.date_text(c.onset_date)),
                Column("Status", lambda c: fmt.code_words(c.clinical_status))]

    def build_form(self, form):
        self.picker = CodePicker("icd10cm", "ICD-10-CM: name or code")
        self.onset = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.onset.setDate(QDate.currentDate())
        self.has_onset = QCheckBox("Onset known")
        onset = QHBoxLayout()
        onset.addWidget(self.has_onset)
        onset.addWidget(self.onset)
        form.addRow("Diagnosis", self.picker)
        form.addRow("Onset", onset)

    def load(self):
        return problems.all_for(self.session, self.patient_id)

    def work(self, confirm):
        concept = _need(self.picker.chosen(), "diagnosis")
        d = self.onset.date()
        onset = date(d.year(), d.month(), d.day()) if self.has_onset.isChecked() else None
        return lambda: problems.add(self.session, patient_id=self.patient_id, code=concept.code,
                                    onset_date=onset, confirm=confirm)

    def clear_form(self):
        self.picker.clear()


# -- allergies ---------------------------------------------------------------
class AllergiesTab(RecordsTab):
    record_type = AllergyIntolerance.RESOURCE_TYPE
    form_title = "Add an allergy"

    def columns(self):
        return [Column("Substance", lambda a: fmt.coding_text(a.substance, with_code=False)),
                Column("Reaction", lambda a: fmt.text(a.reaction)),
                Column("Severity", lambda a: fmt.code_words(a.severity) if a.severity else fmt.MISSING,
                       flagged=True),
                Column("Status", lambda a: fmt.code_words(a.clinical_status))]

    def abnormal(self, a):
        return a.severity == "severe" or a.criticality == "high"

    def build_form(self, form):
        self.picker = CodePicker("rxnorm", "Drug (RxNorm): name or code")
        self.other = QLineEdit(placeholderText="or a food, latex, insect sting…")
        self.other.setAccessibleName("Other substance")
        self.reaction = QLineEdit()
        self.reaction.setAccessibleName("Reaction")
        self.severity = _combo(allergies.SEVERITIES, blank="Not known")
        self.kind = _combo(allergies.TYPES)
        form.addRow("Drug", self.picker)
        form.addRow("Other substance", self.other)
        form.addRow("Reaction", self.reaction)
        form.addRow("Severity", self.severity)
        form.addRow("Type", self.kind)

    def load(self):
        return allergies.all_for(self.session, self.patient_id)

    def work(self, confirm):
        other = self.other.text().strip()
        concept = None if other else self.picker.chosen()
        if concept is None and not other:
            raise ValidationError({"substance": "choose a drug or type the substance"})
        reaction, severity, kind = self.reaction.text(), self.severity.currentData(), self.kind.currentData()
        return lambda: allergies.record(self.session, patient_id=self.patient_id,
                                        rxnorm=concept.code if concept else None,
                                        substance_text=other or None, reaction=reaction,
                                        severity=severity, type=kind, confirm=confirm)

    def clear_form(self):
        self.picker.clear()
        self.other.clear()
        self.reaction.clear()


# -- medications ---------------------------------------------------------------
FREQUENCIES = ("once daily", "twice daily", "three times daily", "four times daily", "at bedtime",
               "every 4 hours", "every 6 hours", "every 8 hours", "once weekly")
DOSE_UNITS = ("tablet", "capsule", "mg", "mL", "puff", "drop", "patch", "unit")


class MedicationsTab(RecordsTab):
    record_type = MedicationRequest.RESOURCE_TYPE
    form_title = "Prescribe"

    def columns(self):
        return [Column("Drug", lambda rx: fmt.coding_text(rx.medication, with_code=False)),
                Column("Instructions", lambda rx: fmt.text(rx.sig)),
                Column("Quantity", lambda rx: f"{fmt.number_text(rx.quantity)} {fmt.text(rx.quantity_unit)}"),
                Column("Refills", lambda rx: str(rx.refills), align_right=True),
                Column("Status", lambda rx: fmt.code_words(rx.status))]

    def build_form(self, form):
        self.picker = CodePicker("rxnorm", "Drug (RxNorm): name or code")
        self.dose = QLineEdit("1")
        self.dose.setAccessibleName("Dose")
        self.dose_unit = QComboBox(editable=True)
        self.dose_unit.addItems(DOSE_UNITS)
        self.route = _combo(medications.ROUTES)
        self.frequency = QComboBox(editable=True)
        self.frequency.addItems(FREQUENCIES)
        self.quantity = QLineEdit("30")
        self.quantity.setAccessibleName("Quantity")
        self.refills = QSpinBox(minimum=0, maximum=medications.MAX_REFILLS)
        dose = QHBoxLayout()
        dose.addWidget(self.dose)
        dose.addWidget(self.dose_unit)
        form.addRow("Drug", self.picker)
        form.addRow("Dose", dose)
        form.addRow("Route", self.route)
        form.addRow("Frequency", self.frequency)
        form.addRow("Quantity", self.quantity)
        form.addRow("Refills", self.refills)
        self.save_button.setText("&Prescribe")

    def load(self):
        return medications.prescriptions(self.session, self.patient_id)

    def work(self, confirm):
        concept = _need(self.picker.chosen(), "drug")
        values = dict(dose=self.dose.text(), dose_unit=self.dose_unit.currentText().strip(),
                      route=self.route.currentData(), frequency=self.frequency.currentText(),
                      quantity=self.quantity.text(), refills=self.refills.value())
        return lambda: medications.prescribe(self.session, patient_id=self.patient_id, rxnorm=concept.code,
                                             confirm=confirm, **values)

    def clear_form(self):
        self.picker.clear()

    def table_actions(self):
        self.print_button = QPushButton("Print prescription…")
        self.print_button.setToolTip("Print the selected prescription, or save it as a PDF")
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(lambda: self.print_prescription())
        self.table.selectionModel().currentRowChanged.connect(
            lambda current, _: self.print_button.setEnabled(current.isValid()))
        self.model.modelReset.connect(lambda: self.print_button.setEnabled(False))
        return [self.print_button]

    def print_prescription(self):
        """Open the print dialog on the selected prescription (None when nothing is selected)."""
        rx = self.selected()
        if rx is None:
            return None
        return printing.open_dialog(self, self.session, self.patient_id, kind="prescription", ident=rx.id)
