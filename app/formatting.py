"""Pure formatters shared by the screens and the printed documents.

Every function here returns text and never raises: a value it cannot format becomes
``MISSING`` (an em dash), because a chart that shows "—" is safer than a chart that
does not open. Month names are fixed English abbreviations (not the locale's) so a
date is never ambiguous between day-first and month-first readers.
"""
from __future__ import annotations

import functools
from datetime import date, datetime, timezone, tzinfo
from decimal import Decimal
from typing import Callable, TypeVar

MISSING = "—"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_SEXES = {"male": "Male", "female": "Female", "other": "Other", "unknown": "Unknown"}
#: UCUM codes as clinicians write them.
_UNITS = {"mm[Hg]": "mmHg", "Cel": "°C", "[degF]": "°F", "kg/m2": "kg/m²", "[lb_av]": "lb",
          "[in_i]": "in", "/min": "/min", "10*3/uL": "×10³/µL", "10*6/uL": "×10⁶/µL",
          "uL": "µL", "ug/dL": "µg/dL", "ug/L": "µg/L", "umol/L": "µmol/L", "u[IU]/mL": "µIU/mL",
          "mL/min/{1.73_m2}": "mL/min/1.73 m²", "m[IU]/L": "mIU/L", "{score}": "",
          "{ratio}": "", "{INR}": "", "unit": "units"}
_FLAGS = {"H": "High", "L": "Low", "HH": "Critically high", "LL": "Critically low", "A": "Abnormal",
          "N": "Normal"}
ABNORMAL_FLAGS = frozenset({"H", "L", "HH", "LL", "A"})

F = TypeVar("F", bound=Callable[..., str])


def _never_raises(fn: F) -> F:
    @functools.wraps(fn)
    def safe(*args, **kwargs) -> str:
        try:
            return fn(*args, **kwargs)
        except Exception:  # noqa: BLE001 - a formatter must not take a screen down
            return MISSING
    return safe  # type: ignore[return-value]


@_never_raises
def text(value: object) -> str:
    """``value`` as text, or "—" for None and blank strings."""
    if value is None:
        return MISSING
    shown = str(value).strip()
    return shown or MISSING


@_never_raises
def date_text(value: date | datetime | None, tz: tzinfo | None = None) -> str:
    """"4 Jun 1980"; a datetime is shown as its local date (``tz``, else this machine's)."""
    if value is None:
        return MISSING
    if isinstance(value, datetime):
        value = _local(value, tz).date()
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


@_never_raises
def datetime_text(value: datetime | None, tz: tzinfo | None = None) -> str:
    """"4 Jun 2026 14:05" in local time (``tz``, else this machine's zone)."""
    if value is None:
        return MISSING
    local = _local(value, tz)
    return f"{date_text(local.date())} {local:%H:%M}"


def _local(value: datetime, tz: tzinfo | None) -> datetime:
    if value.tzinfo is None:  # stored datetimes are UTC; a naive one is treated as UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(tz) if tz else value.astimezone()


def _age_parts(birth: date, on: date) -> tuple[int, int, int]:
    """Completed (years, months, days) from ``birth`` to ``on``."""
    months = (on.year - birth.year) * 12 + on.month - birth.month
    if on.day < birth.day:
        months -= 1
    year, month = divmod(birth.month - 1 + months, 12)
    anchor = _clamped(birth.year + year, month + 1, birth.day)  # birth day, ``months`` later
    return months // 12, months % 12, (on - anchor).days


