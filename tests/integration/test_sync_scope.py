"""The pull scope against a real FHIR server: besides the clinic's own patients, a patient of
another clinic pulled in through the central lookup, or opened here by a user, stays up to
date — their Patient and their clinical records — on every later round."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app import chart, observations, patients
from app.model import ContactPoint, HumanName, Patient
from sync import jsonio, mapping
from sync.engine import context
from sync.gateway import GatewayOptions, HttpGateway
from sync.lookup import pull_patient
from tests.fhir_server import TOKEN
from tests.integration._sync import Workstation, clinic_code


@pytest.fixture
def clinics(tmp_path):
    here = Workstation(tmp_path / "here", clinic_code(), "here")
    there = Workstation(tmp_path / "there", clinic_code(), "there")
    yield here, there
    here.close()
    there.close()


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
