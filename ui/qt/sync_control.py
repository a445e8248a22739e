"""Sync in the desktop client: the controller the main window owns.

It builds a :class:`sync.runner.SyncRunner` from the clinic's saved sync settings (none
saved: the indicator says "Sync not set up" and nothing runs) and lets it run rounds on
its own thread: one at sign-in, then every interval, sooner after a failure as the
back-off allows, at once on "Sync now" (F5, Ctrl+Shift+Y) and when the network or the
server comes back. The runner's callbacks arrive on its thread; a relay's signals bring
them to the UI thread, where the status-bar indicator shows progress (records and bytes),
the outcome (why a round failed, when the next try is), and the changes and conflicts
waiting. Clicking the indicator opens the sync panel (last rounds and the conflicts).
"""
from __future__ import annotations

import logging
import time
from dataclasses import replace

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QToolButton, QWidget

from app import sync_settings
from app.errors import OutpostError, SyncError
from app.permissions import Permission
from db.secret_store import secret_store
from sync.engine import SyncReport, run_round
from sync.gateway import GatewayOptions, HttpGateway
from sync.runner import Progress, RunnerStatus, StoreStatus, SyncRunner
from ui import wiring
from ui.qt import ops, pyside_fix
from ui.qt import sync_text as say
from ui.qt.style import alert_style
from ui.qt.sync_network import Probe, watch_network

NOT_SET_UP = say.NOT_SET_UP
REFRESH_MS = 30_000  # re-read the counts (changes are made while no round runs)
TICK_MS = 1_000  # count the back-off down
log = logging.getLogger("outpost.ui.sync")


class _Relay(QObject):
    """Lives on the UI thread; the runner's thread emits, the slots run here (queued)."""
    status = Signal(object)
    progress = Signal(object)

    def __init__(self, control: "SyncControl"):
        super().__init__(control)
        self.control = control
        self.status.connect(self._on_status)
        self.progress.connect(self._on_progress)

    @Slot(object)
    def _on_status(self, s: RunnerStatus) -> None:
        self.control._show_runner(s)

    @Slot(object)
    def _on_progress(self, p: Progress) -> None:
        self.control._show_progress(p)


class SyncIndicator(QToolButton):
    """The status-bar button: one line of sync status; click for the sync panel."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAutoRaise(True)
        self.setToolButtonStyle(self.toolButtonStyle().ToolButtonTextOnly)
        self.setText(NOT_SET_UP)
        self.setAccessibleName("Sync status")
        # wide enough for a round's progress, so the status bar does not jump at every step
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("Syncing — receiving · 999 records · 9.9 MB")
                             + 16)


def store_now(session) -> StoreStatus:
    """What the store says about sync, read cheaply (the counts and the newest round only)."""
    c = sync_settings.counts(session)
    rounds = sync_settings.recent_rounds(session, limit=1)
    last = rounds[0] if rounds else None
    error = (last.failed or "sync protocol error: the round failed") if last and not last.ok else None
    return StoreStatus(c.pending, c.conflicts, c.rejected, last.at if last else None,
                       None if last is None else "success" if last.ok else "failure", error)


def _emitter(signal):
    """``signal.emit`` for the runner's thread; quiet once the client has closed the relay."""
    def emit(value) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the relay was deleted with the window: nobody is listening
            pass
    return emit


