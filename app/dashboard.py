"""The clinic dashboard: visits, no-shows, money, and quality measures computed from the chart.

Everything is aggregated by the store (app.uow.Reports) so it stays fast for a large
clinic; this module only applies the measure definitions (ages, look-back periods,
thresholds). The measures follow the eCQMs they are named after, simplified to what an
outpatient chart holds (no exclusions for hospice or frailty):

* ``diabetes-a1c-poor``: patients 18–75 with active diabetes (E10–E13) whose latest HbA1c
  in the last 12 months is above 9 % or who have none (as CMS122 — lower is better);
* ``hypertension-controlled``: patients 18–85 with active hypertension (I10–I16) whose latest
  blood pressure in the last 12 months is below 140/90 (as CMS165);
* ``adult-immunization``: adults with influenza in the last 12 months, Td/Tdap in 10 years,
  zoster from 50 and pneumococcal from 65 (as the Adult Immunization Status measure);
* ``screening-*``: colorectal (45–75, a stool test in 12 months), lipids (40–75, in 5 years),
  depression (12+, a PHQ in 12 months) — patients without one are overdue.

:func:`patients_for` drills from a measure to its patient list (audited as a query).
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import islice
from operator import itemgetter, le
from typing import Iterable

from app.audit import Action
from app.billing_types import MoneyTotals
from app.dashboard_types import CodeRange
from app.errors import ValidationError
from app.model import Patient
from app.permissions import Permission
from app.session import Session

DIABETES = (CodeRange("E10", "E14"),)
HYPERTENSION = (CodeRange("I10", "I17"),)
HBA1C, SYSTOLIC, DIASTOLIC = "4548-4", "8480-6", "8462-4"
FLU = ("88", "135", "140", "141", "150", "153", "155", "158", "161", "166", "168", "171", "185",
       "186", "197", "200", "205")
TD = ("09", "113", "115", "138", "139")
ZOSTER = ("121", "187")
PNEUMOCOCCAL = ("33", "133", "152", "215", "216")
#: screening -> (LOINC codes, ages from, ages to, look-back in days)
SCREENINGS = {
    "screening-colorectal": (("29771-3", "57905-2", "56490-6", "56491-4", "77353-1", "77354-9"),
                             45, 75, 365),
    "screening-lipids": (("2093-3", "13457-7", "2089-1", "57698-3"), 40, 75, 5 * 365),
    "screening-depression": (("44261-6", "55758-7", "73831-0", "73832-8"), 12, 200, 365),
}
MEASURES = ("diabetes-a1c-poor", "hypertension-controlled", "adult-immunization", *SCREENINGS)


@dataclass(frozen=True)
class Measure:
    """A population measure: of ``denominator`` patients, ``numerator`` meet it."""
    key: str
    title: str
    denominator: int
    numerator: int
    lower_is_better: bool = False

    @property
    def rate(self) -> Decimal:
        if not self.denominator:
            return Decimal("0.0")
        return (Decimal(self.numerator) * 100 / self.denominator).quantize(Decimal("0.1"))


@dataclass
class Dashboard:
    """The figures for [start, end). With ``practitioner_id`` or ``location_id`` set, the
    visits, new patients and appointments are that provider's or site's only; the money and
    the quality measures are always the whole clinic's (a payment belongs to an invoice, not
    to a provider, and a measure to the clinic's population)."""
    start: date
    end: date  # exclusive
    practitioner_id: str | None = None
    location_id: str | None = None
    visits_by_day: dict[date, int] = field(default_factory=dict)
    visits_by_week: dict[date, int] = field(default_factory=dict)  # keyed by the week's Monday
    visits_by_provider: dict[str | None, int] = field(default_factory=dict)
    visits_by_location: dict[str | None, int] = field(default_factory=dict)
    visits: int = 0
    new_patients: int = 0
    appointments: dict[str, int] = field(default_factory=dict)
    money: MoneyTotals | None = None  # None without the billing permission
    measures: dict[str, Measure] = field(default_factory=dict)  # empty without chart access

    @property
    def filtered(self) -> bool:
        """Whether the visits and appointments are one provider's or site's only."""
        return bool(self.practitioner_id or self.location_id)

    @property
    def scope_detail(self) -> dict[str, str]:
        """The provider and location narrowed to, for an audit entry's detail (empty: none)."""
        return {k: v for k, v in (("provider", self.practitioner_id), ("location", self.location_id)) if v}

    @property
    def no_show_rate(self) -> Decimal:
        """No-shows as a percentage of appointments that were due (not cancelled or pending)."""
        due = sum(self.appointments.get(s, 0) for s in ("fulfilled", "arrived", "checked-in", "noshow"))
        if not due:
            return Decimal("0.0")
        return (Decimal(self.appointments.get("noshow", 0)) * 100 / due).quantize(Decimal("0.1"))


