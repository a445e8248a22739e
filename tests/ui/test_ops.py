"""The one helper for long work: off the UI thread, results and errors back on it."""
from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from app.errors import NotFound
from ui.qt import errors, ops


def test_the_ui_thread_keeps_processing_events_while_work_runs(qtbot):
    ticks, results = [], []
    timer = QTimer(interval=10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()

    ops.run(None, lambda: time.sleep(0.4) or "done", on_success=results.append)
    assert results == []  # run() returned at once; the work is still sleeping
    qtbot.waitUntil(lambda: results == ["done"], timeout=5000)
    timer.stop()

    assert len(ticks) >= 5


def test_work_runs_off_the_ui_thread_and_its_result_arrives_on_it(qtbot):
    ui_thread = threading.get_ident()
    seen = {}

    def work():
        seen["work"] = threading.get_ident()
        return 42

    def on_success(value):
        seen.update(value=value, callback=threading.get_ident())

    ops.run(None, work, on_success=on_success)
    qtbot.waitUntil(lambda: "value" in seen, timeout=5000)

    assert seen["work"] != ui_thread
    assert seen["callback"] == ui_thread
    assert seen["value"] == 42


def test_an_error_without_a_handler_is_shown_by_the_error_presenter(qtbot, shown_errors):
    def work():
        raise NotFound("patient", "p-1")

    ops.run(None, work, on_success=lambda _: None)
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=5000)

    assert shown_errors == ["This patient could not be found; it may have been entered in error."]


def test_an_error_goes_to_the_failure_handler_when_one_is_given(qtbot, shown_errors):
    failures = []

    def work():
        raise NotFound("patient", "p-1")

    ops.run(None, work, on_success=lambda _: None, on_failure=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)

    assert isinstance(failures[0], NotFound)
    assert shown_errors == []


def test_an_unexpected_error_shows_a_calm_sentence_and_logs_the_traceback(qtbot, shown_errors, caplog):
    def work():
        raise KeyError("internal detail")

    with caplog.at_level(logging.ERROR, logger="outpost.ui"):
        ops.run(None, work, on_success=lambda _: None)
        qtbot.waitUntil(lambda: bool(shown_errors), timeout=5000)

    assert shown_errors == [errors.UNEXPECTED]
    assert "internal detail" not in shown_errors[0]
    assert any(record.exc_info for record in caplog.records)


def test_an_error_in_the_success_callback_is_shown_not_raised(qtbot, shown_errors):
    def broken_callback(_):
        raise ValueError("a bug in the view")

    ops.run(None, lambda: 1, on_success=broken_callback)
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=5000)

    assert shown_errors == [errors.UNEXPECTED]


def test_work_reports_progress_and_stops_when_cancelled(qtbot, shown_errors):
    reports, results = [], []
    started = threading.Event()

    def work(progress: ops.Progress):
        for done in range(1, 1000):
            progress.report(done, 1000)
            started.set()
            time.sleep(0.005)
            progress.check()
        return "finished"

    op = ops.run(None, work, with_progress=True, on_success=results.append,
                 on_progress=lambda done, total: reports.append((done, total)))
    qtbot.waitUntil(lambda: bool(reports), timeout=5000)
    op.cancel()
    qtbot.waitUntil(lambda: op.done, timeout=5000)

    assert reports[0] == (1, 1000)
    assert results == []  # cancelled work delivers no result
    assert shown_errors == []  # and cancelling is not an error


def test_the_result_for_a_closed_widget_is_dropped(qtbot):
    widget = QWidget()
    delivered = []
    release = threading.Event()

    op = ops.run(widget, lambda: release.wait(5) and "late", on_success=delivered.append)
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _alive(widget), timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: op.done, timeout=5000)

    assert delivered == []


def _alive(widget) -> bool:
    import shiboken6
    return shiboken6.isValid(widget)


def test_long_labelled_work_shows_a_progress_dialog_whose_cancel_stops_it(qtbot, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QProgressDialog, QPushButton
    monkeypatch.setattr(ops, "DIALOG_DELAY_MS", 50)
    parent, results = QWidget(), []
    qtbot.addWidget(parent)

    def work(progress: ops.Progress):
        for done in range(1, 1000):
            progress.report(done, 1000)
            time.sleep(0.005)
            progress.check()
        return "finished"

    op = ops.run(parent, work, with_progress=True, label="Importing records…",
                 on_success=results.append)
    qtbot.waitUntil(lambda: parent.findChild(QProgressDialog) is not None, timeout=5000)
    dialog = parent.findChild(QProgressDialog)
    assert dialog.labelText() == "Importing records…"
    qtbot.waitUntil(lambda: dialog.value() > 0, timeout=5000)

    qtbot.mouseClick(dialog.findChild(QPushButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: op.done, timeout=5000)

    assert results == []
