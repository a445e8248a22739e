"""The one place the desktop client shows errors, in words a clinician can act on.

``str()`` of an :class:`app.errors.OutpostError` is already a sentence; anything else
is a bug, so the user sees a calm generic sentence and the traceback goes to the log,
never to the screen. Dialogs go through :data:`present`, a module-level function that
tests replace (a real modal message box would wait forever for a click).
"""
from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import (ConfirmationRequired, Conflict, NotFound, OutpostError,
                        PermissionDenied, SignInFailed, ValidationError)

TITLE = "Outpost EHR"
UNEXPECTED = "Something went wrong; your work was not saved. Details were written to the log."
WRONG_PASSWORD = "Wrong user name or password."
log = logging.getLogger("outpost.ui")


def sentence(words: str) -> str:
    """Capitalised, ending with a full stop (or the question/exclamation mark it has)."""
    words = " ".join(words.split())
    if not words:
        return UNEXPECTED
    words = words[0].upper() + words[1:]
    return words if words[-1] in ".?!" else words + "."


def message_for(exc: BaseException) -> str:
    """The sentence shown for an error. Unexpected errors are logged with their traceback."""
    try:
        return _message_for(exc)
    except Exception:  # noqa: BLE001 - the presenter itself must never fail
        log.exception("could not describe an error")
        return UNEXPECTED


def _message_for(exc: BaseException) -> str:
    if isinstance(exc, SignInFailed):
        reason = str(exc).removeprefix("sign-in failed:").strip()
        return WRONG_PASSWORD if reason == "wrong user name or password" else sentence(reason)
    if isinstance(exc, PermissionDenied):
        return sentence(f"You are not allowed to {exc.permission.replace('_', ' ')}; "
                        "ask the clinic's administrator if you need to")
    if isinstance(exc, NotFound):
        return sentence(f"This {exc.kind} could not be found; it may have been entered in error")
    if isinstance(exc, ValidationError):
        lines = "\n".join(f"• {field}: {why}" for field, why in exc.problems.items())
        return f"Some details need correcting:\n{lines}"
    if isinstance(exc, ConfirmationRequired):
        lines = "\n".join(f"• {field}: {why}" for field, why in exc.warnings.items())
        return f"Please check before saving:\n{lines}"
    if isinstance(exc, Conflict) and not str(exc):
        return "Someone else saved this record while you had it open; reopen it to see their change."
    if isinstance(exc, OutpostError):  # its text is already a sentence (AccountLocked, Conflict, ...)
        return sentence(str(exc))
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    return UNEXPECTED


def _message_box(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


#: How a message reaches the screen; tests replace it with a recorder.
present = _message_box


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """Show ``exc`` to the user in the one error dialog. Never raises."""
    text = message_for(exc)
    try:
        present(parent, TITLE, text)
    except Exception:  # noqa: BLE001 - a failing dialog must not hide the original error
        log.exception("could not show an error: %s", text)
