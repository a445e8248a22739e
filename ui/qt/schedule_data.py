"""What the schedule screen shows, gathered in the background (never on the UI thread).

A calendar cell names the patient, so loading a day reads each patient's demographics
through :func:`app.patients.get` (audited), like opening them one by one would.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from app import directory, patients, scheduling
from app import formatting as fmt
from app.errors import NotFound
from app.model import Appointment
from app.session import Session

#: Statuses as the front desk says them.
STATUS_WORDS = {"proposed": "proposed", "booked": "booked", "arrived": "arrived",
                "checked-in": "checked in", "fulfilled": "checked out", "cancelled": "cancelled",
                "noshow": "no-show", "entered-in-error": "entered in error"}


@dataclass(frozen=True)
class Slot:
    """One appointment with the names it is shown with."""
    appointment: Appointment
    patient: str
    practitioner: str
    location: str

    @property
    def id(self) -> str:
        return self.appointment.id

    def local_start(self, tz: tzinfo) -> datetime:
        return self.appointment.start.astimezone(tz)

    def line(self, tz: tzinfo) -> str:
        """"09:00–09:20 Maria Lopez · follow-up · booked"."""
        a = self.appointment
        when = f"{a.start.astimezone(tz):%H:%M}–{a.end.astimezone(tz):%H:%M}"
        return f"{when} {self.patient} · {fmt.code_words(a.appointment_type)} · " \
               f"{STATUS_WORDS.get(a.status, a.status)}"


@dataclass(frozen=True)
class Directory:
    practitioners: list[tuple[str, str]]  # (id, name)
    locations: list[tuple[str, str]]


def load_directory(session: Session) -> Directory:
    return Directory(
        practitioners=[(p.id, fmt.person_name(p.name)) for p in directory.practitioners(session)],
        locations=[(l.id, l.name) for l in directory.locations(session)])


def load_days(session: Session, first: date, days: int, *, tz: tzinfo,
              practitioner_id: str | None, location_id: str | None,
              names: Directory) -> dict[date, list[Slot]]:
    """Each day's appointments from ``first`` for ``days`` days, cancelled and missed included."""
    doctors, sites = dict(names.practitioners), dict(names.locations)
    people: dict[str, str] = {}
    out: dict[date, list[Slot]] = {}
    for offset in range(days):
        day = first + timedelta(days=offset)
        rows = scheduling.day_list(session, day, practitioner_id=practitioner_id,
                                   location_id=location_id, tz=tz, include_cancelled=True)
        out[day] = [Slot(a, _patient_name(session, a.patient_id, people),
                         doctors.get(a.practitioner_id or "", fmt.MISSING),
                         sites.get(a.location_id or "", fmt.MISSING)) for a in rows]
    return out


def _patient_name(session: Session, patient_id: str, cache: dict[str, str]) -> str:
    if patient_id not in cache:
        try:
            cache[patient_id] = fmt.person_name(patients.get(session, patient_id).name)
        except NotFound:
            cache[patient_id] = "(patient entered in error)"
    return cache[patient_id]
