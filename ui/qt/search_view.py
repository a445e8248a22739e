"""Finding a patient: a search box that searches as you type, the results, and the
patients opened this session."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QGroupBox, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QPushButton, QSplitter,
                               QTableView, QVBoxLayout, QWidget)

from app import formatting as fmt
from app import patients
from app.patients import PatientSummary
from app.session import Session
from ui.qt import errors, ops
from ui.qt.models import ID_ROLE, PatientTableModel, sorted_proxy
from ui.qt.registration import PatientDialog
from ui.qt.style import set_quiet

DEBOUNCE_MS = 250
LIMIT = 100
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class ResultsTable(QTableView):
    """The results table; Enter opens the current row (``open_requested``)."""
    open_requested = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class SearchView(QWidget):
    """Emits ``open_patient(patient_id)`` when the user picks a patient."""
    open_patient = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._serial = 0  # only the latest search's results are shown
        self._searched: str | None = None
        self.results_for: str | None = None  # the query whose results are on screen
        self.model = PatientTableModel(self)
        self.proxy = sorted_proxy(self.model, self)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self._build()

    # -- layout -------------------------------------------------------------
    def _build(self) -> None:
        self.search_box = QLineEdit(placeholderText="Name, MRN, birth date or phone",
                                    clearButtonEnabled=True)
        self.search_box.setAccessibleName("Patient search")
        self.search_box.textChanged.connect(lambda _: self._timer.start())
        self.search_box.returnPressed.connect(self._enter_in_box)
        self.search_box.installEventFilter(self)
        self.status = QLabel("Type a name, MRN, birth date or phone number.")
        self.status.setWordWrap(True)
        self.table = ResultsTable()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the service's order until clicked
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._open_index)
        self.table.open_requested.connect(self._open_index)

        self.register_button = QPushButton("&Register patient…")
        self.register_button.clicked.connect(self.register_patient)
        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.register_button)
        found = QWidget()
        left = QVBoxLayout(found)
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(top)
        left.addWidget(self.status)
        left.addWidget(self.table, 1)

        self.recent = QListWidget()
        self.recent.setAccessibleName("Patients opened this session")
        self.recent.itemActivated.connect(self._open_recent)
        self.recent.itemDoubleClicked.connect(self._open_recent)
        self.recent_hint = QLabel("The patients you open appear here until you sign out.")
        self.recent_hint.setWordWrap(True)
        set_quiet(self.recent_hint)
        recent_box = QGroupBox("Opened this session")
        box = QVBoxLayout(recent_box)
        box.addWidget(self.recent_hint)
        box.addWidget(self.recent, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(found)
        splitter.addWidget(recent_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(splitter)

    # -- searching ----------------------------------------------------------
    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def search_now(self) -> None:
        """Search for the box's text at once (the debounce timer calls this too)."""
        self._timer.stop()
        text = self.search_box.text().strip()
        self._serial += 1
        serial, self._searched = self._serial, text
        if not text:
            self.results_for = ""
            self.model.set_rows([])
            self.status.setText("Type a name, MRN, birth date or phone number.")
            return
        self.status.setText("Searching…")
        ops.run(self, lambda: patients.search(self.session, text, limit=LIMIT),
                on_success=lambda rows: self._show(serial, text, rows),
                on_failure=lambda exc: self._failed(serial, exc))

    def _show(self, serial: int, text: str, rows: list[PatientSummary]) -> None:
        if serial != self._serial:
            return  # an older search finished after a newer one started
        self.results_for = text
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        if not rows:
            self.status.setText(f"No patient matches “{text}”.")
        elif len(rows) >= LIMIT:
            self.status.setText(f"Showing the first {LIMIT} patients; type more to narrow the search.")
        else:
            self.status.setText(fmt.count_text(len(rows), "patient") + " found.")
        if rows:
            self.table.selectRow(0)

    def _failed(self, serial: int, exc: Exception) -> None:
        if serial == self._serial:
            self.status.setText("The search did not finish.")
            errors.show_error(self, exc)

    # -- registering --------------------------------------------------------
    def register_patient(self) -> PatientDialog:
        """Open the registration dialog; the new patient's chart opens once saved."""
        dialog = PatientDialog(self.session, parent=self)
        dialog.saved.connect(lambda p: self.open_patient.emit(p.id))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.registration = dialog
        return dialog

    # -- opening ------------------------------------------------------------
    def _enter_in_box(self) -> None:
        if self._timer.isActive() or self.search_box.text().strip() != self._searched:
            self.search_now()
        elif self.proxy.rowCount() == 1:
            self._open_index(self.proxy.index(0, 0))
        elif self.proxy.rowCount():
            self.table.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Down arrow in the search box moves into the results, as in most search fields.
        if (watched is self.search_box and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Down and self.proxy.rowCount()):
            self.table.setFocus()
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)
            return True
        return super().eventFilter(watched, event)

    def _open_index(self, index: QModelIndex) -> None:
        patient_id = self.proxy.data(self.proxy.index(index.row(), 0), ID_ROLE)
        if patient_id:
            self.open_patient.emit(patient_id)

    def _open_recent(self, item: QListWidgetItem) -> None:
        self.open_patient.emit(item.data(ID_ROLE))

    def add_recent(self, patient: PatientSummary) -> None:
        """Put a patient at the top of "Opened this session" (once)."""
        for row in range(self.recent.count()):
            if self.recent.item(row).data(ID_ROLE) == patient.id:
                self.recent.takeItem(row)
                break
        item = QListWidgetItem(f"{fmt.text(patient.name)}\nMRN {fmt.text(patient.mrn)} · "
                               f"born {fmt.date_text(patient.birth_date)}")
        item.setData(ID_ROLE, patient.id)
        self.recent.insertItem(0, item)
        self.recent_hint.hide()

    def recent_ids(self) -> list[str]:
        return [self.recent.item(i).data(ID_ROLE) for i in range(self.recent.count())]
