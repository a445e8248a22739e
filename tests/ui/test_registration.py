"""Registering a patient from the search screen and editing demographics, on a real store."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate

from app import patients
from tests.ui._patients import register
from ui.qt import registration
from ui.qt.registration import PatientDialog
from ui.qt.search_view import SearchView


def _fill(dialog: PatientDialog, given: str, family: str, born: date, *, phone: str = "") -> None:
    dialog.given.setText(given)
    dialog.family.setText(family)
    dialog.birth.setDate(QDate(born.year, born.month, born.day))
    dialog.phone.setText(phone)


def test_registering_from_the_search_screen_stores_the_patient_and_opens_the_chart(qtbot, sessions):
    view = SearchView(sessions["front_desk"])
    qtbot.addWidget(view)
    opened: list[str] = []
    view.open_patient.connect(opened.append)
    dialog = view.register_patient()
    qtbot.keyClicks(dialog.given, "Amina")
    qtbot.keyClicks(dialog.family, "Haddad")
    dialog.birth.setDate(QDate(1990, 3, 14))
    dialog.sex.setCurrentIndex(dialog.sex.findData("female"))
    qtbot.keyClicks(dialog.phone, "555-123-4567")

    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)

    stored = patients.get(sessions["front_desk"], opened[0])
    assert (stored.name.text, stored.birth_date, stored.sex, stored.phone) == (
        "Amina Haddad", date(1990, 3, 14), "female", "555-123-4567")
    assert stored.mrn  # the clinic's next MRN was assigned


def test_each_problem_is_shown_under_its_own_field_and_nothing_is_stored(qtbot, sessions):
    dialog = PatientDialog(sessions["front_desk"])
    qtbot.addWidget(dialog)
    _fill(dialog, "", "", date(1990, 1, 1), phone="12")
    dialog.email.setText("not-an-address")

    dialog.save()
    qtbot.waitUntil(lambda: bool(dialog.shown_problems()), timeout=5000)

    shown = dialog.shown_problems()
    assert shown == {"given name": "Is required.", "family name": "Is required.",
                     "phone": "'12' is not a phone number.",
                     "email": "'not-an-address' is not an e-mail address."}
    assert dialog.result_patient is None
    assert patients.search(sessions["front_desk"], "not-an-address") == []


def test_a_possible_duplicate_is_asked_about_before_creating(qtbot, sessions, monkeypatch):
    register(sessions["front_desk"], "Jon", "Bellamy", date(1975, 8, 2))
    asked: list[str] = []
    monkeypatch.setattr(registration, "confirm", lambda parent, title, text: asked.append(text) or False)
    dialog = PatientDialog(sessions["front_desk"])
    qtbot.addWidget(dialog)
    _fill(dialog, "John", "Bellamy", date(1975, 8, 2))

    dialog.save()
    qtbot.waitUntil(lambda: dialog.general.isVisibleTo(dialog) or bool(asked), timeout=5000)
    qtbot.waitUntil(lambda: not dialog.general.isHidden(), timeout=5000)

    assert len(asked) == 1 and "Jon Bellamy" in asked[0] and "same birth date" in asked[0]
    assert dialog.result_patient is None
    assert len(patients.search(sessions["front_desk"], "Bellamy")) == 1


def test_confirming_the_duplicate_warning_registers_the_second_patient(qtbot, sessions, monkeypatch):
    register(sessions["front_desk"], "Jon", "Bellamy", date(1975, 8, 2))
    monkeypatch.setattr(registration, "confirm", lambda parent, title, text: True)
    dialog = PatientDialog(sessions["front_desk"])
    qtbot.addWidget(dialog)
    _fill(dialog, "John", "Bellamy", date(1975, 8, 2))

    dialog.save()
    qtbot.waitUntil(lambda: dialog.result_patient is not None, timeout=5000)

    assert sorted(p.name for p in patients.search(sessions["front_desk"], "Bellamy")) == [
        "John Bellamy", "Jon Bellamy"]


def test_editing_demographics_updates_the_same_patient(qtbot, sessions):
    original = register(sessions["front_desk"], "Lena", "Fischer", date(1988, 11, 30), phone="555-000-1111")
    dialog = PatientDialog(sessions["front_desk"], patients.get(sessions["front_desk"], original.id))
    qtbot.addWidget(dialog)
    assert (dialog.given.text(), dialog.family.text(), dialog.mrn.text()) == (
        "Lena", "Fischer", original.mrn)
    dialog.family.setText("Fischer-Berg")
    dialog.phone.setText("555-999-2222")

    dialog.save()
    qtbot.waitUntil(lambda: dialog.result_patient is not None, timeout=5000)

    stored = patients.get(sessions["front_desk"], original.id)
    assert (stored.name.text, stored.phone, stored.mrn) == ("Lena Fischer-Berg", "555-999-2222",
                                                            original.mrn)
