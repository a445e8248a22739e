"""HL7 v2 import on a real encrypted store: each message type and version, the ACKs,
patient matching with the review queue, rejections that write nothing, MLLP framing,
the listener, the command line, and mutated messages (hypothesis)."""
from __future__ import annotations

import socket
import threading
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import hl7_import, hl7_listener, hl7_messages, orders
from app.errors import PermissionDenied
from app.model import Appointment, DiagnosticReport, Immunization, Observation, Patient, ServiceRequest
from tests.integration._clinical import register, staff, table_rows
from ui import cli

VERSIONS = ("2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8")


def msh(kind: str, control: str, version: str = "2.5.1", app: str = "LAB", facility: str = "QUEST") -> str:
    return f"MSH|^~\\&|{app}|{facility}|OUTPOST|CLINIC|20240102120000||{kind}|{control}|P|{version}"


def pid(ident: str = "H100", family: str = "Doe", given: str = "Jane", birth: str = "19800102",
        authority: str = "GENHOSP") -> str:
    return f"PID|1||{ident}^^^{authority}^MR||{family}^{given}^Q||{birth}|F|||1 Main St^^Springfield^IL^62701||555-0100"


def adt(trigger: str = "A04", control: str = "A1", version: str = "2.5.1", **who) -> str:
    return "\r".join([msh(f"ADT^{trigger}", control, version, "HIS", "GENHOSP"), "EVN|" + trigger, pid(**who)])


def oru(control: str = "R1", version: str = "2.5.1", placer: str = "", code: str = "2345-7",
        value: str = "105", kind: str = "NM", **who) -> str:
    return "\r".join([msh("ORU^R01", control, version), pid(**who),
                      f"OBR|1|{placer}|F77|{code}^Glucose^LN|||20240102080000||||||||||||||20240102090000|||F",
                      f"OBX|1|{kind}|{code}^Glucose^LN||{value}|mg/dL|70-99|H|||F|||20240102080000"])


def vxu(control: str = "V1", version: str = "2.5.1", **who) -> str:
    return "\r".join([msh("VXU^V04", control, version, "IIS", "STATE"), pid(**who),
                      "ORC|RE||IZ-1",
                      "RXA|0|1|20240103||208^COVID-19, mRNA^CVX|0.3|mL||||||||EW0150|20250301|PFR^Pfizer^MVX||||CP",
                      "RXR|IM^Intramuscular^HL70162|LD^Left deltoid^HL70163"])


def siu(trigger: str = "S12", control: str = "S1", version: str = "2.5.1", start: str = "20240110090000",
        end: str = "20240110093000", **who) -> str:
    return "\r".join([msh(f"SIU^{trigger}", control, version, "SCHED", "GENHOSP"),
                      f"SCH|APT-7||||||^Follow-up of blood sugar||||^^30^{start}^{end}",
                      pid(**who), "AIS|1||FOLLOWUP"])


@pytest.fixture
def people(clinic):
    return staff(clinic)


def take(session, *messages: str):
    return hl7_import.import_messages(session, "\n".join(messages))


def count(clinic, cls) -> int:
    with clinic.store.uow() as uow:
        return uow.records(cls).count()


