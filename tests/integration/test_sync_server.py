"""Sync against a real FHIR R4 server on loopback: two workstations of one clinic."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app import observations, patients
from app.model import ContactPoint, Address, HumanName, Patient
from tests.integration._sync import Workstation, clinic_code, pair  # noqa: F401 - fixture


def _register(ws: Workstation, family="Okafor") -> Patient:
    return patients.register(ws.doctor, Patient(mrn="", name=HumanName(family, ["Chidi"]),
                                                birth_date=date(1975, 4, 2), sex="male"),
                             confirm_duplicate=True)


def test_a_patient_registered_and_charted_on_one_workstation_reaches_the_other(pair, fhir_server):
    a, b = pair
    patient = _register(a)
    observations.record_vital(a.doctor, patient_id=patient.id, code="8867-4", value=Decimal("72"))
    report = a.sync(fhir_server)
    assert report.failed is None and report.errors == []
    assert report.pushed >= 4  # organization, location, practitioner, patient, observation
    with a.store.uow() as uow:
        assert uow.sync.outbox_count() == 0
    pulled = b.sync(fhir_server)
    assert pulled.failed is None and pulled.errors == []
    seen = patients.get(b.doctor, patient.id)
    assert seen.name.family == "Okafor" and seen.mrn == patient.mrn
    vitals = observations.trend(b.doctor, patient.id, "8867-4")
    assert [v.value for v in vitals] == [Decimal("72")]
    again = b.sync(fhir_server)
    assert again.pulled == 0 and again.pushed == 0


def _edit(ws: Workstation, patient_id: str, change) -> Patient:
    record = patients.get(ws.doctor, patient_id)
    change(record)
    return patients.update(ws.doctor, record)


def _shared_patient(a: Workstation, b: Workstation, server) -> Patient:
    patient = _register(a)
    assert a.sync(server).errors == []
    assert b.sync(server).errors == []
    return patient


def test_offline_edits_to_different_fields_merge_by_themselves(pair, fhir_server):
    a, b = pair
    patient = _shared_patient(a, b, fhir_server)
    _edit(a, patient.id, lambda p: p.telecom.append(ContactPoint("phone", "555-0142", "mobile")))
    _edit(b, patient.id, lambda p: p.addresses.append(Address(["9 Elm St"], "Dayton", "OH", "45402")))
    assert a.sync(fhir_server).errors == []
    report = b.sync(fhir_server)
    assert report.failed is None and report.merged == 1 and report.conflicts == 0
    a.sync(fhir_server)
    for ws in (a, b):
        seen = patients.get(ws.doctor, patient.id)
        assert seen.phone == "555-0142" and seen.addresses[0].city == "Dayton"
        with ws.store.uow() as uow:
            assert uow.sync.outbox_count() == 0
    with b.store.uow() as uow:
        merges = [e for e in uow.audit.query(action="sync") if "merge" in e.detail]
    assert merges and merges[0].detail["mine"] == ["address"]


def test_the_same_field_edited_on_both_sides_becomes_a_conflict_resolved_once_for_both(pair, fhir_server):
    from app import sync_conflicts
    a, b = pair
    patient = _shared_patient(a, b, fhir_server)
    _edit(a, patient.id, lambda p: setattr(p.name, "family", "Okafor-Bello"))
    _edit(b, patient.id, lambda p: (setattr(p.name, "family", "Okafor-Nwosu"),
                                    p.telecom.append(ContactPoint("email", "chidi@example.org"))))
    a.sync(fhir_server)
    report = b.sync(fhir_server)
    assert report.conflicts == 1
    [conflict] = sync_conflicts.open_conflicts(b.doctor)
    assert [f.field for f in conflict.fields] == ["name"]
    assert conflict.fields[0].mine[0]["family"] == "Okafor-Nwosu"
    assert conflict.fields[0].theirs[0]["family"] == "Okafor-Bello"
    assert patients.get(b.doctor, patient.id).name.family == "Okafor-Nwosu"  # nothing lost meanwhile

    sync_conflicts.resolve(b.doctor, conflict.id, "theirs")
    assert b.sync(fhir_server).errors == []
    a.sync(fhir_server)
    for ws in (a, b):
        seen = patients.get(ws.doctor, patient.id)
        assert seen.name.family == "Okafor-Bello"
        assert [t.value for t in seen.telecom] == ["chidi@example.org"]  # B's disjoint edit survived
    assert sync_conflicts.open_conflicts(b.doctor) == []


def test_a_conflict_resolved_field_by_field_sends_the_chosen_values(pair, fhir_server):
    from app import sync_conflicts
    a, b = pair
    patient = _shared_patient(a, b, fhir_server)
    _edit(a, patient.id, lambda p: (setattr(p.name, "family", "Bello"), setattr(p, "birth_date", date(1975, 4, 3))))
    _edit(b, patient.id, lambda p: (setattr(p.name, "family", "Nwosu"), setattr(p, "birth_date", date(1975, 5, 2))))
    a.sync(fhir_server)
    b.sync(fhir_server)
    [conflict] = sync_conflicts.open_conflicts(b.doctor)
    assert sorted(f.field for f in conflict.fields) == ["birthDate", "name"]
    sync_conflicts.resolve(b.doctor, conflict.id, "fields", fields={"name": "mine", "birthDate": "theirs"})
    b.sync(fhir_server)
    a.sync(fhir_server)
    for ws in (a, b):
        seen = patients.get(ws.doctor, patient.id)
        assert (seen.name.family, seen.birth_date) == ("Nwosu", date(1975, 4, 3))
