"""The pull scope against a real FHIR server: besides the clinic's own patients, a patient of
another clinic pulled in through the central lookup, or opened here by a user, stays up to
date — their Patient and their clinical records — on every later round. And the server's
version ids and clock are its own: never taken for numbers, never compared with ours."""
from __future__ import annotations

import hashlib
from datetime import date, timedelta, timezone
from decimal import Decimal
from urllib.parse import quote, unquote

import pytest

from app import chart, observations, patients
from app.model import ContactPoint, HumanName, Patient
from sync import jsonio, mapping
from sync.engine import context, run_round
from sync.gateway import GatewayOptions, HttpGateway
from sync.lookup import pull_patient
from sync.mapping.common import to_datetime
from tests.fhir_server import TOKEN
from tests.integration._sync import Workstation, clinic_code, clinics  # noqa: F401 - fixture



def _visitor(there: Workstation, family: str) -> Patient:
    visitor = patients.register(there.doctor, Patient(mrn="", name=HumanName(family, ["Iker"]),
                                                      birth_date=date(1969, 8, 14), sex="male"),
                                confirm_duplicate=True)
    observations.record_vital(there.doctor, patient_id=visitor.id, code="8867-4", value=Decimal("64"))
    return visitor


def _change_centrally(there: Workstation, fhir_server, visitor: Patient) -> None:
    """The other clinic adds a phone number and a new heart rate, and syncs."""
    record = patients.get(there.doctor, visitor.id)
    record.telecom.append(ContactPoint("phone", "555-0142", "mobile"))
    patients.update(there.doctor, record)
    observations.record_vital(there.doctor, patient_id=visitor.id, code="8867-4", value=Decimal("71"))
    assert there.sync(fhir_server).errors == []


def test_a_patient_pulled_in_through_the_central_lookup_gets_later_central_changes_on_the_next_round(
        clinics, fhir_server):
    here, there = clinics
    visitor = _visitor(there, "Etxeberria" + clinic_code()[1:5].lower())
    assert there.sync(fhir_server).errors == []
    with HttpGateway(fhir_server.url, GatewayOptions(token=TOKEN, timeout=10)) as gw:
        pull_patient(here.doctor, gw, context(here.doctor), visitor.id)
    assert here.sync(fhir_server).failed is None

    _change_centrally(there, fhir_server, visitor)
    report = here.sync(fhir_server)

    assert report.failed is None and report.errors == []
    assert patients.get(here.doctor, visitor.id).phone == "555-0142"
    assert [v.value for v in observations.trend(here.doctor, visitor.id, "8867-4")] == [Decimal("64"), Decimal("71")]
    with here.store.uow() as uow:
        assert uow.sync.outbox_count() == 0  # what arrived is the server's, nothing to send back
    again = here.sync(fhir_server)
    assert again.pulled == 0  # a round with nothing new brings nothing


def test_another_clinics_patient_opened_here_is_kept_up_to_date_by_later_pulls(clinics, fhir_server):
    here, there = clinics
    visitor = _visitor(there, "Goikoetxea" + clinic_code()[1:5].lower())
    assert there.sync(fhir_server).errors == []
    # The record came in before this store followed looked-up patients (an older version of
    # Outpost pulled it): only the server's copy is here, and nobody follows it yet.
    with HttpGateway(fhir_server.url, GatewayOptions(token=TOKEN, timeout=10)) as gw:
        copy = gw.read("Patient", visitor.id)
    with here.store.uow() as uow:
        uow.records(Patient).put_from_server(mapping.from_fhir(copy), jsonio.dumps(copy))
        uow.commit()
    chart.open_chart(here.doctor, visitor.id)  # a user opens the chart

    _change_centrally(there, fhir_server, visitor)
    report = here.sync(fhir_server)

    assert report.failed is None and report.errors == []
    assert patients.get(here.doctor, visitor.id).phone == "555-0142"
    # opened for the first time: everything of theirs comes, not only what changed since
    assert [v.value for v in observations.trend(here.doctor, visitor.id, "8867-4")] == [Decimal("64"), Decimal("71")]


