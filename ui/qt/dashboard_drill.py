"""From a quality measure to its patients: name, MRN, birth date and the last value the
measure judges; double-click or Enter opens that patient's chart.

The list comes first (one query); the last values are read in the background for the
rows on screen only, a few patients at a time, and for more as the user scrolls: a long
list shows at once, and the chart is read (and audited) only for the patients looked at.
"""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QLabel, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

from app import formatting as fmt
from app.dashboard import Measure
from app.model import Patient
from app.session import Session
from ui.qt import dashboard_data as data
from ui.qt import errors, ops
from ui.qt.models import ID_ROLE, Column, RowsModel, sorted_proxy

#: Patients whose last values one background step reads.
CHUNK = 20
PENDING = "…"


class MeasurePatients(QDialog):
    """A non-modal list of the patients behind ``measure``; emits ``open_patient(id)``."""
    open_patient = Signal(str)

    def __init__(self, session: Session, measure: Measure, as_of: date, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.measure, self.as_of = session, measure, as_of
        self.values: dict[str, str] = {}
        self.loaded = False  # the list and the last values of the rows on screen are in
        self.total = 0
        self._reading = False  # one background read of last values at a time
        self._listed = False  # the rows answer the current request
        self._asked = 0  # which request the shown rows answer (a newer one wins)
        self.setWindowTitle(f"Patients — {measure.title}")
        self.which = QComboBox()
        self.which.addItem("Counted in the measure", True)
        self.which.addItem("The rest of the eligible patients", False)
        self.which.currentIndexChanged.connect(self.reload)
        self.status = QLabel()
        self.model = RowsModel([
            Column("Name", lambda p: fmt.person_name(p.name, family_first=True)),
            Column("MRN", lambda p: fmt.text(p.mrn)),
            Column("Birth date", lambda p: fmt.date_text(p.birth_date), sort_key=lambda p: p.birth_date),
            Column("Last value", lambda p: self.values.get(p.id, PENDING)),
        ], row_id=lambda p: p.id)
        self.proxy = sorted_proxy(self.model, self)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # by family name
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(self._open_index)  # double-click or Enter
        self.table.verticalScrollBar().valueChanged.connect(lambda _: self._fill())
        self.proxy.layoutChanged.connect(lambda *_: self._fill())  # sorted: other rows on screen
        self.open_button = QPushButton("&Open chart")
        self.open_button.clicked.connect(lambda: self._open_index(self.table.currentIndex()))
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        top = QHBoxLayout()
        top.addWidget(QLabel("&Show:", buddy=self.which))
        top.addWidget(self.which)
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.open_button)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        em = self.fontMetrics().horizontalAdvance("M")
        self.resize(em * 60, self.fontMetrics().height() * 28)
        self.reload()

    def numerator(self) -> bool:
        return bool(self.which.currentData())

    def patient_ids(self) -> list[str]:
        """The listed patients in the order shown."""
        return [self.proxy.index(r, 0).data(ID_ROLE) for r in range(self.proxy.rowCount())]

    def reload(self) -> None:
        self._asked += 1
        asked, numerator, m = self._asked, self.numerator(), self.measure.key
        self.loaded = self._listed = False
        self.status.setText("Finding the patients…")
        ops.run(self, lambda: data.drill(self.session, m, as_of=self.as_of, numerator=numerator),
                on_success=lambda people: self._show(asked, people))

    def _show(self, asked: int, people: list[Patient]) -> None:
        if asked != self._asked:
            return
        self.values, self._reading, self.total, self._listed = {}, False, len(people), True
        self.model.set_rows(people)
        self.table.resizeColumnsToContents()
        self.open_button.setEnabled(bool(people))
        if people:
            self.table.selectRow(0)
        self._fill(asked)

    def on_screen(self) -> list[str]:
        """Ids of the rows the user can see (the first screenful before the list is shown)."""
        rows = self.proxy.rowCount()
        first = self.table.rowAt(0)
        if first < 0:
            return self.patient_ids()[:CHUNK]
        last = self.table.rowAt(self.table.viewport().height() - 1)
        last = rows - 1 if last < 0 else last
        return [self.proxy.index(r, 0).data(ID_ROLE) for r in range(first, last + 1)]

    def _fill(self, asked: int | None = None) -> None:
        """Read the last values of the rows on screen that have none yet, a few at a time
        (one background step each), so scrolling a long list fills it in as it goes."""
        asked = self._asked if asked is None else asked
        if asked != self._asked or self._reading or not self._listed:
            return
        missing = [pid for pid in self.on_screen() if pid not in self.values][:CHUNK]
        more = " (the first by MRN)" if self.total >= data.DRILL_LIMIT else ""
        if not missing:
            self.loaded = True
            self.status.setText(fmt.count_text(self.total, "patient") + more + ".")
            return
        self.loaded, self._reading = False, True
        self.status.setText(f"{fmt.count_text(self.total, 'patient')}{more}; reading their last values…")
        m = self.measure.key
        ops.run(self, lambda: data.last_values(self.session, m, missing, self.as_of),
                on_success=lambda found: self._filled(asked, found),
                on_failure=lambda exc: self._not_filled(asked, exc))

    def _filled(self, asked: int, found: dict[str, str]) -> None:
        if asked != self._asked:
            return  # an answer for the list shown before (_show reset the flag)
        self._reading = False
        self.values.update(found)
        column = len(self.model.columns) - 1  # the last values
        self.model.dataChanged.emit(self.model.index(0, column), self.model.index(self.model.rowCount() - 1, column))
        self._fill(asked)

    def _not_filled(self, asked: int, exc: Exception) -> None:
        if asked == self._asked:
            self._reading = False
            self.status.setText(f"{fmt.count_text(self.total, 'patient')}; the last values could not be read.")
        errors.show_error(self, exc)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fill()  # a taller window shows more rows

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_patient.emit(index.siblingAtColumn(0).data(ID_ROLE))