def the_patient(clinic) -> Patient:
    with clinic.store.uow() as uow:
        return uow.records(Patient).for_patient(None, include_errors=True)[0]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_message_type_is_taken_in_every_version_with_an_aa_ack(clinic, version):
    out = take(clinic.session, adt("A01", "A1", version), adt("A04", "A2", version), adt("A08", "A3", version),
               oru("R1", version), vxu("V1", version), siu("S12", "S1", version),
               siu("S13", "S2", version, start="20240111090000", end="20240111091500"),
               siu("S14", "S3", version, start="20240111100000", end="20240111101500"),
               siu("S15", "S4", version, start="20240111100000", end="20240111101500"))
    assert [o.ack_code for o in out] == ["AA"] * 9, [o.reason for o in out]
    assert [o.message_type for o in out] == ["ADT^A01", "ADT^A04", "ADT^A08", "ORU^R01", "VXU^V04",
                                             "SIU^S12", "SIU^S13", "SIU^S14", "SIU^S15"]
    for o in out:
        assert "MSA|AA|" + o.control_id in o.ack and o.ack.startswith("MSH|^~\\&|OUTPOST")
        assert f"|P|{version}" in o.ack.split("\r")[0]
    assert count(clinic, Patient) == 1  # A01, A04 and A08 are the same person
    p = the_patient(clinic)
    assert (p.name.family, p.name.given, p.birth_date, p.sex) == ("Doe", ["Jane", "Q"], date(1980, 1, 2), "female")
    assert any(i.system == "GENHOSP" and i.value == "H100" for i in p.identifiers)
    with clinic.store.uow() as uow:
        [shot] = uow.records(Immunization).for_patient(p.id)
        [visit] = uow.records(Appointment).for_patient(p.id, include_errors=True)
        [result] = uow.records(Observation).for_patient(p.id)
    assert (shot.vaccine.system, shot.vaccine.code, shot.occurrence, shot.lot_number, shot.route) == (
        "cvx", "208", date(2024, 1, 3), "EW0150", "IM")
    assert (result.code.system, result.code.code, result.value, result.unit, result.ref_low,
            result.ref_high, result.interpretation) == ("loinc", "2345-7", Decimal("105"), "mg/dL",
                                                          Decimal("70"), Decimal("99"), "H")
    assert visit.status == "cancelled" and visit.start.hour == 10 and visit.reason == "Follow-up of blood sugar"


def test_a_result_is_attached_to_the_order_it_answers_and_completes_it(clinic, people):
    p = register(people["physician"], "Doe", "Jane", date(1980, 1, 2))
    order = orders.place_lab_order(people["physician"], patient_id=p.id, code="2345-7")
    [o] = take(clinic.session, oru(placer=order.id, ident=p.mrn, authority=""))
    assert (o.ack_code, o.review, o.patient_id) == ("AA", False, p.id)
    with clinic.store.uow() as uow:
        [report] = uow.records(DiagnosticReport).for_patient(p.id)
        [obs] = uow.records(Observation).for_patient(p.id)
        assert uow.records(ServiceRequest).get(order.id).status == "completed"
        assert uow.interfaces.reviews() == []
    assert report.service_request_id == order.id and obs.service_request_id == order.id
    assert report.result_ids == [obs.id] and obs.report_id == report.id


def test_a_result_without_a_matching_order_is_filed_to_the_patient_for_review(clinic, people):
    p = register(people["physician"], "Doe", "Jane", date(1980, 1, 2))
    [o] = take(clinic.session, oru(ident=p.mrn, authority=""))
    assert (o.ack_code, o.review) == ("AA", True) and "no matching order" in o.reason
    with clinic.store.uow() as uow:
        assert len(uow.records(Observation).for_patient(p.id)) == 1
        [item] = uow.interfaces.reviews()
    assert (item["kind"], item["patient_id"], item["control_id"]) == ("unmatched-result", p.id, "R1")


def test_a_message_for_someone_with_the_same_name_and_birth_date_but_another_mrn_is_held_not_merged(clinic, people):
    p = register(people["front_desk"], "Doe", "Jane", date(1980, 1, 2))
    [o] = take(clinic.session, adt("A04", ident="999", authority="", family="Doe", birth="19800103"))
    assert o.ack_code == "AA"  # a new patient: the birth date differs
    [held] = take(clinic.session, adt("A08", "A9", ident=p.mrn, authority="", family="Doe", birth="19800309"))
    assert held.ack_code == "AA" and held.review and "held for review" in held.reason
    with clinic.store.uow() as uow:
        assert uow.patients.get(p.id).birth_date == date(1980, 1, 2)  # never silently changed
        [item] = uow.interfaces.reviews()
    assert item["kind"] == "uncertain-match" and item["candidates"] == [p.id]


