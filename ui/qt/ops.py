"""The one helper for long work (modelled on Anki's CollectionOp/QueryOp).

``run`` hands the work to the client's single background thread, so the window keeps
painting while Argon2 or a query runs, and delivers the result or the error back on
the UI thread through a queued signal. The work must never touch a widget. One
thread (not a pool) so that operations on the store happen in the order they were
asked for, as Anki does with its collection thread.

    ops.run(self, lambda: patients.search(session, text), on_success=self.show_rows)
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from ui.qt import errors, pyside_fix

T = TypeVar("T")
log = logging.getLogger("outpost.ui.ops")

#: How long work may run before its progress dialog appears (short work shows none).
DIALOG_DELAY_MS = 600

_pool: QThreadPool | None = None
_running: set["Op"] = set()  # keeps each op's Python objects alive until it reports back


def _the_pool() -> QThreadPool:
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
        _pool.setExpiryTimeout(-1)  # keep the thread: thread-local state stays valid
    return _pool


class Cancelled(Exception):
    """Raised by work that noticed ``progress.cancelled``; reported to nobody as an error."""


class Progress:
    """Handed to work that asks for it: report ``(done, total)``, check ``cancelled``.

    Safe to use from the worker thread; the UI reads it through signals only.
    """

    def __init__(self, report: Callable[[int, int], None]):
        self._report = report
        self._cancel = threading.Event()

    def report(self, done: int, total: int) -> None:
        self._report(int(done), int(total))

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise Cancelled when the user asked to stop (call between steps of the work)."""
        if self.cancelled:
            raise Cancelled()

    def cancel(self) -> None:
        self._cancel.set()


class _Relay(QObject):
    """Lives on the UI thread; signals emitted from the worker arrive at its slots queued.

    The slots are methods of this QObject (not lambdas) so that Qt, not PySide's
    receiver bookkeeping, decides the thread: the relay's, which is the UI thread.
    """
    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int)

    def __init__(self, op: "Op"):
        super().__init__()
        self.op = op
        self.succeeded.connect(self._on_succeeded)
        self.failed.connect(self._on_failed)
        self.progressed.connect(self._on_progressed)

    @Slot(object)
    def _on_succeeded(self, result: object) -> None:
        self.op._succeeded(result)

    @Slot(object)
    def _on_failed(self, exc: object) -> None:
        self.op._failed(exc)

    @Slot(int, int)
    def _on_progressed(self, done: int, total: int) -> None:
        self.op._progressed(done, total)


class _Job(QRunnable):
    def __init__(self, op: "Op"):
        super().__init__()
        self.setAutoDelete(True)
        self._op = op

    def run(self) -> None:  # worker thread: no widgets here
        op = self._op
        try:
            result = op.work(op.progress) if op.wants_progress else op.work()
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the UI thread
            op.emit("failed", exc)
        else:
            op.emit("succeeded", result)


