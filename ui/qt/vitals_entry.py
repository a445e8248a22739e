"""Entering a set of vital signs: one field per vital with its unit, checked before saving.

Every value is checked by ``app.observations.build`` before any is stored, so a typo in
one field stores nothing. Values outside the physiological range are put to the user
through :data:`ui.qt.registration.confirm` and stored only when confirmed.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QPushButton, QVBoxLayout, QWidget)

from app import observations, terminology
from app.errors import ConfirmationRequired, ValidationError
from app.session import Session
from ui.qt import errors, ops, registration
from ui.qt.style import alert_style

#: The fields of the form: LOINC code, label, the unit as a clinician reads it.
FIELDS = (("8480-6", "Systolic BP", "mmHg"), ("8462-4", "Diastolic BP", "mmHg"),
          ("8867-4", "Heart rate", "beats/min"), ("9279-1", "Respiratory rate", "breaths/min"),
          ("8310-5", "Temperature", "°C"), ("59408-5", "SpO₂", "%"),
          ("29463-7", "Weight", "kg"), ("8302-2", "Height", "cm"), ("39156-5", "BMI", "kg/m²"))
_WEIGHT, _HEIGHT, _BMI = "29463-7", "8302-2", "39156-5"


def bmi(weight_kg: str, height_cm: str) -> str | None:
    """BMI to one decimal from weight and height as typed, or None when either is not a number."""
    try:
        kg, cm = Decimal(weight_kg.strip()), Decimal(height_cm.strip())
    except (InvalidOperation, ValueError):
        return None
    if not kg.is_finite() or not cm.is_finite() or kg <= 0 or cm <= 0:
        return None
    return str((kg / (cm / 100) ** 2).quantize(Decimal("0.1")))


def _check_all(patient_id: str, values: dict[str, str], when, confirm: bool) -> None:
    """Check every value; one ValidationError/ConfirmationRequired naming all the fields."""
    problems, warnings = {}, {}
    for code, value in values.items():
        try:
            observations.build(patient_id=patient_id, code=code, value=value, effective=when,
                               confirm=confirm)
        except ValidationError as exc:
            problems.update(exc.problems)
        except ConfirmationRequired as exc:
            warnings.update(exc.warnings)
    if problems:
        raise ValidationError(problems)
    if warnings:
        raise ConfirmationRequired(warnings)


def record_set(session: Session, patient_id: str, values: dict[str, str], *, confirm: bool,
               encounter_id: str | None = None) -> int:
    """Check then store a set of vitals taken now; returns how many were stored."""
    if not values:
        raise ValidationError({"vital signs": "enter at least one value"})
    when = session.clock()
    _check_all(patient_id, values, when, confirm)
    for code, value in values.items():
        observations.record_vital(session, patient_id=patient_id, code=code, value=value,
                                  effective=when, encounter_id=encounter_id, confirm=True)
    return len(values)


class VitalsEntry(QGroupBox):
    """The entry form; emits ``saved(count)`` after the values were stored."""
    saved = Signal(int)

    def __init__(self, session: Session, patient_id: str, parent: QWidget | None = None):
        super().__init__("Record vital signs", parent)
        self.session, self.patient_id = session, patient_id
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for code, label, unit in FIELDS:
            edit = QLineEdit()
            edit.setAccessibleName(label)
            edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("0") * 10)
            test = terminology.loinc_test(code)
            if test and test.ref_low is not None and test.ref_high is not None:
                edit.setToolTip(f"Usual range {test.ref_low}–{test.ref_high} {unit}")
            row = QHBoxLayout()
            row.addWidget(edit)
            row.addWidget(QLabel(unit))
            row.addStretch(1)
            form.addRow(label, row)
            self.fields[code] = edit
        self.fields[_WEIGHT].textChanged.connect(self._fill_bmi)
        self.fields[_HEIGHT].textChanged.connect(self._fill_bmi)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.save_button = QPushButton("&Save vital signs")
        self.save_button.clicked.connect(lambda: self.save())
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.save_button)

    def _fill_bmi(self) -> None:
        value = bmi(self.fields[_WEIGHT].text(), self.fields[_HEIGHT].text())
        if value is not None:
            self.fields[_BMI].setText(value)

    def values(self) -> dict[str, str]:
        return {code: e.text().strip() for code, e in self.fields.items() if e.text().strip()}

    def save(self, *, confirm: bool = False) -> None:
        values = self.values()
        self.save_button.setEnabled(False)
        ops.run(self, lambda: record_set(self.session, self.patient_id, values, confirm=confirm),
                on_success=self._saved, on_failure=lambda exc: self._failed(exc, values))

    def _saved(self, count: int) -> None:
        self.save_button.setEnabled(True)
        for edit in self.fields.values():
            edit.clear()
        self.message.setStyleSheet("")
        self.message.setText(f"{count} value{'s' if count != 1 else ''} saved.")
        self.saved.emit(count)

    def _failed(self, exc: Exception, values: dict[str, str]) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ConfirmationRequired):
            text = "\n".join(f"{field}: {why}" for field, why in exc.warnings.items())
            if registration.confirm(self, "Check the vital signs", f"{text}\n\nSave anyway?"):
                self.save(confirm=True)
            else:
                self._say("Not saved: correct the value or confirm it.")
        elif isinstance(exc, ValidationError):
            self._say("Not saved. " + " ".join(errors.sentence(f"{f}: {w}") for f, w in exc.problems.items()))
        else:
            errors.show_error(self, exc)

    def _say(self, text: str) -> None:
        self.message.setStyleSheet(alert_style())
        self.message.setText(text)