def _clamped(year: int, month: int, day: int) -> date:
    for d in (day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    return date(year, month, 28)


@_never_raises
def age_text(birth: date | None, on: date | None = None) -> str:
    """Age as clinicians write it: "43 y" from two years, "18 mo" under two, "12 d" under a month."""
    if birth is None:
        return MISSING
    on = on or date.today()
    if on < birth:
        return MISSING
    years, months, days = _age_parts(birth, on)
    if years >= 2:
        return f"{years} y"
    if years or months:
        return f"{years * 12 + months} mo"
    return f"{days} d"


@_never_raises
def sex_text(sex: str | None) -> str:
    """"Female", "Male", "Other", "Unknown"; anything else as given."""
    if not sex:
        return MISSING
    return _SEXES.get(sex.lower(), sex)


@_never_raises
def person_name(name, *, family_first: bool = False) -> str:
    """A HumanName as "Given Family" (or "FAMILY, Given" for lists sorted by family name)."""
    if name is None:
        return MISSING
    given = " ".join(g for g in name.given if g and g.strip())
    family = (name.family or "").strip()
    if family_first and family:
        return f"{family.upper()}, {given}" if given else family.upper()
    return text(" ".join(p for p in (name.prefix, given, family, name.suffix) if p))


@_never_raises
def number_text(value: Decimal | int | float | str | None) -> str:
    """A number without trailing zeros or exponent: Decimal("7.50") → "7.5", 1E+2 → "100"."""
    if value is None or value == "":
        return MISSING
    number = Decimal(str(value))
    if not number.is_finite():
        return MISSING
    shown = format(number.normalize(), "f")
    return "0" if shown in ("-0", "") else shown


@_never_raises
def unit_text(unit: str | None) -> str:
    """A UCUM unit as clinicians write it ("mm[Hg]" → "mmHg"); "" when there is none."""
    if not unit:
        return ""
    return _UNITS.get(unit, unit)


@_never_raises
def quantity_text(value, unit: str | None = None) -> str:
    """"128 mmHg", "7.5 %", "—" when the value is missing."""
    number = number_text(value)
    if number == MISSING:
        return MISSING
    return number + _unit_suffix(unit)


def _unit_suffix(unit: str | None) -> str:
    """The unit as written after a number: "%" and "/min" attach, words take a space."""
    shown = unit_text(unit)
    if not shown:
        return ""
    return shown if shown in ("%", "°C", "°F") or shown.startswith("/") else " " + shown


@_never_raises
def range_text(low, high, unit: str | None = None) -> str:
    """A reference range: "70–99 mg/dL", "< 200", "> 40"; "—" when neither end is known."""
    lo = number_text(low) if low is not None else None
    hi = number_text(high) if high is not None else None
    if lo and hi:
        core = f"{lo}–{hi}"
    elif hi:
        core = f"< {hi}"
    elif lo:
        core = f"> {lo}"
    else:
        return MISSING
    return core + _unit_suffix(unit)


def is_abnormal(interpretation: str | None) -> bool:
    """Whether an interpretation code flags the value (H, L, HH, LL, A)."""
    return (interpretation or "").upper() in ABNORMAL_FLAGS


@_never_raises
def flag_text(interpretation: str | None) -> str:
    """The flag shown beside a result: "H", "LL", ...; "" for normal or unknown."""
    code = (interpretation or "").upper()
    return code if code in ABNORMAL_FLAGS else ""


@_never_raises
def flag_words(interpretation: str | None) -> str:
    """The flag in words ("Critically high"), "" when there is none."""
    return _FLAGS.get((interpretation or "").upper(), "") if is_abnormal(interpretation) else ""


@_never_raises
def coding_text(coding, *, with_code: bool = True) -> str:
    """A coded concept as "I10 Essential (primary) hypertension" (free text: the text alone)."""
    if coding is None:
        return MISSING
    display = (coding.display or "").strip()
    code = (coding.code or "").strip()
    if coding.system == "text" or not with_code or not code:
        return display or code or MISSING
    return f"{code} {display}" if display else code


@_never_raises
def code_words(value: str | None) -> str:
    """A code like "office-visit" or "front_desk" as words: "Office visit", "Front desk"."""
    if not value:
        return MISSING
    words = value.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else MISSING


@_never_raises
def count_text(count: int, singular: str, plural: str | None = None) -> str:
    """"1 patient", "3 patients", "No patients"."""
    plural = plural or singular + "s"
    if count == 0:
        return f"No {plural}"
    return f"{count} {singular if count == 1 else plural}"


@_never_raises
def phone_text(phone: str | None) -> str:
    """A phone number as stored (people type them in many national formats), "—" if none."""
    return text(phone)
