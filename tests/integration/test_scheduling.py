"""Booking, double-booking, rescheduling, the day's flow and day lists."""
from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from app import chart, scheduling
from app.errors import ConfirmationRequired, ValidationError
from app.model import ENTERED_IN_ERROR, Appointment, HumanName, Location, Practitioner
from tests.integration._clinical import register, staff, stored


@pytest.fixture
def sessions(clinic):
    return staff(clinic)


@pytest.fixture
def desk(sessions):
    return sessions["front_desk"]


@pytest.fixture
def patient(sessions):
    return register(sessions["physician"])


@pytest.fixture
def dr(sessions):
    return sessions["physician"].user.practitioner_id


@pytest.fixture
def site(clinic):
    return clinic.session.location_id


@pytest.fixture
def day(desk):
    return desk.clock().date() + timedelta(days=7)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.utc)


def _book(session, patient, dr, site, start, **kw):
    return scheduling.book(session, patient_id=patient.id, start=start, minutes=kw.pop("minutes", 20),
                           practitioner_id=dr, location_id=site, **kw)


def _other_practitioner(clinic) -> str:
    other = Practitioner(name=HumanName("Second", ["Doctor"]), qualification="DO")
    with clinic.store.uow() as uow:
        uow.records(Practitioner).add(other)
        uow.commit()
    return other.id


def test_an_appointment_is_booked_in_utc_and_shows_on_the_chart(clinic, sessions, desk, patient, dr, site, day):
    local = datetime.combine(day, time(9, 30), tzinfo=ZoneInfo("America/Chicago"))
    appt = scheduling.book(desk, patient_id=patient.id, start=local, minutes=30, practitioner_id=dr,
                           location_id=site, appointment_type="new-patient", reason="establish care")
    kept = stored(clinic, Appointment, appt.id)
    assert kept.start == local and kept.start.tzinfo == timezone.utc
    assert (kept.end - kept.start, kept.status, kept.location_id) == (timedelta(minutes=30), "booked", site)
    assert [a.id for a in chart.open_chart(sessions["physician"], patient.id).upcoming] == [appt.id]


def test_booking_validation_names_the_field(desk, patient, dr, site, day):
    cases = [(dict(start=at(day, 9), end=at(day, 8)), "end"),
             (dict(start=at(day, 9), minutes=3), "duration"),
             (dict(start=at(day, 9), minutes=241), "duration"),
             (dict(start=datetime.combine(day, time(9)), minutes=20), "start"),
             (dict(start=at(day, 9), minutes=20, appointment_type="spa"), "appointment type"),
             (dict(start=at(day, 9), minutes=20, practitioner_id="nobody"), "practitioner"),
             (dict(start=at(day, 9), minutes=20, location_id="nowhere"), "location"),
             (dict(start=at(day, 9), minutes=20, appointment_type="telehealth"), "meeting link"),
             (dict(start=at(day, 9), minutes=20, appointment_type="telehealth",
                   telehealth_url="http://meet.example.org/abc"), "meeting link")]
    for kwargs, field in cases:
        fields = {"patient_id": patient.id, "practitioner_id": dr, "location_id": site, **kwargs}
        with pytest.raises(ValidationError) as caught:
            scheduling.book(desk, **fields)
        assert field in caught.value.problems, kwargs
    video = scheduling.book(desk, patient_id=patient.id, start=at(day, 9), minutes=20, practitioner_id=dr,
                            appointment_type="telehealth", telehealth_url="https://meet.example.org/abc")
    assert video.telehealth_url == "https://meet.example.org/abc"


def test_double_booking_a_practitioner_needs_confirmation(clinic, desk, patient, dr, site, day):
    _book(desk, patient, dr, site, at(day, 10), minutes=30)
    with pytest.raises(ConfirmationRequired) as caught:
        _book(desk, patient, dr, site, at(day, 10, 15))
    assert "10:00–10:30" in caught.value.warnings["practitioner"]
    _book(desk, patient, dr, site, at(day, 10, 30))  # back to back is not an overlap
    _book(desk, patient, _other_practitioner(clinic), site, at(day, 10, 15))  # someone else is free
    _book(desk, patient, dr, site, at(day, 10, 15), confirm=True)
    assert len(scheduling.day_list(desk, day, practitioner_id=dr)) == 3


