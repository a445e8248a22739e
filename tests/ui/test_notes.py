"""Encounter notes in the chart: templates, autosaved drafts that survive, sign, addend."""
from __future__ import annotations

import shiboken6

from app import notes
from app.permissions import Permission
from ui.qt import note_editor
from ui.qt.chart_view import ChartView


def _notes_tab(qtbot, session, patient_id, *, owned=True):
    view = ChartView(session, patient_id)
    if owned:  # qtbot closes it after the test
        qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: "Encounters and notes" in view.tab_titles(), timeout=5000)
    tab = view.show_tab("Encounters and notes")
    qtbot.waitUntil(lambda: tab.loaded, timeout=5000)
    return view, tab


def _new_note(qtbot, tab, visit_type="follow-up"):
    tab.visit_type.setCurrentIndex(tab.visit_type.findData(visit_type))
    tab.new_button.click()
    qtbot.waitUntil(lambda: tab.editor is not None, timeout=5000)
    return tab.editor


def _stored_drafts(session, patient_id):
    return notes.for_patient(session, patient_id, status="draft")


def test_a_new_note_starts_from_the_visit_types_template(qtbot, sessions, charted):
    _, tab = _notes_tab(qtbot, sessions["physician"], charted.id)

    editor = _new_note(qtbot, tab, "follow-up")

    assert editor.sections["subjective"].toPlainText() == notes.TEMPLATES["follow-up"]["subjective"]
    assert editor.title.text() == "Follow up note"
    assert editor.sign_button.isEnabled()


def test_typing_is_autosaved_without_any_save_and_the_draft_returns_when_the_chart_is_reopened(
        qtbot, sessions, charted, monkeypatch):
    monkeypatch.setattr(note_editor, "AUTOSAVE_MS", 200)
    doctor = sessions["physician"]
    view, tab = _notes_tab(qtbot, doctor, charted.id, owned=False)
    editor = _new_note(qtbot, tab)
    qtbot.keyClicks(editor.sections["assessment"], "Hypertension, improving")

    # The autosave timer alone stores the text: the editor is still open, nothing asked it to save.
    qtbot.waitUntil(lambda: any(d.assessment == "Hypertension, improving"
                                for d in _stored_drafts(doctor, charted.id)), timeout=5000)
    assert editor.isVisible()
    # "Crash": drop the chart without closing or hiding it politely.
    view.setParent(None)
    shiboken6.delete(view)

    reopened, tab2 = _notes_tab(qtbot, doctor, charted.id)
    qtbot.waitUntil(lambda: tab2.editor is not None, timeout=5000)
    assert tab2.editor.sections["assessment"].toPlainText() == "Hypertension, improving"
    assert tab2.editor.note.status == "draft"


def test_a_physician_signs_the_note_and_it_becomes_read_only(qtbot, sessions, charted):
    doctor = sessions["physician"]
    _, tab = _notes_tab(qtbot, doctor, charted.id)
    editor = _new_note(qtbot, tab)
    editor.sections["plan"].setPlainText("Continue lisinopril; recheck in 3 months.")

    editor.sign_button.click()
    qtbot.waitUntil(lambda: editor.note.status == "signed", timeout=5000)

    stored = notes.get(doctor, editor.note.id)
    assert stored.status == "signed" and stored.plan == "Continue lisinopril; recheck in 3 months."
    assert stored.signed_by == doctor.user.practitioner_id
    assert editor.sections["plan"].isReadOnly() and not editor.sign_button.isVisibleTo(editor)
    assert editor.addend_button.isVisibleTo(editor)


def test_a_signed_note_is_only_addended_never_edited(qtbot, sessions, charted):
    doctor = sessions["physician"]
    _, tab = _notes_tab(qtbot, doctor, charted.id)
    editor = _new_note(qtbot, tab)
    editor.sections["assessment"].setPlainText("Stable.")
    editor.sign_button.click()
    qtbot.waitUntil(lambda: editor.note.status == "signed", timeout=5000)

    qtbot.keyClicks(editor.addendum, "Labs reviewed later: normal.")
    editor.add_addendum()
    qtbot.waitUntil(lambda: editor.note.status == "amended", timeout=5000)

    stored = notes.get(doctor, editor.note.id)
    assert stored.assessment == "Stable."
    assert [a.text for a in stored.addenda] == ["Labs reviewed later: normal."]
    assert "Labs reviewed later: normal." in editor.addenda.text()


def test_signing_without_assessment_or_plan_is_refused_in_one_sentence(qtbot, sessions, charted,
                                                                     shown_errors):
    _, tab = _notes_tab(qtbot, sessions["physician"], charted.id)
    editor = _new_note(qtbot, tab)

    editor.sign()
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=5000)

    assert "write an assessment or a plan before signing" in shown_errors[0]
    assert editor.note.status == "draft"


def test_a_nurse_may_draft_but_not_sign(qtbot, sessions, charted):
    nurse = sessions["nurse"]
    assert nurse.can(Permission.NOTE_WRITE) and not nurse.can(Permission.NOTE_SIGN)
    _, tab = _notes_tab(qtbot, nurse, charted.id)

    editor = _new_note(qtbot, tab)

    assert not editor.sign_button.isEnabled()
    assert editor.sign_button.toolTip() == "Only a physician can sign a note"
