"""EHI export (ONC §170.315(b)(10)) on a real encrypted store: synthetic US Core data
from carebundle imported, exported again and compared (counts per type, identifiers,
codes, values); every exported resource validated with fhir.resources' R4B models;
attachments, README, one patient or the clinic, permissions and the disclosure trail."""
from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from fhir.resources.R4B import get_fhir_model_class

from app import disclosures, documents
from app.errors import NotFound, PermissionDenied, ValidationError
from sync import ehi_export, fhir_import
from tests.integration._clinical import register, staff
from tests.integration._fhir_data import (codes, cohort, concepts, counts, identifiers, read_ndjson,
                                          resources, stored_counts, values, write_ndjson)
from ui import cli

SEED = 23
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def source():
    return cohort(5, SEED)


def test_imported_synthetic_data_comes_back_out_unchanged(clinic, tmp_path, source):
    results = fhir_import.import_files(clinic.session, write_ndjson(tmp_path / "in", source, SEED))
    assert not any(r.errors for r in results)
    ehi_export.export_ehi(clinic.session, tmp_path / "out")
    exported = read_ndjson(tmp_path / "out")
    sent = resources(source)
    got_counts, sent_counts = counts(exported), stored_counts(sent)
    assert {t: got_counts[t] for t in sent_counts} == dict(sent_counts)
    by_id = {r["id"]: r for r in exported}
    assert any(len(c[0]) > 1 for r in sent for c in concepts(r))  # translations are part of the test
    assert any(r.get("component") for r in sent)  # and blood pressure panels
    for r in sent:
        back = by_id[r["id"]]
        assert back["resourceType"] == r["resourceType"]
        assert codes(back) == codes(r), r["resourceType"]
        assert concepts(back) == concepts(r), r["resourceType"]  # every coding and the text
        assert identifiers(r) <= identifiers(back)
        mine, theirs = values(back), values(r)
        # A DiagnosticReport keeps when it was issued (the domain has no separate effective time).
        keys = ("issued",) if r["resourceType"] == "DiagnosticReport" else ("effective",)
        for key in ("value", "unit", "subject", "onset", "birthDate", "gender", "components", *keys):
            if theirs[key] not in (None, "", []):
                assert mine[key] == theirs[key], (r["resourceType"], key)


def test_every_exported_resource_validates_as_fhir_r4(clinic, tmp_path, source):
    fhir_import.import_files(clinic.session, write_ndjson(tmp_path / "in", source, SEED))
    doctor = staff(clinic)["physician"]
    p = register(doctor, "Okafor", "Ada", date(1970, 3, 4))
    documents.attach(doctor, patient_id=p.id, content=PDF, title="Referral letter",
                     content_type="application/pdf")
    ehi_export.export_ehi(clinic.session, tmp_path / "out")
    exported = read_ndjson(tmp_path / "out")
    assert len(exported) > 100
    for r in exported:
        get_fhir_model_class(r["resourceType"]).model_validate(r)


def test_one_patients_export_has_their_records_attachments_and_a_readme(clinic, tmp_path):
    people = staff(clinic)
    ana = register(people["physician"], "Rivera", "Ana", date(1980, 5, 17))
    ben = register(people["physician"], "Stone", "Ben", date(1975, 1, 2))
    doc = documents.attach(people["physician"], patient_id=ana.id, content=PDF, title="Referral letter",
                           content_type="application/pdf")
    documents.attach(people["physician"], patient_id=ben.id, content=PDF, title="Other", content_type="application/pdf")
    result = ehi_export.export_ehi(people["physician"], tmp_path / "ana", patient_id=ana.id,
                                   recipient="Ana Rivera", purpose="patient request")
    out = tmp_path / "ana"
    exported = read_ndjson(out)
    assert {r["id"] for r in exported if r["resourceType"] == "Patient"} == {ana.id}
    assert all(ben.id not in json.dumps(r) for r in exported)
    [ref] = [r for r in exported if r["resourceType"] == "DocumentReference"]
    url = ref["content"][0]["attachment"]["url"]
    assert url == f"attachments/{doc.id}.pdf" and (out / url).read_bytes() == PDF
    sha = next(e["valueString"] for e in ref["extension"] if e["url"].endswith("sha256"))
    assert sha == hashlib.sha256(PDF).hexdigest()
    readme = (out / "README.md").read_text()
    assert "§170.315(b)(10)" in readme and "DocumentReference.ndjson" in readme and "attachments/" in readme
    assert result.patients == 1 and result.attachments == 1


def test_an_export_is_a_disclosure_in_the_patients_accounting(clinic, tmp_path):
    people = staff(clinic)
    ana = register(people["physician"], "Rivera", "Ana", date(1980, 5, 17))
    ehi_export.export_ehi(people["physician"], tmp_path / "ana", patient_id=ana.id, recipient="Ana Rivera",
                          purpose="patient request")
    [d] = disclosures.for_patient(clinic.session, ana.id)
    assert (d.action, d.recipient, d.purpose, d.username) == ("export", "Ana Rivera", "patient request",
                                                               people["physician"].user.username)


def test_only_permitted_users_may_export_and_a_failed_export_leaves_nothing(clinic, tmp_path):
    people = staff(clinic)
    ana = register(people["physician"], "Rivera", "Ana", date(1980, 5, 17))
    for role in ("nurse", "front_desk", "billing"):
        with pytest.raises(PermissionDenied):
            ehi_export.export_ehi(people[role], tmp_path / role, patient_id=ana.id)
        assert not (tmp_path / role).exists()
    with pytest.raises(NotFound):
        ehi_export.export_ehi(clinic.session, tmp_path / "nobody", patient_id="no-such-patient")
    assert not (tmp_path / "nobody").exists() and not list(tmp_path.glob(".ehi-*"))
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x")
    with pytest.raises(ValidationError):
        ehi_export.export_ehi(clinic.session, tmp_path / "full")


def test_outpost_export_ehi_writes_the_folder_and_prints_counts(clinic, tmp_path, store_dir, monkeypatch, capsys):
    from tests.conftest import ADMIN_PASSWORD
    register(clinic.session, "Rivera", "Ana", date(1980, 5, 17))
    clinic.store.close()
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    code = cli.main(["--data-dir", str(store_dir), "--user", "admin", "--json", "export", "ehi",
                     "--out", str(tmp_path / "all")])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["patients"] == 1 and out["resources"]["Patient"] == 1
    assert (tmp_path / "all" / "Patient.ndjson").is_file() and (tmp_path / "all" / "README.md").is_file()
