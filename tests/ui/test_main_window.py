"""The main window: from search to a chart, the status bar, and what it remembers."""
from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import QSettings, Qt

from tests.conftest import USER_PASSWORD
from ui import wiring
from ui.qt.main_window import MainWindow


@pytest.fixture
def open_main(sessions, store_dir):
    """Makes main windows signed in as the test physician; closes those still open after."""
    made: list[MainWindow] = []

    def make(settings: QSettings) -> MainWindow:
        window = MainWindow(wiring.sign_in(store_dir, "dr.test", USER_PASSWORD), settings)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        if shiboken6.isValid(window):
            window.close()


def test_searching_and_opening_a_patient_shows_the_chart_and_remembers_the_patient(
        qtbot, open_main, settings, charted):
    main = open_main(settings)
    qtbot.keyClicks(main.search.search_box, "lopez")
    qtbot.waitUntil(lambda: main.search.results_for == "lopez", timeout=5000)

    qtbot.keyClick(main.search.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: main.chart is not None and main.chart.summary is not None, timeout=5000)

    assert main.pages.currentWidget() is main.chart
    assert main.chart.banner.name.text() == "Maria Lopez"
    assert main.search.recent_ids() == [charted.id]


def test_find_patient_returns_to_the_search_box(qtbot, open_main, settings, charted):
    main = open_main(settings)
    main.open_patient(charted.id)
    qtbot.waitUntil(lambda: main.chart.summary is not None, timeout=5000)

    main.find_action.trigger()

    assert main.pages.currentWidget() is main.search
    assert main.find_action.shortcut().toString() == "Ctrl+F"


def test_the_window_size_is_remembered_without_any_patient_details(qtbot, open_main, settings, charted):
    first = open_main(settings)
    first.open_patient(charted.id)
    qtbot.waitUntil(lambda: first.chart.summary is not None, timeout=5000)
    first.resize(700, 480)  # within the offscreen screen (800×600)
    first.close()

    second = open_main(settings)

    assert (second.width(), second.height()) == (700, 480)
    assert sorted(settings.allKeys()) == ["main_window/geometry", "main_window/state"]
    stored = b"".join(bytes(settings.value(key)) for key in settings.allKeys())
    assert b"Lopez" not in stored and charted.mrn.encode() not in stored
