"""Marking the selected row of a chart table entered-in-error, with the reason why.

Clinical records are never deleted: the service marks them entered-in-error and keeps
the reason in the audit trail. The bar sits under a table; its button is enabled only
when a row is selected and a reason is typed.
"""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QTableView, QWidget

from ui.qt import errors, ops
from ui.qt.models import ID_ROLE


class RetractBar(QWidget):
    """``retract(record_id, reason)`` runs off the UI thread; emits ``retracted(record)``."""
    retracted = Signal(object)

    def __init__(self, table: QTableView, retract: Callable[[str, str], Any], *,
                 what: str = "entry", parent: QWidget | None = None):
        super().__init__(parent)
        self.table, self._retract = table, retract
        self.reason = QLineEdit(placeholderText=f"Why this {what} was a mistake")
        self.reason.setAccessibleName(f"Reason the {what} was entered in error")
        self.button = QPushButton("Mark entered in &error")
        self.button.setToolTip(f"The {what} is kept, marked entered in error, and hidden from the chart")
        self.button.clicked.connect(self.retract_selected)
        self.reason.textChanged.connect(lambda _: self._enable())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Entered in error?"))
        layout.addWidget(self.reason, 1)
        layout.addWidget(self.button)
        self._watch_selection()
        self._enable()

    def _watch_selection(self) -> None:
        # The selection model is replaced whenever the table's model is; watch the current one.
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.table.model().modelReset.connect(self._enable)

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(ID_ROLE) if rows else None

    def _enable(self) -> None:
        self.button.setEnabled(bool(self.selected_id() and self.reason.text().strip()))

    def retract_selected(self) -> None:
        record_id, reason = self.selected_id(), self.reason.text().strip()
        if not record_id or not reason:
            return
        self.button.setEnabled(False)
        ops.run(self, lambda: self._retract(record_id, reason), on_success=self._done,
                on_failure=self._failed)

    def _done(self, record) -> None:
        self.reason.clear()
        self.retracted.emit(record)

    def _failed(self, exc: Exception) -> None:
        self._enable()
        errors.show_error(self, exc)