def test_a_person_resolves_a_held_message_by_choosing_the_patient(clinic, people):
    p = register(people["front_desk"], "Doe", "Jane", date(1980, 1, 2))
    register(people["front_desk"], "Doe", "Jane", date(1980, 1, 2))  # two of them: not sure which
    [held] = take(clinic.session, vxu())
    assert held.review and count(clinic, Immunization) == 0
    [item] = hl7_import.reviews(clinic.session)
    assert set(item["candidates"]) >= {p.id}
    outcome = hl7_import.resolve(clinic.session, item["id"], patient_id=p.id)
    assert outcome.ack_code == "AA" and outcome.patient_id == p.id
    with clinic.store.uow() as uow:
        assert len(uow.records(Immunization).for_patient(p.id)) == 1
    assert hl7_import.reviews(clinic.session) == []


def test_name_and_birth_date_match_a_known_patient_and_link_the_senders_identifier(clinic, people):
    p = register(people["front_desk"], "Doe", "Jane", date(1980, 1, 2))
    [first] = take(clinic.session, vxu(ident="LAB-55", authority="STATEIIS"))
    assert first.patient_id == p.id and not first.review
    [second] = take(clinic.session, vxu("V2", ident="LAB-55", authority="STATEIIS", family="Doe-Smith"))
    assert second.patient_id == p.id  # by the identifier now, though the name changed
    assert count(clinic, Patient) == 1 and count(clinic, Immunization) == 2


def test_results_for_an_unknown_patient_wait_for_review_and_write_no_clinical_records(clinic):
    [o] = take(clinic.session, oru())
    assert o.ack_code == "AA" and o.review and "no patient matches" in o.reason
    assert count(clinic, Patient) == 0 and count(clinic, Observation) == 0
    assert table_rows(clinic, "interface_review") == 1


@pytest.mark.parametrize(("message", "ack", "field"), [
    (adt(birth="19801302"), "AE", "PID-7"),
    (adt(birth="1980-01-02"), "AE", "PID-7"),
    (adt(family=""), "AE", "PID-5"),
    (adt().replace("MSH|^~\\&", "MSH|^~"), "AR", "MSH-2"),
    (adt().replace("MSH|^~\\&", "MSH|^^\\&"), "AR", "MSH-2"),
    (adt(version="2.9"), "AR", "MSH-12"),
    (adt().replace("|A1|", "||"), "AR", "MSH-10"),
    (adt().replace("ADT^A04", "ADT^A40"), "AR", "MSH-9"),
    (adt().replace("EVN|A04", "evn|A04"), "AR", "segment 2"),
    (oru(value="lots"), "AE", "OBX-5"),
    (oru().replace("^LN|||", "^XYZ|||", 1), "AE", "OBR-4.3"),
    (vxu().replace("|20240103||208", "||208"), "AE", "RXA-3"),
    ("\r".join([msh("ORU^R01", "R5"), pid()]), "AE", "OBR"),
])
def test_a_bad_message_is_refused_naming_the_field_and_writes_nothing(clinic, people, message, ack, field):
    register(people["front_desk"], "Doe", "Jane", date(1980, 1, 2))
    before = table_rows(clinic, "patients"), table_rows(clinic, "observations"), table_rows(clinic, "outbox")
    [o] = take(clinic.session, message)
    assert o.ack_code == ack and o.reason.startswith(field), o.reason
    assert f"MSA|{ack}|" in o.ack and "\rERR|" in o.ack
    assert (table_rows(clinic, "patients"), table_rows(clinic, "observations"),
            table_rows(clinic, "outbox")) == before


def test_a_message_sent_again_is_acknowledged_but_writes_nothing_new(clinic, people):
    register(people["front_desk"], "Doe", "Jane", date(1980, 1, 2))
    take(clinic.session, oru(), vxu())
    before = count(clinic, Observation), count(clinic, DiagnosticReport), count(clinic, Immunization)
    again = take(clinic.session, oru(), vxu())
    assert [o.ack_code for o in again] == ["AA", "AA"] and all("already taken" in o.reason for o in again)
    assert (count(clinic, Observation), count(clinic, DiagnosticReport), count(clinic, Immunization)) == before
    [new] = take(clinic.session, oru(control="R2"))
    assert new.created == {"Observation": 1, "DiagnosticReport": 1}


