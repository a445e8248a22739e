"""Confirming a pushed Bundle in bulk keeps exactly what the server has not seen yet."""
from __future__ import annotations

from datetime import date

from app import patients
from app.model import ContactPoint, HumanName, Patient
from tests.integration._sync import Workstation, clinic_code


def _patient(ws: Workstation, family: str) -> Patient:
    return patients.register(ws.doctor, Patient(mrn="", name=HumanName(family, ["Ada"]),
                                                birth_date=date(1970, 3, 3), sex="female"),
                             confirm_duplicate=True)


def test_a_bulk_confirm_drops_only_the_outbox_rows_sent_and_clears_their_rejections(tmp_path):
    ws = Workstation(tmp_path / "a", clinic_code(), "a")
    try:
        sent, other = _patient(ws, "Sent"), _patient(ws, "Other")
        with ws.store.uow() as uow:
            upto = uow.sync.has_pending("Patient", sent.id)
            uow.sync.reject("Patient", sent.id, upto, "Patient was refused — birthDate")
            uow.commit()
        record = patients.get(ws.doctor, sent.id)  # an edit made while the Bundle was on the wire
        record.telecom.append(ContactPoint("phone", "555-0101"))
        patients.update(ws.doctor, record)
        with ws.store.uow() as uow:
            later = uow.sync.has_pending("Patient", sent.id)
            assert later > upto
            uow.sync.confirm_many("Patient", [(sent.id, "v-7a", '{"resourceType": "Patient"}', upto)])
            uow.commit()
        with ws.store.uow() as uow:
            state = uow.sync.server_state("Patient", sent.id)
            assert (state.server_version, state.server_copy) == ("v-7a", '{"resourceType": "Patient"}')
            assert uow.sync.has_pending("Patient", sent.id) == later  # the later edit still waits
            assert uow.sync.has_pending("Patient", other.id) is not None  # not in the Bundle: untouched
            assert uow.sync.server_state("Patient", other.id).server_version is None
            assert uow.sync.rejections() == []
            states = uow.sync.server_states("Patient", [sent.id, other.id, "no-such-id"])
            assert set(states) == {sent.id, other.id} and states[sent.id].server_version == "v-7a"
    finally:
        ws.close()
