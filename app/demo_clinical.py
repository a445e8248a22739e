"""Plausible vital signs and lab values for synthetic patients, with trends.

A :class:`Body` holds one person's baselines (adult height, build, blood pressure...)
and their problems; values for a given day follow from the person's age then, the
problems they have, and how long a treatment has been working (e.g. a hypertensive
patient's blood pressure falls over the months after lisinopril is started).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from app import terminology
from app.model import Coding, Observation
from app.observations import interpret

# fraction of adult height by age in years (children grow along this curve)
_GROWTH = ((0, .29), (1, .43), (2, .50), (4, .59), (6, .67), (8, .73), (10, .79), (12, .86), (14, .93),
           (16, .97), (18, 1.0))
# child BMI by age in years, before the person's own build factor
_CHILD_BMI = ((0, 13.4), (1, 17.0), (2, 16.4), (5, 15.4), (8, 16.0), (11, 17.8), (14, 19.8), (18, 22.5))
VITALS = ("8480-6", "8462-4", "8867-4", "9279-1", "8310-5", "29463-7", "8302-2", "39156-5", "59408-5")
_Q = {0: Decimal("1"), 1: Decimal("0.1"), 2: Decimal("0.01")}


def _interp(table, x: float) -> float:
    if x <= table[0][0]:
        return table[0][1]
    for (x0, y0), (x1, y1) in zip(table, table[1:]):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return table[-1][1]


def effect(started: date | None, day: date, months: float = 6.0) -> float:
    """How far a treatment started on ``started`` has worked by ``day`` (0 to 1)."""
    if started is None or day < started:
        return 0.0
    return min(1.0, (day - started).days / (months * 30.4))


@dataclass
class Body:
    """One person's physiology: baselines, problems, and when each treatment started."""
    born: date
    sex: str
    height: float  # adult height, cm
    bmi: float  # adult build
    sbp: float
    problems: set[str] = field(default_factory=set)
    treated: dict[str, date] = field(default_factory=dict)

    @classmethod
    def new(cls, rng: random.Random, born: date, sex: str, problems: set[str]) -> "Body":
        tall = 176.0 if sex == "male" else 162.5
        if "obesity" in problems:
            bmi = max(30.2, rng.gauss(33.0, 3.5))
        else:
            bmi = min(29.8, max(17.5, rng.gauss(25.0, 3.0)))
        return cls(born, sex, rng.gauss(tall, 7.0), bmi, rng.gauss(116, 7), set(problems))

    def age(self, day: date) -> float:
        return (day - self.born).days / 365.25

    def sex_factor(self) -> float:
        return 1.0 if self.sex == "male" else 0.85

    # -- vital signs --------------------------------------------------------
    def vitals(self, rng: random.Random, day: date, *, fever: bool = False) -> dict[str, float]:
        age = self.age(day)
        height = self.height * _interp(_GROWTH, age) - max(0.0, age - 60) * 0.1
        bmi = self.bmi * _interp(_CHILD_BMI, age) / 22.5 if age < 18 else self.bmi + min(age - 18, 40) * 0.04
        bmi += rng.gauss(0, 0.3)
        weight = bmi * (height / 100) ** 2
        out = {"29463-7": weight, "8302-2": height, "39156-5": weight / (height / 100) ** 2}
        out["8867-4"] = (rng.gauss(128, 8) if age < 1 else rng.gauss(100 - 2.5 * min(age, 12), 7) if age < 12
                         else rng.gauss(92, 14) if "afib" in self.problems else rng.gauss(73, 7))
        out["9279-1"] = (rng.gauss(34, 4) if age < 1 else rng.gauss(22, 3) if age < 12
                         else rng.gauss(20, 2) if "copd" in self.problems else rng.gauss(15, 1.5))
        out["8310-5"] = rng.gauss(38.4, 0.4) if fever else rng.gauss(36.8, 0.2)
        out["59408-5"] = min(100.0, rng.gauss(93.5, 1.2) if "copd" in self.problems else rng.gauss(98, 0.8))
        if age >= 3:
            sbp = self.sbp + (0.45 * (age - 20) if age > 20 else -(20 - age) * 1.2)
            if "htn" in self.problems:
                sbp = 152 - 20 * effect(self.treated.get("htn"), day) + (age - 50) * 0.2
            sbp += rng.gauss(0, 6)
            out["8480-6"] = sbp
            out["8462-4"] = 0.55 * sbp + 12 + rng.gauss(0, 4)
        return out

    # -- labs -----------------------------------------------------------------
    def lab(self, rng: random.Random, code: str, day: date) -> float:
        """One lab value for this person on ``day`` (LOINC code from app.demo_codes.PANELS)."""
        p, age = self.problems, self.age(day)
        if code == "4548-4":
            if "dm" in p:
                return 8.8 - 1.7 * effect(self.treated.get("dm"), day, 9) + rng.gauss(0, 0.35)
            return rng.gauss(6.0, 0.2) if "prediabetes" in p else rng.gauss(5.2, 0.25)
        statin = effect(self.treated.get("lipids"), day, 3)
        ldl = (165 if "lipids" in p else 110) * (1 - 0.38 * statin) + rng.gauss(0, 12)
        hdl = rng.gauss(58 if self.sex == "female" else 47, 8)
        tg = rng.gauss(175 if "dm" in p or "obesity" in p else 120, 30)
        kidney = max(18.0, (95 - max(0.0, age - 40) * 0.8) * (0.45 if "ckd" in p else 1) + rng.gauss(0, 5))
        values = {
            "2093-3": ldl + hdl + tg / 5, "2085-9": hdl, "13457-7": ldl, "2571-8": tg,
            "2345-7": rng.gauss(150, 25) if "dm" in p else rng.gauss(90, 8),
            "3094-0": rng.gauss(28 if "ckd" in p else 14, 3),
            "2160-0": self.sex_factor() * (1.1 * 95 / kidney) + rng.gauss(0, 0.05),
            "2951-2": rng.gauss(140, 2), "2823-3": rng.gauss(4.9 if "ckd" in p else 4.2, 0.3),
            "2075-0": rng.gauss(103, 2), "2028-9": rng.gauss(25, 1.5), "17861-6": rng.gauss(9.5, 0.3),
            "98979-8": kidney, "718-7": rng.gauss(14.8 if self.sex == "male" else 13.3, 0.9),
            "4544-3": rng.gauss(44 if self.sex == "male" else 40, 2.5), "6690-2": rng.gauss(7.0, 1.5),
            "777-3": rng.gauss(260, 50),
            "3016-3": rng.gauss(5.5, 0.6) if "thyroid" in p else rng.gauss(1.8, 0.6),
            "1989-3": rng.gauss(17, 4) if "vitd" in p else rng.gauss(34, 7),
            "14959-1": rng.gauss(80, 30) if "ckd" in p else rng.gauss(14, 6),
        }
        return max(0.1, values[code])


