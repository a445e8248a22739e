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
                 what: str = "entry", prompt: str = "Entered in error?",
                 button_text: str = "Mark entered in &error", hint: str | None = None,
                 allowed: Callable[[str], bool] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.table, self._retract, self._allowed = table, retract, allowed
        self.reason = QLineEdit(placeholderText=hint or f"Why this {what} was a mistake")
        self.reason.setAccessibleName(f"{prompt} Reason")
        self.button = QPushButton(button_text)
        if allowed is None:
            self.button.setToolTip(f"The {what} is kept, marked entered in error, and hidden from the chart")
        self.button.clicked.connect(self.retract_selected)
        self.reason.textChanged.connect(lambda _: self._enable())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(prompt))
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
        record_id = self.selected_id()
        self.button.setEnabled(bool(record_id and self.reason.text().strip()
                                    and (self._allowed is None or self._allowed(record_id))))

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


def focus_chain(*widgets: QWidget) -> None:
    """Tab moves through ``widgets`` in this order (the order a clinician fills the form in)."""
    for first, second in zip(widgets, widgets[1:]):
        QWidget.setTabOrder(first, second)
