"""Sync against a real FHIR server when things go wrong: another system's extensions, a
server that dies in the middle of a push or a pull, and a resource the server refuses."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

import httpx
import pytest

from app import patients
from app.errors import SyncError
from app.model import ContactPoint, HumanName, Patient
from sync.engine import run_round
from sync.gateway import GatewayOptions, HttpGateway
from sync.mapping.common import CLINIC_TAG_SYSTEM
from tests.fhir_server import TOKEN, FhirServer
from tests.integration._sync import Workstation, clinic_code, pair  # noqa: F401 - fixture

AUTH = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/fhir+json"}
OTHER_EXT = "http://other-clinic.example.org/fhir/StructureDefinition/preferred-pharmacy"


def _register(ws: Workstation, family: str = "Okafor", given: str = "Chidi") -> Patient:
    return patients.register(ws.doctor, Patient(mrn="", name=HumanName(family, [given]),
                                                birth_date=date(1975, 4, 2), sex="male"),
                             confirm_duplicate=True)


def _server_patients(server, code: str) -> list[dict]:
    """Every Patient of the clinic on the server, following next links."""
    url = f"{server.url}/Patient?_tag={quote(CLINIC_TAG_SYSTEM + '|' + code, safe='')}&_count=100"
    found = []
    while url:
        page = httpx.get(url, headers=AUTH, timeout=10).json()
        found += [e["resource"] for e in page.get("entry") or []]
        url = next((l["url"] for l in page.get("link") or [] if l["relation"] == "next"), None)
    return found


def test_an_extension_written_by_another_system_survives_a_local_edit(pair, fhir_server):
    a, _ = pair
    patient = _register(a)
    assert a.sync(fhir_server).errors == []
    copy = httpx.get(f"{fhir_server.url}/Patient/{patient.id}", headers=AUTH, timeout=10).json()
    copy.setdefault("extension", []).append({"url": OTHER_EXT, "valueString": "Main St Pharmacy"})
    version = copy["meta"]["versionId"]
    put = httpx.put(f"{fhir_server.url}/Patient/{patient.id}", json=copy, timeout=10,
                    headers=AUTH | {"Content-Type": "application/fhir+json", "If-Match": f'W/"{version}"'})
    assert put.status_code == 200, put.text
    assert a.sync(fhir_server).errors == []  # pull the other system's version
    record = patients.get(a.doctor, patient.id)
    record.telecom.append(ContactPoint("phone", "555-0199", "mobile"))
    patients.update(a.doctor, record)
    report = a.sync(fhir_server)
    assert report.failed is None and report.errors == [] and report.conflicts == 0
    after = httpx.get(f"{fhir_server.url}/Patient/{patient.id}", headers=AUTH, timeout=10).json()
    assert {"url": OTHER_EXT, "valueString": "Main St Pharmacy"} in after["extension"]
    assert [t["value"] for t in after["telecom"]] == ["555-0199"]
    assert after["meta"]["versionId"] != version


class _Dying:
    """A gateway that kills the server on the n-th call of one kind — after the server
    answered (the answer is lost, as when a cable is pulled) or before sending."""

    def __init__(self, inner: HttpGateway, server: FhirServer, method: str, n: int, *, after: bool):
        self.inner, self.server, self.method, self.n, self.after = inner, server, method, n, after
        self.base_url, self.calls = inner.base_url, 0

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def _call(self, method: str, *args):
        if method == self.method:
            self.calls += 1
            if self.calls == self.n:
                if not self.after:
                    self.server.kill()
                    return getattr(self.inner, method)(*args)  # the connection is refused
                getattr(self.inner, method)(*args)
                self.server.kill()
                raise SyncError("network", "the connection was reset")
        return getattr(self.inner, method)(*args)

    def transaction(self, bundle):
        return self._call("transaction", bundle)

    def search(self, url):
        return self._call("search", url)

    def read(self, resource_type, resource_id):
        return self._call("read", resource_type, resource_id)


def _round(ws: Workstation, server: FhirServer, dying=None, **kw):
    with HttpGateway(server.url, GatewayOptions(token=TOKEN, timeout=10, connect_timeout=2)) as gw:
        return run_round(ws.doctor, dying(gw) if dying else gw, **kw)


def _restart(server: FhirServer) -> FhirServer:
    return FhirServer(server.folder, port=server.port).start()


@pytest.mark.parametrize("after", [True, False], ids=["answer-lost", "refused-before-sending"])
def test_a_push_cut_off_by_a_dying_server_completes_on_the_next_round_without_duplicates(
        tmp_path, own_fhir_server, after):
    code = clinic_code()
    ws = Workstation(tmp_path / "ws", code, "a")
    try:
        made = {_register(ws, f"Family{n:02d}").id for n in range(24)}
        report = _round(ws, own_fhir_server, lambda gw: _Dying(gw, own_fhir_server, "transaction", 3,
                                                               after=after), bundle_size=5)
        assert report.failed and "network" in report.failed
        with ws.store.uow() as uow:
            assert 0 < uow.sync.outbox_count()  # what was not confirmed is still waiting
        server = _restart(own_fhir_server)
        try:
            again = _round(ws, server, bundle_size=5)
            assert again.failed is None and again.errors == []
            with ws.store.uow() as uow:
                assert uow.sync.outbox_count() == 0
            on_server = _server_patients(server, code)
            ids = [p["id"] for p in on_server]
            assert len(ids) == len(set(ids)) and set(ids) == made  # nothing twice, nothing lost
            assert all(patients.get(ws.doctor, i).server_version for i in made)
        finally:
            server.stop()
    finally:
        ws.close()


def test_a_pull_cut_off_by_a_dying_server_resumes_without_duplicates_or_loss(tmp_path, own_fhir_server):
    code = clinic_code()
    a, b = Workstation(tmp_path / "a", code, "a"), Workstation(tmp_path / "b", code, "b")
    try:
        made = {_register(a, f"Family{n:02d}").id for n in range(24)}
        assert _round(a, own_fhir_server).errors == []
        report = _round(b, own_fhir_server, lambda gw: _Dying(gw, own_fhir_server, "search", 6, after=False),
                        page_size=5)
        assert report.failed and "network" in report.failed
        with b.store.uow() as uow:
            partial = {i for i in made if uow.records(Patient).find(i)}
        assert 0 < len(partial) < len(made)  # some pages were applied and kept
        server = _restart(own_fhir_server)
        try:
            again = _round(b, server, page_size=5)
            assert again.failed is None and again.errors == []
            with b.store.uow() as uow:
                held = {i for i in made if uow.records(Patient).find(i)}
                assert uow.sync.outbox_count() == 0 or all(
                    p.resource_type != "Patient" for p in uow.sync.pending())
            assert held == made
            assert _round(b, server, page_size=5).pulled == 0  # the checkpoint moved past them all
        finally:
            server.stop()
    finally:
        a.close()
        b.close()


def test_a_resource_the_server_refuses_is_named_with_its_field_and_the_rest_still_go(pair, fhir_server):
    a, b = pair
    good = [_register(a, f"Good{n}") for n in range(3)]
    bad = _register(a, "Refused")
    with a.store.uow() as uow:  # as an older build or an import could have written it
        record = uow.records(Patient).get(bad.id)
        record.name.given.append("")  # FHIR strings may not be empty: the server refuses it
        uow.records(Patient).update(record)
        uow.commit()
    report = a.sync(fhir_server)
    assert report.failed is None
    [message] = report.errors
    assert f"Patient {bad.id}" in message and "Patient.name.0.given" in message
    b.sync(fhir_server)
    for p in good:
        assert patients.get(b.doctor, p.id).name.family == p.name.family
    with a.store.uow() as uow:
        assert [(r["resource_type"], r["resource_id"]) for r in uow.sync.rejections()] == [("Patient", bad.id)]
    assert a.sync(fhir_server).errors == []  # refused once, it does not block every round
    record = patients.get(a.doctor, bad.id)
    record.name.given = [g for g in record.name.given if g]
    patients.update(a.doctor, record)  # fixed: it goes out and the refusal is cleared
    assert a.sync(fhir_server).errors == []
    assert b.sync(fhir_server).errors == []
    assert patients.get(b.doctor, bad.id).name.family == "Refused"
    with a.store.uow() as uow:
        assert uow.sync.rejections() == [] and uow.sync.outbox_count() == 0
