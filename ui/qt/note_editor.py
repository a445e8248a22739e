"""Writing an encounter note: SOAP sections, autosaved as a draft, signed, then only addended.

Typing starts a short timer; when it fires the sections go to ``app.notes.save_draft``
off the UI thread, so a crash, a lock or a power cut loses at most the last
``AUTOSAVE_MS`` of typing. The editor also saves when it is hidden (the lock screen
hides the chart) and when :meth:`keep_as_draft` is called before a session ends. A
signed note is shown read-only; the only change it accepts is an addendum.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QVBoxLayout, QWidget)

from app import formatting as fmt
from app import notes
from app.errors import Conflict
from app.model import ClinicalNote
from app.permissions import Permission
from app.session import Session
from ui.qt import errors, ops

#: Quiet time after the last keystroke before the draft is saved.
AUTOSAVE_MS = 1500
SECTION_TITLES = {"subjective": "&Subjective", "objective": "&Objective",
                  "assessment": "&Assessment", "plan": "&Plan"}


class NoteEditor(QWidget):
    """Edits one note. Emits ``saved(note)`` after each save, sign or addendum."""
    saved = Signal(object)

    def __init__(self, session: Session, note: ClinicalNote, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.note = note
        self.saving = False
        self.pending = False  # typed since the last save was sent
        self._timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._timer.timeout.connect(self.save_now)
        self._build()
        self._show(note)

    # -- layout -------------------------------------------------------------
    def _build(self) -> None:
        self.title = QLineEdit()
        self.title.setAccessibleName("Note title")
        self.sections: dict[str, QPlainTextEdit] = {}
        form = QFormLayout()
        form.addRow("&Title", self.title)
        for name in notes.SECTIONS:
            edit = QPlainTextEdit()
            edit.setAccessibleName(name.capitalize())
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(edit.fontMetrics().height() * 4)
            form.addRow(SECTION_TITLES[name], edit)
            self.sections[name] = edit
        for edit in (self.title, *self.sections.values()):
            edit.textChanged.connect(self._typed)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.sign_button = QPushButton("Si&gn note")
        self.sign_button.setToolTip("Sign the note (Ctrl+Shift+Enter)")
        self.sign_button.clicked.connect(self.sign)
        for keys in ("Ctrl+Shift+Return", "Ctrl+Shift+Enter"):  # main keyboard and keypad
            QShortcut(QKeySequence(keys), self, self._sign_by_key,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addenda = QLabel()
        self.addenda.setWordWrap(True)
        self.addendum = QPlainTextEdit()
        self.addendum.setAccessibleName("Addendum")
        self.addendum.setTabChangesFocus(True)
        self.addendum.setMaximumHeight(self.fontMetrics().height() * 5)
        self.addend_button = QPushButton("Add a&ddendum")
        self.addend_button.clicked.connect(self.add_addendum)
        buttons = QHBoxLayout()
        buttons.addWidget(self.state, 1)
        buttons.addWidget(self.sign_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addWidget(self.addenda)
        layout.addWidget(self.addendum)
        layout.addWidget(self.addend_button)
        layout.addLayout(buttons)

    def _show(self, note: ClinicalNote) -> None:
        self.note = note
        draft = note.status == "draft"
        self.title.blockSignals(True)
        self.title.setText(note.title)
        self.title.blockSignals(False)
        self.title.setReadOnly(not draft)
        for name, edit in self.sections.items():
            edit.blockSignals(True)
            edit.setPlainText(getattr(note, name))
            edit.blockSignals(False)
            edit.setReadOnly(not draft)
        self.sign_button.setVisible(draft)
        self.sign_button.setEnabled(draft and self.session.can(Permission.NOTE_SIGN))
        if draft and not self.session.can(Permission.NOTE_SIGN):
            self.sign_button.setToolTip("Only a physician can sign a note")
        for w in (self.addendum, self.addend_button):
            w.setVisible(not draft)
        self.addenda.setVisible(bool(note.addenda))
        self.addenda.setText("\n\n".join(f"Addendum {fmt.datetime_text(a.at)}: {a.text}" for a in note.addenda))
        self._say_state()

    def _say_state(self) -> None:
        if self.note.status == "draft":
            when = fmt.datetime_text(self.note.updated_at) if getattr(self.note, "updated_at", None) else ""
            self.state.setText("Draft — unsaved changes" if self.pending else
                               f"Draft — saved {when}".strip())
        else:
            self.state.setText(f"Signed {fmt.datetime_text(self.note.signed_at)}; "
                               "it can only be addended, never edited.")

    # -- autosave -----------------------------------------------------------
    def _typed(self, *_) -> None:
        if self.note.status != "draft":
            return
        self.pending = True
        self._say_state()
        self._timer.start()

    def texts(self) -> dict[str, str]:
        return {s: e.toPlainText() for s, e in self.sections.items()}

    def save_now(self) -> None:
        """Send the draft to the store now (if anything changed since the last save)."""
        self._timer.stop()
        if not self.pending or self.note.status != "draft":
            return
        if self.saving:  # the save in flight will send again when it returns
            return
        self.saving, self.pending = True, False
        note, title, texts = self.note, self.title.text(), self.texts()
        ops.run(self, lambda: notes.save_draft(self.session, note.id, version=note.version, title=title,
                                               **texts),
                on_success=self._saved, on_failure=self._save_failed)

    keep_as_draft = save_now  # the lock screen's before-session-end hook

    def _saved(self, note: ClinicalNote) -> None:
        self.saving = False
        self.note = note
        if self.pending:
            self.save_now()
        self._say_state()
        self.saved.emit(note)

    def _save_failed(self, exc: Exception) -> None:
        self.saving = False
        self.pending = True  # still unsaved; the next keystroke or save tries again
        self.state.setText("Draft NOT saved — " + errors.message_for(exc))
        if isinstance(exc, Conflict):
            errors.show_error(self, exc)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        self.save_now()  # a lock or a tab switch keeps what was typed
        super().hideEvent(event)

    # -- sign and addend -----------------------------------------------------
    def _sign_by_key(self) -> None:
        if self.sign_button.isVisible() and self.sign_button.isEnabled():
            self.sign()

    def sign(self) -> None:
        """Save what is on screen, then sign (ValidationError when assessment and plan are empty)."""
        self._timer.stop()
        note, title, texts = self.note, self.title.text(), self.texts()

        def work() -> ClinicalNote:
            saved = notes.save_draft(self.session, note.id, version=note.version, title=title, **texts)
            return notes.sign(self.session, saved.id)

        if self.saving:
            QTimer.singleShot(50, self, self.sign)  # dropped if the editor is closed
            return
        self.pending = False
        self.saving = True
        ops.run(self, work, on_success=self._done, on_failure=self._action_failed)

    def add_addendum(self) -> None:
        text, note_id = self.addendum.toPlainText(), self.note.id
        ops.run(self, lambda: notes.addend(self.session, note_id, text=text),
                on_success=self._done, on_failure=self._action_failed)

    def _done(self, note: ClinicalNote) -> None:
        self.saving = False
        self.addendum.clear()
        self._show(note)
        self.saved.emit(note)

    def _action_failed(self, exc: Exception) -> None:
        self.saving = False
        errors.show_error(self, exc)
        if self.note.status == "draft":  # the sections may have been saved before signing failed
            note_id = self.note.id
            ops.run(self, lambda: notes.get(self.session, note_id), on_success=self._reloaded)

    def _reloaded(self, note: ClinicalNote) -> None:
        self.note = note
        self._say_state()
