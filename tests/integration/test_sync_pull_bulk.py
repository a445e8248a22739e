"""A first pull stores the new records of each page in bulk: they must come out exactly as
the one-by-one path would store them (searchable, with their server copy, nothing queued)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from app import observations, patients
from app.model import ContactPoint, HumanName, Patient
from tests.integration._sync import Workstation, clinic_code


def test_records_new_to_a_workstation_are_pulled_searchable_with_their_server_copy_and_nothing_to_send(
        tmp_path, fhir_server):
    code = clinic_code()
    a, b = Workstation(tmp_path / "a", code, "a"), Workstation(tmp_path / "b", code, "b")
    try:
        people = [patients.register(a.doctor, Patient(mrn="", name=HumanName(family, ["Ngozi"]),
                                                      birth_date=date(1990, 1, n + 1), sex="female"),
                                    confirm_duplicate=True)
                  for n, family in enumerate(["Eze", "Obi", "Uche"])]
        observations.record_vital(a.doctor, patient_id=people[0].id, code="8867-4", value=Decimal("64"))
        assert a.sync(fhir_server).errors == []

        first = b.sync(fhir_server, page_size=2)  # several pages per type
        assert first.failed is None and first.errors == [] and first.pulled >= 4
        with b.store.uow() as uow:
            assert uow.sync.outbox_count() == 0
            for p in people:
                state = uow.sync.server_state("Patient", p.id)
                assert state.server_version and '"resourceType"' in state.server_copy
        assert [p.id for p in patients.search(b.doctor, "Obi Ngozi")] == [people[1].id]
        assert [v.value for v in observations.trend(b.doctor, people[0].id, "8867-4")] == [Decimal("64")]
        assert b.sync(fhir_server).pulled == 0  # pulled again: nothing new, nothing doubled

        record = patients.get(b.doctor, people[2].id)
        record.telecom.append(ContactPoint("phone", "555-0199", "home"))
        patients.update(b.doctor, record)
        sent = b.sync(fhir_server)
        assert (sent.pushed, sent.conflicts, sent.errors) == (1, 0, [])  # If-Match on the pulled version
        a.sync(fhir_server)
        assert patients.get(a.doctor, people[2].id).phone == "555-0199"
    finally:
        a.close()
        b.close()
