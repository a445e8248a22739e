"""When a synthetic patient comes to the clinic, and which vaccines are due at each visit."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.demo_codes import ACUTE, CHILD_SCHEDULE, Chronic

#: Well-child visits by age in months (then yearly to 17).
WELL_CHILD_MONTHS = (0, 2, 4, 6, 9, 12, 15, 18, 24, 30, 36, *range(48, 205, 12))
_CHILD_SHOTS = dict(CHILD_SCHEDULE)
_TELEHEALTH_FROM = date(2020, 4, 1)
_PCV20_FROM = date(2021, 11, 1)


@dataclass
class Visit:
    """One planned visit. ``acute`` is an entry of app.demo_codes.ACUTE for sick visits."""
    day: date
    kind: str  # new-patient | annual-physical | follow-up | telehealth | urgent
    acute: tuple | None = None
    spare: tuple | None = None  # the sick-visit reason used if there is nothing to follow up yet
    months: int | None = None  # age in months at a well-child visit
    no_show_before: bool = False
    diagnosed: list[Chronic] = field(default_factory=list)
    onsets: dict[str, date] = field(default_factory=dict)


def _weekday(day: date, today: date) -> date:
    """Clinics are closed at weekends: move to the Monday (or back to the Friday near today)."""
    if day.weekday() < 5:
        return day
    monday = day + timedelta(days=7 - day.weekday())
    return monday if monday < today else day - timedelta(days=day.weekday() - 4)


def pick_acute(rng: random.Random, age: float, sex: str) -> tuple:
    options = [a for a in ACUTE if a[2] <= age <= a[3] and not (a[0] == "N39.0" and sex == "male"
                                                                and rng.random() < 0.85)]
    return rng.choice(options or list(ACUTE))


def plan_visits(rng: random.Random, born: date, today: date, problems: list[Chronic],
                sex: str = "female") -> list[Visit]:
    """A patient's visits, oldest first: the first is the new-patient visit."""
    years = rng.choice((1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 7))
    first = max(born + timedelta(days=3), today - timedelta(days=int(years * 365.25)))
    if first >= today:
        return []
    span = (today - first).days
    age_now = (today - born).days / 365.25
    visits = [Visit(_weekday(first, today), "new-patient", spare=pick_acute(rng, age_now - span / 365.25, sex))]
    for months in WELL_CHILD_MONTHS:
        day = born + timedelta(days=int(months * 30.44))
        if first < day < today and rng.random() < 0.9:
            visits.append(Visit(_weekday(day, today), "annual-physical", months=months))
    step, k = 365, 1
    while True:
        day = first + timedelta(days=k * step + rng.randint(-30, 30))
        k += 1
        if day >= today:
            break
        if (day - born).days >= 18 * 365.25 and rng.random() < (0.75 if age_now >= 65 else 0.5):
            visits.append(Visit(_weekday(day, today), "annual-physical"))
    rate = (0.25 + min(2.5, sum(c.visits for c in problems)) + (0.6 if age_now < 6 else 0.0)
            + (0.4 if age_now >= 75 else 0.0))
    for _ in range(int(rate * span / 365.25 * rng.uniform(0.6, 1.4) + rng.random())):
        day = _weekday(first + timedelta(days=rng.randint(1, max(1, span - 1))), today)
        age = (day - born).days / 365.25
        if problems and rng.random() < 0.6:
            kind = "telehealth" if day >= _TELEHEALTH_FROM and rng.random() < 0.2 else "follow-up"
            visits.append(Visit(day, kind, spare=pick_acute(rng, age, sex), no_show_before=rng.random() < 0.05))
        else:
            visits.append(Visit(day, "urgent", acute=pick_acute(rng, age, sex)))
    visits.sort(key=lambda v: (v.day, v.kind != "new-patient"))
    out, seen = [], set()
    for visit in visits:
        if visit.day not in seen and (not out or visit.day >= out[0].day):
            seen.add(visit.day)
            out.append(visit)
    return out


def meeting_link(rng: random.Random) -> str:
    """A (fictional) video-visit room address."""
    token = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10))
    return f"https://telehealth.riverbend-clinic.example/room/{token}"


def vaccines_due(rng: random.Random, visit: Visit, age: float, given: dict[str, list[date]]) -> list[str]:
    """CVX codes given at this visit: the childhood schedule, flu in season, adult boosters."""
    day, shots = visit.day, []
    if visit.months is not None:
        shots += _CHILD_SHOTS.get(visit.months, ())
    season_start = date(day.year if day.month >= 8 else day.year - 1, 8, 1)
    had_flu = any(d >= season_start for cvx in ("140", "135") for d in given.get(cvx, ()))
    if (day.month >= 9 or day.month <= 1) and age >= 0.5 and not had_flu \
            and rng.random() < (0.75 if age >= 65 else 0.5):
        shots.append("135" if age >= 65 else "140")
    if age >= 19 and visit.kind in ("annual-physical", "new-patient"):
        if "115" not in given and rng.random() < 0.15:
            shots.append("115")
        if age >= 50 and "187" not in given and rng.random() < 0.3:
            shots.append("187")
        if age >= 65 and day >= _PCV20_FROM and "216" not in given and rng.random() < 0.4:
            shots.append("216")
    zoster = given.get("187", [])
    if len(zoster) == 1 and (day - zoster[0]).days >= 60 and visit.kind != "telehealth":
        shots.append("187")
    return list(dict.fromkeys(shots))
