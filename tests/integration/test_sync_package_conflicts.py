"""A sneakernet package whose edit overlaps an edit made on the importing workstation goes
through the same three-way merge as a pull: disjoint fields merge by themselves, overlapping
ones become a conflict record a person resolves (both versions kept), everything audited,
and the decision reaches the real FHIR server with the next round."""
from __future__ import annotations

from datetime import date


from app import patients, sync_conflicts
from app.model import Address, ContactPoint, HumanName, Patient
from sync import package
from sync.gateway import GatewayOptions, HttpGateway
from tests.fhir_server import TOKEN
from tests.integration._sync import Workstation, pair  # noqa: F401 - fixture

PASSPHRASE = "river-bend clinic 2026"




def _phone(ws: Workstation, patient_id: str, number: str, **changes) -> None:
    record = patients.get(ws.doctor, patient_id)
    record.telecom = [ContactPoint("phone", number, "mobile")]
    for name, value in changes.items():
        setattr(record, name, value)
    patients.update(ws.doctor, record)


def _overlapping_edits(pair, fhir_server):
    """One patient both workstations hold; the offline one changes the phone and the language,
    the connected one the phone (to another number) and the address; the package goes over."""
    offline, online = pair
    shared = patients.register(offline.doctor, Patient(mrn="", name=HumanName("Okonkwo", ["Ada"]),
                                                       birth_date=date(1975, 6, 1), sex="female"),
                               confirm_duplicate=True)
    assert offline.sync(fhir_server).errors == [] and online.sync(fhir_server).errors == []
    _phone(offline, shared.id, "555-0101", language="es")
    _phone(online, shared.id, "555-0202", addresses=[Address(["4 Ferry Road"], "Riverbend", "OR", "97351")])
    data, _ = package.export_changes(offline.doctor, PASSPHRASE)
    return shared, data


def _language(resource: dict) -> str | None:
    return next((c["language"]["coding"][0]["code"] for c in resource.get("communication") or []), None)


def _server_copy(fhir_server, patient_id: str) -> dict:
    with HttpGateway(fhir_server.url, GatewayOptions(token=TOKEN, timeout=10)) as gw:
        return gw.read("Patient", patient_id)


def test_an_overlapping_package_edit_becomes_a_conflict_with_both_versions_and_disjoint_fields_merge(
        pair, fhir_server):
    offline, online = pair
    shared, data = _overlapping_edits(pair, fhir_server)

    result = package.import_package(online.doctor, data, PASSPHRASE)

    assert len(result.conflicts) == 1 and "telecom" in result.conflicts[0]
    [conflict] = sync_conflicts.open_conflicts(online.doctor)
    assert (conflict.record_id, conflict.source) == (shared.id, "package")
    [telecom] = conflict.fields
    assert telecom.field == "telecom"
    assert telecom.mine[0]["value"] == "555-0202" and telecom.theirs[0]["value"] == "555-0101"
    here = patients.get(online.doctor, shared.id)
    assert (here.phone, here.language, here.addresses[0].city) == ("555-0202", "es", "Riverbend")
    with online.store.uow() as uow:
        audited = [e.detail for e in uow.audit.query(action="sync") if e.record_id == shared.id]
    assert {"package_conflict": ["telecom"]} in [{k: d[k] for k in d if k == "package_conflict"} for d in audited]
    assert any(d.get("merge") == "automatic" and d.get("from") == "package" for d in audited)
    # parked until a person decides: the round does not send the half-merged record
    assert online.sync(fhir_server).errors == []
    assert "communication" not in _server_copy(fhir_server, shared.id)


def test_importing_the_same_conflicting_package_twice_changes_nothing(pair, fhir_server):
    offline, online = pair
    shared, data = _overlapping_edits(pair, fhir_server)
    package.import_package(online.doctor, data, PASSPHRASE)
    with online.store.uow() as uow:
        before = (uow.sync.outbox_count(), [c["id"] for c in uow.sync.conflicts(None)])

    again = package.import_package(online.doctor, data, PASSPHRASE)

    assert (again.applied, again.unchanged, again.conflicts) == (0, 1, [])
    with online.store.uow() as uow:
        assert (uow.sync.outbox_count(), [c["id"] for c in uow.sync.conflicts(None)]) == before


def test_taking_the_packages_version_sends_it_with_the_merged_fields_on_the_next_round(pair, fhir_server):
    offline, online = pair
    shared, data = _overlapping_edits(pair, fhir_server)
    package.import_package(online.doctor, data, PASSPHRASE)
    [conflict] = sync_conflicts.open_conflicts(online.doctor)

    sync_conflicts.resolve(online.doctor, conflict.id, "theirs")
    assert online.sync(fhir_server).errors == []

    server = _server_copy(fhir_server, shared.id)
    assert [t["value"] for t in server["telecom"]] == ["555-0101"]
    assert _language(server) == "es" and server["address"][0]["city"] == "Riverbend"
    assert patients.get(online.doctor, shared.id).phone == "555-0101"
    assert sync_conflicts.open_conflicts(online.doctor) == []
    with online.store.uow() as uow:
        assert uow.sync.outbox_count() == 0
        applied = [e.detail for e in uow.audit.query(action="sync") if "conflict_applied" in e.detail]
    assert applied and applied[-1]["conflict_applied"] == {"telecom": "theirs"}
    # the same package once more, after the decision: still nothing new
    assert package.import_package(online.doctor, data, PASSPHRASE).conflicts == []
    assert sync_conflicts.open_conflicts(online.doctor) == []


def test_keeping_this_workstations_version_keeps_its_phone_and_still_sends_the_packages_other_fields(
        pair, fhir_server):
    offline, online = pair
    shared, data = _overlapping_edits(pair, fhir_server)
    package.import_package(online.doctor, data, PASSPHRASE)
    [conflict] = sync_conflicts.open_conflicts(online.doctor)

    sync_conflicts.resolve(online.doctor, conflict.id, "mine")
    assert online.sync(fhir_server).errors == []

    server = _server_copy(fhir_server, shared.id)
    assert [t["value"] for t in server["telecom"]] == ["555-0202"]
    assert _language(server) == "es" and server["address"][0]["city"] == "Riverbend"
    # the server data goes back: the offline workstation learns of the decision, no new conflict
    back, _ = package.export_server_data(online.doctor, PASSPHRASE)
    result = package.import_package(offline.doctor, back, PASSPHRASE)
    assert result.conflicts == []
    assert patients.get(offline.doctor, shared.id).phone == "555-0202"
    with offline.store.uow() as uow:
        assert uow.sync.outbox_count() == 0
