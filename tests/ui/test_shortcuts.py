"""The main actions from the keyboard, through the real main window: Ctrl+Shift+N starts a
note in the open chart, Ctrl+Shift+Enter signs it, Ctrl+Shift+PgDown opens the next patient
on today's schedule."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from PySide6.QtCore import Qt

from app import notes, scheduling
from tests.conftest import ROLE_USERS, USER_PASSWORD
from tests.ui._patients import register
from ui.qt import note_editor
from ui.qt.launch import Shell
from ui.qt.schedule_view import local_tz


@pytest.fixture
def main(qtbot, sessions, store_dir, settings):
    shell = Shell(store_dir, settings)
    window = shell.show_sign_in()
    window.user.setText(ROLE_USERS["physician"])
    window.password.setText(USER_PASSWORD)
    window.submit()
    qtbot.waitUntil(lambda: shell.main_window is not None, timeout=10_000)
    yield shell.main_window
    shell.shut_down()


def _open(qtbot, main, patient_id):
    main.open_patient(patient_id)
    qtbot.waitUntil(lambda: main.chart is not None and main.chart.patient_id == patient_id
                    and main.chart.summary is not None, timeout=10_000)


def test_ctrl_shift_n_starts_a_note_and_ctrl_shift_enter_signs_it(qtbot, main, charted, monkeypatch):
    monkeypatch.setattr(note_editor, "AUTOSAVE_MS", 200)
    _open(qtbot, main, charted.id)

    qtbot.keyClick(main, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

    tab = main.chart.tab_widgets.get("Encounters and notes")
    qtbot.waitUntil(lambda: tab is not None and tab.editor is not None, timeout=10_000)
    editor = tab.editor
    assert main.chart.tabs.tabText(main.chart.tabs.currentIndex()) == "Encounters and notes"
    [draft] = notes.for_patient(main.session, charted.id, status="draft")
    assert draft.id == editor.note.id
    editor.sections["assessment"].setPlainText("Hypertension, at goal.")
    editor.sections["plan"].setPlainText("Continue; recheck in 6 months.")
    editor.sections["plan"].setFocus()

    qtbot.keyClick(editor.sections["plan"], Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)

    qtbot.waitUntil(lambda: editor.note.status == "signed", timeout=10_000)
    [signed] = notes.for_patient(main.session, charted.id, status="signed")
    assert (signed.id, signed.plan) == (draft.id, "Continue; recheck in 6 months.")
    assert editor.sections["plan"].isReadOnly()


def test_ctrl_shift_n_without_an_open_chart_says_what_to_do(qtbot, main):
    qtbot.keyClick(main, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert "Open a patient's chart first" in main.statusBar().currentMessage()


def test_ctrl_shift_pgdown_walks_through_todays_schedule_in_start_order(qtbot, main, sessions):
    doctor = sessions["physician"]
    tz = local_tz()
    day = datetime.now(tz).date()
    people = [register(doctor, given, "Schedule", date(1970 + n, 1, 1))
              for n, given in enumerate(("Ana", "Ben", "Cleo", "Dev"))]
    for n, person in enumerate(people[:3]):  # Dev has no appointment today
        start = datetime.combine(day, time(9 + 2 * n), tzinfo=tz)
        scheduling.book(doctor, patient_id=person.id, start=start, minutes=20,
                        practitioner_id=doctor.user.practitioner_id, confirm=True)
    seen = []
    _open(qtbot, main, people[0].id)
    for _ in range(2):
        qtbot.keyClick(main, Qt.Key.Key_PageDown,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        before = main.chart.patient_id
        qtbot.waitUntil(lambda: main.chart.patient_id != before or main.chart.summary is None, timeout=10_000)
        qtbot.waitUntil(lambda: main.chart.summary is not None, timeout=10_000)
        seen.append(main.chart.patient_id)
    assert seen == [people[1].id, people[2].id]

    qtbot.keyClick(main, Qt.Key.Key_PageDown,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: "Nobody else" in main.statusBar().currentMessage(), timeout=10_000)
    assert main.chart.patient_id == people[2].id

    # from a chart not on today's schedule, the first still to be seen (Dev is not booked)
    _open(qtbot, main, people[3].id)
    assert scheduling.next_patient(doctor, people[3].id, tz=tz,
                                   now=datetime.combine(day, time(0, 30), tzinfo=tz)) == people[0].id
    assert scheduling.next_patient(doctor, people[3].id, tz=tz,
                                   now=datetime.combine(day, time(11, 30), tzinfo=tz)) == people[2].id
