"""Sync conflicts a person resolves: both versions (and the last common one) side by side,
field by field; keep mine, take theirs, or choose per field. The next sync round carries
the decision out (:mod:`app.sync_conflicts`)."""
from __future__ import annotations

import json

from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QListWidget, QListWidgetItem,
                               QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)
from PySide6.QtCore import Qt

from app import formatting as fmt
from app import sync_conflicts
from app.session import Session
from app.sync_conflicts import MINE, THEIRS, SyncConflict
from ui.qt import ops

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def value_text(value) -> str:
    """A FHIR element as a person reads it: plain text for text; a list one item a line; an
    object as "key: value" pairs ("system: phone, value: 555-0100")."""
    try:
        return _readable(value)
    except Exception:  # noqa: BLE001 - a formatter must not take the screen down
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _readable(value, depth: int = 0) -> str:
    if value is None or value == [] or value == {}:
        return fmt.MISSING
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return ("\n" if depth == 0 else "; ").join(_readable(v, depth + 1) for v in value)
    if isinstance(value, dict) and depth < 3:
        return ", ".join(f"{k}: {_readable(v, depth + 1)}" for k, v in sorted(value.items()))
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _headers(source: str) -> list[str]:
    """Column titles; "theirs" came from the server, or from a sync package of another workstation."""
    theirs = "Theirs (sync package)" if source == "package" else "Theirs (server)"
    return ["Field", "Last common", "Mine (this workstation)", theirs, "Keep"]


class ConflictsView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.conflicts: list[SyncConflict] = []
        self.listing = QListWidget()
        self.listing.currentItemChanged.connect(lambda *_: self._show_conflict())
        self.fields = QTableWidget(0, 5)
        self.fields.setHorizontalHeaderLabels(_headers("server"))
        header = self.fields.horizontalHeader()
        header.setStretchLastSection(False)
        for col, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch,
                                    QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.Stretch,
                                    QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(col, mode)
        self.fields.verticalHeader().setVisible(False)
        self.fields.setWordWrap(True)
        self.fields.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.mine_button = QPushButton("Keep &mine")
        self.theirs_button = QPushButton("Take &theirs")
        self.fields_button = QPushButton("Apply the &choices per field")
        self.mine_button.clicked.connect(lambda: self.resolve(MINE))
        self.theirs_button.clicked.connect(lambda: self.resolve(THEIRS))
        self.fields_button.clicked.connect(lambda: self.resolve("fields"))
        self.empty = QLabel("No conflicts wait for a decision.")
        buttons = QHBoxLayout()
        for b in (self.mine_button, self.theirs_button, self.fields_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        right = QWidget()
        side = QVBoxLayout(right)
        side.addWidget(self.fields, 1)
        side.addLayout(buttons)
        split = QSplitter()
        split.addWidget(self.listing)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        split.setSizes([self.fontMetrics().horizontalAdvance("M") * 14, self.fontMetrics().horizontalAdvance("M") * 50])
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(split, 1)
        self.reload()

    def reload(self) -> None:
        ops.run(self, lambda: sync_conflicts.open_conflicts(self.session), on_success=self._show)

    def _show(self, conflicts: list[SyncConflict]) -> None:
        self.conflicts = conflicts
        self.listing.clear()
        for c in conflicts:
            item = QListWidgetItem(f"{fmt.code_words(c.record_type)}: {', '.join(f.field for f in c.fields)}")
            item.setData(ID_ROLE, c.id)
            self.listing.addItem(item)
        self.empty.setVisible(not conflicts)
        if conflicts:
            self.listing.setCurrentRow(0)
        self._show_conflict()

    def selected(self) -> SyncConflict | None:
        item = self.listing.currentItem()
        return next((c for c in self.conflicts if item and c.id == item.data(ID_ROLE)), None)

    def _show_conflict(self) -> None:
        c = self.selected()
        rows = c.fields if c else []
        self.fields.setHorizontalHeaderLabels(_headers(c.source if c else "server"))
        self.fields.setRowCount(len(rows))
        for r, f in enumerate(rows):
            for col, text in enumerate((f.field, value_text(f.base), value_text(f.mine), value_text(f.theirs))):
                self.fields.setItem(r, col, QTableWidgetItem(text))
            keep = QComboBox()
            keep.addItem("Mine", MINE)
            keep.addItem("Theirs", THEIRS)
            self.fields.setCellWidget(r, 4, keep)
        self.fields.resizeRowsToContents()
        for b in (self.mine_button, self.theirs_button, self.fields_button):
            b.setEnabled(c is not None)

    def field_choices(self) -> dict[str, str]:
        return {self.fields.item(r, 0).text(): self.fields.cellWidget(r, 4).currentData()
                for r in range(self.fields.rowCount())}

    def resolve(self, choice: str) -> None:
        c = self.selected()
        if c is None:
            return
        chosen = self.field_choices() if choice == "fields" else None
        ops.run(self, lambda: sync_conflicts.resolve(self.session, c.id, choice, fields=chosen),
                on_success=lambda _: self.reload())
