"""A clinic's morning through the real main window: sign in, find and open a patient, book
their follow-up from the schedule, step away (the screen locks), come back and unlock."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import shiboken6
from PySide6.QtCore import Qt

from app import scheduling
from tests.conftest import USER_PASSWORD
from ui import wiring
from ui.qt import ops
from ui.qt import schedule_dialogs as dialogs
from ui.qt.main_window import MainWindow


def _settle(qtbot) -> None:
    qtbot.waitUntil(lambda: not ops.busy(), timeout=5000)
    qtbot.wait(10)


def test_sign_in_open_a_patient_book_an_appointment_then_lock_and_unlock(
        qtbot, monkeypatch, sessions, clinic, store_dir, settings, charted):
    main = MainWindow(wiring.sign_in(store_dir, "dr.test", USER_PASSWORD), settings)
    main.show()
    try:
        qtbot.keyClicks(main.search.search_box, "lopez")
        qtbot.waitUntil(lambda: main.search.results_for == "lopez", timeout=5000)
        qtbot.keyClick(main.search.table, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: main.chart is not None and main.chart.summary is not None, timeout=5000)

        main.schedule_action.trigger()
        schedule = main.schedule
        assert main.pages.currentWidget() is schedule
        _settle(qtbot)
        tomorrow = datetime.now(schedule.tz).date() + timedelta(days=1)
        schedule.go_to(tomorrow)
        _settle(qtbot)
        schedule.grid.setCurrentCell(8, 0)  # 11:00
        forms = []

        def accept(form):
            forms.append(form)
            form.reason.setText("blood pressure review")
            return True
        monkeypatch.setattr(dialogs, "run_dialog", accept)
        qtbot.mouseClick(schedule.book_button, Qt.MouseButton.LeftButton)
        _settle(qtbot)
        assert forms[0].patient.currentText() == "Maria Lopez", "the open chart's patient is offered"

        doctor = sessions["physician"]
        [appt] = scheduling.for_patient(doctor, charted.id)
        assert appt.start == datetime.combine(tomorrow, time(11, 0), tzinfo=schedule.tz)
        assert appt.practitioner_id == doctor.user.practitioner_id
        assert (appt.status, appt.reason) == ("booked", "blood pressure review")
        assert "Maria Lopez" in schedule.grid.item(8, 0).text()

        main.auto_lock.lock()
        assert main.auto_lock.screen.isVisible() and not main.centralWidget().isVisible()
        main.auto_lock.screen.password.setText(USER_PASSWORD)
        main.auto_lock.screen.try_unlock()
        qtbot.waitUntil(lambda: not main.auto_lock.locked, timeout=5000)
        assert main.pages.currentWidget() is schedule and schedule.isVisible()

        with clinic.store.uow() as uow:
            mine = [e for e in uow.audit.iter_all() if e.username == "dr.test"]
        booked = [e for e in mine if e.action == "create" and e.record_type == "Appointment"]
        assert [e.record_id for e in booked] == [appt.id] and booked[0].patient_id == charted.id
        assert mine[-1].detail.get("reason") == "screen unlock"
    finally:
        if shiboken6.isValid(main):
            main.close()
