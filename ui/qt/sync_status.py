"""The status-bar sync indicator: online or offline as the last round left it, when that was,
changes waiting to go, and conflicts waiting for a person. It shows what the store knows
(the sync runner writes it); it refreshes on a timer and when asked."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from app import formatting as fmt
from app import sync_status
from app.errors import PermissionDenied
from app.session import Session
from app.sync_status import SyncStatus
from ui.qt import ops
from ui.qt.style import alert_style

REFRESH_MS = 30_000
NOT_YET = "Offline — not yet synced"


def status_text(s: SyncStatus) -> str:
    """"Online — synced 4 Dec 2026 09:12 · 3 changes waiting · 1 conflict waiting"."""
    if s.last_round is None:
        head = NOT_YET
    elif s.last_ok:
        head = f"Online — synced {fmt.datetime_text(s.last_round)}"
    else:
        head = f"Offline — last sync failed {fmt.datetime_text(s.last_round)}"
    parts = [head, f"{fmt.count_text(s.pending, 'change')} waiting"]
    if s.conflicts:
        parts.append(f"{fmt.count_text(s.conflicts, 'conflict')} to resolve")
    return " · ".join(parts)


class SyncIndicator(QLabel):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(NOT_YET, parent)
        self.session = session
        self.status: SyncStatus | None = None
        self.timer = QTimer(self, interval=REFRESH_MS, timeout=self.refresh)
        self.timer.start()
        self.refresh()

    def refresh(self) -> None:
        ops.run(self, lambda: sync_status.status(self.session), on_success=self._show,
                on_failure=self._failed)

    def _show(self, s: SyncStatus) -> None:
        self.status = s
        self.setText(status_text(s))
        self.setStyleSheet(alert_style() if s.conflicts or s.last_ok is False else "")
        self.setToolTip("Changes are kept on this computer and sent at the next sync round.")

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, PermissionDenied):
            self.setText("Sync status not available to your role")
            self.timer.stop()
        else:
            self.setText("Sync status could not be read")
