"""Emergency access, accounting of disclosures, amendments, secrets and PHI-free logs, on a
real store; and the security services' permissions, run as every role."""
from __future__ import annotations

import csv
import logging
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from app import (accounts, amendments, audit_trail, disclosures, emergency, mfa, notes, problems,
                 secrets, security_policy)
from app.errors import PermissionDenied, ValidationError
from app.model import Condition
from app.permissions import ROLE_PERMISSIONS, Permission, allowed
from db.secret_store import KeyringSecrets, StoreSecrets, secret_store
from tests.conftest import ADMIN_PASSWORD
from tests.integration._clinical import register, visit
from ui import logging_setup, wiring


def test_break_the_glass_lets_a_clerk_read_notes_for_a_while_and_flags_every_entry(clinic, sessions):
    doc, desk = sessions["physician"], sessions["front_desk"]
    patient = register(doc, family="Okonkwo")
    note = notes.start(doc, encounter_id=visit(doc, patient).id)
    with pytest.raises(PermissionDenied):
        notes.for_patient(desk, patient.id)
    with pytest.raises(ValidationError, match="reason"):
        emergency.begin(desk, reason="  ")
    emergency.begin(desk, reason="patient unconscious, no physician on site", minutes=15,
                    patient_id=patient.id)
    assert [n.id for n in notes.for_patient(desk, patient.id)] == [note.id]
    with pytest.raises(PermissionDenied):  # never user administration
        accounts.list_users(desk)
    reviews = emergency.emergency_reviews(clinic.session)
    assert len(reviews) == 1 and reviews[0].username == desk.username
    assert reviews[0].reason.startswith("patient unconscious")
    assert any(e.action == "read" and e.patient_id == patient.id for e in reviews[0].actions)
    assert all(e.emergency for e in reviews[0].actions)
    desk.clock = lambda: reviews[0].until + timedelta(seconds=1)  # the window has closed
    with pytest.raises(PermissionDenied):
        notes.for_patient(desk, patient.id)
    emergency.mark_reviewed(clinic.session, reviews[0].seq, note="justified")
    assert emergency.emergency_reviews(clinic.session) == []
    with pytest.raises(ValidationError, match="already reviewed"):
        emergency.mark_reviewed(clinic.session, reviews[0].seq)


def test_only_an_administrator_reviews_emergency_access(sessions):
    for role in ("physician", "nurse", "front_desk", "billing"):
        with pytest.raises(PermissionDenied):
            emergency.emergency_reviews(sessions[role])


def test_every_print_and_export_of_a_patient_is_listed_as_a_disclosure(clinic, sessions):
    doc = sessions["physician"]
    patient, other = register(doc, family="Haddad"), register(doc, family="Lindqvist", given="Eva")
    disclosures.record(doc, patient_id=patient.id, what="visit summary", recipient="the patient")
    disclosures.record(doc, patient_id=patient.id, what="complete chart", recipient="Dr. Mendes, cardiology",
                       purpose="referral", action=disclosures.Action.EXPORT)
    disclosures.record(doc, patient_id=other.id, what="lab report", recipient="the patient")
    listed = disclosures.for_patient(clinic.session, patient.id)
    assert [(d.action, d.what, d.recipient) for d in listed] == [
        ("print", "visit summary", "the patient"), ("export", "complete chart", "Dr. Mendes, cardiology")]
    assert listed[1].purpose == "referral" and listed[0].username == doc.username
    with pytest.raises(ValidationError):
        disclosures.record(doc, patient_id=patient.id, what="chart", recipient=" ")
    with pytest.raises(PermissionDenied):
        disclosures.for_patient(sessions["nurse"], patient.id)


