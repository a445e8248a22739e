"""The sync panel, opened from the status-bar indicator: what sync is doing now and why the
last round failed, Sync now and Cancel, the last rounds, and the conflicts waiting for a
person (both versions side by side; keep mine, take theirs, or choose per field)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QSplitter,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app import formatting as fmt
from app import sync_settings
from app.sync_settings import Round
from ui.qt import ops
from ui.qt import sync_text as say
from ui.qt.admin_conflicts import ConflictsView

COLUMNS = ["When", "By", "Result", "Sent", "Received", "Merged", "Conflicts", "Problem"]


def round_cells(r: Round) -> list[str]:
    """One row of the rounds table, as a person reads it."""
    result = "Finished" if r.ok else ("Cancelled" if say.failure_kind(r.failed) == "cancelled" else "Failed")
    problem = say.failure_short(r.failed) if r.failed else (
        fmt.count_text(r.problems, "record") + " refused" if r.problems else "")
    return [fmt.datetime_text(r.at), r.username, result, str(r.pushed), str(r.pulled), str(r.merged),
            str(r.conflicts), problem]


class SyncPanel(QDialog):
    def __init__(self, control, parent: QWidget | None = None):
        super().__init__(parent)
        self.control = control
        self.setWindowTitle("Sync — Outpost EHR")
        self.setModal(False)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.headline.font()
        font.setBold(True)
        self.headline.setFont(font)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sync_button = QPushButton("Sync &now")
        self.cancel_button = QPushButton("&Cancel sync")
        self.sync_button.clicked.connect(control.sync_now)
        self.cancel_button.clicked.connect(control.cancel)
        self.rounds = QTableWidget(0, len(COLUMNS))
        self.rounds.setHorizontalHeaderLabels(COLUMNS)
        self.rounds.verticalHeader().setVisible(False)
        self.rounds.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.rounds.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.rounds.horizontalHeader().setStretchLastSection(True)
        self.no_rounds = QLabel("No sync round has run on this computer yet.")
        self.conflicts = ConflictsView(control.session)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        top = QWidget()
        upper = QVBoxLayout(top)
        upper.setContentsMargins(0, 0, 0, 0)
        upper.addWidget(QLabel("<b>Last rounds</b>"))
        upper.addWidget(self.no_rounds)
        upper.addWidget(self.rounds, 1)
        bottom = QWidget()
        lower = QVBoxLayout(bottom)
        lower.setContentsMargins(0, 0, 0, 0)
        lower.addWidget(QLabel("<b>Conflicts waiting for a decision</b>"))
        lower.addWidget(self.conflicts, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(1, 2)
        line = self.fontMetrics().height()
        split.setSizes([line * 9, line * 20])
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.reason)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        layout.addWidget(close)
        em = self.fontMetrics().horizontalAdvance("M")
        self.resize(em * 75, self.fontMetrics().height() * 38)
        self._last_state = None
        control.changed.connect(self._show_status)
        self._show_status()
        self.reload()

    def reload(self) -> None:
        """Read the last rounds and the open conflicts again."""
        ops.run(self, lambda: sync_settings.recent_rounds(self.control.session), on_success=self._show_rounds)
        self.conflicts.reload()

    def _show_status(self) -> None:
        c = self.control
        s = c.status
        self.headline.setText(c.text())
        if c.configured is False:
            self.reason.setText(say.status_tooltip(s, configured=False))
        elif s is not None and s.last_outcome == "failure":
            self.reason.setText(say.failure_sentence(s.last_error))
        else:
            self.reason.setText("")
        self.reason.setVisible(bool(self.reason.text()))
        state = getattr(s, "state", None)
        self.sync_button.setEnabled(c.runner is not None and state != "running")
        self.cancel_button.setEnabled(state == "running")
        if self._last_state == "running" and state != "running":
            self.reload()  # a round just ended: its row, and any new conflicts
        self._last_state = state

    def _show_rounds(self, rounds: list[Round]) -> None:
        self.rounds.setRowCount(len(rounds))
        for row, r in enumerate(rounds):
            for col, text in enumerate(round_cells(r)):
                item = QTableWidgetItem(text)
                if col == len(COLUMNS) - 1 and r.failed:
                    item.setToolTip(say.failure_sentence(r.failed))
                self.rounds.setItem(row, col, item)
        self.rounds.resizeColumnsToContents()
        self.rounds.setVisible(bool(rounds))
        self.no_rounds.setVisible(not rounds)