def test_a_file_of_many_messages_goes_on_past_a_bad_one_and_reports_each(clinic):
    data = "\n\n".join([adt(control="A1"), adt(control="A2", birth="19809999", ident="H2"),
                        adt(control="A3", ident="H3", family="Roe", given="Rick")]).replace("\r", "\n")
    out = hl7_import.import_messages(clinic.session, data)
    assert [(o.ack_code, o.control_id) for o in out] == [("AA", "A1"), ("AE", "A2"), ("AA", "A3")]
    assert out[1].label.startswith("message 2, line ") and "PID-7" in out[1].reason
    assert count(clinic, Patient) == 2


def test_mllp_framed_files_are_split_into_their_messages(clinic):
    framed = b"".join(hl7_messages.frame(m) for m in (adt(control="A1"), vxu(control="V1")))
    out = hl7_import.import_messages(clinic.session, framed)
    assert [(o.ack_code, o.message_type) for o in out] == [("AA", "ADT^A04"), ("AA", "VXU^V04")]


def test_the_listener_answers_each_framed_message_with_its_ack(clinic):
    ready, served = threading.Event(), {}

    def run():
        served["n"] = hl7_listener.serve(clinic.session, port=0, limit=2,
                                         ready=lambda port: (served.update(port=port), ready.set()))
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(5)
    with socket.create_connection(("127.0.0.1", served["port"]), timeout=5) as s:
        answers = []
        for message in (adt(control="A1"), adt(control="A2", birth="bad")):
            s.sendall(hl7_messages.frame(message))
            buffer = b""
            while b"\x1c" not in buffer:
                buffer += s.recv(4096)
            answers.append(buffer)
    thread.join(5)
    assert served["n"] == 2
    assert b"MSA|AA|A1" in answers[0] and b"MSA|AE|A2" in answers[1]
    assert all(a.startswith(b"\x0b") and a.endswith(b"\x1c\r") for a in answers)


def test_only_users_allowed_to_import_may_take_messages(clinic, people):
    with pytest.raises(PermissionDenied):
        hl7_import.import_messages(people["nurse"], adt())
    assert count(clinic, Patient) == 0


def test_every_message_is_audited_as_an_import(clinic):
    take(clinic.session, adt(), adt(control="A2", birth="x"))
    with clinic.store.uow() as uow:
        entries = [e for e in uow.audit.query(action="import")]
    assert [(e.outcome, e.record_id) for e in entries][-2:] == [("success", "A1"), ("failure", "A2")]


def test_outpost_import_hl7_prints_one_ack_per_message_and_exits_1_when_one_was_refused(
        clinic, tmp_path, store_dir, monkeypatch, capsys):
    from tests.conftest import ADMIN_PASSWORD
    clinic.store.close()
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    path = tmp_path / "in.hl7"
    path.write_text("\n".join([adt(), oru(value="x", control="R9")]).replace("\r", "\n"))
    code = cli.main(["--data-dir", str(store_dir), "--user", "admin", "import", "hl7", str(path),
                     "--acks", str(tmp_path / "acks.hl7")])
    out, err = capsys.readouterr()
    assert code == 1 and "AA message 1" in out and "AE message 2" in out and "OBX-5" in out
    assert "1 message(s) refused" in err
    assert "MSA|AA|A1" in (tmp_path / "acks.hl7").read_text()


_segment_text = st.text(alphabet="|^~\\&ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -.\n\r", max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.sampled_from([adt(), oru(), vxu(), siu()]), at=st.integers(0, 400), cut=st.integers(0, 20),
       insert=_segment_text)
def test_mutated_messages_never_crash_and_a_refusal_always_says_why(clinic, base, at, cut, insert):
    text = base[:at] + insert + base[at + cut:]
    before = table_rows(clinic, "outbox")
    out = hl7_import.import_messages(clinic.session, text)
    for o in out:
        assert o.ack_code in ("AA", "AE", "AR") and o.reason and "MSA|" in o.ack
        if o.ack_code != "AA":
            assert not o.created
    if all(o.ack_code != "AA" for o in out):
        assert table_rows(clinic, "outbox") == before