def test_a_cancelled_appointment_frees_its_slot(desk, patient, dr, site, day):
    first = _book(desk, patient, dr, site, at(day, 11))
    with pytest.raises(ValidationError) as caught:
        scheduling.cancel(desk, first.id, reason="")
    assert "reason" in caught.value.problems
    cancelled = scheduling.cancel(desk, first.id, reason="patient called")
    assert cancelled.status == "cancelled" and "patient called" in cancelled.note
    _book(desk, patient, dr, site, at(day, 11))
    assert len(scheduling.day_list(desk, day, practitioner_id=dr, include_cancelled=True)) == 2


def test_booking_in_the_past_needs_confirmation(desk, patient, dr, site):
    yesterday = desk.clock() - timedelta(days=1)
    with pytest.raises(ConfirmationRequired) as caught:
        _book(desk, patient, dr, site, yesterday)
    assert "past" in caught.value.warnings["start"]
    assert _book(desk, patient, dr, site, yesterday, confirm=True).status == "booked"


def test_rescheduling_keeps_the_length_and_checks_the_new_slot(desk, patient, dr, site, day):
    moving = _book(desk, patient, dr, site, at(day, 9), minutes=40)
    _book(desk, patient, dr, site, at(day, 13))
    moved = scheduling.reschedule(desk, moving.id, start=at(day, 9, 20))  # overlaps only itself
    assert (moved.start, moved.end) == (at(day, 9, 20), at(day, 10))
    with pytest.raises(ConfirmationRequired):
        scheduling.reschedule(desk, moving.id, start=at(day, 12, 30))
    assert scheduling.reschedule(desk, moving.id, start=at(day, 12, 30), confirm=True).end == at(day, 13, 10)


def test_the_days_flow_check_in_then_check_out_and_no_show_only_after_the_start(desk, patient, dr, site, day):
    seen = _book(desk, patient, dr, site, at(day, 8))
    missed = _book(desk, patient, dr, site, at(day, 8, 30))
    with pytest.raises(ValidationError):
        scheduling.check_out(desk, seen.id)  # not checked in yet
    assert scheduling.check_in(desk, seen.id).status == "checked-in"
    assert scheduling.check_out(desk, seen.id).status == "fulfilled"
    with pytest.raises(ValidationError) as caught:
        scheduling.no_show(desk, missed.id)
    assert "not started" in caught.value.problems["appointment"]
    later = dataclasses.replace(desk, clock=lambda: at(day, 9))
    assert scheduling.no_show(later, missed.id).status == "noshow"
    with pytest.raises(ValidationError):
        scheduling.reschedule(desk, seen.id, start=at(day, 15))
    assert [a.id for a in scheduling.day_list(desk, day, practitioner_id=dr)] == [seen.id]


def test_day_lists_per_practitioner_and_per_location_follow_the_local_day(clinic, desk, patient, dr, site, day):
    annex = Location(name="Annex")
    with clinic.store.uow() as uow:
        uow.records(Location).add(annex)
        uow.commit()
    other = _other_practitioner(clinic)
    tz = ZoneInfo("America/Los_Angeles")
    late = _book(desk, patient, dr, site, datetime.combine(day, time(17, 0), tzinfo=tz))  # next day in UTC
    early = _book(desk, patient, dr, annex.id, datetime.combine(day, time(8, 0), tzinfo=tz))
    theirs = _book(desk, patient, other, site, datetime.combine(day, time(12, 0), tzinfo=tz))
    _book(desk, patient, dr, site, datetime.combine(day + timedelta(days=1), time(8, 0), tzinfo=tz))
    assert [a.id for a in scheduling.day_list(desk, day, practitioner_id=dr, tz=tz)] == [early.id, late.id]
    assert [a.id for a in scheduling.day_list(desk, day, location_id=site, tz=tz)] == [theirs.id, late.id]
    assert [a.id for a in scheduling.day_list(desk, day, location_id=annex.id, tz=tz)] == [early.id]


def test_an_appointment_entered_in_error_is_hidden_but_kept(clinic, desk, patient, dr, site, day):
    appt = _book(desk, patient, dr, site, at(day, 16))
    scheduling.retract(desk, appt.id, reason="booked for the wrong patient")
    assert scheduling.day_list(desk, day, include_cancelled=True) == []
    assert scheduling.for_patient(desk, patient.id) == []
    assert stored(clinic, Appointment, appt.id).status == ENTERED_IN_ERROR