def test_an_amendment_is_accepted_with_a_link_or_denied_with_a_reason(clinic, sessions):
    doc, desk = sessions["physician"], sessions["front_desk"]
    patient = register(doc, family="Moreau")
    problem = problems.add(doc, patient_id=patient.id, code="E11.9", confirm=True)
    asked = amendments.request(desk, patient_id=patient.id, description="I do not have diabetes",
                               record_type="Condition", record_id=problem.id)
    second = amendments.request(desk, patient_id=patient.id, description="my address changed")
    with pytest.raises(PermissionDenied):  # deciding is a clinical change
        amendments.deny(desk, asked.id, reason="no")
    with pytest.raises(ValidationError, match="reason"):
        amendments.deny(doc, second.id, reason="")
    accepted = amendments.accept(doc, asked.id, amended_record_type="Condition",
                                 amended_record_id=problem.id, note="entered in error, corrected")
    denied = amendments.deny(doc, second.id, reason="the address is kept by the front desk")
    assert (accepted.status, accepted.amended_record_id, accepted.decided_by) == (
        "accepted", problem.id, doc.username)
    assert denied.status == "denied" and denied.denial_reason.startswith("the address")
    with pytest.raises(ValidationError, match="already accepted"):
        amendments.deny(doc, asked.id, reason="changed my mind")
    listed = {a.id: a.status for a in amendments.for_patient(desk, patient.id)}
    assert listed == {asked.id: "accepted", second.id: "denied"}


def test_an_amendment_cannot_link_another_patients_record(sessions):
    doc = sessions["physician"]
    patient, other = register(doc, family="Moreau"), register(doc, family="Silva", given="Rui")
    theirs = problems.add(doc, patient_id=other.id, code="I10", confirm=True)
    asked = amendments.request(doc, patient_id=patient.id, description="wrong blood pressure entry")
    with pytest.raises(ValidationError, match="another patient"):
        amendments.accept(doc, asked.id, amended_record_type="Condition", amended_record_id=theirs.id)
    assert {a.status for a in amendments.for_patient(doc, patient.id)} == {"requested"}


def test_sync_credentials_go_to_the_keyring_when_there_is_one(clinic, store_dir, memory_keyring,
                                                                monkeypatch):
    from db import machine_key
    monkeypatch.setattr(machine_key, "available", lambda: True)
    place = secret_store(clinic.store)
    assert isinstance(place, KeyringSecrets)
    secrets.save_sync_credentials(clinic.session, place, server_url="https://fhir.example.org/r4",
                                  client_id="clinic-7", client_secret="s3cr3t-value-xyz")
    assert any("s3cr3t-value-xyz" in v for v in memory_keyring.secrets.values())
    assert "s3cr3t-value-xyz" not in repr(secrets.sync_credentials(clinic.session, place))
    assert secrets.sync_credentials(clinic.session, place).client_secret == "s3cr3t-value-xyz"
    _no_file_contains(store_dir, b"s3cr3t-value-xyz")


def test_without_a_keyring_sync_credentials_stay_inside_the_encrypted_store(clinic, store_dir, monkeypatch):
    from db import machine_key
    monkeypatch.setattr(machine_key, "available", lambda: False)
    place = secret_store(clinic.store)
    assert isinstance(place, StoreSecrets)
    secrets.save_sync_credentials(clinic.session, place, server_url="https://fhir.example.org/r4",
                                  client_id="clinic-7", client_secret="s3cr3t-value-xyz")
    clinic.store.close()
    _no_file_contains(store_dir, b"s3cr3t-value-xyz")
    opened = wiring.sign_in(store_dir, "admin", ADMIN_PASSWORD)
    try:
        got = secrets.sync_credentials(opened.session, secret_store(opened.store))
        with opened.store.uow() as uow:
            audited = [e.detail for e in uow.audit.query(action="configuration-change")]
    finally:
        opened.close()
    assert got.client_secret == "s3cr3t-value-xyz"
    assert any(d.get("change") == "sync credentials saved" for d in audited)
    assert "s3cr3t-value-xyz" not in str(audited)


def _no_file_contains(folder: Path, needle: bytes) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            assert needle not in path.read_bytes(), path


