"""The Encounters and notes tab: the patient's notes, a new note per visit type, the editor.

Opening the tab shows the newest draft the signed-in user wrote, so a draft left by a
crash or a lock is back on screen when the chart is opened again.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from app import encounters, notes
from app import formatting as fmt
from app.model import ClinicalNote
from app.permissions import Permission
from app.session import Session
from ui.qt import errors, ops
from ui.qt.chart_events import ChartEvents
from ui.qt.models import Column, RowsModel
from ui.qt.note_editor import NoteEditor
from ui.qt.style import set_quiet

NOTE_COLUMNS = [Column("Written", lambda n: fmt.datetime_text(n.created_at),
                       sort_key=lambda n: n.created_at.isoformat() if n.created_at else ""),
                Column("Title", lambda n: fmt.text(n.title)),
                Column("Status", lambda n: fmt.code_words(n.status))]


def start_note(session: Session, patient_id: str, visit_type: str) -> ClinicalNote:
    """Open an encounter of ``visit_type`` today and start its note from the template."""
    encounter = encounters.start(session, patient_id=patient_id, visit_type=visit_type)
    return notes.start(session, encounter_id=encounter.id)


class NotesTab(QWidget):
    """Notes list on the left, the open note on the right."""

    def __init__(self, session: Session, patient_id: str, events: ChartEvents,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.patient_id, self.events = session, patient_id, events
        self.editor: NoteEditor | None = None
        self.loaded = False
        self._when_loaded: list = []  # steps asked for before the list first arrived
        self.model = RowsModel(NOTE_COLUMNS, row_id=lambda n: n.id, parent=self)
        self._build()
        events.changed.connect(self._changed)
        self.reload(open_draft=True)

    def _build(self) -> None:
        self.visit_type = QComboBox()
        self.visit_type.setAccessibleName("Visit type")
        for code in encounters.VISIT_TYPES:
            self.visit_type.addItem(fmt.code_words(code), code)
        self.new_button = QPushButton("&New note")
        self.new_button.setEnabled(self.session.can(Permission.NOTE_WRITE))
        self.new_button.clicked.connect(self.new_note)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Notes")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, self.fontMetrics().horizontalAdvance("0") * 16)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(2, self.fontMetrics().horizontalAdvance("Entered in error") + 12)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.activated.connect(self._open_index)
        self.table.clicked.connect(self._open_index)
        new_row = QHBoxLayout()
        new_row.addWidget(self.visit_type, 1)
        new_row.addWidget(self.new_button)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addLayout(new_row)
        lv.addWidget(self.table, 1)
        self.hint = QLabel("Choose a note on the left, or start a new note for today's visit.")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_quiet(self.hint)
        self.right = QWidget()
        self.right_layout = QVBoxLayout(self.right)
        self.right_layout.addWidget(self.hint)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.right)
        split.setStretchFactor(1, 2)
        em = self.fontMetrics().horizontalAdvance("M")
        split.setSizes([em * 36, em * 54])  # room for the date, title and status of each note
        layout = QVBoxLayout(self)
        layout.addWidget(split)

    # -- loading -------------------------------------------------------------
    def _changed(self, record_type: str) -> None:
        if record_type == ClinicalNote.RESOURCE_TYPE:
            self.reload()

    def reload(self, *, open_draft: bool = False) -> None:
        ops.run(self, lambda: notes.for_patient(self.session, self.patient_id),
                on_success=lambda rows: self._show(rows, open_draft))

    def _show(self, rows: list[ClinicalNote], open_draft: bool) -> None:
        self.model.set_rows(rows)
        self.loaded = True
        waiting, self._when_loaded = self._when_loaded, []
        for step in waiting:
            step()
        if open_draft and self.editor is None:
            me = self.session.user.practitioner_id or self.session.username
            mine = [n for n in rows if n.status == "draft" and n.author_id == me]
            if mine:
                self.open_note(mine[0])

    def _open_index(self, index) -> None:
        note = self.model.row_at(index.row())
        if note is not None and (self.editor is None or self.editor.note.id != note.id):
            ops.run(self, lambda: notes.get(self.session, note.id), on_success=self.open_note)

    # -- editing -------------------------------------------------------------
    def new_note_when_loaded(self) -> None:
        """Start a new note now, or as soon as the notes list has loaded (a shortcut pressed
        while the chart is still opening)."""
        if self.loaded:
            self.new_note()
        else:
            self._when_loaded.append(self.new_note)

    def new_note(self) -> None:
        visit_type = self.visit_type.currentData()
        self.new_button.setEnabled(False)

        def done(note: ClinicalNote) -> None:
            self.new_button.setEnabled(True)
            self.open_note(note)
            self.events.changed.emit(ClinicalNote.RESOURCE_TYPE)

        def failed(exc: Exception) -> None:
            self.new_button.setEnabled(True)
            errors.show_error(self, exc)

        ops.run(self, lambda: start_note(self.session, self.patient_id, visit_type),
                on_success=done, on_failure=failed)

    def open_note(self, note: ClinicalNote) -> NoteEditor:
        """Show ``note`` in the editor (the previous note's typing is saved first)."""
        if self.editor is not None:
            self.editor.save_now()
            self.right_layout.removeWidget(self.editor)
            self.editor.hide()
            self.editor.deleteLater()
        self.hint.hide()
        self.editor = NoteEditor(self.session, note)
        self.editor.saved.connect(self._saved)
        self.right_layout.addWidget(self.editor)
        return self.editor

    def _saved(self, note: ClinicalNote) -> None:
        rows = [note if n.id == note.id else n for n in self.model.rows()]
        self.model.set_rows(rows)
        if note.status != "draft":
            self.events.changed.emit(ClinicalNote.RESOURCE_TYPE)

    def keep_as_draft(self) -> None:
        """Save the open draft now (before a session ends)."""
        if self.editor is not None:
            self.editor.save_now()
