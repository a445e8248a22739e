"""Synthetic SOAP notes, allergies, consents and home medicines for the demo clinic."""
from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Callable

from app.demo_codes import ALLERGENS, HOME_MEDS
from app.demo_orders import Ids, drug
from app.demo_visits import Visit
from app.model import (AllergyIntolerance, ClinicalNote, Coding, Consent, Encounter, MedicationRequest,
                       MedicationStatement, Patient, Record)

_TITLES = {"new-patient": "New patient visit", "annual-physical": "Annual physical",
           "follow-up": "Follow-up visit", "telehealth": "Telehealth visit", "urgent": "Sick visit"}
_VITAL_TEXT = (("8480-6", "BP {:.0f}"), ("8462-4", "/{:.0f} mmHg, "), ("8867-4", "HR {:.0f}/min, "),
               ("9279-1", "RR {:.0f}/min, "), ("8310-5", "T {:.1f} °C, "), ("59408-5", "SpO2 {:.0f} %, "),
               ("29463-7", "Wt {:.1f} kg, "), ("8302-2", "Ht {:.1f} cm, "), ("39156-5", "BMI {:.1f} kg/m2"))
_PANEL_NAMES = {"a1c": "HbA1c", "lipids": "lipid panel", "bmp": "basic metabolic panel", "cbc": "CBC",
                "tsh": "TSH", "vitd": "25-OH vitamin D", "uacr": "urine albumin/creatinine ratio"}
_EXAM = {"urgent": "Alert, mildly ill-appearing. Focused exam as documented; lungs clear, no distress.",
         "telehealth": "Observed by video: alert, speaking in full sentences, no distress.",
         "annual-physical": "Well appearing. Heart regular, lungs clear, abdomen soft, no edema.",
         "new-patient": "Well appearing. Heart regular, lungs clear, abdomen soft, no edema.",
         "follow-up": "Well appearing. Heart regular, lungs clear, no edema."}


def _vitals_text(vitals: dict[str, float]) -> str:
    parts = [fmt.format(vitals[code]) for code, fmt in _VITAL_TEXT if code in vitals]
    if "8480-6" not in vitals:
        parts = [p for p in parts if not p.startswith("/")]
    return "".join(parts).rstrip(", ") + ("." if parts else "")


def soap_note(rng: random.Random, ids: Ids, patient: Patient, visit: Visit, enc: Encounter,
              doc: str | None, vitals: dict[str, float], made: list[Record], labs: list[str],
              shots: list[str], labels: tuple[str, ...], *, draft: bool = False) -> ClinicalNote:
    """The visit's SOAP note, signed by the physician at the end of the visit (or still a draft)."""
    age = (visit.day - patient.birth_date).days // 365
    who = (f"{age}-year-old {patient.sex if patient.sex in ('male', 'female') else 'patient'}"
           if age >= 2 else f"{(visit.day - patient.birth_date).days // 30}-month-old")
    topics = ", ".join(r.display.lower() for r in enc.reasons) or "a visit"
    if visit.kind == "new-patient":
        subjective = f"{who} establishing care. Here today for {topics}."
    elif visit.kind == "annual-physical":
        subjective = (f"{who} here for a well-child check. Growing and developing normally; eating and "
                      "sleeping well." if age < 18 else f"{who} here for an annual physical. No new complaints.")
    elif visit.acute:
        subjective = f"{who} with {visit.acute[5]} for {rng.randint(2, 10)} days."
    else:
        subjective = (f"{who} here for follow-up of {topics}. Taking medicines as prescribed, "
                      "no side effects reported.")
    if visit.kind == "telehealth":
        subjective = "Video visit; patient at home, identity confirmed by name and birth date. " + subjective
    objective = " ".join(filter(None, (_vitals_text(vitals), _EXAM[visit.kind])))
    assessment = "; ".join(f"{r.display} ({r.code})" for r in enc.reasons) or "Healthy visit."
    plan = [f"Start {m.medication.display}: {m.sig}." for m in made
            if isinstance(m, MedicationRequest) and set(m.security_labels) <= set(labels)]
    if labs:
        plan.append("Labs ordered: " + ", ".join(_PANEL_NAMES[p] for p in labs) + ".")
    if shots:
        plan.append(f"{len(shots)} vaccine(s) given; VIS provided, no immediate reaction.")
    plan.append(rng.choice(("Return in 3 months.", "Return in 6 months.", "Return in 1 year.",
                            "Return as needed if not improving.")))
    signed = enc.end + timedelta(minutes=rng.randint(5, 240)) if enc.end and not draft else None
    return ClinicalNote(id=ids(), patient_id=patient.id, encounter_id=enc.id, title=_TITLES[visit.kind],
                        subjective=subjective, objective=objective, assessment=assessment, plan=" ".join(plan),
                        author_id=doc, signed_by=doc if signed else None, signed_at=signed,
                        status="signed" if signed else "draft", security_labels=list(labels))


