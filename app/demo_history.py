"""Years of synthetic history for one demo patient: visits and everything they leave behind.

:class:`History` plans a patient's visits (well-child schedule, annual physicals,
follow-ups for chronic problems, acute visits), then makes, per visit, the
appointment, encounter, vital signs, problems, prescriptions, lab orders with
results, vaccines, a signed SOAP note and the bill. All randomness comes from the
caller's seeded generator, so the same seed gives the same chart.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from app.demo_clinical import VITALS, Body, observation
from app.demo_codes import (ANTIBIOTIC_ALTERNATIVE, CHRONIC, DRUG_CLASSES, WELL_ADULT, WELL_ADULT_ABNORMAL,
                            WELL_CHILD, Chronic)
from app.demo_notes import allergies, consents, home_medications, soap_note
from app.demo_orders import Ids, bill, drug, first_word, lab_order, prescription, vaccine, visit_fee
from app.demo_visits import Visit, meeting_link, plan_visits, vaccines_due
from app.model import Appointment, Coding, Condition, Encounter, Patient, Record

LOCAL = ZoneInfo("America/Los_Angeles")
_FEVER = ("J02.9", "H66.90", "B34.9", "J01.90")


@dataclass(frozen=True)
class Staff:
    """Who works where: practitioner ids of the physicians and the nurse, location ids (main first)."""
    physicians: tuple[str, ...]
    nurse: str | None
    locations: tuple[str, ...]


def at(day: date, minutes: int) -> datetime:
    """A clinic-local time on ``day`` (minutes after midnight), in UTC."""
    local = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=LOCAL)
    return local.astimezone(timezone.utc)


def choose_problems(rng: random.Random, age: int, sex: str) -> list[Chronic]:
    """The chronic problems a person of this age and sex has (in catalogue order)."""
    chosen: list[Chronic] = []
    keys: set[str] = set()
    for c in CHRONIC:
        chance = c.chance(age, sex)
        if c.key == "prediabetes" and "dm" in keys:
            continue
        if c.key in ("ckd", "hf") and ("dm" in keys or "htn" in keys):
            chance *= 2.2
        if c.key == "obesity" and "dm" in keys:
            chance *= 2.0
        if rng.random() < chance:
            chosen.append(c)
            keys.add(c.key)
    return chosen


class History:
    """Builds one patient's records; :meth:`build` returns them in creation order."""

    def __init__(self, rng: random.Random, ids: Ids, patient: Patient, staff: Staff, today: date):
        self.rng, self.ids, self.p, self.staff, self.today = rng, ids, patient, staff, today
        age = (today - patient.birth_date).days // 365
        self.problems = choose_problems(rng, age, patient.sex)
        self.body = Body.new(rng, patient.birth_date, patient.sex, {c.key for c in self.problems})
        self.pcp = rng.choice(staff.physicians) if staff.physicians else None
        self.site = staff.locations[0] if rng.random() < 0.75 or len(staff.locations) < 2 else staff.locations[1]
        self.out: list[Record] = []
        self.given: dict[str, list[date]] = {}  # vaccines given, by CVX
        self.last_lab: dict[str, date] = {}
        self.known: dict[str, date] = {}  # problem key -> the day the clinic recorded it
        self.avoid: set[str] = set()  # drug names ruled out by the patient's allergies
        self.invoices = 0
        self.had_wellness_visit = False  # Medicare's initial annual wellness visit (G0438) is once only

    def build(self, visits: list[Visit] | None = None) -> list[Record]:
        if visits is None:
            visits = plan_visits(self.rng, self.p.birth_date, self.today, self.problems, self.p.sex)
        if not visits:
            return self.out
        self._diagnose(visits)
        for n, visit in enumerate(visits):
            self._visit(visit, first=(n == 0))
        self._future()
        return self.out

    # -- planning -------------------------------------------------------------
    def _diagnose(self, visits: list[Visit]) -> None:
        """Decide at which visit each chronic problem is found and when treatment began."""
        for c in self.problems:
            visit = visits[0] if self.rng.random() < 0.6 or len(visits) == 1 else self.rng.choice(visits[1:])
            visit.diagnosed.append(c)
            onset = visit.day - timedelta(days=self.rng.randint(30, 2000)) if visit is visits[0] else visit.day
            onset = max(onset, self.p.birth_date)
            if c.meds:
                self.body.treated[c.key] = onset + timedelta(days=90) if visit is visits[0] else visit.day
            visit.onsets[c.key] = onset
            self.known[c.key] = visit.day

    # -- one visit ------------------------------------------------------------
    def _visit(self, visit: Visit, *, first: bool) -> None:
        if visit.kind in ("follow-up", "telehealth") and not visit.diagnosed and not any(
                self.known[c.key] <= visit.day for c in self.problems):
            visit.acute = visit.spare  # nothing chronic to follow up yet: a sick visit instead
        reasons, labels = self._reasons(visit)
        enc = self._book(visit, reasons, labels)
        doc = enc.practitioner_id
        tele = visit.kind == "telehealth"
        vitals = {} if tele else self._vitals(visit, enc)
        if first:
            self._first_visit(visit, doc)
        meds = self._problems_and_meds(visit, enc, doc)
        labs = [] if tele else self._labs(visit, enc, doc, reasons)
        shots = [] if tele else self._vaccines(visit, enc)
        draft = visit.day >= self.today - timedelta(days=2) and self.rng.random() < 0.5  # not signed yet
        self.out.append(soap_note(self.rng, self.ids, self.p, visit, enc, doc, vitals, meds, labs, shots,
                                  labels, draft=draft))
        self._bill(visit, enc, reasons, bool(labs), shots)

    def _book(self, visit: Visit, reasons: list[Coding], labels: tuple[str, ...]) -> Encounter:
        """The fulfilled appointment and its encounter (and, now and then, an earlier no-show)."""
        rng, staff = self.rng, self.staff
        doc = self.pcp if rng.random() < 0.8 or len(staff.physicians) < 2 else rng.choice(staff.physicians)
        tele = visit.kind == "telehealth"
        site = None if tele else (self.site if rng.random() < 0.85 else rng.choice(staff.locations))
        start = at(visit.day, 480 + 20 * rng.randrange(26))
        end = start + timedelta(minutes=rng.choice((15, 20, 25, 30, 40)))
        appointment = Appointment(id=self.ids(), patient_id=self.p.id, start=start, end=end, practitioner_id=doc,
                                  location_id=site, appointment_type=_APPOINTMENT_TYPE[visit.kind],
                                  telehealth_url=meeting_link(rng) if tele else None,
                                  reason=reasons[0].display if reasons else None, status="fulfilled")
        enc = Encounter(id=self.ids(), patient_id=self.p.id, start=start, end=end, status="finished",
                        class_code="VR" if tele else "AMB", visit_type=visit.kind, practitioner_id=doc,
                        location_id=site, appointment_id=appointment.id, reasons=reasons,
                        security_labels=list(labels))
        self.out += [appointment, enc]
        if visit.no_show_before:
            missed = timedelta(days=14)
            self.out.append(Appointment(id=self.ids(), patient_id=self.p.id, start=start - missed,
                                        end=end - missed, practitioner_id=doc, location_id=site,
                                        appointment_type="follow-up", status="noshow"))
        return enc

    def _vitals(self, visit: Visit, enc: Encounter) -> dict[str, float]:
        fever = visit.acute is not None and visit.acute[0] in _FEVER and self.rng.random() < 0.6
        vitals = self.body.vitals(self.rng, visit.day, fever=fever)
        taken = enc.start + timedelta(minutes=5)
        self.out += [observation(self.ids(), self.p.id, code, vitals[code], taken, category="vital-signs",
                                 encounter_id=enc.id, performer_id=self.staff.nurse)
                     for code in VITALS if code in vitals]
        return vitals

    def _first_visit(self, visit: Visit, doc: str | None) -> None:
        """Allergies, consents and the medicines the patient already takes, taken at intake."""
        found = allergies(self.rng, self.ids, self.p.id, visit.day, doc)
        self._avoid(found)
        self.out += found
        self.out += consents(self.rng, self.ids, self.p.id, visit.day)
        self.out += home_medications(self.rng, self.ids, self.p.id, visit.day, self.body.age(visit.day),
                                     [c.key for c in self.problems], self._safe)

    def _reasons(self, visit: Visit) -> tuple[list[Coding], tuple[str, ...]]:
        if visit.kind == "annual-physical":
            adult = self.body.age(visit.day) >= 18
            code = WELL_CHILD if not adult else WELL_ADULT_ABNORMAL if self.problems else WELL_ADULT
            return [Coding("icd10cm", *code)], ()
        if visit.acute:
            return [Coding("icd10cm", visit.acute[0], visit.acute[1])], ()
        known = [c for c in self.problems if self.known[c.key] <= visit.day]
        focus = visit.diagnosed[:2] or self.rng.sample(known, min(2, len(known)))
        labels = tuple(sorted({lab for c in focus for lab in c.labels}))
        return [Coding("icd10cm", c.code, c.display) for c in focus], labels

    def _problems_and_meds(self, visit: Visit, enc: Encounter, doc: str | None) -> list[Record]:
        rng, made = self.rng, []
        for c in visit.diagnosed:
            made.append(Condition(id=self.ids(), patient_id=self.p.id, code=Coding("icd10cm", c.code, c.display),
                                  onset_date=visit.onsets[c.key], recorded_date=visit.day, encounter_id=enc.id,
                                  recorder_id=doc, security_labels=list(c.labels)))
            options = [m for m in c.meds if self._safe(m)]
            if options:
                code = options[0] if rng.random() < 0.6 else rng.choice(options)
                made.append(prescription(self.ids, self.p.id, code, when=enc.start, prescriber=doc,
                                         encounter_id=enc.id, labels=c.labels))
                second = [m for m in ("197361", "310798") if m != code and self._safe(m)]
                if c.key == "htn" and second and rng.random() < 0.3:
                    made.append(prescription(self.ids, self.p.id, second[0], when=enc.start, prescriber=doc,
                                             encounter_id=enc.id))
        if visit.acute:
            code, display, *_, medicine, _ = visit.acute
            made.append(Condition(id=self.ids(), patient_id=self.p.id, code=Coding("icd10cm", code, display),
                                  category="encounter-diagnosis", clinical_status="resolved", onset_date=visit.day,
                                  abatement_date=visit.day + timedelta(days=rng.randint(5, 21)),
                                  recorded_date=visit.day, encounter_id=enc.id, recorder_id=doc))
            if medicine and not self._safe(medicine):
                medicine = ANTIBIOTIC_ALTERNATIVE if self._safe(ANTIBIOTIC_ALTERNATIVE) else ""
            if medicine:
                course_over = visit.day < self.today - timedelta(days=14)
                made.append(prescription(self.ids, self.p.id, medicine, when=enc.start, prescriber=doc,
                                         encounter_id=enc.id, status="completed" if course_over else "active"))
        self.out += made
        return made

    def _avoid(self, found: list[Record]) -> None:
        """Remember what the patient reacts to, so no one prescribes it (or its class)."""
        for allergy in found:
            if allergy.category == "medication":
                word = first_word(allergy.substance.display)
                self.avoid.add(word)
                for group in DRUG_CLASSES:
                    if word in group:
                        self.avoid.update(group)

    def _safe(self, rxcui: str) -> bool:
        return first_word(drug(rxcui).display) not in self.avoid

    def _labs(self, visit: Visit, enc: Encounter, doc: str | None, reasons: list[Coding]) -> list[str]:
        keys = {c.key for c in self.problems if self.known[c.key] <= visit.day}
        adult = self.body.age(visit.day) >= 18
        annual = visit.kind in ("annual-physical", "new-patient")
        wanted = [("a1c", 80, "dm" in keys or ("prediabetes" in keys and annual)),
                  ("uacr", 330, "dm" in keys or "ckd" in keys),
                  ("lipids", 330, adult and ("lipids" in keys or "dm" in keys
                                             or (annual and self.body.age(visit.day) >= 40))),
                  ("bmp", 150 if "ckd" in keys else 330, bool(keys & {"htn", "dm", "ckd", "hf"})),
                  ("tsh", 330, "thyroid" in keys), ("vitd", 330, "vitd" in keys),
                  ("cbc", 330, adult and annual and self.rng.random() < 0.3)]
        done = []
        for panel, gap, due in wanted:
            last = self.last_lab.get(panel)
            if due and (last is None or (visit.day - last).days >= gap):
                self.out += lab_order(self.rng, self.ids, self.body, self.p.id, panel, when=enc.start,
                                      requester=doc, encounter_id=enc.id, reasons=reasons[:1])
                self.last_lab[panel] = visit.day
                done.append(panel)
        return done

    def _vaccines(self, visit: Visit, enc: Encounter) -> list[str]:
        shots = vaccines_due(self.rng, visit, self.body.age(visit.day), self.given)
        for cvx in shots:
            self.given.setdefault(cvx, []).append(visit.day)
            self.out.append(vaccine(self.rng, self.ids, self.p.id, cvx, day=visit.day, performer=self.staff.nurse,
                                    encounter_id=enc.id, dose_number=len(self.given[cvx])))
        return shots

    def _bill(self, visit: Visit, enc: Encounter, reasons: list[Coding], labs: bool, shots: list[str]) -> None:
        age = self.body.age(visit.day)
        codes = [visit_fee(visit.kind, age, len(self.problems), self.had_wellness_visit)]
        self.had_wellness_visit = self.had_wellness_visit or codes[0] == "G0438"
        codes += ["G0008" if cvx in ("140", "135") else "G0009" if cvx in ("216", "133") else "VAX-ADMIN"
                  for cvx in shots]
        if labs:
            codes.append("LAB-DRAW")
        if visit.kind == "annual-physical" and age >= 18 and self.rng.random() < 0.4:
            codes.append("G0444")
        if visit.acute and visit.acute[0] == "J20.9" and self.rng.random() < 0.1:
            codes.append("J1100")
        self.invoices += 1
        self.out += bill(self.rng, self.ids, self.p.id, codes=codes, diagnoses=[r.code for r in reasons],
                         encounter_id=enc.id, day=visit.day, today=self.today,
                         number=f"INV-{self.p.mrn}-{self.invoices:03d}", insured=bool(self.p.coverages))

    def _future(self) -> None:
        """Booked visits to come (some by video) and the odd cancellation."""
        rng = self.rng
        if rng.random() < 0.4:
            day = self.today + timedelta(days=rng.randint(1, 90))
            day += timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)  # not at weekends
            tele = rng.random() < 0.15
            start = at(day, 480 + 20 * rng.randrange(26))
            self.out.append(Appointment(
                id=self.ids(), patient_id=self.p.id, start=start, end=start + timedelta(minutes=20),
                practitioner_id=self.pcp, location_id=None if tele else self.site,
                appointment_type="telehealth" if tele else rng.choice(("follow-up", "follow-up", "annual")),
                telehealth_url=meeting_link(rng) if tele else None, reason="Follow-up visit",
                status="booked"))
        if rng.random() < 0.04:
            start = at(self.today - timedelta(days=rng.randint(1, 60)), 540)
            self.out.append(Appointment(id=self.ids(), patient_id=self.p.id, start=start,
                                        end=start + timedelta(minutes=20), practitioner_id=self.pcp,
                                        location_id=self.site, status="cancelled",
                                        note="Patient called to cancel"))


_APPOINTMENT_TYPE = {"new-patient": "new-patient", "annual-physical": "annual", "follow-up": "follow-up",
                     "telehealth": "telehealth", "urgent": "follow-up"}
