"""What the dashboard screen shows, gathered in the background (never on the UI thread).

The figures come from :func:`app.dashboard.dashboard` as they are; this module adds the
names the screen shows them with (providers, sites), the periods the picker offers, and
for a drill-down list each patient's last value for the measure, read through the chart
services (so each look is permission-checked and audited like opening the chart).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app import dashboard as service
from app import directory, immunizations, observations
from app import formatting as fmt
from app.dashboard import Dashboard
from app.errors import PermissionDenied
from app.model import Observation, Patient
from app.permissions import Permission
from app.printing.dashboard_report import scope_text
from app.printing.parts import practitioner_text
from app.session import Session

NO_PROVIDER, NO_LOCATION, FORMER = "No provider recorded", "No location recorded", "No longer listed"
#: The most patients a drill-down lists.
DRILL_LIMIT = 1000
_VACCINES = {*service.FLU, *service.TD, *service.ZOSTER, *service.PNEUMOCOCCAL}


def this_week(today: date) -> tuple[date, date]:
    """Monday of this week up to (not including) next Monday."""
    monday = service.week_of(today)
    return monday, monday + timedelta(days=7)


def this_month(today: date) -> tuple[date, date]:
    """The first of this month up to (not including) the first of the next."""
    first = today.replace(day=1)
    return first, (first + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True)
class Board:
    """The service's dashboard plus the names its ids are shown with."""
    figures: Dashboard
    providers: dict[str | None, str]
    locations: dict[str | None, str]
    as_of: date  # the day the measures were computed for

    def provider(self, practitioner_id: str | None) -> str:
        return self.providers.get(practitioner_id, FORMER)

    def location(self, location_id: str | None) -> str:
        return self.locations.get(location_id, FORMER)

    def scope(self) -> str | None:
        """Whose visits and appointments are shown, in words (None: the whole clinic's)."""
        f = self.figures
        return scope_text(f, self.provider(f.practitioner_id), self.location(f.location_id))


def measures_day(session: Session, end: date) -> date:
    """The measures are computed as of the period's last day, or today when it is later
    (a measure of the future would count next month's ages and look-back windows)."""
    return min(end - timedelta(days=1), session.clock().astimezone().date())


def load(session: Session, start: date, end: date, *, practitioner_id: str | None = None,
         location_id: str | None = None) -> Board:
    """The dashboard for the clinic days [start, end), the visits and appointments narrowed
    to one provider or site when given. Raises what the service raises."""
    as_of = measures_day(session, end)
    figures = service.dashboard(session, start=start, end=end, as_of=as_of,
                                practitioner_id=practitioner_id, location_id=location_id)
    providers: dict[str | None, str] = {None: NO_PROVIDER}
    locations: dict[str | None, str] = {None: NO_LOCATION}
    if session.can(Permission.SCHEDULE_READ):
        providers |= {p.id: practitioner_text(p) for p in directory.practitioners(session)}
        locations |= {site.id: site.name for site in directory.locations(session)}
    return Board(figures, providers, locations, as_of)


def drill(session: Session, measure: str, *, as_of: date, numerator: bool = True,
          limit: int = DRILL_LIMIT) -> list[Patient]:
    """The patients behind a measure, by MRN (:func:`app.dashboard.patients_for`).
    Raises PermissionDenied without chart access."""
    return service.patients_for(session, measure, as_of=as_of, numerator=numerator, limit=limit)


def last_values(session: Session, measure: str, patient_ids: list[str], as_of: date) -> dict[str, str]:
    """Each patient's last value for the measure up to the end of ``as_of``."""
    until = datetime.combine(as_of + timedelta(days=1), time()).astimezone()
    return {pid: last_value(session, measure, pid, until) for pid in patient_ids}


def last_value(session: Session, measure: str, patient_id: str, until: datetime) -> str:
    """"9.4 % on 3 Feb 2026": the latest value (before ``until``) the measure judges. Never raises
    for a missing value ("None recorded"); a record the user may not see is left out."""
    try:
        if measure == "diabetes-a1c-poor":
            a1c = _latest(session, patient_id, (service.HBA1C,), until)
            return _observed(a1c, f"{fmt.number_text(a1c.value)} %" if a1c else "")
        if measure == "hypertension-controlled":
            sys_ = _latest(session, patient_id, (service.SYSTOLIC,), until)
            dia = _latest(session, patient_id, (service.DIASTOLIC,), until)
            bp = f"{fmt.number_text(sys_.value)}/{fmt.number_text(dia.value if dia else None)} mmHg" if sys_ else ""
            return _observed(sys_, bp)
        if measure == "adult-immunization":
            return _last_vaccine(session, patient_id, until.date())
        codes = service.SCREENINGS[measure][0]
        done = _latest(session, patient_id, codes, until)
        return _observed(done, fmt.coding_text(done.code, with_code=False) if done else "")
    except PermissionDenied:
        return "Not available to you"


def _latest(session: Session, patient_id: str, codes, until: datetime) -> Observation | None:
    found = [o for code in codes for o in observations.trend(session, patient_id, code, limit=20)
             if o.effective < until]
    return max(found, key=lambda o: o.effective, default=None)


def _observed(o: Observation | None, what: str) -> str:
    return f"{what} on {fmt.date_text(o.effective)}" if o is not None else "None recorded"


def _last_vaccine(session: Session, patient_id: str, until: date) -> str:
    given = [i for i in immunizations.for_patient(session, patient_id, given_only=True)
             if i.vaccine.code in _VACCINES and i.occurrence < until]
    if not given:
        return "None recorded"
    last = given[0]  # most recent first
    return f"{fmt.coding_text(last.vaccine, with_code=False)} on {fmt.date_text(last.occurrence)}"
