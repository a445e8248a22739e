"""Synthetic patients' demographics for the demo clinic (names, ages, contacts, insurance).

Everything is drawn from one seeded ``random.Random`` so the same seed gives the
same people; ids come from a separate seeded stream (see :class:`Ids`).
"""
from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from itertools import accumulate

from app.demo_names import (ETHNICITY_DISPLAY, MEDICARE, NON_LATIN, NON_LATIN_SHARE, ORIGINS, PAYERS,
                            RACE_DISPLAY, STATE, STREET_KINDS, STREETS, TOWNS, Origin)
from app.model import (Address, Coding, ContactPoint, Coverage, HumanName, Identifier, Patient,
                       PatientContact)
from app.search_terms import fold

#: Age bands of a family practice's panel: (from, to, weight)
AGE_BANDS = ((0, 4, 7), (5, 17, 14), (18, 34, 19), (35, 49, 18), (50, 64, 20), (65, 79, 16), (80, 95, 6))
_AGE_CUM = list(accumulate(w for _, _, w in AGE_BANDS))
_ORIGIN_CUM = list(accumulate(o.weight for o in ORIGINS))
MRN_SYSTEM = "urn:outpost:mrn"


class Ids:
    """Deterministic record ids (UUID version 4 layout) from a seeded stream."""

    def __init__(self, seed: str):
        self._rng = random.Random(seed)

    def __call__(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))


def pick_weighted(rng: random.Random, pairs) -> str:
    """One value from ``((value, weight), ...)``."""
    x, total = rng.random() * sum(w for _, w in pairs), 0.0
    for value, weight in pairs:
        total += weight
        if x < total:
            return value
    return pairs[-1][0]


def birth_date(rng: random.Random, today: date) -> date:
    lo, hi, _ = AGE_BANDS[_bisect(_AGE_CUM, rng.random() * _AGE_CUM[-1])]
    age_days = rng.randint(lo * 365 + 1, hi * 365 + 364)
    return today - timedelta(days=age_days)


def _bisect(cum: list[float], x: float) -> int:
    for i, edge in enumerate(cum):
        if x < edge:
            return i
    return len(cum) - 1


def _name(rng: random.Random, sex: str) -> tuple[HumanName, str, str, bool]:
    """A name, a language, a CDC race code and whether the person is Hispanic."""
    if rng.random() < NON_LATIN_SHARE:
        options = [n for n in NON_LATIN if n[2] == sex] or list(NON_LATIN)
        given, family, _, language, race = rng.choice(options)
        return HumanName(family=family, given=[given]), language, race, False
    origin: Origin = ORIGINS[_bisect(_ORIGIN_CUM, rng.random() * _ORIGIN_CUM[-1])]
    pool = origin.female if sex == "female" else origin.male
    given = [rng.choice(pool)]
    if rng.random() < 0.35:  # a middle name
        middle = rng.choice(pool)
        if middle != given[0]:
            given.append(middle)
    family = rng.choice(origin.family)
    if origin.name == "hispanic" and rng.random() < 0.25:  # two family names
        family = f"{family} {rng.choice(origin.family)}"
    elif rng.random() < 0.03:
        family = f"{family}-{rng.choice(origin.family)}"
    return (HumanName(family=family, given=given), pick_weighted(rng, origin.languages),
            pick_weighted(rng, origin.races), rng.random() < origin.hispanic)


def _sex_and_gender(rng: random.Random) -> tuple[str, str, str | None]:
    """(administrative sex, sex at birth, gender identity or None when not asked)."""
    born = "female" if rng.random() < 0.51 else "male"
    roll = rng.random()
    if roll < 0.004:
        identity = "transgender female" if born == "male" else "transgender male"
        return ("female" if born == "male" else "male"), born, identity
    if roll < 0.007:
        return "other", born, "non-binary"
    return born, born, (born if rng.random() < 0.7 else None)


def _phone(rng: random.Random, area: str) -> str:
    return f"({area}) 555-{rng.randint(0, 9999):04d}"


def _address(rng: random.Random) -> tuple[Address, str]:
    city, zip_prefix, area = rng.choice(TOWNS)
    street = f"{rng.randint(1, 9899)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}"
    lines = [street] + ([f"Apt {rng.randint(1, 40)}"] if rng.random() < 0.2 else [])
    return Address(lines=lines, city=city, state=STATE, postal_code=f"{zip_prefix}{rng.randint(0, 9)}",
                   country="US"), area


def _coverages(rng: random.Random, age: int, today: date) -> list[Coverage]:
    if age >= 65:
        if rng.random() < 0.97:
            start = min(today, date(today.year - min(age - 65, 10), rng.randint(1, 12), 1))
            return [Coverage(payer=MEDICARE[0], plan=MEDICARE[1], start=start,
                             member_id=f"{rng.randint(1, 9)}{_alnum(rng, 3)}-{_alnum(rng, 3)}-{_alnum(rng, 4)}")]
        return []
    if rng.random() < 0.08:  # self-pay
        return []
    payer, plan, _ = PAYERS[_bisect(list(accumulate(p[2] for p in PAYERS)), rng.random())]
    return [Coverage(payer=payer, plan=plan, member_id=_alnum(rng, 3) + str(rng.randint(10**8, 10**9 - 1)),
                     group=str(rng.randint(10000, 99999)) if "Medicaid" not in payer else None,
                     relationship="self" if age >= 26 else rng.choice(("self", "child", "child")),
                     start=date(today.year - rng.randint(0, 6), 1, 1))]


def _alnum(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ACDEFGHJKMNPQRTUVWXY0123456789") for _ in range(n))


def make_patient(rng: random.Random, ids: Ids, *, mrn: str, today: date,
                 organization_id: str | None) -> Patient:
    """One synthetic patient with realistic, internally consistent demographics."""
    sex, at_birth, identity = _sex_and_gender(rng)
    name, language, race, hispanic = _name(rng, at_birth if sex == "other" else sex)
    born = birth_date(rng, today)
    age = (today - born).days // 365
    address, area = _address(rng)
    telecom = [ContactPoint("phone", _phone(rng, area), "mobile" if rng.random() < 0.8 else "home")]
    if age >= 18 and rng.random() < 0.6:
        handle = "".join(ch for ch in fold(f"{name.given[0]}.{name.family}") if ch.isascii() and
                         (ch.isalnum() or ch == "."))
        telecom.append(ContactPoint("email", f"{handle or 'patient'}{rng.randint(1, 999)}@example.org", "home"))
    contacts = []
    if age < 18:
        contacts.append(PatientContact(f"{rng.choice(ORIGINS[0].female)} {name.family}", "parent",
                                       _phone(rng, area)))
    elif rng.random() < 0.5:
        contacts.append(PatientContact(f"{rng.choice(ORIGINS[0].male + ORIGINS[0].female)} {name.family}",
                                       rng.choice(("spouse", "emergency", "child")), _phone(rng, area)))
    race_codes = [] if rng.random() < 0.03 else [Coding("cdcrec", race, RACE_DISPLAY[race])]
    ethnicity = "2135-2" if hispanic else "2186-5"
    return Patient(
        id=ids(), mrn=mrn, name=name, birth_date=born, sex=sex, sex_at_birth=at_birth,
        gender_identity=identity, identifiers=[Identifier(MRN_SYSTEM, mrn, "MR")], telecom=telecom,
        addresses=[address], language=language, race=race_codes,
        ethnicity=[Coding("cdcrec", ethnicity, ETHNICITY_DISPLAY[ethnicity])],
        contacts=contacts, coverages=_coverages(rng, age, today), organization_id=organization_id)
