"""A clinician's core workflow through the real main window, checked against the store after.

Sign in → register a patient (after searching finds nobody) → the chart opens → record
vitals → write and sign a note → add a problem, an allergy and a prescription.
"""
from __future__ import annotations

import pytest
from PySide6.QtCore import QDate, Qt

from app import allergies, medications, notes, observations, patients, problems
from tests.conftest import USER_PASSWORD
from ui.qt import note_editor, registration
from ui.qt.launch import Shell


@pytest.fixture
def shell(sessions, store_dir, settings):
    made = Shell(store_dir, settings)
    made.show_sign_in()
    yield made
    made.shut_down()


def _pick(qtbot, picker, text, code):
    qtbot.keyClicks(picker.box, text)
    # The first search of a process waits for the terminology index to be built.
    qtbot.waitUntil(lambda: any(c.code == code for c in picker.choices()), timeout=20_000)
    assert picker.choose(code)


def _tab(qtbot, chart, title):
    qtbot.waitUntil(lambda: title in chart.tab_titles(), timeout=5000)
    tab = chart.show_tab(title)
    return tab


def test_sign_in_register_chart_vitals_signed_note_problem_allergy_and_prescription(
        qtbot, shell, sessions, monkeypatch, shown_errors):
    monkeypatch.setattr(note_editor, "AUTOSAVE_MS", 200)
    monkeypatch.setattr(registration, "confirm", lambda *a: pytest.fail(f"unexpected question {a}"))
    sign_in = shell.sign_in_window
    qtbot.keyClicks(sign_in.user, "dr.test")
    qtbot.keyClicks(sign_in.password, USER_PASSWORD)
    qtbot.keyClick(sign_in.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.main_window is not None, timeout=10_000)
    main = shell.main_window
    doctor = main.session

    # Find: nobody by that name yet, so register.
    qtbot.keyClicks(main.search.search_box, "Okonkwo")
    qtbot.waitUntil(lambda: main.search.results_for == "Okonkwo", timeout=5000)
    assert main.search.model.rowCount() == 0
    dialog = main.search.register_patient()
    qtbot.keyClicks(dialog.given, "Chidi")
    qtbot.keyClicks(dialog.family, "Okonkwo")
    dialog.birth.setDate(QDate(1958, 4, 9))
    dialog.sex.setCurrentIndex(dialog.sex.findData("male"))
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: main.chart is not None and main.chart.summary is not None, timeout=5000)
    chart = main.chart
    assert chart.banner.name.text() == "Chidi Okonkwo"
    patient_id = chart.patient_id

    # Vitals.
    vitals = _tab(qtbot, chart, "Vitals")
    for code, value in (("8480-6", "138"), ("8462-4", "88"), ("8867-4", "76"), ("29463-7", "82")):
        qtbot.keyClicks(vitals.entry.fields[code], value)
    vitals.entry.save_button.click()
    qtbot.waitUntil(lambda: vitals.model.rowCount() == 1, timeout=5000)

    # A note, written and signed.
    notes_tab = _tab(qtbot, chart, "Encounters and notes")
    notes_tab.visit_type.setCurrentIndex(notes_tab.visit_type.findData("new-patient"))
    notes_tab.new_button.click()
    qtbot.waitUntil(lambda: notes_tab.editor is not None, timeout=5000)
    editor = notes_tab.editor
    qtbot.keyClicks(editor.sections["assessment"], "Stage 1 hypertension")
    qtbot.keyClicks(editor.sections["plan"], "Lifestyle advice; start lisinopril 10 mg")
    editor.sign_button.click()
    qtbot.waitUntil(lambda: editor.note.status == "signed", timeout=5000)

    # A problem, an allergy, a prescription.
    problem_tab = _tab(qtbot, chart, "Problems")
    _pick(qtbot, problem_tab.picker, "I10", "I10")
    problem_tab.save_button.click()
    qtbot.waitUntil(lambda: problem_tab.model.rowCount() == 1, timeout=5000)
    allergy_tab = _tab(qtbot, chart, "Allergies")
    _pick(qtbot, allergy_tab.picker, "penicillin", "834102")
    qtbot.keyClicks(allergy_tab.reaction, "rash")
    allergy_tab.severity.setCurrentIndex(allergy_tab.severity.findData("moderate"))
    allergy_tab.save_button.click()
    qtbot.waitUntil(lambda: "penicillin" in chart.banner.allergies.text(), timeout=5000)
    rx_tab = _tab(qtbot, chart, "Medications")
    _pick(qtbot, rx_tab.picker, "lisinopril 10", "314076")
    rx_tab.frequency.setCurrentText("once daily")
    rx_tab.quantity.setText("90")
    rx_tab.refills.setValue(3)
    rx_tab.save_button.click()
    qtbot.waitUntil(lambda: rx_tab.model.rowCount() == 1, timeout=5000)

    # What the store holds.
    assert shown_errors == []
    stored = patients.get(doctor, patient_id)
    assert (stored.name.text, stored.birth_date.isoformat(), stored.sex) == ("Chidi Okonkwo", "1958-04-09", "male")
    assert [str(o.value) for o in observations.trend(doctor, patient_id, "8480-6")] == ["138"]
    assert [str(o.value) for o in observations.trend(doctor, patient_id, "29463-7")] == ["82"]
    [note] = notes.for_patient(doctor, patient_id)
    assert (note.status, note.assessment, note.signed_by) == (
        "signed", "Stage 1 hypertension", doctor.user.practitioner_id)
    assert note.subjective.startswith("Chief complaint:")  # the new-patient template
    assert [c.code.code for c in problems.active(doctor, patient_id)] == ["I10"]
    [allergy] = allergies.active(doctor, patient_id)
    assert (allergy.substance.code, allergy.reaction, allergy.severity) == ("834102", "rash", "moderate")
    [rx] = medications.prescriptions(doctor, patient_id)
    assert (rx.medication.code, rx.frequency, str(rx.quantity), rx.refills) == ("314076", "once daily", "90", 3)