def _period(start: date, end: date) -> None:
    if end <= start:
        raise ValidationError({"period": f"the end ({end}) must be after the start ({start})"})


def _instant(day: date) -> datetime:
    """Local midnight of a clinic day as an aware datetime."""
    return datetime.combine(day, time()).astimezone()


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


class _Ages:
    """Active patients by birth date (the clinic may hold 200,000): an age band is a slice of
    the sorted ids, so its size is two bisections and narrowing a set of patients to it is
    one set intersection (built once per band), never a loop over patients in Python."""

    def __init__(self, births: dict[str, date], on: date):
        self.on, self.born = on, births
        self.ids, self.days = list(births), list(births.values())
        if not all(map(le, self.days, islice(self.days, 1, None))):  # the store gives date order
            pairs = sorted(births.items(), key=itemgetter(1))
            self.ids, self.days = [p for p, _ in pairs], [b for _, b in pairs]
        self._bands: dict[tuple[int, int], set[str]] = {}

    def _slice(self, low: int, high: int) -> slice:
        first = _years_before(self.on, high + 1) + timedelta(days=1)
        return slice(bisect_left(self.days, first), bisect_right(self.days, _years_before(self.on, low)))

    def count(self, low: int, high: int) -> int:
        """How many patients are aged ``low`` to ``high`` (whole years, inclusive) on ``on``."""
        band = self._slice(low, high)
        return max(0, band.stop - band.start)

    def aged(self, low: int, high: int) -> set[str]:
        """The patients aged ``low`` to ``high`` on ``on`` (do not change the set)."""
        if (low, high) not in self._bands:
            self._bands[low, high] = set(self.ids[self._slice(low, high)])
        return self._bands[low, high]

    def keep(self, ids: Iterable[str], low: int, high: int) -> set[str]:
        """Those of ``ids`` who are active patients aged ``low`` to ``high`` on ``on``."""
        return self.aged(low, high).intersection(ids)


#: A measure's population: its denominator and numerator as patient sets, or (for the
#: dashboard's counts, when the set is large and nobody lists it) as plain counts.
Population = tuple[set[str] | int, set[str] | int]


def _diabetes(r, ages: _Ages, as_of: date, listed: bool) -> Population:
    a1c = r.latest_values(DIABETES, HBA1C, _instant(as_of - timedelta(days=365)))
    diabetic = ages.keep(a1c, 18, 75)
    return diabetic, {p for p in diabetic if a1c[p] is None or a1c[p] > 9}


def _hypertension(r, ages: _Ages, as_of: date, listed: bool) -> Population:
    year_ago = _instant(as_of - timedelta(days=365))
    systolic = r.latest_values(HYPERTENSION, SYSTOLIC, year_ago)
    diastolic = r.latest_values(HYPERTENSION, DIASTOLIC, year_ago)
    hypertensive = ages.keep(systolic, 18, 85)
    return hypertensive, {p for p in hypertensive if (s := systolic[p]) is not None
                          and (d := diastolic.get(p)) is not None and s < 140 and d < 90}


def _immunization(r, ages: _Ages, as_of: date, listed: bool) -> Population:
    recent = (r.with_vaccine(FLU, as_of - timedelta(days=365))
              & r.with_vaccine(TD, as_of - timedelta(days=3652)))
    up_to_date = ages.keep(recent, 19, 200)
    up_to_date -= ages.aged(50, 200) - r.with_vaccine(ZOSTER, date(1900, 1, 1))
    up_to_date -= ages.aged(65, 200) - r.with_vaccine(PNEUMOCOCCAL, date(1900, 1, 1))
    return (set(ages.aged(19, 200)) if listed else ages.count(19, 200)), up_to_date


def _screening(codes: tuple[str, ...], low: int, high: int, days: int):
    def overdue(r, ages: _Ages, as_of: date, listed: bool) -> Population:
        done = r.with_result(codes, _instant(as_of - timedelta(days=days)))
        if listed:
            eligible = set(ages.aged(low, high))
            return eligible, eligible - done
        eligible = ages.count(low, high)
        return eligible, eligible - len(ages.keep(done, low, high))
    return overdue


