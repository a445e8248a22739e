"""The HL7 review queue as a person decides it (app.hl7_review, and `outpost import hl7
--resolve ID --new-patient`): the sender's demographics read from the held message,
the candidates beside them (each shown one a read in the audit trail), and a new
patient registered from the message, never merged."""
from __future__ import annotations

from datetime import date

from app import hl7_import, hl7_review
from app.model import Patient
from tests.conftest import ADMIN_PASSWORD
from tests.integration._clinical import register
from ui import cli


def held_adt(control: str = "U1", given: str = "Anna") -> str:
    return "\r".join(["MSH|^~\\&|HIS|GENHOSP|OUTPOST|CLINIC|20240102120000||ADT^A04|" + control + "|P|2.5.1",
                      "EVN|A04", f"PID|1||H200^^^GENHOSP^MR||Rivera^{given}||19610304|F|||"
                                 "2 Oak St^^Fairhaven^OR^97351||555-0199"])


def patients(clinic) -> list[Patient]:
    with clinic.store.uow() as uow:
        return uow.records(Patient).for_patient(None)


def test_the_queue_shows_the_senders_demographics_beside_the_candidate_and_audits_the_read(clinic):
    ana = register(clinic.session, "Rivera", "Ana", date(1961, 3, 4))
    [outcome] = hl7_import.import_messages(clinic.session, held_adt())
    assert outcome.review and not outcome.created

    [item] = hl7_review.queue(clinic.session)
    assert item.needs_patient and item.kind_words == "Uncertain match"
    i = item.incoming
    assert (i.name.family, i.name.given, i.birth_date, i.sex) == ("Rivera", ["Anna"], date(1961, 3, 4), "female")
    assert (i.identifiers, i.address, i.phone, i.sender) == (["H200 (GENHOSP)"], "2 Oak St, Fairhaven, OR, 97351",
                                                            "555-0199", "HIS at GENHOSP")
    assert [p.id for p in item.candidates] == [ana.id]
    with clinic.store.uow() as uow:
        reads = [e for e in uow.audit.query(patient_id=ana.id) if e.action == "read"]
    assert reads and reads[-1].detail == {"why": "HL7 review queue"}


def test_a_held_message_registers_a_new_patient_when_a_person_says_so(clinic):
    ana = register(clinic.session, "Rivera", "Ana", date(1961, 3, 4))
    hl7_import.import_messages(clinic.session, held_adt())
    [item] = hl7_review.queue(clinic.session)

    outcome = hl7_review.register_new(clinic.session, item.id)

    assert outcome.ack_code == "AA" and "registered patient" in outcome.reason
    assert outcome.patient_id != ana.id
    assert sorted(p.name.given[0] for p in patients(clinic)) == ["Ana", "Anna"]
    assert hl7_review.queue(clinic.session) == []
    with clinic.store.uow() as uow:
        assert uow.interfaces.patient_for("GENHOSP", "H200") == outcome.patient_id
        [decision] = [e for e in uow.audit.query(action="update") if e.record_type == "HL7v2-review"]
    assert decision.detail["decision"] == "new patient" and decision.patient_id == outcome.patient_id


def test_an_unreadable_held_message_still_shows_what_can_be_read():
    i = hl7_review.incoming("MSH|^~\\&|LAB|QUEST|||2024||ORU^R01|X|P|2.5.1\rPID|1||^^^^MR||^||notadate")
    assert i.sender == "LAB at QUEST" and i.birth_date is None and i.identifiers == []
    assert hl7_review.incoming("not hl7 at all") == hl7_review.Incoming()


def test_outpost_import_hl7_resolve_new_patient_registers_from_the_message(
        clinic, store_dir, monkeypatch, capsys):
    register(clinic.session, "Rivera", "Ana", date(1961, 3, 4))
    hl7_import.import_messages(clinic.session, held_adt())
    [item] = hl7_import.reviews(clinic.session)
    clinic.store.close()
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)

    code = cli.main(["--data-dir", str(store_dir), "--user", "admin", "import", "hl7",
                     "--resolve", item["id"], "--new-patient"])

    out, _ = capsys.readouterr()
    assert code == 0 and f"Resolved {item['id']}: registered patient" in out
