"""The Interfaces page: FHIR and HL7 v2 files imported off the UI thread with each entry's
or message's outcome listed, the HL7 review queue (incoming demographics beside our
patient; same patient, new patient or reject), and EHI export into a chosen folder."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import shiboken6

from app import disclosures, hl7_import
from app.model import Condition, Observation, Patient
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD
from tests.ui._patients import register
from ui import wiring
from ui.qt import interfaces_export, interfaces_view
from ui.qt.interfaces_view import InterfacesView

SHOTS = Path("/tmp/h8")


def msh(kind: str, control: str, version: str = "2.5.1") -> str:
    return f"MSH|^~\\&|HIS|GENHOSP|OUTPOST|CLINIC|20240102120000||{kind}|{control}|P|{version}"


def pid(ident: str, family: str, given: str, birth: str = "19800102") -> str:
    return f"PID|1||{ident}^^^GENHOSP^MR||{family}^{given}||{birth}|F|||1 Main St^^Springfield^IL^62701||555-0100"


def adt(control: str, ident: str, family: str, given: str, birth: str = "19800102", version: str = "2.5.1") -> str:
    return "\r".join([msh("ADT^A04", control, version), "EVN|A04", pid(ident, family, given, birth)])


def oru(control: str, ident: str, family: str, given: str) -> str:
    return "\r".join([msh("ORU^R01", control), pid(ident, family, given),
                      "OBR|1||F77|2345-7^Glucose^LN|||20240102080000||||||||||||||20240102090000|||F",
                      "OBX|1|NM|2345-7^Glucose^LN||105|mg/dL|70-99|H|||F|||20240102080000"])


def hl7_file(tmp_path: Path, *messages: str, name: str = "feed.hl7") -> Path:
    path = tmp_path / name
    path.write_text("\n\n".join(m.replace("\r", "\n") for m in messages) + "\n", encoding="utf-8")
    return path


def fhir_files(tmp_path: Path) -> list[Path]:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"fullUrl": "http://other.example/fhir/Patient/p-1",
         "resource": {"resourceType": "Patient", "id": "p-1", "name": [{"family": "Okafor", "given": ["Ada"]}],
                      "birthDate": "1970-03-04", "gender": "female"}},
        {"fullUrl": "http://other.example/fhir/Condition/c-1",
         "resource": {"resourceType": "Condition", "id": "c-1", "subject": {"reference": "Patient/p-1"},
                      "code": {"coding": [{"system": "http://snomed.info/sct", "code": "44054006",
                                           "display": "Diabetes mellitus type 2"}]},
                      "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                                               "condition-clinical", "code": "active"}]},
                      "onsetDateTime": "2019-06-01"}}]}
    (tmp_path / "hand.json").write_text(json.dumps(bundle), encoding="utf-8")
    lines = [{"resourceType": "Observation", "id": "o-1", "status": "final", "subject": {"reference": "Patient/p-1"},
              "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4"}]},
              "effectiveDateTime": "2024-02-03T10:00:00Z",
              "valueQuantity": {"value": 7.25, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"}},
             {"resourceType": "Observation", "id": "o-2", "status": "final", "subject": {"reference": "Patient/p-1"},
              "code": {"coding": [{"system": "http://loinc.org", "code": "4548-4"}]},
              "effectiveDateTime": "not a date", "valueQuantity": {"value": 6.9, "unit": "%"}}]
    (tmp_path / "Observation.ndjson").write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return [tmp_path / "hand.json", tmp_path / "Observation.ndjson"]


@pytest.fixture
def page(qtbot, clinic):
    view = InterfacesView(clinic.session)
    qtbot.addWidget(view)
    view.resize(1100, 640)
    view.show()
    qtbot.waitUntil(lambda: not interfaces_view.ops.busy(), timeout=5000)
    return view


def choose(monkeypatch, paths) -> None:
    monkeypatch.setattr(interfaces_view, "choose_files", lambda *a: [str(p) for p in paths])


def shoot(widget, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    widget.grab().save(str(SHOTS / name))


def imported(qtbot, pane) -> None:
    qtbot.waitUntil(lambda: pane.op is not None and pane.op.done, timeout=30_000)


def test_a_fhir_bundle_and_ndjson_file_are_imported_and_each_refused_line_is_named(
        qtbot, page, clinic, tmp_path, monkeypatch):
    choose(monkeypatch, fhir_files(tmp_path))
    page.importing.fhir_button.click()
    imported(qtbot, page.importing)
    shoot(page, "fhir-import.png")

    rows = page.importing.rows()
    by_file = {(r.file, r.where): r for r in rows}
    assert by_file[("hand.json", "—")].outcome == "Imported"
    assert "created 1 Patient, 1 Condition" in by_file[("hand.json", "—")].detail
    assert by_file[("Observation.ndjson", "—")].outcome == "Imported with errors"
    bad = by_file[("Observation.ndjson", "line 2")]
    assert bad.outcome == "Error: not taken" and "effectiveDateTime" in bad.detail and bad.bad
    assert "1 entry refused" in page.importing.status.text()
    with clinic.store.uow() as uow:
        [p] = uow.records(Patient).for_patient(None)
        assert (p.name.family, p.birth_date) == ("Okafor", date(1970, 3, 4))
        assert len(uow.records(Condition).for_patient(p.id)) == 1
        assert [str(o.value) for o in uow.records(Observation).for_patient(p.id)] == ["7.25"]


def test_hl7_messages_are_listed_with_their_ack_and_the_bad_one_names_its_field(
        qtbot, page, clinic, tmp_path, monkeypatch):
    path = hl7_file(tmp_path, adt("A1", "H100", "Doe", "Jane"), oru("R1", "H100", "Doe", "Jane"),
                    adt("A2", "H101", "Roe", "Rick", birth="19801399"), adt("A3", "H102", "Poe", "Pat", version="9.9"))
    choose(monkeypatch, [path])
    page.importing.hl7_button.click()
    imported(qtbot, page.importing)
    shoot(page, "hl7-import.png")

    rows = page.importing.rows()
    assert [r.outcome.split()[0] for r in rows] == ["AA", "AA", "AE", "AR"]
    assert "registered patient" in rows[0].detail
    assert rows[1].outcome == "AA held for review" and "created" in rows[1].detail  # no order: filed, reviewed
    assert "PID-7" in rows[2].detail and rows[2].bad
    assert rows[3].bad and "AR" in rows[3].outcome
    with clinic.store.uow() as uow:
        assert [p.name.family for p in uow.records(Patient).for_patient(None)] == ["Doe"]
    qtbot.waitUntil(lambda: len(page.review.items) == 1, timeout=5000)
    assert page.review.items[0].kind == "unmatched-result"
    assert page.review.same_button.isHidden() and page.review.reject_button.text() == "Mark as &reviewed"
    assert "(1)" in page.tabs.tabText(page.tabs.indexOf(page.review))


def test_cancel_stops_an_hl7_import_between_messages(qtbot, page, clinic, tmp_path, monkeypatch):
    path = hl7_file(tmp_path, *(adt(f"C{n}", f"K{n}", f"Family{n}", "Kim", birth=f"{1870 + n}0102") for n in range(150)))
    choose(monkeypatch, [path])
    page.importing.hl7_button.click()
    bar = page.importing.bar
    qtbot.waitUntil(lambda: bar.maximum() == 150 and bar.value() > 0, timeout=30_000)
    assert "message" in page.importing.status.text() and page.importing.cancel_button.isVisible()
    shoot(page, "hl7-progress.png")
    page.importing.cancel()
    imported(qtbot, page.importing)

    taken = len(page.importing.rows())
    assert taken < 150 and "stopped" in page.importing.status.text()
    with clinic.store.uow() as uow:
        assert len(uow.records(Patient).for_patient(None)) == taken  # each one taken was taken whole


def held_for_ana(qtbot, page, sessions, tmp_path, monkeypatch) -> Patient:
    ana = register(sessions["physician"], "Ana", "Rivera", date(1961, 3, 4))
    choose(monkeypatch, [hl7_file(tmp_path, adt("U1", "H200", "Rivera", "Anna", birth="19610304"))])
    page.importing.hl7_button.click()
    imported(qtbot, page.importing)
    assert page.importing.rows()[0].outcome == "AA held for review"
    qtbot.waitUntil(lambda: len(page.review.items) == 1, timeout=5000)
    page.tabs.setCurrentWidget(page.review)
    return ana


def test_an_uncertain_match_waits_beside_our_patient_and_same_patient_links_it(
        qtbot, page, clinic, sessions, tmp_path, monkeypatch):
    ana = held_for_ana(qtbot, page, sessions, tmp_path, monkeypatch)
    review = page.review
    shoot(page, "review-queue.png")

    compare = review.compare
    assert compare.columnCount() == 2
    assert compare.item(0, 0).text() == "Anna Rivera" and compare.item(0, 1).text() == "Ana Rivera"
    assert compare.item(1, 0).text() == compare.item(1, 1).text()  # the same birth date
    assert "H200 (GENHOSP)" in compare.item(3, 0).text()
    assert review.candidate.currentData() == ana.id

    review.same_button.click()
    qtbot.waitUntil(lambda: not review.items and "Taken" in review.status.text(), timeout=5000)
    with clinic.store.uow() as uow:
        assert uow.interfaces.patient_for("GENHOSP", "H200") == ana.id
        assert [p.id for p in uow.records(Patient).for_patient(None)] == [ana.id]  # never a second one
        assert uow.patients.get(ana.id).name.given == ["Anna"]  # the ADT's demographics were taken
    assert review.empty.isVisible()


def test_register_as_new_patient_makes_a_second_patient_and_reject_takes_nothing(
        qtbot, page, clinic, sessions, tmp_path, monkeypatch):
    held_for_ana(qtbot, page, sessions, tmp_path, monkeypatch)
    page.review.new_button.click()
    qtbot.waitUntil(lambda: not page.review.items, timeout=5000)
    with clinic.store.uow() as uow:
        assert sorted(p.name.given[0] for p in uow.records(Patient).for_patient(None)) == ["Ana", "Anna"]

    choose(monkeypatch, [hl7_file(tmp_path, adt("U2", "H300", "Rivera", "Annie", birth="19610304"),
                                  name="second.hl7")])
    page.importing.hl7_button.click()
    imported(qtbot, page.importing)
    qtbot.waitUntil(lambda: len(page.review.items) == 1, timeout=5000)
    assert len(page.review.items[0].candidates) == 2
    page.review.reject_button.click()
    qtbot.waitUntil(lambda: not page.review.items, timeout=5000)
    assert "not taken" in page.review.status.text()
    with clinic.store.uow() as uow:
        assert len(uow.records(Patient).for_patient(None)) == 2
        assert uow.interfaces.patient_for("GENHOSP", "H300") is None
    assert hl7_import.reviews(clinic.session, None)[-1]["status"] == "resolved"


def test_ehi_export_of_the_open_patient_writes_the_files_and_a_disclosure(
        qtbot, sessions, charted, tmp_path, monkeypatch):
    view = InterfacesView(sessions["physician"])
    qtbot.addWidget(view)
    view.resize(900, 480)
    view.show()
    assert view.importing is None and view.tabs.count() == 1  # a physician exports, but does not import
    view.set_patient(charted.id, "Maria Lopez")
    (tmp_path / "usb").mkdir()
    (tmp_path / "usb" / "old.txt").write_text("something else")
    monkeypatch.setattr(interfaces_export, "choose_folder", lambda *a: str(tmp_path / "usb"))
    pane = view.export
    pane.export_button.click()
    qtbot.waitUntil(lambda: pane.last is not None, timeout=30_000)
    shoot(view, "ehi-export.png")

    [out] = [p for p in (tmp_path / "usb").iterdir() if p.is_dir()]  # beside what was there
    assert out.name.startswith("Outpost EHI export")
    patients = [json.loads(line) for line in (out / "Patient.ndjson").read_text().splitlines()]
    assert [p["id"] for p in patients] == [charted.id]
    assert (out / "Observation.ndjson").is_file() and (out / "AllergyIntolerance.ndjson").is_file()
    assert "FHIR R4" in (out / "README.md").read_text()
    assert "Exported 1 patient" in pane.status.text()
    shown = disclosures.for_patient(sessions["admin"], charted.id)
    assert [d.action for d in shown] == ["export"]


def test_a_nurse_is_told_export_is_not_allowed_and_the_service_refuses(
        qtbot, sessions, charted, tmp_path, monkeypatch, shown_errors):
    view = InterfacesView(sessions["nurse"])
    qtbot.addWidget(view)
    view.set_patient(charted.id, "Maria Lopez")
    pane = view.export
    assert not pane.export_button.isEnabled()
    assert "not allowed to export" in pane.status.text()
    monkeypatch.setattr(interfaces_export, "choose_folder", lambda *a: str(tmp_path / "out"))
    pane.export()  # the button is only a convenience: the service checks again
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=5000)
    assert "not allowed to export records" in shown_errors[0]
    assert not (tmp_path / "out").exists()


def test_cancel_stops_a_fhir_ndjson_import_between_batches_and_keeps_what_was_written(clinic, tmp_path):
    from sync import fhir_import
    lines = fhir_import.BATCH + 50  # more than one batch (one transaction each)
    path = tmp_path / "Patient.ndjson"
    path.write_text("\n".join(json.dumps({"resourceType": "Patient", "id": f"q-{n}", "gender": "male",
                                          "name": [{"family": f"Quispe{n}", "given": ["Luis"]}],
                                          "birthDate": "1960-05-05"}) for n in range(lines)) + "\n")
    progress = interfaces_view.ops.Progress(lambda done, total: None)
    progress.cancel()  # as if Cancel was clicked while the first batch was written
    done = interfaces_view.fhir_work(clinic.session, [str(path)], interfaces_view._Where())(progress)

    assert done.stopped and "stopped" in done.summary()
    with clinic.store.uow() as uow:
        kept = len(uow.records(Patient).for_patient(None))
    assert 0 < kept < lines  # whole batches only; importing the file again adds the rest


def test_cancel_stops_an_ehi_export_and_leaves_no_folder(clinic, charted, tmp_path):
    progress = interfaces_view.ops.Progress(lambda done, total: None)
    progress.cancel()
    (tmp_path / "usb").mkdir()
    done = interfaces_export.export_work(clinic.session, tmp_path / "usb" / "out", None, "")(progress)

    assert done.result is None and "nothing was written" in done.summary()
    assert list((tmp_path / "usb").iterdir()) == []


@pytest.mark.parametrize(("username", "password", "visible"), [
    ("admin", ADMIN_PASSWORD, True), ("dr.test", USER_PASSWORD, True), ("nurse.test", USER_PASSWORD, False)])
def test_the_clinic_menu_offers_interfaces_to_roles_that_import_or_export(
        qtbot, sessions, store_dir, settings, username, password, visible):
    from ui.qt.main_window import MainWindow
    window = MainWindow(wiring.sign_in(store_dir, username, password), settings)
    try:
        assert window.interfaces_action.isVisible() is visible
        if visible:
            window.interfaces_action.trigger()
            assert window.pages.currentWidget() is window.interfaces
            if username == "admin":  # importing, and the listener's status, are the administrators'
                assert window.interfaces.importing.listener.text().startswith("HL7 listener (MLLP): off")
    finally:
        if shiboken6.isValid(window):
            window.close()
