"""The automatic lock (HIPAA §164.312(a)(2)(iii); ONC §170.315(d)(5)).

After the clinic's idle time (policy, ``app.security_policy``) the lock screen covers the
whole main window and everything that could show PHI is hidden — not merely covered:
the central widget, the window's dialogs, and every action and shortcut are switched
off until the same user's password is given again (checked against the Argon2id hash,
``accounts.reauthenticate``; audited). "Sign in as someone else" ends the session
cleanly: first every ``before_session_end`` callback runs (an unsaved note is kept as a
draft there), then the window signs out and the sign-in window comes back.

    auto_lock = install_auto_lock(main_window, session)          # policy's minutes
    auto_lock.before_session_end.append(editor.keep_as_draft)
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (QDialog, QFormLayout, QFrame, QLabel, QLineEdit, QMainWindow,
                               QPushButton, QVBoxLayout, QWidget)

from app import accounts, security_policy
from app.errors import OutpostError
from app.session import Session
from ui.qt import ops
from ui.qt.idle import IdleWatcher, minutes_to_ms

log = logging.getLogger("outpost.ui.lock")
MAX_UNLOCK_TRIES = 5  # then the session ends: the lock screen is no place to guess passwords
WRONG = "Wrong password."


def _user_text(session: Session) -> str:
    user = session.user
    return f"{user.display_name or user.username} ({user.role.replace('_', ' ')})"


class LockScreen(QFrame):
    """Covers the window it belongs to while locked. Emits ``unlocked`` and ``switch_user``."""
    unlocked = Signal()
    switch_user = Signal()

    def __init__(self, window: QMainWindow, session: Session):
        super().__init__(window)
        self.window_, self.session = window, session
        self.failures = 0
        self._hidden: list[QWidget] = []
        self._disabled: list[QObject] = []
        self.setObjectName("lock_screen")
        self.setAutoFillBackground(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._build()
        self.hide()
        window.installEventFilter(self)

    def _build(self) -> None:
        title = QLabel("Outpost EHR is locked")
        font = title.font()
        font.setPointSizeF(max(font.pointSizeF(), 9) * 1.5)
        font.setBold(True)
        title.setFont(font)
        who = QLabel(f"Locked for {_user_text(self.session)}. Enter your password to go on.")
        who.setWordWrap(True)
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password, placeholderText="Password")
        self.password.setAccessibleName("Password")
        self.password.returnPressed.connect(self.try_unlock)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.switch_button = QPushButton("Sign in as someone else")
        self.switch_button.clicked.connect(self.switch_user.emit)
        self.error = QLabel()
        self.error.setAccessibleName("Unlock problem")
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        form = QFormLayout()
        form.addRow("&Password", self.password)
        box = QFrame()
        # A fixed (not maximum) width: a word-wrapped label then gets the height its lines need.
        box.setFixedWidth(self.fontMetrics().averageCharWidth() * 60)
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addWidget(who)
        margins = inner.contentsMargins()  # a centred box is sized without height-for-width
        who.setMinimumHeight(who.heightForWidth(box.width() - margins.left() - margins.right()))
        inner.addLayout(form)
        inner.addWidget(self.error)
        inner.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignRight)
        inner.addWidget(self.switch_button, 0, Qt.AlignmentFlag.AlignRight)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    @property
    def locked(self) -> bool:
        return self.isVisible()

    # -- locking ----------------------------------------------------------------
    def lock(self) -> None:
        """Hide everything that could show PHI and cover the window."""
        if self.locked:
            return
        w = self.window_
        central = w.centralWidget()
        self._hidden = [x for x in [central, *w.findChildren(QDialog)] if x is not None and x.isVisible()]
        for widget in self._hidden:
            widget.hide()
        self._disabled = [x for x in (*w.findChildren(QAction), *w.findChildren(QShortcut))
                          if x.isEnabled() and not self._owns(x)]
        for item in self._disabled:
            item.setEnabled(False)
        if w.menuBar():
            w.menuBar().setEnabled(False)
        self.failures = 0
        self.error.hide()
        self.password.clear()
        self.setGeometry(w.rect())
        self.show()
        self.raise_()
        self.password.setFocus()

    def _owns(self, item: QObject) -> bool:
        parent = item.parent()
        return isinstance(parent, QWidget) and (parent is self or self.isAncestorOf(parent))

    def unlock(self) -> None:
        for item in self._disabled:
            item.setEnabled(True)
        for widget in self._hidden:
            widget.show()
        if self.window_.menuBar():
            self.window_.menuBar().setEnabled(True)
        self._hidden, self._disabled = [], []
        self.password.clear()
        self.hide()
        self.unlocked.emit()

    # -- unlocking --------------------------------------------------------------
    def try_unlock(self) -> None:
        """Check the password in the background (Argon2 takes a moment)."""
        password = self.password.text()
        if not password or not self.unlock_button.isEnabled():
            return
        self._set_busy(True)
        session = self.session
        ops.run(self, lambda: accounts.reauthenticate(session, password),
                on_success=self._checked, on_failure=self._check_failed)

    def _checked(self, ok: bool) -> None:
        self._set_busy(False)
        self.password.clear()
        if ok:
            self.unlock()
            return
        self.failures += 1
        if self.failures >= MAX_UNLOCK_TRIES:
            self.error.setText("Too many wrong passwords; signing out.")
            self.switch_user.emit()
            return
        self.error.setText(WRONG)
        self.error.show()
        self.password.setFocus()

    def _check_failed(self, exc: Exception) -> None:
        log.error("the password could not be checked", exc_info=(type(exc), exc, exc.__traceback__))
        self._checked(False)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.password, self.unlock_button, self.switch_button):
            widget.setEnabled(not busy)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        # getattr: Qt may still deliver events while the Python side is being torn down
        if (watched is getattr(self, "window_", None) and event.type() == QEvent.Type.Resize
                and self.isVisible()):
            self.setGeometry(self.window_.rect())
        return False


class AutoLock(QObject):
    """The idle watcher and the lock screen of one main window, and the session-end hook."""

    def __init__(self, window: QMainWindow, session: Session, timeout_ms: int):
        super().__init__(window)
        self.window_, self.session = window, session
        #: Called (in order) before the session ends from the lock screen; e.g. keep a draft.
        self.before_session_end: list[Callable[[], None]] = []
        self.watcher = IdleWatcher(timeout_ms, self)
        self.screen = LockScreen(window, session)
        self.watcher.idle.connect(self.lock)
        self.screen.unlocked.connect(self.watcher.resume)
        self.screen.switch_user.connect(self.end_session)
        self.lock_action = QAction("&Lock screen", window, shortcut=QKeySequence("Ctrl+L"),
                                   triggered=self.lock)
        window.addAction(self.lock_action)

    @property
    def locked(self) -> bool:
        return self.screen.locked

    def lock(self) -> None:
        self.watcher.pause()
        self.screen.lock()

    def set_minutes(self, minutes: float) -> None:
        self.watcher.set_timeout(minutes_to_ms(minutes))

    def end_session(self) -> None:
        """Run the ``before_session_end`` callbacks, then sign the window out."""
        self.watcher.pause()
        for callback in list(self.before_session_end):
            try:
                callback()
            except Exception:  # noqa: BLE001 - one failing hook must not keep the session open
                log.exception("a before-session-end callback failed")
        sign_out = getattr(self.window_, "sign_out", None)
        (sign_out or self.window_.close)()


def idle_minutes(session: Session) -> float:
    """The idle time that applies: the workstation's managed configuration when IT locked
    ``idle_lock_minutes`` there (a fleet policy nothing else overrides), else the clinic's."""
    from ui import wiring
    try:
        managed = wiring.managed_config()
    except OutpostError:
        log.warning("the managed configuration is not valid; using the clinic's idle time")
        managed = None
    if managed is not None and "idle_lock_minutes" in managed.locked:
        return float(managed.idle_lock_minutes)
    return security_policy.load(session.uow_factory).idle_lock_minutes


def install_auto_lock(window: QMainWindow, session: Session, minutes: float | None = None, *,
                      seconds: float | None = None) -> AutoLock:
    """Lock ``window`` after ``minutes`` (default: the clinic's policy) or ``seconds`` idle."""
    if seconds is not None:
        timeout = max(1, int(seconds * 1000))
    else:
        timeout = minutes_to_ms(minutes if minutes is not None
                                else security_policy.SecurityPolicy().idle_lock_minutes)
    auto = AutoLock(window, session, timeout)
    if minutes is None and seconds is None:  # the clinic's own setting, read in the background
        ops.run(window, lambda: idle_minutes(session),
                on_success=auto.set_minutes, on_failure=lambda exc: log.warning(
                    "the idle-lock policy could not be read; using the default"))
    return auto
