"""The Immunizations tab: vaccines given and not given, and a form to record either.

The vaccine is picked from CVX; lot number, expiry, site, route and dose number are
recorded for a vaccine given, a reason for one not given. A lot that had expired when it
was given is put to the user (ConfirmationRequired) before it is stored. A row recorded
by mistake is marked entered in error with the reason why.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from app import directory, immunizations
from app import formatting as fmt
from app.errors import PermissionDenied, ValidationError
from app.model import Immunization
from app.permissions import Permission
from app.session import Session
from ui.qt.chart_picker import CodePicker
from ui.qt.chart_records import RecordsTab
from ui.qt.chart_retract import RetractBar, focus_chain
from ui.qt.models import Column

GIVEN, NOT_GIVEN = "given", "not-given"


@dataclass(frozen=True)
class ShotRow:
    """One immunization and the name of who gave it (looked up off the UI thread)."""
    shot: Immunization
    performer: str

    @property
    def id(self) -> str:
        return self.shot.id


def status_text(shot: Immunization) -> str:
    """"Given", or "Not given: patient refused" (the reason recorded with it)."""
    if shot.status == "not-done":
        reason = (shot.note or "").removeprefix("not given:").strip()
        return f"Not given: {reason}" if reason else "Not given"
    return "Given" if shot.status == "completed" else fmt.code_words(shot.status)


def load_rows(session: Session, patient_id: str) -> list[ShotRow]:
    """The patient's immunizations, newest first, with performers' names where the role may see them."""
    shots = immunizations.for_patient(session, patient_id)
    names: dict[str, str] = {}
    if session.can(Permission.SCHEDULE_READ):
        try:
            names = {p.id: fmt.person_name(p.name) for p in directory.practitioners(session)}
        except PermissionDenied:
            names = {}
    return [ShotRow(s, names.get(s.performer_id or "", fmt.MISSING)) for s in shots]


def _qdate(d: QDate) -> date:
    return date(d.year(), d.month(), d.day())


def _date_edit() -> QDateEdit:
    edit = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
    edit.setDate(QDate.currentDate())
    return edit


class ImmunizationsTab(RecordsTab):
    record_type = Immunization.RESOURCE_TYPE
    form_title = "Record a vaccine"

    def __init__(self, session, patient_id, events, parent=None):
        super().__init__(session, patient_id, events, parent)
        self.retract_bar = RetractBar(self.table, lambda record_id, reason: immunizations.retract(
            self.session, record_id, reason=reason), what="immunization")
        self.retract_bar.retracted.connect(lambda _: self.events.changed.emit(self.record_type))
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        layout = self.layout()
        layout.removeWidget(self.table)
        column.addWidget(self.table, 1)
        column.addWidget(self.retract_bar)
        layout.insertWidget(0, left, 3)
        focus_chain(self.table, self.picker.box, self.picker.results, self.outcome, self.when, self.lot,
                    self.has_expiry, self.expiry, self.site, self.route, self.dose, self.reason, self.note,
                    self.save_button, self.retract_bar.reason, self.retract_bar.button)

    def columns(self):
        return [Column("Vaccine", lambda r: fmt.coding_text(r.shot.vaccine, with_code=False)),
                Column("Date", lambda r: fmt.date_text(r.shot.occurrence), sort_key=lambda r: r.shot.occurrence),
                Column("Lot", lambda r: fmt.text(r.shot.lot_number)),
                Column("Site", lambda r: fmt.code_words(r.shot.site)),
                Column("Route", lambda r: fmt.code_words(immunizations.ROUTES.get(r.shot.route or ""))),
                Column("Dose", lambda r: str(r.shot.dose_number) if r.shot.dose_number else fmt.MISSING,
                       sort_key=lambda r: r.shot.dose_number or 0, align_right=True),
                Column("Given by", lambda r: r.performer),
                Column("Status", lambda r: status_text(r.shot), flagged=True)]

    def abnormal(self, row):
        return row.shot.status == "not-done"

    def build_form(self, form):
        self.picker = CodePicker("cvx", "Vaccine (CVX): name or code")
        self.outcome = QComboBox()
        self.outcome.addItem("Given", GIVEN)
        self.outcome.addItem("Not given", NOT_GIVEN)
        self.outcome.setAccessibleName("Given or not given")
        self.when = _date_edit()
        self.when.setMaximumDate(QDate.currentDate())
        self.lot = QLineEdit()
        self.lot.setAccessibleName("Lot number")
        self.lot.setMaxLength(30)
        self.has_expiry = QCheckBox("E&xpiry")
        self.has_expiry.setToolTip("Tick when the lot's expiry date is known")
        self.expiry = _date_edit()
        self.expiry.setEnabled(False)
        self.expiry.setAccessibleName("Expiry date of the lot")
        self.has_expiry.toggled.connect(self.expiry.setEnabled)
        self.site = QComboBox()
        self.site.addItem("Not recorded", None)
        for site in immunizations.SITES:
            self.site.addItem(fmt.code_words(site), site)
        self.route = QComboBox()
        self.route.addItem("Not recorded", None)
        for code, words in immunizations.ROUTES.items():
            self.route.addItem(fmt.code_words(words), code)
        self.dose = QSpinBox(minimum=0, maximum=10, specialValueText="Not recorded")
        self.dose.setAccessibleName("Dose number in the series")
        self.reason = QComboBox()
        for reason in immunizations.NOT_DONE_REASONS:
            self.reason.addItem(fmt.code_words(reason), reason)
        self.reason.setAccessibleName("Reason not given")
        self.note = QLineEdit()
        self.note.setAccessibleName("Note")
        form.addRow("&Vaccine", self.picker)
        form.addRow("&Outcome", self.outcome)
        form.addRow("&Date", self.when)
        form.addRow("&Lot number", self.lot)
        form.addRow(self.has_expiry, self.expiry)  # the box is the label: ticked when expiry is known
        form.addRow("&Site", self.site)
        form.addRow("&Route", self.route)
        form.addRow("Dose &number", self.dose)
        form.addRow("Reason not &given", self.reason)
        form.addRow("No&te", self.note)
        self.save_button.setText("Rec&ord")
        self.outcome.currentIndexChanged.connect(lambda _: self._outcome_changed())
        self._outcome_changed()

    def _outcome_changed(self) -> None:
        given = self.outcome.currentData() == GIVEN
        for widget in (self.lot, self.has_expiry, self.site, self.route, self.dose):
            widget.setEnabled(given)
        self.expiry.setEnabled(given and self.has_expiry.isChecked())
        self.reason.setEnabled(not given)

    def load(self):
        return load_rows(self.session, self.patient_id)

    def work(self, confirm):
        concept = self.picker.chosen()
        if concept is None:
            raise ValidationError({"vaccine": "choose one from the list"})
        when, note = _qdate(self.when.date()), self.note.text().strip() or None
        session, patient_id = self.session, self.patient_id
        if self.outcome.currentData() == NOT_GIVEN:
            reason = self.reason.currentData()
            return lambda: immunizations.record_not_done(session, patient_id=patient_id, cvx=concept.code,
                                                         reason=reason, occurrence=when, note=note)
        values = dict(lot_number=self.lot.text().strip() or None,
                      expiration_date=_qdate(self.expiry.date()) if self.has_expiry.isChecked() else None,
                      site=self.site.currentData(), route=self.route.currentData(),
                      dose_number=self.dose.value() or None, note=note)
        return lambda: immunizations.record(session, patient_id=patient_id, cvx=concept.code,
                                            occurrence=when, confirm=confirm, **values)

    def clear_form(self):
        self.picker.clear()
        self.lot.clear()
        self.note.clear()
        self.has_expiry.setChecked(False)
        self.dose.setValue(0)
