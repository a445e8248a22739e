"""The schedule screen: a day and week calendar per practitioner and location, and the day's
flow driven through the real widgets against a real store."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from app import scheduling
from app.model import HumanName, Location, Practitioner
from tests.ui._patients import register
from ui.qt import ops
from ui.qt import schedule_dialogs as dialogs
from ui.qt.schedule_view import ScheduleView

TZ = timezone(timedelta(hours=-5))
TOMORROW = (datetime.now(TZ) + timedelta(days=1)).date()


@pytest.fixture
def site(clinic):
    place = Location(name="Riverside Clinic")
    with clinic.store.uow() as uow:
        uow.records(Location).add(place)
        uow.commit()
    return place


@pytest.fixture
def doctor_id(sessions):
    return sessions["physician"].user.practitioner_id


@pytest.fixture
def patient(sessions):
    return register(sessions["front_desk"], "Ana", "Silva", date(1980, 3, 4))


@pytest.fixture
def answers(monkeypatch):
    """What the user answers: dialogs accepted, confirmations given, and a cancel reason."""
    said = {"dialog": True, "confirm": True, "reason": "patient called", "asked": []}

    def run_dialog(dialog):
        said["asked"].append(type(dialog).__name__)
        if "edit" in said:
            said.pop("edit")(dialog)
        return said["dialog"]

    def confirm(parent, text):
        said["asked"].append(text)
        return said["confirm"]

    monkeypatch.setattr(dialogs, "run_dialog", run_dialog)
    monkeypatch.setattr(dialogs, "ask_confirm", confirm)
    monkeypatch.setattr(dialogs, "ask_reason", lambda parent, title, label: said["reason"])
    return said


def _view(qtbot, session) -> ScheduleView:
    view = ScheduleView(session, tz=TZ)
    qtbot.addWidget(view)
    view.show()
    _settle(qtbot, view)
    return view


def _settle(qtbot, view) -> None:
    qtbot.waitUntil(lambda: not ops.busy(), timeout=5000)
    qtbot.wait(10)


def _book(session, patient, doctor_id, at: time, **kw):
    return scheduling.book(session, patient_id=patient.id, practitioner_id=doctor_id, minutes=20,
                           start=datetime.combine(TOMORROW, at, tzinfo=TZ), **kw)


def test_booking_from_the_calendar_puts_the_appointment_in_its_slot(qtbot, sessions, site, doctor_id,
                                                                     patient, answers):
    desk = sessions["front_desk"]
    view = _view(qtbot, desk)
    view.go_to(TOMORROW)
    _settle(qtbot, view)
    view.patient = (patient.id, "Ana Silva")
    view.grid.setCurrentCell(6, 0)  # 10:00 on a 07:00 start, 30-minute rows

    def fill(form):
        form.practitioner.setCurrentIndex(form.practitioner.findData(doctor_id))
        form.location.setCurrentIndex(form.location.findData(site.id))
        form.kind.setCurrentIndex(form.kind.findData("telehealth"))
        form.link.setText("https://meet.example.org/ana")
    answers["edit"] = fill
    view.book()
    _settle(qtbot, view)
    [booked] = scheduling.day_list(desk, TOMORROW, tz=TZ)
    assert booked.start == datetime.combine(TOMORROW, time(10, 0), tzinfo=TZ)
    assert booked.appointment_type == "telehealth" and booked.location_id == site.id
    assert "10:00–10:20 Ana Silva · Telehealth · booked" in view.grid.item(6, 0).text()
    assert view.selected().id == booked.id
    assert "https://meet.example.org/ana" in view.details.text()


def test_a_double_booking_asks_first_and_is_not_made_when_the_user_says_no(qtbot, sessions, doctor_id,
                                                                          patient, answers):
    desk = sessions["front_desk"]
    _book(desk, patient, doctor_id, time(9, 0))
    view = _view(qtbot, desk)
    view.go_to(TOMORROW)
    _settle(qtbot, view)
    view.patient = (patient.id, "Ana Silva")
    view.grid.setCurrentCell(4, 0)  # 09:00
    answers["edit"] = lambda form: form.practitioner.setCurrentIndex(form.practitioner.findData(doctor_id))
    answers["confirm"] = False
    view.book()
    _settle(qtbot, view)
    assert any("already booked" in str(a) for a in answers["asked"])
    assert len(scheduling.day_list(desk, TOMORROW, tz=TZ)) == 1
    answers["confirm"] = True
    answers["edit"] = lambda form: form.practitioner.setCurrentIndex(form.practitioner.findData(doctor_id))
    view.book()
    _settle(qtbot, view)
    assert len(scheduling.day_list(desk, TOMORROW, tz=TZ)) == 2
    assert view.grid.item(4, 0).text().count("Ana Silva") == 2


def test_check_in_check_out_cancel_and_reschedule_change_the_stored_appointment(
        qtbot, sessions, doctor_id, patient, answers):
    desk = sessions["front_desk"]
    first = _book(desk, patient, doctor_id, time(8, 0))
    second = _book(desk, patient, doctor_id, time(11, 0))
    view = _view(qtbot, desk)
    view.go_to(TOMORROW)
    _settle(qtbot, view)
    view._select(first.id)
    assert not view.actions["check_out"].isEnabled() and view.actions["check_in"].isEnabled()
    view.check_in()
    _settle(qtbot, view)
    assert view.selected().appointment.status == "checked-in"
    assert view.actions["check_out"].isEnabled() and not view.actions["reschedule"].isEnabled()
    view.check_out()
    _settle(qtbot, view)
    view._select(second.id)

    def later(form):
        form.start.setTime(form.start.time().addSecs(2 * 3600))
    answers["edit"] = later
    view.reschedule()
    _settle(qtbot, view)
    view._select(second.id)
    view.cancel()
    _settle(qtbot, view)
    with desk.uow() as uow:
        stored = {a.id: a for a in (uow.appointments.get(first.id), uow.appointments.get(second.id))}
    assert stored[first.id].status == "fulfilled"
    assert stored[second.id].start == datetime.combine(TOMORROW, time(13, 0), tzinfo=TZ)
    assert stored[second.id].status == "cancelled" and "patient called" in stored[second.id].note
    assert "checked out" in view.grid.item(2, 0).text()


def test_the_week_shows_seven_days_and_filters_by_practitioner(qtbot, sessions, clinic, doctor_id,
                                                                patient, answers):
    desk = sessions["front_desk"]
    other = Practitioner(name=HumanName("Other", ["Pat"]))
    with clinic.store.uow() as uow:
        uow.records(Practitioner).add(other)
        uow.commit()
    _book(desk, patient, doctor_id, time(9, 0))
    _book(desk, patient, other.id, time(14, 0))
    view = _view(qtbot, desk)
    view.go_to(TOMORROW)
    view.span.setCurrentIndex(view.span.findData(7))
    _settle(qtbot, view)
    assert view.grid.columnCount() == 7
    column = TOMORROW.weekday()
    assert "2 appointments this week" == view.status.text()
    view.practitioner.setCurrentIndex(view.practitioner.findData(other.id))
    _settle(qtbot, view)
    texts = [view.grid.item(r, column).text() for r in range(view.grid.rowCount())]
    assert [t for t in texts if t] == ["14:00–14:20 Ana Silva · Follow up · booked"]
    assert view.status.text() == "1 appointment this week"
