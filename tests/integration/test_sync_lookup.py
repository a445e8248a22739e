"""Central patient lookup against a real FHIR server: a patient of another clinic is found
and their record pulled into this store."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app import observations, patients
from app.errors import NotFound, ValidationError
from app.model import HumanName, Patient
from sync.engine import context
from sync.gateway import GatewayOptions, HttpGateway
from sync.lookup import pull_patient, search_central
from tests.fhir_server import TOKEN
from tests.integration._sync import Workstation, clinic_code, clinics  # noqa: F401 - fixture



def _gateway(server) -> HttpGateway:
    return HttpGateway(server.url, GatewayOptions(token=TOKEN, timeout=10))


def test_a_patient_of_another_clinic_is_found_centrally_and_their_record_pulled_in(clinics, fhir_server):
    here, there = clinics
    family = "Zubiri" + clinic_code()[1:5].lower()
    visitor = patients.register(there.doctor, Patient(mrn="", name=HumanName(family, ["Iker"]),
                                                      birth_date=date(1969, 8, 14), sex="male"))
    observations.record_vital(there.doctor, patient_id=visitor.id, code="8867-4", value=Decimal("64"))
    assert there.sync(fhir_server).errors == []
    assert here.sync(fhir_server).failed is None
    assert patients.search(here.doctor, family) == []  # another clinic's patient is not pulled by itself

    with _gateway(fhir_server) as gw:
        [found] = search_central(here.doctor, gw, family=family, birth_date=date(1969, 8, 14))
        assert (found.id, found.local, found.birth_date) == (visitor.id, False, "1969-08-14")
        assert found.clinic_code == context(there.doctor).clinic_code and "Iker" in found.name
        pulled = pull_patient(here.doctor, gw, context(here.doctor), visitor.id)
        assert pulled.stored == 2 and pulled.conflicts == 0  # the patient and the heart rate
        assert search_central(here.doctor, gw, family=family)[0].local is True
    assert patients.get(here.doctor, visitor.id).name.family == family
    assert [v.value for v in observations.trend(here.doctor, visitor.id, "8867-4")] == [Decimal("64")]
    with here.store.uow() as uow:
        imported = [e for e in uow.audit.query(action="import") if e.patient_id == visitor.id]
        assert imported and imported[-1].detail["central_lookup"] is True
        assert uow.sync.outbox_count() == 0  # pulled, not a local change to send back


def test_pulling_a_patient_twice_stores_nothing_new(clinics, fhir_server):
    here, there = clinics
    visitor = patients.register(there.doctor, Patient(mrn="", name=HumanName("Arana", ["Miren"]),
                                                      birth_date=date(1990, 1, 9), sex="female"),
                                confirm_duplicate=True)
    there.sync(fhir_server)
    with _gateway(fhir_server) as gw:
        ctx = context(here.doctor)
        assert pull_patient(here.doctor, gw, ctx, visitor.id).stored == 1
        again = pull_patient(here.doctor, gw, ctx, visitor.id)
    assert again.stored == 0 and again.skipped == 1


def test_a_lookup_needs_a_criterion_and_an_unknown_patient_is_not_found(clinics, fhir_server):
    here, _ = clinics
    with _gateway(fhir_server) as gw:
        with pytest.raises(ValidationError, match="family name"):
            search_central(here.doctor, gw)
        with pytest.raises(NotFound):
            pull_patient(here.doctor, gw, context(here.doctor), "00000000-0000-4000-8000-00000000dead")