class Op(Generic[T]):
    """One running piece of work. ``cancel()`` asks work that takes a Progress to stop."""

    def __init__(self, parent: QWidget | None, work: Callable[..., T], *, wants_progress: bool,
                 on_success: Callable[[T], None], on_failure: Callable[[Exception], None] | None,
                 on_progress: Callable[[int, int], None] | None, label: str | None):
        self.parent, self.work, self.wants_progress = parent, work, wants_progress
        self.on_success, self.on_failure, self.on_progress = on_success, on_failure, on_progress
        self.label, self.done = label, False
        self.relay = _Relay(self)
        self.progress = Progress(lambda d, t: self.emit("progressed", d, t))
        self._dialog: QProgressDialog | None = None

    def emit(self, name: str, *args: Any) -> None:
        try:
            getattr(self.relay, name).emit(*args)
        except RuntimeError:  # the relay was deleted at shutdown: nobody is listening
            log.debug("op finished after the client closed")

    def cancel(self) -> None:
        self.progress.cancel()

    def start(self) -> "Op[T]":
        _running.add(self)
        if self.label:
            QTimer.singleShot(DIALOG_DELAY_MS, self._show_dialog)
        _the_pool().start(_Job(self))
        return self

    # -- on the UI thread ---------------------------------------------------
    def _finish(self) -> bool:
        """Close the dialog; False when the parent widget is gone (drop the result)."""
        self.done = True
        # Let go of this op (and its relay) only after the relay's slot has returned.
        QTimer.singleShot(0, lambda: _running.discard(self))
        if self._dialog is not None and _alive(self._dialog):  # it dies with a closed parent
            self._dialog.close()
            self._dialog.deleteLater()
        self._dialog = None
        return self.parent is None or _alive(self.parent)

    def _succeeded(self, result: T) -> None:
        if self._finish():
            _deliver(self.parent, self.on_success, result)

    def _failed(self, exc: BaseException) -> None:
        if not self._finish() or isinstance(exc, Cancelled):
            return
        if not isinstance(exc, Exception):
            exc = RuntimeError(f"the work stopped: {exc!r}")
        if self.on_failure is None:
            errors.show_error(self.parent, exc)
        else:
            _deliver(self.parent, self.on_failure, exc)

    def _progressed(self, done: int, total: int) -> None:
        if self.done or (self.parent is not None and not _alive(self.parent)):
            return  # a late report, or nobody left to tell
        if self._dialog is not None and _alive(self._dialog):
            self._dialog.setMaximum(max(total, 0))
            self._dialog.setValue(min(done, total) if total > 0 else 0)
        if self.on_progress is not None:
            _deliver(self.parent, self.on_progress, done, total)

    def _show_dialog(self) -> None:
        if self.done or (self.parent is not None and not _alive(self.parent)):
            return
        dialog = QProgressDialog(self.label or "", "Cancel", 0, 0, self.parent)
        dialog.setWindowTitle("Outpost EHR")
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel)
        if not self.wants_progress:  # work that cannot check ``cancelled`` cannot be stopped
            dialog.setCancelButton(None)
        dialog.show()
        self._dialog = dialog


def _alive(widget: QObject) -> bool:
    return shiboken6.isValid(widget)


def _deliver(parent: QWidget | None, callback: Callable[..., None], *args: Any) -> None:
    """Call a UI-thread callback; an error in it goes to the error presenter, not to stderr."""
    try:
        callback(*args)
    except Exception as exc:  # noqa: BLE001 - the one place UI callbacks' errors are shown
        errors.show_error(parent if parent is None or _alive(parent) else None, exc)


def run(parent: QWidget | None, work: Callable[..., T], *, on_success: Callable[[T], None],
        on_failure: Callable[[Exception], None] | None = None, label: str | None = None,
        with_progress: bool = False,
        on_progress: Callable[[int, int], None] | None = None) -> Op[T]:
    """Run ``work`` on the background thread; call ``on_success(result)`` on the UI thread.

    ``work`` takes no argument, or a :class:`Progress` when ``with_progress`` (then a
    labelled op's dialog has a Cancel button, and ``on_progress(done, total)`` is called
    on the UI thread). An error goes to ``on_failure`` or, if none, to the one error
    presenter (:func:`ui.qt.errors.show_error`). A ``label`` shows a progress dialog
    when the work takes longer than a moment. Results for a widget that was closed
    meanwhile are dropped. Never raises; returns the running :class:`Op`.
    """
    pyside_fix.top_up()  # each op's signals call Python slots (see pyside_fix)
    return Op(parent, work, wants_progress=with_progress, on_success=on_success,
              on_failure=on_failure, on_progress=on_progress, label=label).start()


def busy() -> bool:
    """Whether any operation has not reported back yet."""
    return bool(_running)


def wait_idle(timeout_ms: int = 30_000) -> bool:
    """Block until the background thread has finished its work (before closing the store)."""
    return _the_pool().waitForDone(timeout_ms)
