"""Appointments and provider schedules."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from app.model.common import Record


@dataclass(kw_only=True)
class Appointment(Record):
    RESOURCE_TYPE = "Appointment"
    patient_id: str
    start: datetime
    end: datetime
    practitioner_id: str | None = None
    location_id: str | None = None
    appointment_type: str = "follow-up"  # new-patient | follow-up | annual | telehealth | procedure
    telehealth_url: str | None = None
    reason: str | None = None
    note: str | None = None
    status: str = "booked"  # proposed | booked | arrived | checked-in | fulfilled | cancelled | noshow | entered-in-error


@dataclass(kw_only=True)
class ProviderSchedule:
    """When a provider sees patients at a location (not synced)."""
    id: str
    practitioner_id: str
    location_id: str
    weekday: int  # 0 = Monday
    start: time
    end: time
    slot_minutes: int = 20