def test_followed_patients_read_in_several_searches_miss_none_of_their_later_changes(
        clinics, fhir_server, monkeypatch):
    from sync import scope
    monkeypatch.setattr(scope, "CHUNK", 1)  # one patient per search: the many-patients path
    here, there = clinics
    tag = clinic_code()[1:5].lower()
    first, second = _visitor(there, "Arrieta" + tag), _visitor(there, "Berasategi" + tag)
    assert there.sync(fhir_server).errors == []
    with HttpGateway(fhir_server.url, GatewayOptions(token=TOKEN, timeout=10)) as gw:
        for visitor in (first, second):
            pull_patient(here.doctor, gw, context(here.doctor), visitor.id)
    assert here.sync(fhir_server).failed is None

    _change_centrally(there, fhir_server, second)
    assert here.sync(fhir_server).errors == []
    _change_centrally(there, fhir_server, first)
    assert here.sync(fhir_server).errors == []

    for visitor in (first, second):
        assert patients.get(here.doctor, visitor.id).phone == "555-0142"
        assert [v.value for v in observations.trend(here.doctor, visitor.id, "8867-4")] == \
            [Decimal("64"), Decimal("71")]
    assert here.sync(fhir_server).pulled == 0


def test_a_patient_of_another_clinic_nobody_here_looked_up_or_opened_stays_out(clinics, fhir_server):
    here, there = clinics
    family = "Urrutia" + clinic_code()[1:5].lower()
    stranger = _visitor(there, family)
    assert there.sync(fhir_server).errors == []
    assert here.sync(fhir_server).failed is None
    _change_centrally(there, fhir_server, stranger)
    assert here.sync(fhir_server).failed is None
    assert patients.search(here.doctor, family) == []
    with here.store.uow() as uow:
        assert uow.records(Patient).find(stranger.id) is None


def test_what_another_clinic_records_about_our_patient_reaches_us_without_anyone_opening_them(
        clinics, fhir_server):
    """Our patient is seen at the other clinic, which records a heart rate and an allergy
    (and never edits the Patient): the next round here brings both, though nobody here
    looked the patient up or opened the chart since."""
    from app import allergies
    here, there = clinics
    ours = _visitor(here, "Zubizarreta" + clinic_code()[1:5].lower())
    assert here.sync(fhir_server).errors == []
    with HttpGateway(fhir_server.url, GatewayOptions(token=TOKEN, timeout=10)) as gw:
        pull_patient(there.doctor, gw, context(there.doctor), ours.id)
    observations.record_vital(there.doctor, patient_id=ours.id, code="8867-4", value=Decimal("88"))
    allergies.record(there.doctor, patient_id=ours.id, substance_text="latex", reaction="rash",
                     severity="moderate")
    assert there.sync(fhir_server).errors == []

    report = here.sync(fhir_server)

    assert report.failed is None and report.errors == []
    assert [v.value for v in observations.trend(here.doctor, ours.id, "8867-4")] == [Decimal("64"), Decimal("88")]
    assert [(a.substance.display, a.reaction) for a in chart.open_chart(here.doctor, ours.id).allergies] == \
        [("latex", "rash")]
    with here.store.uow() as uow:
        assert uow.sync.outbox_count() == 0  # what arrived is the server's, nothing to send back
    assert here.sync(fhir_server).pulled == 0


