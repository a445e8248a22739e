"""Sneakernet packages between a workstation with no network and a connected one of the
same clinic, with a real FHIR server behind the connected one."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from app import observations, patients
from app.errors import ValidationError
from app.model import ContactPoint, HumanName, Patient
from sync import package
from tests.integration._sync import Workstation, clinic_code, pair  # noqa: F401 - fixture

PASSPHRASE = "river-bend clinic 2026"




def _register(ws, family, given="Amina"):
    return patients.register(ws.doctor, Patient(mrn="", name=HumanName(family, [given]),
                                                birth_date=date(1979, 3, 3), sex="female"),
                             confirm_duplicate=True)


def test_changes_carried_on_a_package_reach_the_server_and_the_server_data_comes_back(pair, fhir_server, tmp_path):
    offline, online = pair
    shared = _register(offline, "Bello")
    assert offline.sync(fhir_server).errors == [] and online.sync(fhir_server).errors == []
    # from here on the offline workstation never reaches the server
    record = patients.get(offline.doctor, shared.id)
    record.telecom.append(ContactPoint("phone", "555-0177", "mobile"))
    patients.update(offline.doctor, record)
    new = _register(offline, "Danjuma", "Musa")
    observations.record_vital(offline.doctor, patient_id=new.id, code="8867-4", value=Decimal("81"))
    data, count = package.export_changes(offline.doctor, PASSPHRASE)
    assert count == 3
    assert b"Danjuma" not in data and b"555-0177" not in data  # encrypted
    path = tmp_path / "to-town.outpost-sync"
    package.write(path, data)

    first = package.import_package(online.doctor, path.read_bytes(), PASSPHRASE)
    assert (first.kind, first.applied, first.conflicts) == ("changes", 3, [])
    with online.store.uow() as uow:
        outbox = uow.sync.outbox_count()
    second = package.import_package(online.doctor, path.read_bytes(), PASSPHRASE)
    assert (second.applied, second.unchanged) == (0, 3)
    with online.store.uow() as uow:
        assert uow.sync.outbox_count() == outbox  # the second import changed nothing
    assert online.sync(fhir_server).errors == []
    assert patients.get(online.doctor, shared.id).phone == "555-0177"

    back, _ = package.export_server_data(online.doctor, PASSPHRASE)
    result = package.import_package(offline.doctor, back, PASSPHRASE)
    assert result.kind == "server-data" and result.conflicts == []
    with offline.store.uow() as uow:
        assert uow.sync.outbox_count() == 0  # the server has every edit the package carried
    assert patients.get(offline.doctor, shared.id).server_version == \
        patients.get(online.doctor, shared.id).server_version
    assert [v.value for v in observations.trend(offline.doctor, new.id, "8867-4")] == [Decimal("81")]
    again = package.import_package(offline.doctor, back, PASSPHRASE)
    assert again.applied == 0
    with offline.store.uow() as uow:
        imports = [e for e in uow.audit.query(action="import") if e.record_type == "SyncPackage"]
    assert imports[-1].detail["signer"] == result.signer and len(result.signer) == 16


def test_a_package_with_a_wrong_passphrase_a_changed_byte_or_from_another_clinic_is_refused(pair, tmp_path):
    offline, online = pair
    _register(offline, "Eze")
    data, _ = package.export_changes(offline.doctor, PASSPHRASE)
    with pytest.raises(ValidationError, match="passphrase"):
        package.import_package(online.doctor, data, "not the clinic's passphrase")
    body = json.loads(data)
    body["made_by"] = "someone.else"
    with pytest.raises(ValidationError, match="signature"):
        package.import_package(online.doctor, json.dumps(body).encode(), PASSPHRASE)
    stranger = Workstation(tmp_path / "stranger", clinic_code(), "stranger")
    try:
        with pytest.raises(ValidationError, match="belongs to clinic"):
            package.import_package(stranger.doctor, data, PASSPHRASE)
    finally:
        stranger.close()
    with online.store.uow() as uow:
        assert [e for e in uow.audit.query(action="import") if e.record_type == "SyncPackage"] == []
    with pytest.raises(ValidationError, match="12 characters"):
        package.export_changes(offline.doctor, "short")
