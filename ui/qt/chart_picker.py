"""A terminology picker: type a few letters or a code, choose from the best matches.

Searches ``app.terminology.search`` off the UI thread as the user types (debounced);
``chosen()`` is the picked :class:`app.terminology.Concept` or None.
"""
from __future__ import annotations

import threading

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app import terminology
from app.terminology import Concept
from ui.qt import ops

DEBOUNCE_MS = 150
LIMIT = 15
_ROLE = Qt.ItemDataRole.UserRole


_warming: list[threading.Thread] = []


def warm_in_background() -> None:
    """Build the terminology indexes (once per process) on a thread of their own, so the first
    search does not hold up the store's background thread for that long."""
    if not _warming:
        thread = threading.Thread(target=terminology.warm_up, name="terminology-warm-up", daemon=True)
        _warming.append(thread)
        thread.start()


class CodePicker(QWidget):
    """``system`` is icd10cm, rxnorm, cvx or loinc. Emits ``picked(concept)``."""
    picked = Signal(object)

    def __init__(self, system: str, hint: str, parent: QWidget | None = None):
        super().__init__(parent)
        warm_in_background()
        self.system = system
        self._serial = 0
        self.box = QLineEdit(placeholderText=hint, clearButtonEnabled=True)
        self.box.setAccessibleName(hint)
        self.results = QListWidget()
        self.results.setMaximumHeight(self.fontMetrics().height() * 7)
        self.results.currentItemChanged.connect(self._current)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        self.box.textEdited.connect(lambda _: self._timer.start())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addWidget(self.results)

    def search_now(self) -> None:
        self._timer.stop()
        self._serial += 1
        serial, text = self._serial, self.box.text()
        ops.run(self, lambda: terminology.search(self.system, text, LIMIT),
                on_success=lambda found: self._show(serial, found))

    def _show(self, serial: int, found: list[Concept]) -> None:
        if serial != self._serial:
            return
        self.results.clear()
        for concept in found:
            item = QListWidgetItem(f"{concept.display}  ({concept.code})")
            item.setData(_ROLE, concept)
            self.results.addItem(item)
        if found:
            self.results.setCurrentRow(0)

    def _current(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.picked.emit(item.data(_ROLE))

    def choices(self) -> list[Concept]:
        return [self.results.item(i).data(_ROLE) for i in range(self.results.count())]

    def choose(self, code: str) -> bool:
        """Pick the result with ``code``; False when it is not among the results."""
        for i in range(self.results.count()):
            if self.results.item(i).data(_ROLE).code == code:
                self.results.setCurrentRow(i)
                return True
        return False

    def chosen(self) -> Concept | None:
        item = self.results.currentItem()
        return item.data(_ROLE) if item is not None else None

    def clear(self) -> None:
        self.box.clear()
        self.results.clear()
