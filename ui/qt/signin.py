"""The sign-in window.

The clinic's name lives inside the encrypted store, so before sign-in the window can
only say "Outpost EHR" and whether the data folder holds a store. Unlocking runs
Argon2 (about a second), so it goes through ``ops.run`` and the window stays alive.
"""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget)

from app.errors import MfaRequired, OutpostError
from ui import wiring
from ui.qt import errors, ops
from ui.qt.style import alert_style, scaled_font, set_quiet

APP_TITLE = "Outpost EHR"


def no_store_message(folder: Path) -> str:
    """What to do when the data folder holds no store (rich text)."""
    return (f"<p>There is no clinic store in <b>{html.escape(str(folder))}</b>.</p>"
            "<p>To create one, IT runs:</p>"
            "<pre>  outpost init --clinic \"Clinic name\" --admin admin</pre>"
            "<p>or, to try Outpost with made-up patients:</p>"
            "<pre>  outpost demo</pre>"
            "<p>Add <code>--data-dir FOLDER</code> to either command to use another folder; "
            "then open Outpost again.</p>")


class SignInWindow(QWidget):
    """Emits ``signed_in(opened)`` with the unlocked store and the user's session."""
    signed_in = Signal(object)

    def __init__(self, folder: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.folder = Path(folder)
        self.setWindowTitle(f"Sign in — {APP_TITLE}")
        self.has_store = wiring.store_exists(self.folder)
        self._build()

    def _build(self) -> None:
        title = QLabel(APP_TITLE)
        title.setFont(scaled_font(self.font(), 1.6, bold=True))
        self.store_status = QLabel(self._store_status_text())
        self.store_status.setWordWrap(True)
        self.store_status.setTextFormat(Qt.TextFormat.RichText if not self.has_store
                                        else Qt.TextFormat.PlainText)
        self.store_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.user = QLineEdit(placeholderText="User name")
        self.user.setAccessibleName("User name")
        self.password = QLineEdit(placeholderText="Password", echoMode=QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        # Shown once the store says this account needs a second step (two-step sign-in).
        self.code = QLineEdit(placeholderText="6-digit code or backup code")
        self.code.setAccessibleName("One-time code")
        self.code.returnPressed.connect(self.submit)
        self.button = QPushButton("Sign in")
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        self.user.returnPressed.connect(self._enter_in_user)
        self.password.returnPressed.connect(self._enter_in_password)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Sign-in problem")
        self.error.setStyleSheet(alert_style())
        self.error.hide()
        self.busy_note = QLabel("Checking your password…")
        set_quiet(self.busy_note)
        self.busy_note.hide()

        self.form = QWidget()
        form = QFormLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&User name", self.user)
        form.addRow("&Password", self.password)
        form.addRow("One-time &code", self.code)
        self._form_layout = form
        form.setRowVisible(self.code, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(self.store_status)
        layout.addWidget(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.busy_note)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignRight)
        layout.addStretch(1)
        # Without a store there is nothing to sign in to: show only what to do about it.
        self.form.setVisible(self.has_store)
        self.button.setVisible(self.has_store)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 64)
        self.user.setFocus()

    def _store_status_text(self) -> str:
        if self.has_store:
            return f"Clinic store: {self.folder} (locked until you sign in)"
        return no_store_message(self.folder)

    # -- signing in ---------------------------------------------------------
    def _enter_in_user(self) -> None:
        if self.password.text():
            self.submit()
        else:
            self.password.setFocus()

    def _enter_in_password(self) -> None:
        if self.needs_code and not self.code.text().strip():
            self.code.setFocus()
        else:
            self.submit()

    @property
    def needs_code(self) -> bool:
        return self.code.isVisibleTo(self)

    def submit(self) -> None:
        """Check the fields, then unlock the store in the background."""
        if not self.has_store or not self.button.isEnabled():
            return
        username, password = self.user.text().strip(), self.password.text()
        if not username:
            return self.show_problem("Enter your user name.", focus=self.user)
        if not password:
            return self.show_problem("Enter your password.", focus=self.password)
        code = self.code.text().strip() or None
        if self.needs_code and not code:
            return self.show_problem("Enter the code from your authenticator app.", focus=self.code)
        self._set_busy(True)
        folder = self.folder
        ops.run(self, lambda: wiring.sign_in(folder, username, password, totp=code),
                on_success=self._succeeded, on_failure=self._failed)

    def _succeeded(self, opened: wiring.Opened) -> None:
        self._set_busy(False)
        self.password.clear()
        self.code.clear()
        self.error.hide()
        self.signed_in.emit(opened)

    def _failed(self, exc: Exception) -> None:
        self._set_busy(False)
        self.code.clear()
        if isinstance(exc, MfaRequired):  # the password was right: ask for the second step
            self._form_layout.setRowVisible(self.code, True)
            return self.show_problem(errors.message_for(exc), focus=self.code)
        self.password.clear()
        if isinstance(exc, OutpostError):  # an expected refusal reads as a line under the form
            self.show_problem(errors.message_for(exc), focus=self.password)
        else:  # a bug: the generic sentence, the one error dialog, the traceback in the log
            self.show_problem(errors.UNEXPECTED, focus=self.password)
            errors.show_error(self, exc)

    def show_problem(self, text: str, *, focus: QWidget | None = None) -> None:
        self.error.setText(text)
        self.error.show()
        if focus is not None:
            focus.setFocus()

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.user, self.password, self.code, self.button):
            widget.setEnabled(not busy)
        self.button.setText("Signing in…" if busy else "Sign in")
        self.busy_note.setVisible(busy)
        if busy:
            self.error.hide()
