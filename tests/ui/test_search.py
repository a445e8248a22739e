"""Finding a patient in the search view, on a real store."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QModelIndex, Qt

from app.patients import PatientSummary
from tests.ui._patients import register
from ui.qt.models import ID_ROLE, PatientTableModel
from ui.qt.search_view import SearchView


@pytest.fixture
def registry(sessions):
    doctor = sessions["physician"]
    return {
        "maria": register(doctor, "Maria", "Lopez", date(1961, 5, 20), phone="555-201-3344"),
        "mario": register(doctor, "Mario", "Rossi", date(1990, 1, 2), sex="male"),
        "john": register(doctor, "John", "Smith", date(1975, 7, 7), sex="male"),
        "asa": register(doctor, "Åsa", "Krüger", date(2001, 4, 6)),
    }


@pytest.fixture
def view(qtbot, sessions, registry) -> SearchView:
    view = SearchView(sessions["physician"])
    qtbot.addWidget(view)
    view.show()
    return view


def _names(view: SearchView) -> list[str]:
    return [view.proxy.index(r, 1).data() for r in range(view.proxy.rowCount())]


def _wait_for_results(qtbot, view: SearchView, text: str) -> None:
    qtbot.waitUntil(lambda: view.results_for == text, timeout=5000)


def test_typing_in_the_search_box_shows_the_matching_patients(qtbot, view):
    qtbot.keyClicks(view.search_box, "mari")
    _wait_for_results(qtbot, view, "mari")

    assert sorted(_names(view)) == ["Maria Lopez", "Mario Rossi"]
    assert view.status.text() == "2 patients found."


def test_each_result_shows_mrn_name_birth_date_age_sex_and_phone(qtbot, view, registry):
    qtbot.keyClicks(view.search_box, "lopez")
    _wait_for_results(qtbot, view, "lopez")

    row = [view.proxy.index(0, c).data() for c in range(view.proxy.columnCount())]
    assert row[0] == registry["maria"].mrn
    assert row[1:3] == ["Maria Lopez", "20 May 1961"]
    assert row[3].endswith(" y")
    assert row[4:] == ["Female", "555-201-3344"]


def test_a_name_with_diacritics_is_found_typed_either_way(qtbot, view):
    view.search_box.setText("Krüger")  # keyClicks cannot type non-ASCII
    _wait_for_results(qtbot, view, "Krüger")
    assert _names(view) == ["Åsa Krüger"]

    view.search_box.setText("asa kruger")
    _wait_for_results(qtbot, view, "asa kruger")
    assert _names(view) == ["Åsa Krüger"]


def test_a_search_with_no_match_says_so(qtbot, view):
    qtbot.keyClicks(view.search_box, "zzzz")
    _wait_for_results(qtbot, view, "zzzz")

    assert view.proxy.rowCount() == 0
    assert view.status.text() == "No patient matches “zzzz”."


def test_enter_on_a_result_opens_that_patient(qtbot, view, registry):
    qtbot.keyClicks(view.search_box, "smith")
    _wait_for_results(qtbot, view, "smith")

    with qtbot.waitSignal(view.open_patient, timeout=2000) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)

    assert opened.args == [registry["john"].id]


def test_double_clicking_a_result_opens_that_patient(qtbot, view, registry):
    qtbot.keyClicks(view.search_box, "rossi")
    _wait_for_results(qtbot, view, "rossi")
    index = view.proxy.index(0, 1)

    with qtbot.waitSignal(view.open_patient, timeout=2000) as opened:
        view.table.doubleClicked.emit(index)

    assert opened.args == [registry["mario"].id]


def test_opened_patients_are_listed_once_most_recent_first(qtbot, view, registry):
    for key in ("maria", "john", "maria"):
        view.add_recent(PatientSummary.of(registry[key]))

    assert view.recent_ids() == [registry["maria"].id, registry["john"].id]
    with qtbot.waitSignal(view.open_patient, timeout=2000) as opened:
        view.recent.itemActivated.emit(view.recent.item(1))
    assert opened.args == [registry["john"].id]


def test_results_sort_by_birth_date_not_by_its_text(qtbot, view):
    qtbot.keyClicks(view.search_box, "mari")
    _wait_for_results(qtbot, view, "mari")

    view.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)

    assert _names(view) == ["Maria Lopez", "Mario Rossi"]  # 1961 before 1990
    view.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # youngest first
    assert _names(view) == ["Mario Rossi", "Maria Lopez"]


def test_the_table_model_never_raises_on_odd_rows_or_indexes(qapp):
    model = PatientTableModel()
    odd = PatientSummary(id="p-1", mrn=None, name=None, birth_date=None, sex=None, phone=None)
    model.set_rows([odd])

    shown = [model.index(0, c).data() for c in range(model.columnCount())]
    assert shown == ["—"] * 6
    assert model.data(QModelIndex()) is None
    assert model.index(0, 0).data(ID_ROLE) == "p-1"
    assert model.data(model.createIndex(5, 9)) is None  # out of range
