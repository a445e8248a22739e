"""Opening a chart: the banner and the Summary panes, on a real store."""
from __future__ import annotations

from datetime import date

from tests.ui._patients import register
from ui.qt.chart_view import NO_ALLERGIES, ChartView
from ui.qt.models import ABNORMAL_ROLE


def _open(qtbot, session, patient_id) -> ChartView:
    view = ChartView(session, patient_id)
    qtbot.addWidget(view)
    view.show()
    return view


def _loaded(qtbot, view: ChartView) -> ChartView:
    qtbot.waitUntil(lambda: view.summary is not None, timeout=5000)
    return view


def test_the_banner_shows_name_mrn_and_allergies_in_red(qtbot, sessions, charted):
    view = _loaded(qtbot, _open(qtbot, sessions["physician"], charted.id))

    assert view.banner.name.text() == "Maria Lopez"
    assert f"MRN {charted.mrn}" in view.banner.details.text()
    assert "Female" in view.banner.details.text() and "Born 20 May 1961" in view.banner.details.text()
    allergy = view.banner.allergies.text()
    assert allergy.startswith("Allergies: penicillin V potassium") and "hives; severe" in allergy
    assert "color" in view.banner.allergies.styleSheet()
    assert not view.banner.withheld.isVisibleTo(view)


def test_the_summary_shows_the_recorded_problems_and_vitals(qtbot, sessions, charted):
    view = _loaded(qtbot, _open(qtbot, sessions["physician"], charted.id))
    panes = view.summary_tab.panes

    problems = panes["Active problems"].texts()
    assert ("I10", "Essential (primary) hypertension", "1 Jun 2015") in problems
    assert any(code == "F32.A" for code, _, _ in problems)
    vitals = {row[0]: row for row in panes["Latest vital signs"].texts()}
    assert vitals["Blood pressure"][1:3] == ("162/78 mmHg", "H systolic")
    assert vitals["Heart rate"][1:3] == ("72/min", "")


def test_abnormal_vitals_are_flagged_for_highlighting(qtbot, sessions, charted):
    view = _loaded(qtbot, _open(qtbot, sessions["physician"], charted.id))
    model = view.summary_tab.panes["Latest vital signs"].model

    flags = {model.index(r, 0).data(): model.index(r, 1).data(ABNORMAL_ROLE)
             for r in range(model.rowCount())}
    assert flags == {"Blood pressure": True, "Heart rate": False}


def test_empty_panes_say_nothing_is_recorded(qtbot, sessions, charted):
    view = _loaded(qtbot, _open(qtbot, sessions["physician"], charted.id))
    labs = view.summary_tab.panes["Recent lab results"]

    assert labs.placeholder.isVisibleTo(view) and not labs.table.isVisibleTo(view)
    assert labs.placeholder.text() == "No lab results recorded."


def test_a_patient_without_allergies_reads_no_known_allergies(qtbot, sessions):
    patient = register(sessions["physician"], "Zoë", "Ødegård", date(2019, 2, 3))
    view = _loaded(qtbot, _open(qtbot, sessions["physician"], patient.id))

    assert view.banner.name.text() == "Zoë Ødegård"
    assert view.banner.allergies.text() == NO_ALLERGIES


def test_a_nurse_is_told_how_many_sensitive_records_are_withheld(qtbot, sessions, charted):
    view = _loaded(qtbot, _open(qtbot, sessions["nurse"], charted.id))

    assert view.banner.withheld.text() == "1 sensitive record is withheld: your role may not see it."
    assert [row[0] for row in view.summary_tab.panes["Active problems"].texts()] == ["I10"]


def test_a_refused_chart_is_reported_by_the_error_presenter_not_raised(qtbot, sessions, charted,
                                                                      shown_errors):
    view = _open(qtbot, sessions["front_desk"], charted.id)

    qtbot.waitUntil(lambda: bool(shown_errors), timeout=5000)

    assert shown_errors == ["You are not allowed to read clinical records; ask the clinic's "
                            "administrator if you need to."]
    assert view.banner.name.text() == "The chart could not be opened."
    assert view.summary is None


def test_a_missing_patient_is_reported_by_the_error_presenter(qtbot, sessions, shown_errors):
    view = _open(qtbot, sessions["physician"], "no-such-patient")

    qtbot.waitUntil(lambda: bool(shown_errors), timeout=5000)

    assert shown_errors == ["This patient could not be found; it may have been entered in error."]
    assert view.summary is None


def test_a_pane_closed_with_a_refit_pending_drops_the_refit(qtbot):
    """Column resizes queue one refit; closing the chart before it runs must not touch a
    deleted table (CI once failed a later test's teardown on exactly that)."""
    import shiboken6
    from PySide6.QtCore import QCoreApplication
    from ui.qt.chart_panes import Pane, Row

    pane = Pane("Active problems", ("Code", "Problem"), "None recorded.", stretch=1)
    pane.set_rows([Row(("I10", "Essential (primary) hypertension"))])
    pane.table.horizontalHeader().resizeSection(0, 120)  # queues the refit
    assert pane._fit_pending
    table = pane.table
    shiboken6.delete(pane)
    assert not shiboken6.isValid(table)
    QCoreApplication.processEvents()  # an exception here fails the test (pytest-qt)
