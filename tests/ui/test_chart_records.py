"""Problems, allergies and prescriptions from the chart's tabs, with the pickers, on a real store."""
from __future__ import annotations

from app import allergies, medications, problems
from ui.qt import registration
from tests.ui._patients import chart_tab


_tab = chart_tab  # open the chart and show one tab, loaded


def _pick(qtbot, picker, text, code):
    qtbot.keyClicks(picker.box, text)
    # The first search of a process waits for the terminology index to be built.
    qtbot.waitUntil(lambda: any(c.code == code for c in picker.choices()), timeout=20_000)
    assert picker.choose(code)


def test_a_problem_is_picked_by_name_from_icd10cm_and_stored(qtbot, sessions, charted):
    doctor = sessions["physician"]
    view, tab = _tab(qtbot, doctor, charted.id, "Problems")
    _pick(qtbot, tab.picker, "type 2 diabetes", "E11.9")

    tab.save_button.click()
    qtbot.waitUntil(lambda: any(r[0] == "E11.9" for r in _codes(tab)), timeout=5000)

    assert "E11.9" in {c.code.code for c in problems.active(doctor, charted.id)}
    qtbot.waitUntil(lambda: any(r[0] == "E11.9" for r in view.summary_tab.panes["Active problems"].texts()),
                    timeout=5000)


def _codes(tab):
    return [tuple(tab.model.index(r, c).data() for c in range(tab.model.columnCount()))
            for r in range(tab.model.rowCount())]


def test_a_problem_without_a_choice_is_refused_in_words(qtbot, sessions, charted):
    _, tab = _tab(qtbot, sessions["physician"], charted.id, "Problems")

    tab.save()

    assert tab.message.text() == "Not saved. Diagnosis: choose one from the list."


def test_an_allergy_is_recorded_and_shown_in_the_banner(qtbot, sessions, charted):
    doctor = sessions["physician"]
    view, tab = _tab(qtbot, doctor, charted.id, "Allergies")
    qtbot.keyClicks(tab.other, "peanuts")
    qtbot.keyClicks(tab.reaction, "anaphylaxis")
    tab.severity.setCurrentIndex(tab.severity.findData("severe"))

    tab.save_button.click()
    qtbot.waitUntil(lambda: "peanuts" in view.banner.allergies.text(), timeout=5000)

    stored = {a.substance.display: a for a in allergies.active(doctor, charted.id)}
    assert stored["peanuts"].reaction == "anaphylaxis" and stored["peanuts"].severity == "severe"


def test_prescribing_a_drug_the_patient_is_allergic_to_warns_and_stores_nothing_unless_confirmed(
        qtbot, sessions, charted, monkeypatch):
    doctor = sessions["physician"]
    _, tab = _tab(qtbot, doctor, charted.id, "Medications")
    answers, asked = [False, True], []
    monkeypatch.setattr(registration, "confirm", lambda p, t, text: asked.append(text) or answers.pop(0))
    _pick(qtbot, tab.picker, "penicillin", "834102")
    tab.frequency.setCurrentText("four times daily")
    tab.quantity.setText("40")

    tab.save()
    qtbot.waitUntil(lambda: tab.message.text() == "Not saved.", timeout=5000)
    assert "allergic to penicillin V potassium" in asked[0]
    assert medications.prescriptions(doctor, charted.id) == []

    tab.save()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=5000)
    rx = medications.prescriptions(doctor, charted.id)[0]
    assert (rx.medication.code, rx.frequency, str(rx.quantity), rx.route, rx.refills) == (
        "834102", "four times daily", "40", "oral", 0)
    assert rx.sig == "Take 1 tablet by mouth four times daily"
