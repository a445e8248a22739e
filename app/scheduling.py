"""Appointments: booking, rescheduling, the day's flow (arrive, no-show, check out) and day lists."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from urllib.parse import urlparse

from app import records
from app.audit import Action
from app.errors import ConfirmationRequired, ValidationError
from app.model import Appointment, Location, Practitioner
from app.permissions import Permission
from app.session import Session
from app.uow import UnitOfWork

TYPES = ("new-patient", "follow-up", "annual", "telehealth", "procedure")
MIN_MINUTES, MAX_MINUTES = 5, 240
#: Statuses that hold a slot (a cancelled or missed appointment frees it).
HOLDING = ("proposed", "booked", "arrived", "checked-in")


def _times(start: datetime, end: datetime | None, minutes: int | None) -> tuple[datetime, datetime]:
    if start.tzinfo is None or (end is not None and end.tzinfo is None):
        raise ValidationError({"start": "needs a time zone"})
    if end is None:
        if minutes is None:
            raise ValidationError({"end": "give an end time or a length in minutes"})
        end = start + timedelta(minutes=minutes)
    if end <= start:
        raise ValidationError({"end": "must be after the start"})
    length = (end - start) / timedelta(minutes=1)
    if not MIN_MINUTES <= length <= MAX_MINUTES:
        raise ValidationError({"duration": f"{length:g} minutes; must be {MIN_MINUTES}–{MAX_MINUTES} minutes"})
    # stored in UTC so the start column sorts in time order
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def _validate(a: Appointment) -> None:
    problems = {}
    if a.appointment_type not in TYPES:
        problems["appointment type"] = f"must be one of {', '.join(TYPES)}"
    if not a.practitioner_id:
        problems["practitioner"] = "is required"
    if a.appointment_type == "telehealth":
        link = urlparse(a.telehealth_url or "")
        if link.scheme != "https" or not link.netloc:
            problems["meeting link"] = "a telehealth visit needs an https:// meeting link"
    if problems:
        raise ValidationError(problems)


def _slot_check(session: Session, confirm: bool):
    """The in-transaction checks: practitioner and location exist; warn on overlap or the past."""
    def check(uow: UnitOfWork, a: Appointment) -> None:
        if uow.records(Practitioner).find(a.practitioner_id) is None:
            raise ValidationError({"practitioner": f"{a.practitioner_id} is not in the directory"})
        if a.location_id and uow.records(Location).find(a.location_id) is None:
            raise ValidationError({"location": f"{a.location_id} is not in the directory"})
        if confirm:
            return
        warnings = {}
        nearby = uow.appointments.between(a.start - timedelta(minutes=MAX_MINUTES), a.end,
                                          practitioner_id=a.practitioner_id)
        clash = [o for o in nearby if o.id != a.id and o.status in HOLDING
                 and o.start < a.end and o.end > a.start]
        if clash:
            times = ", ".join(f"{o.start:%H:%M}–{o.end:%H:%M} UTC" for o in clash)
            warnings["practitioner"] = f"is already booked at {times}; double-book?"
        if a.start < session.clock():
            warnings["start"] = "is in the past; book anyway?"
        if warnings:
            raise ConfirmationRequired(warnings)
    return check


def book(session: Session, *, patient_id: str, start: datetime, end: datetime | None = None,
         minutes: int | None = None, practitioner_id: str, location_id: str | None = None,
         appointment_type: str = "follow-up", telehealth_url: str | None = None,
         reason: str | None = None, note: str | None = None, confirm: bool = False) -> Appointment:
    """Book an appointment (``end`` or ``minutes``).

    Raises ValidationError (bad times, unknown type/practitioner/location, telehealth
    without an https link) and ConfirmationRequired when the practitioner is already
    booked at an overlapping time or the start is in the past, unless ``confirm``.
    """
    begin, finish = _times(start, end, minutes)
    appt = Appointment(patient_id=patient_id, start=begin, end=finish, practitioner_id=practitioner_id,
                       location_id=location_id or session.location_id, appointment_type=appointment_type,
                       telehealth_url=(telehealth_url or "").strip() or None, reason=reason, note=note)
    _validate(appt)
    return records.create(session, appt, Permission.SCHEDULE_WRITE, check=_slot_check(session, confirm))


def reschedule(session: Session, appointment_id: str, *, start: datetime, end: datetime | None = None,
               minutes: int | None = None, practitioner_id: str | None = None,
               confirm: bool = False) -> Appointment:
    """Move a booked appointment (same checks as :func:`book`); keeps the length unless told."""
    session.require(Permission.SCHEDULE_WRITE, record_type=Appointment.RESOURCE_TYPE)
    with session.uow() as uow:
        appt = uow.appointments.get(appointment_id)
        if appt.status not in ("proposed", "booked"):
            raise ValidationError({"appointment": f"is {appt.status}; only a booked one can be moved"})
        length = minutes if minutes is not None or end is not None else int(
            (appt.end - appt.start) / timedelta(minutes=1))
        appt.start, appt.end = _times(start, end, length)
        appt.practitioner_id = practitioner_id or appt.practitioner_id
        _validate(appt)
        _slot_check(session, confirm)(uow, appt)
        uow.appointments.update(appt)
        uow.audit.append(session.entry(Action.UPDATE, patient_id=appt.patient_id,
                                       record_type=Appointment.RESOURCE_TYPE, record_id=appt.id,
                                       detail={"rescheduled to": appt.start.isoformat()}))
        uow.commit()
    return appt


def _move(session: Session, appointment_id: str, to: str, allowed_from: tuple[str, ...],
          extra=None, detail: dict | None = None) -> Appointment:
    def _edit(a: Appointment) -> None:
        if a.status not in allowed_from:
            raise ValidationError({"appointment": f"is {a.status}; cannot become {to}"})
        a.status = to
        if extra:
            extra(a)

    return records.change(session, Appointment, appointment_id, Permission.SCHEDULE_WRITE, _edit,
                          detail={"status": to, **(detail or {})})


def cancel(session: Session, appointment_id: str, *, reason: str) -> Appointment:
    """Cancel an appointment that has not happened; the reason is kept in the note."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "say why the appointment is cancelled"})

    def _note(a: Appointment) -> None:
        a.note = f"{a.note}\ncancelled: {reason}" if a.note else f"cancelled: {reason}"

    return _move(session, appointment_id, "cancelled", HOLDING, _note, {"reason": reason})


