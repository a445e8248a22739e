"""The dashboard screen on a small demo clinic: what it shows equals what the dashboard
service computes, a measure drills down to the service's patients and on to a chart, and
the exports read back with the same figures."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
import shiboken6
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from app import accounts, dashboard, demo, directory, observations
from app.audit import Action
from app import formatting as fmt
from app.errors import PermissionDenied
from tests.conftest import ADMIN_PASSWORD
from ui import wiring
from ui.qt import dashboard_data
from ui.qt.billing_view import money_text
from ui.qt.dashboard_view import DashboardView
from ui.qt.main_window import MainWindow

PASSWORD = "a long enough password 1"
TODAY = date.today()
START, END = TODAY - timedelta(days=180), TODAY + timedelta(days=1)  # half a year, up to today


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """A 60-patient demo clinic with a physician and a front-desk user; yields its folder."""
    folder = tmp_path_factory.mktemp("dashboard-ui") / "clinic"
    opened, _ = wiring.create_clinic(folder, clinic_name="Dash", admin_username="admin",
                                     admin_password=ADMIN_PASSWORD)
    demo.populate(opened.session, patients=60, seed=3, today=TODAY)
    for username, role in (("doc", "physician"), ("desk", "front_desk")):
        accounts.add_user(opened.session, opened.store, username=username, role=role,
                          display_name=username, password=PASSWORD)
    yield folder, opened
    opened.store.close()


def _session(demo_store, username: str):
    return accounts.start_session(demo_store[1].store.uow, username=username, password=PASSWORD,
                                  workstation="test-ws")


@pytest.fixture
def doctor(demo_store):
    return _session(demo_store, "doc")


def _shown(qtbot, view: DashboardView, start: date = START, end: date = END) -> dashboard_data.Board:
    qtbot.waitUntil(lambda: view.board is not None, timeout=10000)
    view.period.setCurrentIndex(2)  # custom dates
    before = view.board
    view.set_period(start, end)
    qtbot.waitUntil(lambda: view.board is not before, timeout=10000)
    return view.board


def _view(qtbot, session) -> DashboardView:
    view = DashboardView(session)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    return view


def _cells(model) -> list[list[str]]:
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_the_tiles_tables_chart_and_measures_show_the_services_numbers(qtbot, doctor, tmp_path):
    view = _view(qtbot, doctor)
    _shown(qtbot, view)
    board = dashboard.dashboard(doctor, start=START, end=END)

    tiles = {key: tile.value.text() for key, tile in view.tiles.items()}
    assert tiles == {"visits": str(board.visits), "new": str(board.new_patients),
                     "noshow": f"{board.no_show_rate} %", "charged": money_text(board.money.charged),
                     "paid": money_text(board.money.paid), "outstanding": money_text(board.money.outstanding)}
    assert board.visits > 20
    assert _cells(view.by_day) == [[fmt.date_text(d), str(n)] for d, n in board.visits_by_day.items()]
    assert _cells(view.by_week) == [[fmt.date_text(d), str(n)] for d, n in board.visits_by_week.items()]
    assert sorted(int(n) for _, n in _cells(view.by_provider)) == sorted(board.visits_by_provider.values())
    staff = {p.id: fmt.person_name(p.name) for p in directory.practitioners(doctor)}
    assert sorted(name for name, _ in _cells(view.by_provider)) == sorted(
        staff[k] if k else dashboard_data.NO_PROVIDER for k in board.visits_by_provider)
    assert sorted(int(n) for _, n in _cells(view.by_location)) == sorted(board.visits_by_location.values())
    assert _cells(view.measures) == [
        [m.title + (" (lower is better)" if m.lower_is_better else ""), str(m.numerator), str(m.denominator),
         f"{m.rate} %"] for m in board.measures.values()]
    # half a year is charted per week; the bars add up to the visits
    bars = view.chart.chart().series()[0].barSets()[0]
    assert view.chart.chart().title() == "Visits per week (week of)"
    assert [int(bars.at(i)) for i in range(bars.count())] == [n for _, n in view.chart.shown]
    assert sum(n for _, n in view.chart.shown) == board.visits
    view.grab().save(str(tmp_path / "dashboard.png"))


def test_a_week_is_charted_a_bar_a_day_including_days_without_visits(qtbot, doctor):
    view = _view(qtbot, doctor)
    monday = dashboard.week_of(TODAY) - timedelta(days=7)
    board = _shown(qtbot, view, monday, monday + timedelta(days=7)).figures

    bars = view.chart.chart().series()[0].barSets()[0]
    assert view.chart.chart().title() == "Visits per day"
    assert bars.count() == 7
    assert [int(bars.at(i)) for i in range(7)] == [board.visits_by_day.get(monday + timedelta(days=n), 0)
                                                   for n in range(7)]
    assert view.status.text().startswith(fmt.date_text(monday))


def test_enter_on_a_measure_lists_the_patients_the_service_returns_with_their_last_value(qtbot, doctor):
    view = _view(qtbot, doctor)
    _shown(qtbot, view)
    as_of = END - timedelta(days=1)
    row = list(view.board.figures.measures).index("hypertension-controlled")
    view.measures_table.setFocus()
    view.measures_table.setCurrentIndex(view.measures.index(row, 0))
    qtbot.keyClick(view.measures_table, Qt.Key.Key_Return)

    assert len(view.drills) == 1
    drill = view.drills[0]
    qtbot.waitUntil(lambda: drill.loaded, timeout=10000)
    counted = dashboard.patients_for(doctor, "hypertension-controlled", as_of=as_of)
    assert counted and sorted(drill.patient_ids()) == sorted(p.id for p in counted)
    shown = {drill.proxy.index(r, 1).data(): drill.proxy.index(r, 3).data() for r in range(drill.proxy.rowCount())}
    first = counted[0]
    systolic = observations.trend(doctor, first.id, dashboard.SYSTOLIC, limit=1)[-1]
    assert shown[first.mrn].startswith(f"{fmt.number_text(systolic.value)}/")
    assert shown[first.mrn].endswith(f"mmHg on {fmt.date_text(systolic.effective)}")

    drill.which.setCurrentIndex(1)  # the rest of the eligible patients
    qtbot.waitUntil(lambda: drill.loaded and not drill.numerator(), timeout=10000)
    rest = dashboard.patients_for(doctor, "hypertension-controlled", as_of=as_of, numerator=False)
    assert sorted(drill.patient_ids()) == sorted(p.id for p in rest)
    assert drill.status.text() == fmt.count_text(len(rest), "patient") + "."


def test_double_clicking_a_listed_patient_opens_their_chart_in_the_main_window(qtbot, demo_store, settings):
    main = MainWindow(wiring.sign_in(demo_store[0], "doc", PASSWORD), settings)
    main.show()
    try:
        assert main.dashboard_action.isVisible()
        main.dashboard_action.trigger()
        view = main.dashboard
        assert main.pages.currentWidget() is view
        qtbot.waitUntil(lambda: view.board is not None and bool(view.board.figures.measures), timeout=10000)
        drill = view.drill(view.board.figures.measures["adult-immunization"])
        qtbot.waitUntil(lambda: drill.loaded, timeout=10000)
        assert drill.model.rowCount() > 0
        table = drill.table
        cell = table.visualRect(drill.proxy.index(0, 0)).center()
        wanted = drill.patient_ids()[0]
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)

        qtbot.waitUntil(lambda: main.chart is not None and main.chart.summary is not None, timeout=10000)
        assert main.chart.patient_id == wanted
        assert main.pages.currentWidget() is main.chart
        assert main.chart.banner.name.text() == fmt.person_name(main.chart.summary.patient.name)
        assert drill.proxy.index(0, 0).data().startswith(main.chart.summary.patient.name.family.upper())
    finally:
        if shiboken6.isValid(main):
            main.close()


def test_the_csv_and_pdf_exports_read_back_with_the_figures_on_screen(qtbot, doctor, tmp_path, monkeypatch):
    view = _view(qtbot, doctor)
    board = _shown(qtbot, view).figures
    target = {"path": ""}
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (target["path"], ""))

    target["path"] = str(tmp_path / "dashboard.csv")
    view.csv_button.click()
    qtbot.waitUntil(lambda: view.status.text().startswith("Saved to"), timeout=10000)
    rows = list(csv.reader(io.StringIO((tmp_path / "dashboard.csv").read_text("utf-8"))))
    assert ["summary", "visits", view.tiles["visits"].value.text()] in rows
    assert ["summary", "no-show rate %", view.tiles["noshow"].value.text().removesuffix(" %")] in rows
    assert ["measure", "hypertension-controlled rate %", str(board.measures["hypertension-controlled"].rate)] in rows
    assert sum(int(r[2]) for r in rows if r[0] == "visits by day") == board.visits

    target["path"] = str(tmp_path / "dashboard.pdf")
    view.pdf_button.click()
    qtbot.waitUntil(lambda: view.status.text() == f"Saved to {target['path']}.", timeout=20000)
    text = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(target["path"]).pages).split())
    assert f"Visits {board.visits}" in text and f"New patients {board.new_patients}" in text
    assert "Quality measures" in text and f"{board.measures['adult-immunization'].rate} %" in text


def test_choosing_a_provider_and_a_site_narrows_the_visits_and_the_exports_say_so(
        qtbot, doctor, tmp_path, monkeypatch):
    view = _view(qtbot, doctor)
    whole = _shown(qtbot, view).figures
    who = max((k for k in whole.visits_by_provider if k), key=whole.visits_by_provider.get)
    where = max((k for k in whole.visits_by_location if k), key=whole.visits_by_location.get)
    staff = {p.id: fmt.person_name(p.name) for p in directory.practitioners(doctor)}
    sites = {site.id: site.name for site in directory.locations(doctor)}
    assert [view.provider.itemText(i) for i in range(view.provider.count())] == [
        "All providers", *sorted(staff.values(), key=str.casefold)]

    for combo, key in ((view.provider, who), (view.location, where)):
        before = view.board
        combo.setCurrentIndex(combo.findData(key))
        qtbot.waitUntil(lambda: view.board is not before, timeout=10000)
    shown = view.board.figures
    narrowed = dashboard.dashboard(doctor, start=START, end=END, practitioner_id=who, location_id=where)
    assert (shown.practitioner_id, shown.location_id) == (who, where)
    assert view.tiles["visits"].value.text() == str(narrowed.visits) != str(whole.visits)
    assert view.tiles["noshow"].value.text() == f"{narrowed.no_show_rate} %"
    assert _cells(view.by_provider) == [[staff[who], str(narrowed.visits)]]
    # money and measures are the whole clinic's, and the screen says so
    assert view.tiles["paid"].value.text() == money_text(whole.money.paid)
    assert view.tiles["paid"].caption.text() == "Paid · whole clinic"
    assert view.measures_box.title().startswith("Quality measures (whole clinic)")
    assert f"visits and appointments of {staff[who]} at {sites[where]}" in view.status.text()

    target = {"path": str(tmp_path / "narrowed.csv")}
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (target["path"], ""))
    view.csv_button.click()
    qtbot.waitUntil(lambda: view.status.text().startswith("Saved to"), timeout=10000)
    rows = list(csv.reader(io.StringIO((tmp_path / "narrowed.csv").read_text("utf-8"))))
    assert ["summary", "visits", str(narrowed.visits)] in rows
    assert ["summary", "visits and appointments of",
            f"{staff[who]} at {sites[where]}; money and quality measures: the whole clinic"] in rows
    target["path"] = str(tmp_path / "narrowed.pdf")
    view.pdf_button.click()
    qtbot.waitUntil(lambda: view.status.text() == f"Saved to {target['path']}.", timeout=20000)
    text = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(target["path"]).pages).split())
    assert f"Visits {narrowed.visits}" in text
    assert f"{staff[who]} at {sites[where]}; money and quality measures: the whole clinic" in text
    with doctor.uow() as uow:
        printed = [e.detail for e in uow.audit.query(username="doc", action=Action.PRINT.value)
                   if e.detail.get("kind") == "dashboard"]
    assert {"provider": who, "location": where}.items() <= printed[-1].items()

    view.provider.setCurrentIndex(0)
    view.location.setCurrentIndex(0)
    qtbot.waitUntil(lambda: view.board.figures.visits == whole.visits and not view.board.figures.filtered,
                    timeout=10000)
    assert view.tiles["paid"].caption.text() == "Paid"


def test_a_role_without_chart_access_sees_no_measures_and_the_service_refuses_the_drill_down(
        qtbot, demo_store, shown_errors):
    desk = _session(demo_store, "desk")
    view = _view(qtbot, desk)
    board = _shown(qtbot, view).figures

    assert not hasattr(view, "measures_table") and view.measures.rowCount() == 0
    assert view.tiles["visits"].value.text() == str(board.visits)
    assert view.tiles["outstanding"].isVisible()  # the front desk may see billing
    assert "measures" not in view.status.text()
    with pytest.raises(PermissionDenied):
        dashboard_data.drill(desk, "diabetes-a1c-poor", as_of=TODAY)
    assert shown_errors == []


def test_an_end_before_the_start_is_refused_in_one_sentence(qtbot, doctor, shown_errors):
    view = _view(qtbot, doctor)
    qtbot.waitUntil(lambda: view.board is not None, timeout=10000)
    view.period.setCurrentIndex(2)
    view.start_edit.setDate(view.end_edit.date().addDays(5))
    view.show_button.click()

    qtbot.waitUntil(lambda: bool(shown_errors), timeout=10000)
    assert shown_errors[0].startswith("Some details need correcting:") and "after the start" in shown_errors[0]
    assert view.status.text() == "The dashboard could not be computed."


def test_a_long_list_reads_last_values_for_the_rows_on_screen_and_more_when_scrolled(qtbot, doctor):
    view = _view(qtbot, doctor)
    _shown(qtbot, view)
    drill = view.drill(view.board.figures.measures["screening-depression"])
    drill.resize(drill.width(), drill.fontMetrics().height() * 16)  # fewer rows than patients
    qtbot.waitUntil(lambda: drill.loaded, timeout=10000)
    last_row = drill.proxy.rowCount() - 1
    assert last_row > len(drill.on_screen())
    assert drill.proxy.index(0, 3).data() != "…"
    assert drill.proxy.index(last_row, 3).data() == "…"  # not read: nobody looked at it

    drill.table.scrollToBottom()
    qtbot.waitUntil(lambda: drill.loaded and drill.proxy.index(last_row, 3).data() != "…", timeout=10000)
    value = drill.proxy.index(last_row, 3).data()
    assert value == "None recorded" or " on " in value


def test_this_month_counts_the_measures_as_of_today_not_the_end_of_the_month(qtbot, doctor):
    view = _view(qtbot, doctor)
    qtbot.waitUntil(lambda: view.board is not None, timeout=10000)
    before = view.board
    view.period.setCurrentIndex(1)  # this month
    qtbot.waitUntil(lambda: view.board is not before, timeout=10000)

    first = TODAY.replace(day=1)
    assert view.board.figures.start == first and view.board.figures.end.day == 1
    assert view.board.figures.end > TODAY >= first
    assert view.board.as_of == TODAY
    expected = dashboard.dashboard(doctor, start=first, end=view.board.figures.end, as_of=TODAY)
    assert view.board.figures.measures == expected.measures
    assert view.status.text().endswith(f"measures as of {fmt.date_text(TODAY)}.")


def test_an_export_to_a_folder_that_does_not_exist_says_so_in_one_sentence(
        qtbot, doctor, tmp_path, monkeypatch, shown_errors):
    view = _view(qtbot, doctor)
    qtbot.waitUntil(lambda: view.board is not None and view.csv_button.isEnabled(), timeout=10000)
    missing = tmp_path / "no such folder" / "dashboard.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(missing), ""))

    view.csv_button.click()

    qtbot.waitUntil(lambda: bool(shown_errors), timeout=10000)
    assert shown_errors == ["The file could not be written: No such file or directory."]
    assert view.status.text() == "The file was not saved." and not missing.exists()