def allergies(rng: random.Random, ids: Ids, patient_id: str, day: date, doc: str | None) -> list[Record]:
    """About one patient in five has one or two allergies, recorded at the first visit."""
    if rng.random() >= 0.2:
        return []
    out: list[Record] = []
    for system, code, category, reaction in rng.sample(ALLERGENS, 1 if rng.random() < 0.75 else 2):
        substance = drug(code) if system == "rxnorm" else Coding("text", code.casefold(), code)
        severe = reaction in ("anaphylaxis", "throat swelling")
        intolerance = reaction in ("nausea and vomiting", "stomach upset", "cough")
        out.append(AllergyIntolerance(
            id=ids(), patient_id=patient_id, substance=substance, category=category,
            type="intolerance" if intolerance else "allergy", criticality="high" if severe else "low",
            reaction=reaction, severity="severe" if severe else rng.choice(("mild", "moderate")),
            onset_date=day - timedelta(days=rng.randint(200, 8000)) if rng.random() < 0.4 else None,
            recorder_id=doc))
    return out


def consents(rng: random.Random, ids: Ids, patient_id: str, day: date) -> list[Record]:
    """Consent to treatment and the privacy notice for everyone; some sharing and research choices."""
    out: list[Record] = [
        Consent(id=ids(), patient_id=patient_id, category="treatment", date=day,
                policy="General consent to treat"),
        Consent(id=ids(), patient_id=patient_id, category="hipaa-notice", date=day,
                policy="Notice of Privacy Practices, version 3")]
    if rng.random() < 0.4:
        out.append(Consent(id=ids(), patient_id=patient_id, category="information-sharing", date=day,
                           decision="permit" if rng.random() < 0.85 else "deny",
                           policy="Health information exchange participation"))
    if rng.random() < 0.03:
        out.append(Consent(id=ids(), patient_id=patient_id, category="research", date=day,
                           policy="Riverbend practice-based research network", note="May be contacted"))
    return out


def home_medications(rng: random.Random, ids: Ids, patient_id: str, day: date, age: float,
                     problems: list[str], safe: Callable[[str], bool]) -> list[Record]:
    """Over-the-counter medicines the patient reports at the first visit (none they react to)."""
    if age < 12:
        return []
    codes = []
    if age >= 50 and any(k in problems for k in ("htn", "dm", "lipids")) and rng.random() < 0.5:
        codes.append(HOME_MEDS[0])
    if rng.random() < 0.2:
        codes.append(rng.choice(HOME_MEDS[1:]))
    return [MedicationStatement(id=ids(), patient_id=patient_id, medication=drug(code),
                                dosage="1 tablet daily" if code == HOME_MEDS[0] else "as needed",
                                effective_start=day - timedelta(days=rng.randint(30, 1500)),
                                information_source="patient")
            for code in codes if safe(code)]