def no_show(session: Session, appointment_id: str) -> Appointment:
    """Mark a booked appointment missed. Raises ValidationError before its start time."""
    def _started(a: Appointment) -> None:
        if a.start > session.clock():
            raise ValidationError({"appointment": "has not started yet; it cannot be a no-show"})

    return _move(session, appointment_id, "noshow", ("booked",), _started)


def check_in(session: Session, appointment_id: str) -> Appointment:
    """The patient has arrived and is checked in."""
    return _move(session, appointment_id, "checked-in", ("booked", "arrived"))


def check_out(session: Session, appointment_id: str) -> Appointment:
    """The visit is over: the appointment is fulfilled."""
    return _move(session, appointment_id, "fulfilled", ("checked-in", "arrived"))


def retract(session: Session, appointment_id: str, *, reason: str) -> Appointment:
    return records.retract(session, Appointment, appointment_id, Permission.SCHEDULE_WRITE, reason=reason)


def day_list(session: Session, day: date, *, practitioner_id: str | None = None,
             location_id: str | None = None, tz: tzinfo = timezone.utc,
             include_cancelled: bool = False) -> list[Appointment]:
    """The appointments of one day (midnight to midnight in ``tz``) in start order, for a
    practitioner and/or a location."""
    session.require(Permission.SCHEDULE_READ, record_type=Appointment.RESOURCE_TYPE)
    begin = datetime.combine(day, time.min, tzinfo=tz)
    with session.uow() as uow:
        rows = uow.appointments.between(begin, begin + timedelta(days=1),
                                        practitioner_id=practitioner_id, location_id=location_id)
        uow.audit.append(session.entry(Action.QUERY, record_type=Appointment.RESOURCE_TYPE,
                                       detail={"day": day.isoformat(), "count": len(rows)}))
        uow.commit()
    return [a for a in rows if include_cancelled or a.status not in ("cancelled", "noshow")]


def for_patient(session: Session, patient_id: str) -> list[Appointment]:
    """A patient's appointments, latest first."""
    return records.list_for(session, Appointment, patient_id, Permission.SCHEDULE_READ)


#: Appointments still to be seen today ("next patient" walks through them in start order).
STILL_TO_SEE = ("booked", "arrived", "checked-in")


def next_patient(session: Session, after_patient_id: str | None, *, now: datetime | None = None,
                 tz: tzinfo = timezone.utc) -> str | None:
    """The patient to see after ``after_patient_id`` on today's schedule of this user (all of
    the day's appointments when the user is not a practitioner): the one booked next after
    theirs, or — when they are not on it — the first still to be seen from now on (else the
    first still to be seen). None when nobody is left."""
    now = now or session.clock()
    today = now.astimezone(tz).date()
    waiting = [a for a in day_list(session, today, practitioner_id=session.user.practitioner_id, tz=tz)
               if a.status in STILL_TO_SEE]
    order = [a.patient_id for a in waiting]
    if after_patient_id in order:
        later = order[order.index(after_patient_id) + 1:]
    else:
        later = [a.patient_id for a in waiting if a.end >= now] or order
    return next((pid for pid in later if pid != after_patient_id), None)
