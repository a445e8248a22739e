"""FHIR import on a real encrypted store, with synthetic US Core data made by carebundle
at test time: Bundles and NDJSON, idempotent re-import, references within the file,
codes with their systems, all-or-nothing bundles, NDJSON past bad lines, the command
line, and mutated bundles (hypothesis)."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import PermissionDenied
from app.model import Condition, Observation, Patient
from sync import fhir_import, mapping
from sync.engine import context as sync_context
from tests.integration._clinical import staff, table_rows
from tests.integration._fhir_data import cohort, resources, stored_counts, write_bundles, write_ndjson
from ui import cli

SEED = 11
RECORD_TABLES = ("patients", "practitioners", "encounters", "observations", "conditions", "allergies",
                 "medication_requests", "diagnostic_reports", "outbox")


@pytest.fixture(scope="module")
def source():
    return cohort(6, SEED)


def rows(clinic) -> dict[str, int]:
    return {t: table_rows(clinic, t) for t in RECORD_TABLES}


def created(results) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in results:
        for t, n in r.created.items():
            out[t] = out.get(t, 0) + n
    return out


def test_transaction_bundles_are_imported_whole_and_a_second_import_creates_nothing(clinic, tmp_path, source):
    paths = write_bundles(tmp_path / "in", source)
    results = fhir_import.import_files(clinic.session, paths)
    assert not any(r.errors for r in results)
    assert created(results) == dict(stored_counts(resources(source)))
    first = rows(clinic)
    again = fhir_import.import_files(clinic.session, paths)
    assert created(again) == {} and sum(r.updated for r in again) == 0
    assert sum(r.unchanged for r in again) == sum(stored_counts(resources(source)).values())
    assert rows(clinic) == first


def test_ndjson_files_are_imported_with_the_same_ids_as_their_bundles(clinic, tmp_path, source):
    fhir_import.import_files(clinic.session, write_ndjson(tmp_path / "nd", source, SEED))
    first = rows(clinic)
    results = fhir_import.import_files(clinic.session, write_bundles(tmp_path / "in", source))
    assert created(results) == {}  # the same resources: NDJSON ids are the bundles' fullUrls
    assert rows(clinic) == first
    with clinic.store.uow() as uow:
        for r in resources(source):
            if r["resourceType"] == "Patient":
                p = uow.patients.get(r["id"])
                assert (p.name.family, p.birth_date.isoformat()) == (r["name"][0]["family"], r["birthDate"])


def test_references_resolve_within_the_file_to_the_records_they_name(clinic, tmp_path, source):
    fhir_import.import_files(clinic.session, write_bundles(tmp_path / "in", source[:1]))
    items = resources(source[:1])
    patient_id = next(r["id"] for r in items if r["resourceType"] == "Patient")
    lab = next(r for r in items if r["resourceType"] == "Observation")
    with clinic.store.uow() as uow:
        obs = uow.records(Observation).get(lab["id"])
    assert obs.patient_id == patient_id
    assert obs.encounter_id == lab["encounter"]["reference"].removeprefix("urn:uuid:")


def hand_bundle(kind: str = "collection") -> dict:
    """A small bundle with non-UUID ids, relative references and a SNOMED CT code."""
    return {"resourceType": "Bundle", "type": kind, "entry": [
        {"fullUrl": "http://other.example/fhir/Patient/p-1",
         "resource": {"resourceType": "Patient", "id": "p-1", "name": [{"family": "Okafor", "given": ["Ada"]}],
                      "birthDate": "1970-03-04", "gender": "female",
                      "identifier": [{"system": "http://other.example/mrn", "value": "OX-77"}]}},
        {"fullUrl": "http://other.example/fhir/Condition/c-1",
         "resource": {"resourceType": "Condition", "id": "c-1", "subject": {"reference": "Patient/p-1"},
                      "code": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006",
                                           "display": "Diabetes mellitus type 2"}]},
                      "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                                               "condition-clinical", "code": "active"}]},
                      "onsetDateTime": "2019-06-01"}},
        {"fullUrl": "http://other.example/fhir/Observation/o-1",
         "resource": {"resourceType": "Observation", "id": "o-1", "status": "final",
                      "subject": {"reference": "http://other.example/fhir/Patient/p-1"},
                      "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4"}]},
                      "effectiveDateTime": "2024-02-03T10:00:00Z",
                      "valueQuantity": {"value": 7.25, "unit": "%", "system": "http://unitsofmeasure.org",
                                        "code": "%"}}},
        {"fullUrl": "http://other.example/fhir/Medication/m-1",
         "resource": {"resourceType": "Medication", "id": "m-1"}},
    ]}


def test_a_collection_with_plain_ids_and_a_snomed_code_keeps_the_code_as_received(clinic, tmp_path):
    path = tmp_path / "hand.json"
    path.write_text(json.dumps(hand_bundle()))
    [r] = fhir_import.import_files(clinic.session, [path])
    assert (r.created, r.skipped, r.errors) == ({"Patient": 1, "Condition": 1, "Observation": 1},
                                                {"Medication": 1}, [])
    pid = fhir_import.local_id("Patient", "p-1")
    with clinic.store.uow() as uow:
        [problem] = uow.records(Condition).for_patient(pid)
        [obs] = uow.records(Observation).for_patient(pid)
        p = uow.patients.get(pid)
    assert (problem.code.system, problem.code.code) == ("http://snomed.info/sct", "44054006")
    assert str(obs.value) == "7.25" and (obs.code.system, obs.code.code) == ("loinc", "4548-4")
    assert [(i.system, i.value) for i in p.identifiers] == [("http://other.example/mrn", "OX-77")]
    [again] = fhir_import.import_files(clinic.session, [path])
    assert again.created == {} and again.unchanged == 3


def test_every_coding_and_the_text_of_a_concept_are_kept_and_exported_as_received(clinic, tmp_path):
    b = hand_bundle()
    b["entry"][1]["resource"]["code"] = {"coding": [
        {"system": "http://snomed.info/sct", "code": "44054006", "display": "Diabetes mellitus type 2"},
        {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9"},
        {"system": "urn:oid:2.16.840.1.113883.3.999", "code": "DM2", "display": "Sugar diabetes"}],
        "text": "Type 2 diabetes, diet controlled"}
    path = tmp_path / "codes.json"
    path.write_text(json.dumps(b))
    [r] = fhir_import.import_files(clinic.session, [path])
    assert r.errors == []
    with clinic.store.uow() as uow:
        [problem] = uow.records(Condition).for_patient(fhir_import.local_id("Patient", "p-1"))
    assert (problem.code.system, problem.code.code) == ("http://snomed.info/sct", "44054006")
    assert [(c.code, c.display) for c in problem.code.more] == [("E11.9", ""), ("DM2", "Sugar diabetes")]
    ctx = sync_context(clinic.session)
    assert mapping.to_fhir(problem, ctx)["code"] == b["entry"][1]["resource"]["code"]
    [again] = fhir_import.import_files(clinic.session, [path])
    assert again.created == {} and again.updated == 0 and again.unchanged == 3
    b["entry"][1]["resource"]["code"]["coding"].pop()  # a translation less is a change
    path.write_text(json.dumps(b))
    [changed] = fhir_import.import_files(clinic.session, [path])
    assert changed.updated == 1 and changed.unchanged == 2


def blood_pressure(systolic, diastolic) -> dict:
    return {"fullUrl": "http://other.example/fhir/Observation/bp-1", "resource": {
        "resourceType": "Observation", "id": "bp-1", "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "vital-signs"}]}],
        "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9", "display": "Blood pressure panel"}]},
        "subject": {"reference": "Patient/p-1"}, "effectiveDateTime": "2024-02-03T10:00:00Z",
        "component": [
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6", "display": "Systolic"}]},
             "valueQuantity": {"value": systolic, "unit": "mmHg", "system": "http://unitsofmeasure.org",
                               "code": "mm[Hg]"}},
            {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4", "display": "Diastolic"}]},
             "valueQuantity": {"value": diastolic, "unit": "mmHg", "system": "http://unitsofmeasure.org",
                               "code": "mm[Hg]"}}]}}


def test_a_blood_pressure_panel_is_one_observation_with_its_components(clinic, tmp_path):
    b = hand_bundle()
    b["entry"].append(blood_pressure(138, 82))
    path = tmp_path / "bp.json"
    path.write_text(json.dumps(b))
    [r] = fhir_import.import_files(clinic.session, [path])
    assert r.errors == [] and r.created["Observation"] == 2  # the HbA1c and the one panel
    with clinic.store.uow() as uow:
        [panel] = [o for o in uow.records(Observation).for_patient(fhir_import.local_id("Patient", "p-1"))
                   if o.code.code == "85354-9"]
    assert panel.value is None
    assert [(c.code.code, c.value, c.unit) for c in panel.components] == [
        ("8480-6", Decimal(138), "mm[Hg]"), ("8462-4", Decimal(82), "mm[Hg]")]
    assert panel.values() == [("8480-6", Decimal(138), "mm[Hg]"), ("8462-4", Decimal(82), "mm[Hg]")]
    back = mapping.to_fhir(panel, sync_context(clinic.session))
    assert back["component"] == b["entry"][-1]["resource"]["component"]  # "mmHg" as sent, code mm[Hg]
    assert "valueQuantity" not in back


def test_a_component_without_a_value_keeps_the_reason_it_has_none(clinic, tmp_path):
    from fhir.resources.R4B.observation import Observation as FhirObservation
    b = hand_bundle()
    b["entry"].append(blood_pressure(120, 80))
    absent = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": "error"}]}
    b["entry"][-1]["resource"]["component"][1] = {**b["entry"][-1]["resource"]["component"][1],
                                                  "dataAbsentReason": absent}
    del b["entry"][-1]["resource"]["component"][1]["valueQuantity"]
    path = tmp_path / "bp.json"
    path.write_text(json.dumps(b))
    [r] = fhir_import.import_files(clinic.session, [path])
    assert r.errors == []
    with clinic.store.uow() as uow:
        panel = uow.records(Observation).get(fhir_import.local_id("Observation", "bp-1"))
    assert [(c.code.code, c.value, c.absent_reason) for c in panel.components] == [
        ("8480-6", Decimal(120), None), ("8462-4", None, "error")]
    back = mapping.to_fhir(panel, sync_context(clinic.session))
    assert back["component"][1]["dataAbsentReason"] == absent and "valueQuantity" not in back["component"][1]
    FhirObservation.model_validate(back)


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda c: c[1].pop("valueQuantity"), "entry 4 (Observation): component[1].value[x]: missing"),
    (lambda c: c[0]["code"].pop("coding"), "entry 4 (Observation): component[0].code: missing"),
    (lambda c: c[0]["valueQuantity"].update(value="high"),
     "entry 4 (Observation): component[0].valueQuantity.value: missing or not a number"),
])
def test_a_panel_with_a_broken_component_is_refused_naming_the_component(clinic, tmp_path, mutate, expected):
    b = hand_bundle("transaction")
    b["entry"].append(blood_pressure(120, 80))
    mutate(b["entry"][-1]["resource"]["component"])
    path = tmp_path / "bp.json"
    path.write_text(json.dumps(b))
    [r] = fhir_import.import_files(clinic.session, [path])
    assert r.rejected and any(e.startswith(expected) for e in r.errors), r.errors
    assert table_rows(clinic, "observations") == 0


@pytest.mark.parametrize(("name", "expected"), [
    ({"family": "Okafor", "given": [""]}, "name[0].given[0]: an empty given name"),
    ({"family": "Okafor", "given": ["Ada", "  "]}, "name[0].given[1]: an empty given name"),
    ({"family": "", "given": ["Ada"]}, "name[0].family: an empty family name"),
    ({"use": "official"}, "name[0]: neither a family nor a given name"),
])
def test_a_patient_with_an_empty_name_part_is_refused_naming_the_entry_and_the_field(clinic, tmp_path, name,
                                                                                      expected):
    b = hand_bundle("transaction")
    b["entry"][0]["resource"]["name"] = [name]
    path = tmp_path / "name.json"
    path.write_text(json.dumps(b))
    [r] = fhir_import.import_files(clinic.session, [path])
    assert r.rejected and f"entry 0 (Patient): {expected}" in r.errors, r.errors
    assert table_rows(clinic, "patients") == 0


def test_an_ndjson_patient_with_an_empty_given_name_is_reported_by_its_line(clinic, tmp_path):
    good = hand_bundle()["entry"][0]["resource"]
    bad = {**good, "id": "p-2", "name": [{"family": "Stone", "given": [""]}]}
    path = tmp_path / "Patient.ndjson"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    [r] = fhir_import.import_files(clinic.session, [path])
    assert r.created == {"Patient": 1}
    assert r.errors == ["Patient.ndjson line 2: name[0].given[0]: an empty given name"]


def _broken(mutate) -> dict:
    b = hand_bundle("transaction")
    mutate(b)
    return b


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda b: b["entry"][1]["resource"].pop("resourceType"), "entry 1: resourceType: missing"),
    (lambda b: b["entry"][2]["resource"].update(effectiveDateTime="2024-13-03"),
     "entry 2 (Observation): effectiveDateTime: '2024-13-03' is not a valid FHIR date"),
    (lambda b: b["entry"][1]["resource"]["code"]["coding"][0].pop("system"),
     "entry 1 (Condition): code.coding[0].system: a code without its code system"),
    (lambda b: b["entry"][1]["resource"].update(subject={"reference": "urn:uuid:1b7a6a4e-1111-4a2e-9d3c-000000000000"}),
     "entry 1 (Condition): subject: urn:uuid:1b7a6a4e-1111-4a2e-9d3c-000000000000 is not an entry of this file"),
    (lambda b: b["entry"][2]["resource"].update(subject={"reference": "Patient/nobody"}),
     "entry 2 (Observation): subject: Patient/"),
    (lambda b: b["entry"][0].pop("resource"), "entry 0: resource: missing"),
])
def test_a_bad_entry_rejects_the_whole_transaction_naming_the_entry_and_field(clinic, tmp_path, mutate, expected):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_broken(mutate)))
    before = rows(clinic)
    [r] = fhir_import.import_files(clinic.session, [path])
    assert r.rejected and any(e.startswith(expected) for e in r.errors), r.errors
    assert rows(clinic) == before


def test_a_batch_bundle_keeps_its_good_entries_and_reports_the_bad_one(clinic, tmp_path):
    b = hand_bundle("batch")
    b["entry"][2]["resource"]["effectiveDateTime"] = "2024-02-31T10:00:00Z"
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(b))
    [r] = fhir_import.import_files(clinic.session, [path])
    assert not r.rejected and r.created == {"Patient": 1, "Condition": 1}
    assert [e.split(":")[0] for e in r.errors] == ["entry 2 (Observation)"]


def test_a_truncated_bundle_is_rejected_naming_the_file_and_the_place(clinic, tmp_path, source):
    path = tmp_path / "cut.json"
    path.write_text(json.dumps(source[0])[:5000])
    [r] = fhir_import.import_files(clinic.session, [path])
    assert r.rejected and "cut.json" in r.errors[0] and "line 1 column" in r.errors[0]
    assert table_rows(clinic, "patients") == 0


def test_an_ndjson_file_goes_on_past_bad_lines_and_reports_each(clinic, tmp_path, source):
    paths = write_ndjson(tmp_path / "nd", source, SEED)
    obs_path = next(p for p in paths if p.name == "Observation.ndjson")
    lines = obs_path.read_text().splitlines()
    lines[2] = lines[2][:40]  # truncated
    bad_date = json.loads(lines[4])
    bad_date["effectiveDateTime"] = "yesterday"
    lines[4] = json.dumps(bad_date)
    obs_path.write_text("\n".join(lines) + "\n")
    results = fhir_import.import_files(clinic.session, paths)
    [obs_result] = [r for r in results if r.path == str(obs_path)]
    assert len(obs_result.errors) == 2
    assert obs_result.errors[0].startswith("Observation.ndjson line 3: line: not valid JSON")
    assert obs_result.errors[1].startswith("Observation.ndjson line 5: effectiveDateTime:")
    good = [json.loads(line) for i, line in enumerate(lines) if i not in (2, 4)]
    assert obs_result.created == {"Observation": stored_counts(good)["Observation"]}


def test_progress_is_reported_for_ndjson_files(clinic, tmp_path, source, monkeypatch):
    monkeypatch.setattr(fhir_import, "BATCH", 50)
    seen = []
    fhir_import.import_files(clinic.session, write_ndjson(tmp_path / "nd", source, SEED),
                             progress=lambda name, done, total: seen.append((name, done, total)))
    obs = [(d, t) for n, d, t in seen if n == "Observation.ndjson"]
    assert len(obs) >= 3 and obs[-1][0] == obs[-1][1] and obs[0][0] < obs[0][1]


def test_only_users_allowed_to_import_may_import_and_imports_are_audited(clinic, tmp_path, source):
    paths = write_bundles(tmp_path / "in", source[:1])
    with pytest.raises(PermissionDenied):
        fhir_import.import_files(staff(clinic)["physician"], paths)
    assert table_rows(clinic, "patients") == 0
    fhir_import.import_files(clinic.session, paths)
    with clinic.store.uow() as uow:
        entries = uow.audit.query(action="import")
    assert any(e.record_type == "Bundle" and e.detail["file"] == "bundle-0.json" for e in entries)
    assert any(e.record_type == "Patient" and e.patient_id for e in entries)


def test_outpost_import_fhir_prints_counts_as_json(clinic, tmp_path, store_dir, monkeypatch, capsys, source):
    from tests.conftest import ADMIN_PASSWORD
    paths = write_bundles(tmp_path / "in", source[:2])
    clinic.store.close()
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    code = cli.main(["--data-dir", str(store_dir), "--user", "admin", "--json", "import", "fhir",
                     *map(str, paths)])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["errors"] == 0 and out["resources"] == sum(stored_counts(resources(source[:2])).values())
    bad = tmp_path / "bad.json"
    bad.write_text('{"resourceType": "Bundle", "type": "transaction", "entry": [{"resource": {}}]}')
    code = cli.main(["--data-dir", str(store_dir), "--user", "admin", "import", "fhir", str(bad)])
    captured = capsys.readouterr()
    assert code == 1 and "entry 0: resourceType: missing" in captured.out and "had errors" in captured.err


_json_values = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=12),
                         st.just("2024-02-30"), st.just("urn:uuid:0000"), st.just({"reference": "Patient/x"}))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entry=st.integers(0, 3), key=st.sampled_from(["resourceType", "id", "subject", "code", "birthDate",
                                                      "effectiveDateTime", "valueQuantity", "name",
                                                      "identifier", "onsetDateTime", "status"]),
       value=_json_values, drop=st.booleans())
def test_mutated_bundles_never_crash_and_are_taken_whole_or_not_at_all(clinic, tmp_path, entry, key, value, drop):
    b = hand_bundle("transaction")
    res = b["entry"][entry]["resource"]
    if drop:
        res.pop(key, None)
    else:
        res[key] = value
    path = tmp_path / "m.json"
    path.write_text(json.dumps(b))
    before = table_rows(clinic, "patients") + table_rows(clinic, "conditions") + table_rows(clinic, "observations")
    [r] = fhir_import.import_files(clinic.session, [path])
    after = table_rows(clinic, "patients") + table_rows(clinic, "conditions") + table_rows(clinic, "observations")
    if r.rejected:
        assert r.errors and all(e.strip() for e in r.errors) and after == before
    else:
        assert not r.errors