def _safe_round(session, gateway) -> SyncReport:
    """A round that reports any failure instead of ending the runner's thread."""
    try:
        return run_round(session, gateway)
    except OutpostError as exc:
        return SyncReport(failed=str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug must not stop sync silently
        log.exception("sync round stopped by %s", type(exc).__name__)
        return SyncReport(failed=f"an unexpected problem stopped the round ({type(exc).__name__})")


class SyncControl(QObject):
    """Owns the runner, the sync actions and the indicator. ``changed`` after every update."""
    changed = Signal()

    def __init__(self, parent: QWidget, opened: wiring.Opened, *, interval: float = 300.0,
                 backoff: float = 30.0, backoff_max: float = 900.0, probe_ms: int = 15_000):
        super().__init__(parent)
        self.opened, self.session = opened, opened.session
        self.window = parent
        self.interval, self.backoff, self.backoff_max = interval, backoff, backoff_max
        self.allowed = self.session.can(Permission.SYNC)
        self.secrets = secret_store(opened.store)
        self.runner: SyncRunner | None = None
        self.configured: bool | None = None
        self.server: str | None = None
        self.status: RunnerStatus | None = None
        self.progress: Progress | None = None
        self._next_at: float | None = None
        self._closed = False
        self._told = ""  # the last status-bar message this controller showed
        self.relay = _Relay(self)
        self.indicator = SyncIndicator(parent)
        self.indicator.clicked.connect(self.open_panel)
        self.panel = None
        self._build_actions()
        self.refresh_timer = QTimer(self, interval=REFRESH_MS, timeout=self.refresh)
        self.tick_timer = QTimer(self, interval=TICK_MS, timeout=self._render)
        self.probe = Probe(self, probe_ms)
        self.network = watch_network(self)
        if not self.allowed:
            self.indicator.setText(say.NOT_ALLOWED)
            for a in (self.sync_now_action, self.cancel_action):
                a.setEnabled(False)
            return
        self.refresh_timer.start()
        self.tick_timer.start()
        self.reconfigure()

    def _build_actions(self) -> None:
        self.sync_now_action = QAction("Sync &now", self, triggered=self.sync_now)
        self.sync_now_action.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+Shift+Y")])
        self.sync_now_action.setStatusTip("Send the changes waiting and fetch the server's news now")
        self.cancel_action = QAction("&Cancel sync", self, triggered=self.cancel, enabled=False)
        self.cancel_action.setStatusTip("Stop the running sync; what was confirmed so far is kept")
        self.panel_action = QAction("Sync &status and conflicts…", self, triggered=self.open_panel)
        self.panel_action.setEnabled(self.allowed)
        self.window.addAction(self.sync_now_action)  # the shortcuts work wherever focus is
        self.window.addAction(self.cancel_action)

    def actions(self) -> list[QAction]:
        """The menu entries, in order."""
        return [self.sync_now_action, self.cancel_action, self.panel_action]

    # -- setting up -------------------------------------------------------------------
    def reconfigure(self) -> None:
        """Read the saved settings again: start the runner when sync was set up, stop it when
        the settings were removed (call after the settings changed)."""
        if not self.allowed or self._closed:
            return
        def read():
            return sync_settings.load(self.session, self.secrets), store_now(self.session)
        ops.run(self.indicator, read, on_success=self._configured, on_failure=self._unreadable)

    def _configured(self, loaded) -> None:
        settings, now = loaded
        if self._closed:
            return
        self.configured = settings is not None
        self.server = settings.server_url if settings else None
        if settings is None:
            if self.runner is not None:
                runner, self.runner = self.runner, None
                ops.run(self.indicator, runner.stop, on_success=lambda _: None)
            self.status, self.progress = now, None
            self._render()
            return
        if self.runner is None:
            self.status = now  # until the runner's own word
            self.runner = SyncRunner(self.session, self._connect, interval=self.interval,
                                     backoff=self.backoff, backoff_max=self.backoff_max,
                                     on_progress=_emitter(self.relay.progress),
                                     on_status=_emitter(self.relay.status),
                                     round_fn=_safe_round)
            self.runner.start()  # the first round at once
        else:
            self.runner.sync_now()  # the settings were changed: try them at once
        self._render()

    def _connect(self) -> HttpGateway:
        """A gateway for one round, from the settings saved now (runner's thread)."""
        try:
            found = sync_settings.credentials(self.session, self.secrets)
        except OutpostError as exc:  # the keyring could not be read
            raise SyncError("config", str(exc)) from exc
        if found is None:
            raise SyncError("config", "sync is not set up on this workstation")
        settings, secret = found
        if settings.auth == sync_settings.CLIENT:
            options = GatewayOptions(client_id=settings.client_id, client_secret=secret,
                                     token_url=settings.token_url)
        else:
            options = GatewayOptions(token=secret)
        return HttpGateway(settings.server_url, options)

    def _unreadable(self, exc: Exception) -> None:
        self.indicator.setText("Sync status could not be read")
        self.indicator.setToolTip(str(exc))

    # -- the user's actions ---------------------------------------------------------------
    def sync_now(self) -> None:
        """A round at once (a back-off wait is cut short); says so when sync is not set up."""
        if self.runner is None:
            self._tell("Sync is not set up; ask an administrator." if self.allowed else say.NOT_ALLOWED)
            return
        self.runner.sync_now()
        self._tell("Syncing now…")

    def cancel(self) -> None:
        if self.runner is not None:
            self.runner.cancel()
            self._tell("Cancelling sync: it stops after the step under way.")

    def open_panel(self) -> None:
        from ui.qt.sync_panel import SyncPanel
        if not self.allowed:
            return
        if self.panel is None or not shiboken6.isValid(self.panel):
            self.panel = SyncPanel(self, self.window)
        self.panel.show()
        self.panel.raise_()
        self.panel.activateWindow()

    def _tell(self, message: str) -> None:
        bar = getattr(self.window, "statusBar", None)
        if bar is None:
            return
        if message:
            bar().showMessage(message, 8000)
        elif bar().currentMessage() == self._told:  # only our own word, never another screen's
            bar().clearMessage()
        self._told = message

    # -- what the runner says (UI thread) ---------------------------------------------------
    def _show_runner(self, s: RunnerStatus) -> None:
        if (self._closed and s.state != "stopped") or (not self._closed and self.runner is None):
            return  # a late word from a runner that was stopped
        pyside_fix.top_up()
        was_running = getattr(self.status, "state", None) == "running"
        self.status = s
        if s.state != "running":
            self.progress = None
            if was_running:
                self._tell("")  # "Syncing now…" has been answered by the indicator
        self._next_at = None if s.next_round_in is None else time.monotonic() + s.next_round_in
        self.cancel_action.setEnabled(s.state == "running")
        if s.state == "waiting" and say.failure_kind(s.last_error) == "network":
            self.probe.watch(self.server)
        else:
            self.probe.stop()
        self._render()

    def _show_progress(self, p: Progress) -> None:
        if self._closed:
            return
        self.progress = p
        self._render()

    def waiting(self) -> float | None:
        """Seconds until the runner's next round, counted down on the UI thread."""
        return None if self._next_at is None else max(0.0, self._next_at - time.monotonic())

    def text(self) -> str:
        if not self.allowed:
            return say.NOT_ALLOWED
        running = self.status is not None and getattr(self.status, "state", None) == "running"
        if running and self.progress is not None:
            return say.progress_text(self.progress)
        return say.status_text(self.status, configured=self.configured is not False, waiting=self.waiting())

    def _render(self) -> None:
        if not shiboken6.isValid(self.indicator):
            return
        self.indicator.setText(self.text())
        if self.allowed:
            self.indicator.setToolTip(say.status_tooltip(self.status, configured=self.configured is not False))
        style = alert_style() if say.is_alert(self.status) else ""
        if self.indicator.styleSheet() != style:  # restyling every tick would cost for nothing
            self.indicator.setStyleSheet(style)
        self.changed.emit()

    def refresh(self) -> None:
        """Re-read the counts from the store (changes made between rounds)."""
        if self._closed or not self.allowed:
            return
        if self.runner is None:
            self.reconfigure()
            return
        ops.run(self.indicator, lambda: sync_settings.counts(self.session), on_success=self._refreshed,
                on_failure=lambda exc: None)

    def _refreshed(self, c: sync_settings.Counts) -> None:
        """New counts; the round's outcome stays what the runner said."""
        if self.runner is not None and self.status is not None:
            self.status = replace(self.status, pending=c.pending, conflicts=c.conflicts, rejected=c.rejected)
            self._render()

    # -- connectivity -------------------------------------------------------------------------
    def network_back(self) -> None:
        """The network (or the server) is reachable again: sync now if the last round could not."""
        if self.runner is not None and self.status is not None and self.status.state == "waiting":
            self.runner.sync_now()

    # -- leaving --------------------------------------------------------------------------------
    def stop(self, timeout: float = 30.0) -> None:
        """Stop the runner (the round under way stops at its next safe point); call before the
        store closes. Waits up to ``timeout`` seconds for the runner's thread."""
        if self._closed:
            return
        self._closed = True
        for t in (self.refresh_timer, self.tick_timer):
            t.stop()
        self.probe.stop()
        runner, self.runner = self.runner, None
        if runner is None:
            return
        busy = runner.state == "running"
        if busy:  # the step under way finishes first (a request may take a while)
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            runner.stop(timeout)
        finally:
            if busy:
                QApplication.restoreOverrideCursor()