#: measure -> (title, population, lower is better)
_MEASURES = {
    "diabetes-a1c-poor": ("Diabetes: HbA1c > 9 % or missing", _diabetes, True),
    "hypertension-controlled": ("Hypertension: BP < 140/90", _hypertension, False),
    "adult-immunization": ("Adults up to date on immunizations", _immunization, False),
    **{key: (f"Overdue: {key.removeprefix('screening-')} screening", _screening(*spec), True)
       for key, spec in SCREENINGS.items()},
}


def _groups(uow, as_of: date, *, only: str | None = None,
            listed: bool = True) -> dict[str, tuple[str, set[str] | int, set[str] | int, bool]]:
    """measure -> (title, denominator, numerator, lower is better): patient sets when
    ``listed``, else counts where that is cheaper; ``only`` computes one measure."""
    ages = _Ages(uow.reports.births(), as_of)
    out = {}
    for key, (title, population, lower) in _MEASURES.items():
        if only in (None, key):
            denominator, numerator = population(uow.reports, ages, as_of, listed)
            out[key] = (title, denominator, numerator, lower)
    return out


def _size(population: set[str] | int) -> int:
    return population if isinstance(population, int) else len(population)


def dashboard(session: Session, *, start: date, end: date, as_of: date | None = None,
              practitioner_id: str | None = None, location_id: str | None = None) -> Dashboard:
    """The dashboard for the clinic days [start, end); measures as of ``as_of`` (default: the
    day before ``end``). ``practitioner_id`` / ``location_id`` narrow the visits and the
    appointments to one provider or site (see :class:`Dashboard`). Money needs the billing
    permission and measures the chart permission; without them those parts are left empty.
    Audited as a query.

    Raises PermissionDenied without the demographics permission, ValidationError for an
    empty period.
    """
    session.require(Permission.PATIENT_READ, record_type="Measure")
    _period(start, end)
    as_of = as_of or end - timedelta(days=1)
    board = Dashboard(start, end, practitioner_id or None, location_id or None)
    only = {"practitioner_id": board.practitioner_id, "location_id": board.location_id}
    with session.uow() as uow:
        by_day: Counter = Counter()
        by_provider: Counter = Counter()
        by_location: Counter = Counter()
        for v in uow.reports.visits(start, end, **only):
            by_day[v.day] += v.count
            by_provider[v.practitioner_id] += v.count
            by_location[v.location_id] += v.count
            board.new_patients += v.count if v.visit_type == "new-patient" else 0
        board.visits_by_day = dict(sorted(by_day.items()))
        weeks: Counter = Counter()
        for day, n in board.visits_by_day.items():
            weeks[week_of(day)] += n
        board.visits_by_week = dict(sorted(weeks.items()))
        board.visits_by_provider, board.visits_by_location = dict(by_provider), dict(by_location)
        board.visits = sum(by_day.values())
        board.appointments = uow.reports.appointment_statuses(_instant(start), _instant(end), **only)
        if session.can(Permission.BILLING_READ):
            board.money = uow.reports.money(start, end)
        if session.can(Permission.CHART_READ):
            board.measures = {k: Measure(k, t, _size(d), _size(n), low)
                              for k, (t, d, n, low) in _groups(uow, as_of, listed=False).items()}
        uow.audit.append(session.entry(Action.QUERY, record_type="Measure", detail={
            "report": "dashboard", "from": start.isoformat(), "to": end.isoformat(),
            "measures": len(board.measures), **board.scope_detail}))
        uow.commit()
    return board


def patients_for(session: Session, measure: str, *, as_of: date, numerator: bool = True,
                 limit: int | None = None) -> list[Patient]:
    """The patients behind a measure (its numerator, or with ``numerator=False`` those in the
    denominator who are not in it), ordered by MRN. Audited as a query.

    Raises PermissionDenied without the chart permission, ValidationError for an unknown measure.
    """
    if measure not in MEASURES:
        raise ValidationError({"measure": f"unknown: {measure}; choose from {', '.join(MEASURES)}"})
    session.require(Permission.CHART_READ, record_type="Measure")
    with session.uow() as uow:
        _, denominator, hits, _ = _groups(uow, as_of, only=measure)[measure]
        ids = hits if numerator else denominator - hits
        people = sorted(uow.patients.find_many(ids).values(), key=lambda p: p.mrn)[:limit]
        uow.audit.append(session.entry(Action.QUERY, record_type="Measure", record_id=measure, detail={
            "report": "measure patients", "as of": as_of.isoformat(), "numerator": numerator,
            "rows": len(people)}))
        uow.commit()
    return people


def week_of(day: date) -> date:
    """The Monday of ``day``'s week (how visits_by_week is keyed)."""
    return day - timedelta(days=day.weekday())

