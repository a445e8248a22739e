"""Noticing that nobody is using the client (for the automatic lock, ONC §170.315(d)(5)).

An application-wide event filter restarts a single-shot timer on every keyboard, mouse,
wheel or touch event in any window of the client; when the timer runs out, ``idle`` is
emitted. Other events (painting, timers, background results arriving) are not activity:
a chart that keeps refreshing on an unattended screen must still lock.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_T = QEvent.Type
ACTIVITY = frozenset({
    _T.KeyPress, _T.KeyRelease, _T.MouseButtonPress, _T.MouseButtonRelease,
    _T.MouseButtonDblClick, _T.MouseMove, _T.Wheel, _T.TouchBegin, _T.TouchUpdate,
    _T.TabletPress, _T.TabletMove, _T.ShortcutOverride,
})


def minutes_to_ms(minutes: float) -> int:
    return max(1, int(round(float(minutes) * 60_000)))


class IdleWatcher(QObject):
    """Emits ``idle`` after ``timeout_ms`` without user input. Paused while the screen is locked."""
    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, int(timeout_ms)))
        self.timer.timeout.connect(self._ran_out)
        self._watching = True
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)  # removed by Qt when this object is destroyed
        self.timer.start()

    @property
    def timeout_ms(self) -> int:
        return self.timer.interval()

    def set_timeout(self, timeout_ms: int) -> None:
        """Change the idle time (the clinic's policy arrived); counts afresh from now."""
        self.timer.setInterval(max(1, int(timeout_ms)))
        if self._watching:
            self.timer.start()

    def pause(self) -> None:
        self._watching = False
        self.timer.stop()

    def resume(self) -> None:
        self._watching = True
        self.timer.start()

    @property
    def watching(self) -> bool:
        return self._watching

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # getattr: Qt may still deliver events while the Python side is being torn down
        if getattr(self, "_watching", False) and event.type() in ACTIVITY:
            self.timer.start()  # restart the countdown
        return False

    def _ran_out(self) -> None:
        if self._watching:
            self.idle.emit()
