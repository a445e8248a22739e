"""The synthetic demo clinic: deterministic, clinically coded with real codes, searchable,
and usable by every demo user straight after ``outpost demo``."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from app import (chart, codec, demo, encounters, immunizations, medications, patients, scheduling,
                 terminology)
from app.demo_codes import FEES
from app.demo_users import DEMO_PASSWORD, DEMO_USERS
from app.errors import Conflict, PermissionDenied
from app.model import (AllergyIntolerance, Appointment, Condition, Encounter, Immunization, MedicationRequest,
                       MedicationStatement, Observation, Patient, ServiceRequest)
from app.search_terms import fold
from ui import wiring

TODAY = date(2026, 3, 2)
TABLES = {Patient: "patients", Condition: "conditions", Observation: "observations", Encounter: "encounters",
          MedicationRequest: "medication_requests", MedicationStatement: "medication_statements",
          Immunization: "immunizations", AllergyIntolerance: "allergies", ServiceRequest: "service_requests",
          Appointment: "appointments"}


def _all(opened, cls):
    with opened.store.uow(readonly=True) as uow:
        rows = uow.conn.execute(text(f"SELECT data FROM {TABLES[cls]} ORDER BY id")).scalars().all()
    return [codec.loads(cls, raw) for raw in rows]


def _content(opened) -> dict:
    """What must not change between two runs with the same seed (store-made stamps aside)."""
    return {
        "patients": [(p.id, p.mrn, p.name.family, p.name.given, p.birth_date, p.sex, p.phone, p.race,
                      p.coverages) for p in _all(opened, Patient)],
        "problems": [(c.id, c.patient_id, c.code, c.onset_date, c.security_labels) for c in _all(opened, Condition)],
        "observations": [(o.id, o.code.code, o.effective, o.value) for o in _all(opened, Observation)],
        "encounters": [(e.id, e.start, e.visit_type, e.practitioner_id) for e in _all(opened, Encounter)],
        "prescriptions": [(m.id, m.medication, m.sig) for m in _all(opened, MedicationRequest)],
    }


@pytest.fixture
def second_clinic(tmp_path):
    opened, _ = wiring.create_clinic(tmp_path / "second", clinic_name="Second", admin_username="admin",
                                     admin_password=DEMO_PASSWORD)
    yield opened
    opened.store.close()


def test_the_same_seed_gives_the_same_patients_and_clinical_content(clinic, second_clinic):
    first = demo.populate(clinic.session, patients=25, seed=11, today=TODAY)
    again = demo.populate(second_clinic.session, patients=25, seed=11, today=TODAY)
    assert first == again and first["Patient"] == 25
    one, two = _content(clinic), _content(second_clinic)
    assert one["patients"] and one["problems"] and one["observations"]
    assert one == two


def test_another_seed_gives_other_patients(clinic, second_clinic):
    demo.populate(clinic.session, patients=10, seed=1, histories=False, today=TODAY)
    demo.populate(second_clinic.session, patients=10, seed=2, histories=False, today=TODAY)
    assert _content(clinic)["patients"] != _content(second_clinic)["patients"]


def test_every_demo_record_uses_codes_the_terminology_knows(clinic):
    counts = demo.populate(clinic.session, patients=60, seed=5, today=TODAY)
    assert counts["Condition"] and counts["Observation"] and counts["Immunization"]
    assert counts["MedicationRequest"] and counts["ServiceRequest"]
    for c in _all(clinic, Condition):
        assert terminology.is_valid("icd10cm", c.code.code), c.code
    for e in _all(clinic, Encounter):
        assert all(terminology.is_valid("icd10cm", r.code) for r in e.reasons), e.reasons
    for o in _all(clinic, Observation):
        test = terminology.loinc_test(o.code.code)
        assert test is not None and test.unit == o.unit, o.code
    for order in _all(clinic, ServiceRequest):
        assert terminology.is_valid("loinc", order.code.code), order.code
    for m in _all(clinic, MedicationRequest) + _all(clinic, MedicationStatement):
        assert terminology.is_valid("rxnorm", m.medication.code), m.medication
    for shot in _all(clinic, Immunization):
        assert terminology.is_valid("cvx", shot.vaccine.code), shot.vaccine
    for allergy in _all(clinic, AllergyIntolerance):
        assert allergy.substance.system == "text" or terminology.is_valid("rxnorm", allergy.substance.code)


def test_demo_records_keep_to_the_choices_the_services_accept(clinic):
    demo.populate(clinic.session, patients=60, seed=6, today=TODAY)
    assert all(m.route in medications.ROUTES and 0 <= m.refills <= medications.MAX_REFILLS
               for m in _all(clinic, MedicationRequest))
    assert all(i.route in immunizations.ROUTES and i.site in immunizations.SITES
               for i in _all(clinic, Immunization))
    assert all(e.visit_type in encounters.VISIT_TYPES for e in _all(clinic, Encounter))
    booked = _all(clinic, Appointment)
    assert all(a.appointment_type in scheduling.TYPES and a.practitioner_id for a in booked)
    video = [a for a in booked if a.appointment_type == "telehealth"]
    assert video and all(a.telehealth_url.startswith("https://") for a in video)
    assert {"fulfilled", "noshow", "booked"} <= {a.status for a in booked}


def test_behavioural_health_problems_are_labelled_sensitive(clinic):
    demo.populate(clinic.session, patients=150, seed=8, histories=False, today=TODAY)
    demo.populate(clinic.session, patients=150, seed=9, today=TODAY)
    psych = [c for c in _all(clinic, Condition) if c.code.code.startswith("F") and c.code.code != "F17.210"]
    assert psych and all("PSY" in c.security_labels for c in psych)
    assert all(not c.security_labels for c in _all(clinic, Condition) if c.code.code.startswith("I10"))


def test_charges_use_the_clinics_own_codes_or_hcpcs_never_cpt(clinic):
    demo.populate(clinic.session, patients=20, seed=4, today=TODAY)
    with clinic.store.uow(readonly=True) as uow:
        codes = set(uow.conn.execute(text("SELECT json_extract(data, '$.code') FROM charges")).scalars())
    assert codes and codes <= set(FEES)
    assert not any(code.isdigit() for code in codes)  # CPT codes are five digits


def test_a_patient_with_a_non_latin_name_is_found_by_its_latin_spelling(clinic, sessions):
    demo.populate(clinic.session, patients=400, seed=21, histories=False, today=TODAY)
    foreign = [p for p in _all(clinic, Patient) if not any(ch.isascii() for ch in p.name.family)]
    assert foreign, "the demo should include names written in non-Latin scripts"
    for p in foreign:
        query = f"{fold(p.name.family)} {fold(p.name.given[0])}"
        found = patients.search(sessions["front_desk"], query)
        assert p.id in [f.id for f in found], (p.name.text, query)
    chinese = [p for p in foreign if fold(p.name.family).strip() in ("wang", "li", "zhang", "liu", "chen", "yang")]
    for p in chinese[:1]:
        assert p.id in [f.id for f in patients.search(sessions["front_desk"], fold(p.name.family).strip())]


def test_an_accented_name_is_found_without_its_accents(clinic, sessions):
    demo.populate(clinic.session, patients=200, seed=3, histories=False, today=TODAY)
    accented = [p for p in _all(clinic, Patient) if not p.name.family.isascii()
                and fold(p.name.family).replace(" ", "").isalpha()]
    assert accented
    p = accented[0]
    found = patients.search(sessions["front_desk"], f"{fold(p.name.family)} {fold(p.name.given[0])}")
    assert p.id in [f.id for f in found]


def test_the_same_seed_twice_in_one_store_is_refused(clinic):
    demo.populate(clinic.session, patients=3, seed=1, histories=False, today=TODAY)
    with pytest.raises(Conflict):
        demo.populate(clinic.session, patients=3, seed=1, histories=False, today=TODAY)
    assert demo.populate(clinic.session, patients=3, seed=2, histories=False, today=TODAY)["Patient"] == 3


def test_only_a_user_who_may_import_can_generate_a_demo_clinic(sessions):
    with pytest.raises(PermissionDenied):
        demo.populate(sessions["front_desk"], patients=1, seed=1)


def test_a_heavy_patient_has_exactly_the_encounters_and_observations_asked_for(clinic, sessions):
    patient_id = demo.add_heavy_patient(clinic.session, encounters=40, observations=900)
    with clinic.store.uow(readonly=True) as uow:
        assert uow.records(Encounter).count({"patient_id": patient_id}) == 40
        assert uow.observations.count({"patient_id": patient_id}) == 900
    summary = chart.open_chart(sessions["physician"], patient_id)
    assert summary.problems and summary.latest_vitals and len(summary.recent_encounters) == 20


def test_generation_writes_one_summary_audit_entry(clinic):
    counts = demo.populate(clinic.session, patients=5, seed=2, today=TODAY)
    with clinic.store.uow(readonly=True) as uow:
        imports = uow.audit.query(action="import")
        outbox = uow.conn.execute(text("SELECT count(*) FROM outbox")).scalar_one()
    assert len(imports) == 1 and imports[0].detail["records"] == counts
    assert outbox >= sum(counts.values())  # every record is queued for sync


def test_the_demo_command_prints_users_every_one_of_whom_can_sign_in(tmp_path):
    folder = tmp_path / "demo"
    outpost = Path(sys.executable).with_name("outpost")
    done = subprocess.run([str(outpost), "demo", "--patients", "20", "--seed", "3", "--json",
                           "--data-dir", str(folder)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    users = {u["username"]: u for u in printed["users"]}
    assert {u["role"] for u in printed["users"]} == {"admin", "physician", "nurse", "front_desk", "billing"}
    assert set(users) == {username for username, *_ in DEMO_USERS}
    assert printed["records"]["Patient"] == 20
    for username, role, _, qualification in DEMO_USERS:
        opened = wiring.sign_in(folder, username, users[username]["password"])
        try:
            assert opened.session.user.role == users[username]["role"] == role
            assert bool(opened.session.user.practitioner_id) == bool(qualification)
        finally:
            opened.close()