@dataclass(frozen=True)
class _Meta:
    display: str
    unit: str
    low: Decimal | None
    high: Decimal | None
    places: int


_META: dict[str, _Meta] = {}
_PLACES = {"8480-6": 0, "8462-4": 0, "8867-4": 0, "9279-1": 0, "2093-3": 0, "2085-9": 0, "13457-7": 0,
           "2571-8": 0, "2345-7": 0, "3094-0": 0, "2951-2": 0, "2075-0": 0, "2028-9": 0, "98979-8": 0,
           "777-3": 0, "14959-1": 0, "59408-5": 0, "2160-0": 2, "3016-3": 2}


def meta(code: str) -> _Meta:
    """Display, unit and adult reference range of a shipped LOINC test (cached)."""
    found = _META.get(code)
    if found is None:
        test = terminology.loinc_test(code)
        if test is None:
            raise KeyError(f"LOINC {code} is not in the shipped terminology")
        found = _META[code] = _Meta(test.display, test.unit, test.ref_low, test.ref_high, _PLACES.get(code, 1))
    return found


def observation(id_: str, patient_id: str, code: str, value: float, when: datetime, *,
                category: str, encounter_id: str | None, performer_id: str | None = None,
                service_request_id: str | None = None, report_id: str | None = None) -> Observation:
    """An Observation with the shipped display, unit, reference range and interpretation."""
    m = meta(code)
    amount = Decimal(repr(round(value, m.places))).quantize(_Q[m.places])
    return Observation(id=id_, patient_id=patient_id, code=Coding("loinc", code, m.display), effective=when,
                       category=category, value=amount, unit=m.unit, ref_low=m.low, ref_high=m.high,
                       interpretation=interpret(amount, m.low, m.high), encounter_id=encounter_id,
                       performer_id=performer_id, service_request_id=service_request_id,
                       report_id=report_id)