def test_the_log_file_holds_no_patient_details(clinic, sessions, store_dir):
    handler = logging_setup.configure(store_dir, level=logging.DEBUG)
    try:
        doc = sessions["physician"]
        patient = register(doc, family="Zyxwvutson", given="Quillan")
        log = logging.getLogger("outpost.test")
        log.info("registered %s born %s", patient.name.family, patient.birth_date)
        log.warning("lookup for 'Zyxwvutson' on 1980-05-17 by phone 555-201-3344")
        try:
            raise ValueError(f"no chart for {patient.name.family}")
        except ValueError:
            log.exception("chart failed for %s", patient.id)
    finally:
        logging_setup.remove(handler)
    text = (store_dir / logging_setup.LOG_DIR / logging_setup.LOG_FILE).read_text()
    assert patient.id in text  # the ids a support person needs stay
    for secret in ("Zyxwvutson", "Quillan", "1980-05-17", "555-201-3344"):
        assert secret not in text


def test_the_command_line_logs_sign_ins_without_phi(clinic, store_dir):
    register(clinic.session, family="Zyxwvutson", given="Quillan")
    clinic.store.close()
    env = dict(os.environ, OUTPOST_PASSWORD=ADMIN_PASSWORD)
    done = subprocess.run([sys.executable, "-m", "ui.cli", "--data-dir", str(store_dir), "--user", "admin",
                           "patient", "search", "Zyxwvutson"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Zyxwvutson" in done.stdout
    text = "".join(p.read_text() for p in (store_dir / logging_setup.LOG_DIR).glob("*.log*"))
    assert "sign-in by" in text
    assert "Zyxwvutson" not in text and "Quillan" not in text


def test_the_audit_report_filters_and_writes_csv(clinic, sessions, store_dir, tmp_path):
    doc = sessions["physician"]
    patient = register(doc, family="Achterberg")
    problems.add(doc, patient_id=patient.id, code="I10", confirm=True)
    problems.active(doc, patient.id)
    rows = audit_trail.report(clinic.session, patient_id=patient.id, action="create")
    assert rows and all(r.patient_id == patient.id and r.action == "create" for r in rows)
    assert {r.record_type for r in rows} >= {"Patient", "Condition"}
    clinic.store.close()
    out = tmp_path / "report.csv"
    env = dict(os.environ, OUTPOST_PASSWORD=ADMIN_PASSWORD)
    done = subprocess.run([sys.executable, "-m", "ui.cli", "--data-dir", str(store_dir), "--user", "admin",
                           "audit", "report", "--patient", patient.id, "--by", doc.username, "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    table = list(csv.DictReader(out.open()))
    assert table and {r["username"] for r in table} == {doc.username}
    assert {r["patient_id"] for r in table} == {patient.id}
    assert {"create", "read"} <= {r["action"] for r in table}


def test_the_audit_report_is_for_administrators_only(sessions):
    for role in ("physician", "nurse", "front_desk", "billing"):
        with pytest.raises(PermissionDenied):
            audit_trail.report(sessions[role])
    assert audit_trail.report(sessions["admin"])


SECURITY_OPERATIONS = [
    ("list users", Permission.USER_ADMIN, lambda s: accounts.list_users(s)),
    ("enrol another user", Permission.USER_ADMIN, lambda s: mfa.enrol(s, "billing.test")),
    ("read the audit report", Permission.AUDIT_READ, lambda s: audit_trail.report(s)),
    ("verify the audit trail", Permission.AUDIT_READ, lambda s: audit_trail.verify(s)),
    ("review emergency access", Permission.AUDIT_READ, lambda s: emergency.emergency_reviews(s)),
    ("change the security policy", Permission.CONFIG_ADMIN,
     lambda s: security_policy.change(s, idle_lock_minutes=10)),
]


@pytest.mark.parametrize("name, permission, run", SECURITY_OPERATIONS, ids=[o[0] for o in SECURITY_OPERATIONS])
def test_security_administration_is_allowed_exactly_as_the_matrix_says(sessions, name, permission, run):
    for role in ROLE_PERMISSIONS:
        if role == "billing" and name == "enrol another user":
            continue  # enrolling oneself is always allowed; this operation targets billing.test
        try:
            run(sessions[role])
            outcome = True
        except PermissionDenied:
            outcome = False
        assert outcome == allowed(role, permission), f"{role}: {name}"