# -- the server's versions and clock are its own ----------------------------------------------
class ForeignServer:
    """The real server seen as one whose version ids are opaque words (not numbers, not in
    order) and whose clock runs 25 years behind ours in another time zone. Sync must hold
    versions as strings and compare the server's stamps only with each other."""

    SHIFT = timedelta(days=9131)
    ZONE = timezone(timedelta(hours=5, minutes=30))

    def __init__(self, inner: HttpGateway, real: dict[str, str], *, numbers: bool = False):
        self.inner, self.base_url, self.numbers = inner, inner.base_url, numbers
        self.real = real  # word -> the real server's version (kept across rounds)

    def _word(self, key: str, real: str) -> str | int:
        """An opaque word; or, for a sloppy server, a JSON number where FHIR says string."""
        word = int(real) if self.numbers else "rev-" + hashlib.sha1(f"{key}/{real}".encode()).hexdigest()[:10]
        self.real[str(word)] = real
        return word

    def _stamp(self, real: str) -> str:
        return (to_datetime(real) - self.SHIFT).astimezone(self.ZONE).isoformat()

    def _out(self, resource: dict | None) -> dict | None:
        for r in [resource] + [e.get("resource") for e in (resource or {}).get("entry") or []]:
            meta = (r or {}).get("meta") or {}
            if "versionId" in meta:
                meta["versionId"] = self._word(f"{r['resourceType']}/{r['id']}", meta["versionId"])
            if "lastUpdated" in meta:
                meta["lastUpdated"] = self._stamp(meta["lastUpdated"])
        for e in (resource or {}).get("entry") or []:
            response = e.get("response") or {}
            if response.get("etag") and e.get("resource"):
                response["etag"] = f'W/"{e["resource"]["meta"]["versionId"]}"'
        return resource

    def transaction(self, bundle: dict) -> dict:
        for e in bundle["entry"]:
            match = e["request"].get("ifMatch")
            if match:
                e["request"]["ifMatch"] = f'W/"{self.real[match[3:-1]]}"'
            (e["resource"].get("meta") or {}).pop("versionId", None)
        return self._out(self.inner.transaction(bundle))

    def search(self, url: str) -> dict:
        head, _, stamp = url.partition("&_lastUpdated=ge")
        if stamp:
            moment = to_datetime(unquote(stamp.split("&")[0]))
            if moment.year < 2010:  # one of ours (a next link carries the server's own)
                stamp = quote((moment + self.SHIFT).astimezone(timezone.utc).isoformat(), safe="")
            url = f"{head}&_lastUpdated=ge{stamp}"
        return self._out(self.inner.search(url))

    def read(self, resource_type: str, resource_id: str) -> dict | None:
        return self._out(self.inner.read(resource_type, resource_id))


@pytest.mark.parametrize("numbers", [False, True], ids=["opaque words", "JSON numbers"])
def test_opaque_version_ids_and_a_server_clock_far_from_ours_still_sync_merge_and_stop_at_the_checkpoint(
        tmp_path, fhir_server, numbers):
    code, words = clinic_code(), {}
    a, b = Workstation(tmp_path / "a", code, "a"), Workstation(tmp_path / "b", code, "b")

    def sync(ws: Workstation):
        with HttpGateway(fhir_server.url, GatewayOptions(token=TOKEN, timeout=10)) as gw:
            return run_round(ws.doctor, ForeignServer(gw, words, numbers=numbers))
    try:
        shared = patients.register(a.doctor, Patient(mrn="", name=HumanName("Quispe", ["Rosa"]),
                                                     birth_date=date(1960, 5, 5), sex="female"),
                                   confirm_duplicate=True)
        assert sync(a).errors == [] and sync(b).errors == []
        version = patients.get(b.doctor, shared.id).server_version
        assert isinstance(version, str) and version in words
        record = patients.get(b.doctor, shared.id)
        record.telecom = [ContactPoint("phone", "555-0199", "mobile")]
        patients.update(b.doctor, record)
        assert sync(b).errors == []
        record = patients.get(a.doctor, shared.id)
        record.language = "qu"
        patients.update(a.doctor, record)

        report = sync(a)  # a 412 on the opaque version, merged onto the server's newer one

        assert report.errors == [] and report.failed is None and report.merged == 1
        assert sync(b).failed is None
        for ws in (a, b):
            here = patients.get(ws.doctor, shared.id)
            assert (here.phone, here.language) == ("555-0199", "qu")
            assert isinstance(here.server_version, str) and here.server_version in words
            assert here.server_version != version
        assert sync(a).pulled == 0 and sync(b).pulled == 0  # the checkpoints, in the server's time
        with a.store.uow() as uow:
            assert uow.sync.checkpoint(fhir_server.url, "Patient").startswith("2001-")
    finally:
        a.close()
        b.close()
