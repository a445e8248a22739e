"""Registering a patient and editing demographics: one dialog, problems shown per field.

The dialog builds a :class:`app.model.Patient` from its fields and hands it to
``app.patients.register`` (or ``update``) off the UI thread. A ValidationError puts
each problem under the field it names; a possible duplicate (ConfirmationRequired)
is put to the user through :data:`confirm` before the patient is created.
"""
from __future__ import annotations

import copy
from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFormLayout,
                               QLabel, QLineEdit, QMessageBox, QVBoxLayout, QWidget)

from app import patients
from app.errors import ConfirmationRequired, ValidationError
from app.model import ContactPoint, HumanName, Patient
from app.session import Session
from ui.qt import errors, ops
from ui.qt.style import alert_style

#: The sexes offered, as the service spells them and as the form shows them.
SEX_CHOICES = (("female", "Female"), ("male", "Male"), ("other", "Other"), ("unknown", "Unknown"))


def _ask(parent: QWidget | None, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


#: How a yes/no question reaches the user; tests replace it.
confirm = _ask


class PatientDialog(QDialog):
    """Register a new patient (``patient=None``) or edit one; emits ``saved(patient)``."""
    saved = Signal(object)

    #: The service's field names (ValidationError keys) -> the widget the problem belongs to.
    FIELDS = ("given name", "family name", "birth date", "sex", "phone", "email", "MRN")

    def __init__(self, session: Session, patient: Patient | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.original = patient
        self.result_patient: Patient | None = None
        self.setWindowTitle("Edit demographics" if patient else "Register a patient")
        self._build()
        if patient is not None:
            self._fill(patient)

    # -- layout -------------------------------------------------------------
    def _build(self) -> None:
        self.given = QLineEdit()
        self.family = QLineEdit()
        self.birth = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.birth.setDate(QDate(1980, 1, 1))
        self.birth.setMinimumDate(QDate(1800, 1, 1))
        self.sex = QComboBox()
        for value, label in SEX_CHOICES:
            self.sex.addItem(label, value)
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.mrn = QLineEdit()
        self.mrn.setToolTip("Leave empty to assign the clinic's next MRN")
        widgets = {"given name": self.given, "family name": self.family, "birth date": self.birth,
                   "sex": self.sex, "phone": self.phone, "email": self.email, "MRN": self.mrn}
        labels = {"given name": "&Given name", "family name": "&Family name",
                  "birth date": "&Birth date", "sex": "&Sex", "phone": "&Phone", "email": "&E-mail",
                  "MRN": "&MRN (empty: assign next)"}
        self.problems: dict[str, QLabel] = {}
        form = QFormLayout()
        for name in self.FIELDS:
            form.addRow(labels[name], widgets[name])
            problem = QLabel()
            problem.setStyleSheet(alert_style())
            problem.setWordWrap(True)
            problem.hide()
            problem.setAccessibleName(f"Problem with {name}")
            form.addRow("", problem)
            self.problems[name] = problem
        self.general = QLabel()
        self.general.setStyleSheet(alert_style())
        self.general.setWordWrap(True)
        self.general.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general)
        layout.addWidget(self.buttons)

    def _fill(self, p: Patient) -> None:
        self.given.setText(" ".join(p.name.given))
        self.family.setText(p.name.family)
        self.birth.setDate(QDate(p.birth_date.year, p.birth_date.month, p.birth_date.day))
        index = self.sex.findData(p.sex)
        self.sex.setCurrentIndex(max(index, 0))
        self.phone.setText(p.phone or "")
        self.email.setText(next((t.value for t in p.telecom if t.system == "email"), ""))
        self.mrn.setText(p.mrn)

    # -- saving -------------------------------------------------------------
    def patient(self) -> Patient:
        """The patient the form describes (a copy of the edited one, or a new one)."""
        d = self.birth.date()
        born = date(d.year(), d.month(), d.day())
        given = [g for g in self.given.text().split() if g]
        telecom = [ContactPoint(system, value.strip()) for system, value in
                   (("phone", self.phone.text()), ("email", self.email.text())) if value.strip()]
        if self.original is None:
            return Patient(mrn=self.mrn.text().strip(), name=HumanName(self.family.text().strip(), given),
                           birth_date=born, sex=self.sex.currentData(), telecom=telecom)
        p = copy.deepcopy(self.original)
        p.name = HumanName(self.family.text().strip(), given, prefix=p.name.prefix,
                           suffix=p.name.suffix, use=p.name.use)
        p.birth_date, p.sex, p.mrn = born, self.sex.currentData(), self.mrn.text().strip()
        p.telecom = [t for t in p.telecom if t.system not in ("phone", "email")] + telecom
        return p

    def save(self, *, confirm_duplicate: bool = False) -> None:
        """Validate and store off the UI thread; problems appear under their fields."""
        self._clear_problems()
        patient = self.patient()
        self.buttons.setEnabled(False)
        if self.original is None:
            work = lambda: patients.register(self.session, patient, confirm_duplicate=confirm_duplicate)  # noqa: E731
        else:
            work = lambda: patients.update(self.session, patient)  # noqa: E731
        ops.run(self, work, on_success=self._saved, on_failure=self._failed, label="Saving the patient…")

    def _saved(self, patient: Patient) -> None:
        self.buttons.setEnabled(True)
        self.result_patient = patient
        self.saved.emit(patient)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, ValidationError):
            self._show_problems(exc.problems)
        elif isinstance(exc, ConfirmationRequired):
            why = "\n".join(f"{why}." for why in exc.warnings.values())
            if confirm(self, "Possible duplicate patient",
                       f"{errors.sentence(why)}\n\nRegister a new patient anyway?"):
                self.save(confirm_duplicate=True)
            else:
                self.general.setText("Not registered: check whether this patient is already registered.")
                self.general.show()
        else:
            errors.show_error(self, exc)

    def _show_problems(self, problems: dict[str, str]) -> None:
        for field, why in problems.items():
            label = self.problems.get(field)
            if label is None:  # a problem with no field of its own (date of death, ...)
                self.general.setText(errors.sentence(f"{field}: {why}"))
                self.general.show()
            else:
                label.setText(errors.sentence(why))
                label.show()

    def _clear_problems(self) -> None:
        for label in self.problems.values():
            label.clear()
            label.hide()
        self.general.hide()

    def shown_problems(self) -> dict[str, str]:
        """The problems on screen, by field (what the user reads)."""
        return {f: l.text() for f, l in self.problems.items() if not l.isHidden()}
