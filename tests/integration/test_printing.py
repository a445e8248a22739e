"""Printed documents: every kind rendered for a demo patient and read back with pypdf;
letterhead, pagination, non-Latin names, permissions, disclosures and the CLI."""
from __future__ import annotations

import io
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from app import codec, demo, disclosures, patients
from app.audit import Action
from app.errors import NotFound, PermissionDenied, ValidationError
from app.model import HumanName, Invoice, MedicationRequest, Patient, Payment
from app.printing import KINDS, print_document, print_to_file
from app.printing import letterhead as letterheads
from app.printing.invoice import dollars
from tests.conftest import ADMIN_PASSWORD
from ui import cli, wiring

TODAY = date(2026, 3, 2)


def pages(pdf: bytes) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages]


def flat(pdf: bytes) -> str:
    """The document's text with every run of whitespace as one space."""
    return " ".join(" ".join(pages(pdf)).split())


def fonts_in(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def _one(clinic, sql: str):
    with clinic.store.uow(readonly=True) as uow:
        return uow.conn.execute(text(sql)).first()


def _load(clinic, cls, table: str, record_id: str):
    with clinic.store.uow(readonly=True) as uow:
        raw = uow.conn.execute(text(f"SELECT data FROM {table} WHERE id = :i"), {"i": record_id}).scalar()
    return codec.loads(cls, raw)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One demo clinic for the module (signing in every role is slow): the store, the
    administrator's session and one session per role. Tests add their own patients."""
    from app import accounts
    from app.model import Practitioner
    from tests.conftest import ROLE_USERS, USER_PASSWORD
    folder = tmp_path_factory.mktemp("printing") / "clinic"
    opened, _ = wiring.create_clinic(folder, clinic_name="Test Clinic", admin_username="admin",
                                     admin_password=ADMIN_PASSWORD)
    demo.populate(opened.session, patients=12, seed=21, today=TODAY)
    out = {"admin": opened.session}
    for role, username in ROLE_USERS.items():
        doc = Practitioner(name=HumanName("Test", ["Doctor"]), npi="1234567893", qualification="MD")
        with opened.store.uow() as uow:
            uow.records(Practitioner).add(doc)
            uow.commit()
        accounts.add_user(opened.session, opened.store, username=username, role=role, display_name=username,
                          password=USER_PASSWORD, practitioner_id=doc.id if role == "physician" else None)
        out[role] = accounts.start_session(opened.store.uow, username=username, password=USER_PASSWORD,
                                           workstation="test-ws")
    opened.folder = folder
    yield opened, out
    opened.store.close()


@pytest.fixture
def demo_clinic(world):
    return world[0]


@pytest.fixture
def sessions(world):
    return world[1]


@pytest.fixture
def clinic(world):
    return world[0]


@pytest.fixture
def store_dir(world):
    return world[0].folder


@pytest.fixture
def ids(demo_clinic):
    """A demo patient with a prescription, an invoice and a lab report, and those ids."""
    row = _one(demo_clinic, """
        SELECT p.id, m.id, i.id, r.id, e.id FROM patients p
        JOIN medication_requests m ON m.patient_id = p.id
        JOIN invoices i ON i.patient_id = p.id
        JOIN diagnostic_reports r ON r.patient_id = p.id
        JOIN encounters e ON e.patient_id = p.id
        ORDER BY p.mrn, m.id, i.id, r.id, e.start DESC LIMIT 1""")
    assert row, "the demo clinic has a patient with a prescription, an invoice and a lab report"
    return dict(zip(("patient", "prescription", "invoice", "lab-report", "encounter"), row))


def _now():
    from app.model import utcnow
    return utcnow()


def _patient(sessions, patient_id) -> Patient:
    return patients.get(sessions["physician"], patient_id)


def test_every_document_kind_renders_for_a_demo_patient_with_the_patient_on_every_page(
        demo_clinic, sessions, ids):
    patient = _patient(sessions, ids["patient"])
    name = f"{' '.join(patient.name.given)} {patient.name.family}"
    asks = {"visit-summary": ids["encounter"], "prescription": ids["prescription"],
            "invoice": ids["invoice"], "chart": ids["patient"], "immunization-record": patient.mrn,
            "lab-report": ids["lab-report"]}
    assert set(asks) == set(KINDS)
    for kind, ident in asks.items():
        who = sessions["billing"] if kind == "invoice" else sessions["physician"]
        printed = print_document(who, kind, ident)
        assert printed.pdf.startswith(b"%PDF") and printed.patient_id == patient.id
        texts = pages(printed.pdf)
        for n, page in enumerate(texts, start=1):
            assert name in page and patient.mrn in page, (kind, n)
            assert f"Page {n} of {len(texts)}" in page, (kind, n)
        assert "Test Clinic" in texts[0], kind


def test_the_prescription_shows_the_drug_sig_quantity_refills_and_a_signature_line(demo_clinic, sessions, ids):
    rx = _load(demo_clinic, MedicationRequest, "medication_requests", ids["prescription"])
    body = flat(print_document(sessions["physician"], "prescription", rx.id).pdf)
    assert rx.medication.display in body
    assert f"Refills {rx.refills}" in body
    assert "Prescriber's signature" in body and "NPI" in body


def test_the_invoice_shows_each_charge_the_payments_and_the_balance_due(demo_clinic, sessions, ids):
    invoice = _load(demo_clinic, Invoice, "invoices", ids["invoice"])
    body = flat(print_document(sessions["billing"], "invoice", invoice.id).pdf)
    assert invoice.number in body and dollars(invoice.total) in body
    with demo_clinic.store.uow(readonly=True) as uow:
        raw = uow.conn.execute(text("SELECT data FROM payments WHERE patient_id = :p"),
                               {"p": invoice.patient_id}).scalars().all()
    paid = sum((p.amount for p in map(lambda r: codec.loads(Payment, r), raw)
                if p.invoice_id == invoice.id and p.status == "active"), Decimal("0"))
    assert f"Balance due {dollars(invoice.total - paid)}" in body
    assert "ICD-10-CM" in body


def test_the_chart_draws_lab_trends_and_lists_every_section(demo_clinic, sessions, ids):
    pdf = print_document(sessions["physician"], "chart", ids["patient"]).pdf
    body = flat(pdf)
    for heading in ("Demographics", "Problems", "Prescriptions", "Allergies", "Immunizations",
                    "Encounters", "Lab trends", "Lab results"):
        assert heading in body, heading
    assert "results, last" in body  # the caption under each trend chart


def test_a_long_chart_paginates_with_name_birth_date_and_mrn_on_every_page(clinic, sessions):
    patient_id = demo.add_heavy_patient(clinic.session, encounters=60, observations=900, seed=3, today=TODAY)
    patient = _patient(sessions, patient_id)
    texts = pages(print_document(sessions["physician"], "chart", patient_id).pdf)
    assert len(texts) >= 10
    born = f"{patient.birth_date.day} {patient.birth_date:%b} {patient.birth_date.year}"
    for n, page in enumerate(texts, start=1):
        assert patient.name.family in page and born in page and patient.mrn in page, n
        assert f"Page {n} of {len(texts)}" in page


@pytest.mark.parametrize("family, given", [("王", ["芳"]), ("Παπαδοπούλου", ["Ελένη"]),
                                           ("Смирнов", ["Алексей"])])
def test_a_non_latin_name_is_embedded_in_dejavu_or_the_cjk_font_and_extracts(
        clinic, sessions, tmp_path, family, given):
    doctor = sessions["physician"]
    p = patients.register(doctor, Patient(mrn="", name=HumanName(family, given), birth_date=date(1970, 5, 6),
                                           sex="female"), confirm_duplicate=True)
    pdf = print_document(doctor, "immunization-record", p.id).pdf
    embedded = fonts_in(pdf)
    assert any("DejaVuSans" in f for f in embedded), embedded
    assert not any("Helvetica" in f or "Times" in f for f in embedded), embedded
    if family == "王":
        assert any("DroidSansFallback" in f for f in embedded), embedded
    body = pages(pdf)[0]
    assert family in body and given[0] in body
    out = tmp_path / "page"
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(tmp_path / "doc.pdf"), str(out)],
                   check=True)
    assert list(tmp_path.glob("page*.png"))


def test_a_print_without_the_permission_to_read_it_is_refused_and_audited(demo_clinic, sessions, ids):
    desk = sessions["front_desk"]
    since = _now()
    with pytest.raises(PermissionDenied):
        print_document(desk, "chart", ids["patient"])
    with pytest.raises(PermissionDenied):
        print_document(sessions["nurse"], "invoice", ids["invoice"])
    with demo_clinic.store.uow() as uow:
        denied = uow.audit.query(action=Action.DENIED.value, since=since)
        printed = uow.audit.query(action=Action.PRINT.value, since=since)
    assert [(e.username, e.detail["permission"]) for e in denied] == [
        (desk.username, "read_clinical_records"), (sessions["nurse"].username, "view_billing")]
    assert printed == []


def test_each_print_is_counted_as_a_disclosure_of_the_patient(demo_clinic, sessions, ids):
    since = _now()
    print_document(sessions["physician"], "lab-report", ids["lab-report"], recipient="Dr. Referral",
                   purpose="referral")
    print_document(sessions["nurse"], "immunization-record", ids["patient"])
    listed = disclosures.for_patient(demo_clinic.session, ids["patient"], since=since)
    assert [(d.what, d.recipient, d.action) for d in listed] == [
        ("Laboratory report", "Dr. Referral", "print"), ("Immunization record", "patient", "print")]
    assert listed[0].purpose == "referral"


def test_the_lab_report_also_prints_from_the_id_of_its_order(demo_clinic, sessions, ids):
    order = _one(demo_clinic, f"SELECT json_extract(data, '$.service_request_id') FROM diagnostic_reports "
                              f"WHERE id = '{ids['lab-report']}'")[0]
    assert order
    printed = print_document(sessions["physician"], "lab-report", order)
    assert printed.record_id == ids["lab-report"]


def test_an_id_that_names_nothing_printable_is_not_found_and_says_what_to_give(demo_clinic, sessions, ids):
    since = _now()
    with pytest.raises(NotFound, match="give a prescription id"):
        print_document(sessions["physician"], "prescription", ids["patient"])
    with pytest.raises(ValidationError, match="kind"):
        print_document(sessions["physician"], "letter", ids["patient"])
    with demo_clinic.store.uow() as uow:
        assert uow.audit.query(action=Action.PRINT.value, since=since) == []


def test_an_administrator_sets_the_letterhead_with_a_logo_and_others_may_not(clinic, sessions):
    import segno
    buf = io.BytesIO()
    segno.make("Outpost").save(buf, kind="png", scale=4)
    head = letterheads.set_letterhead(clinic.session, name="Riverside Family Practice",
                                      address_lines=["12 Mill Lane", "Fairhaven, OR 97351"],
                                      phone="555-0100", logo=buf.getvalue())
    assert head.logo == buf.getvalue()
    with pytest.raises(PermissionDenied):
        letterheads.set_letterhead(sessions["physician"], name="Mine")
    with pytest.raises(ValidationError, match="logo"):
        letterheads.set_letterhead(clinic.session, name="X", logo=b"GIF89a not an image we take")
    doctor = sessions["physician"]
    p = patients.register(doctor, Patient(mrn="", name=HumanName("Nguyen", ["Lan"]), birth_date=date(1990, 1, 2),
                                          sex="female"), confirm_duplicate=True)
    pdf = print_document(doctor, "chart", p.id).pdf
    first = PdfReader(io.BytesIO(pdf)).pages[0]
    assert "12 Mill Lane" in first.extract_text() and "Riverside Family Practice" in first.extract_text()
    assert list(first["/Resources"]["/XObject"].keys())  # the logo image


def test_outpost_print_writes_the_pdf_and_a_wrong_id_is_one_line_and_exit_1(
        demo_clinic, sessions, ids, store_dir, tmp_path, monkeypatch, capsys):
    from tests.conftest import ROLE_USERS, USER_PASSWORD
    monkeypatch.setenv("OUTPOST_PASSWORD", USER_PASSWORD)
    out = tmp_path / "rx.pdf"
    base = ["--data-dir", str(store_dir), "--user", ROLE_USERS["physician"]]
    assert cli.main([*base, "print", "prescription", "--id", ids["prescription"], "--out", str(out),
                     "--json"]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    capsys.readouterr()
    missing = tmp_path / "none.pdf"
    assert cli.main([*base, "print", "chart", "--id", "no-such-patient", "--out", str(missing)]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("outpost: note:")]
    assert len(err) == 1 and "patient id or MRN" in err[0]
    assert not missing.exists()
    with pytest.raises(SystemExit) as usage:
        cli.main([*base, "print", "letter", "--id", "x", "--out", str(missing)])
    assert usage.value.code == 2


def test_outpost_clinic_letterhead_sets_what_every_print_then_shows(clinic, store_dir, tmp_path, monkeypatch,
                                                                    capsys):
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    code = cli.main(["--data-dir", str(store_dir), "--user", "admin", "clinic", "letterhead",
                     "--name", "Hillside Clinic", "--address", "1 Main St", "--phone", "555-0199"])
    assert code == 0, capsys.readouterr().err
    head = letterheads.current(clinic.session)
    assert (head.name, head.address_lines, head.phone) == ("Hillside Clinic", ["1 Main St"], "555-0199")


def test_print_to_file_refuses_a_missing_folder_before_writing_anything(demo_clinic, sessions, ids, tmp_path):
    with pytest.raises(ValidationError, match="does not exist"):
        print_to_file(sessions["physician"], "chart", ids["patient"], tmp_path / "nope" / "c.pdf")


def test_sensitive_problems_are_left_out_for_a_user_who_may_not_see_them(clinic, sessions):
    from app import problems
    doctor = sessions["physician"]
    p = patients.register(doctor, Patient(mrn="", name=HumanName("Okoro", ["Ada"]), birth_date=date(1984, 3, 4),
                                          sex="female"), confirm_duplicate=True)
    problems.add(doctor, patient_id=p.id, code="F32.9")
    problems.add(doctor, patient_id=p.id, code="I10")
    by_doctor = print_document(doctor, "chart", p.id)
    by_nurse = print_document(sessions["nurse"], "chart", p.id)
    assert "depressive" in flat(by_doctor.pdf) and by_doctor.withheld == 0
    assert "depressive" not in flat(by_nurse.pdf) and by_nurse.withheld == 1
    assert "hypertension" in flat(by_nurse.pdf)


def test_the_lab_report_and_visit_summary_show_their_results_and_visit(demo_clinic, sessions, ids):
    from app.model import DiagnosticReport, Encounter, Observation
    report = _load(demo_clinic, DiagnosticReport, "diagnostic_reports", ids["lab-report"])
    body = flat(print_document(sessions["physician"], "lab-report", report.id).pdf)
    assert report.result_ids
    for result_id in report.result_ids:
        o = _load(demo_clinic, Observation, "observations", result_id)
        assert " ".join(o.code.display.split()[:2]) in body
    visit = _load(demo_clinic, Encounter, "encounters", ids["encounter"])
    summary = flat(print_document(sessions["physician"], "visit-summary", visit.id).pdf)
    assert "After-visit summary" in summary and "Your current medications" in summary
    latest = print_document(sessions["physician"], "visit-summary", ids["patient"])
    assert latest.record_type == "Encounter"


def test_the_dashboard_prints_its_figures_without_naming_a_patient_and_exports_csv(demo_clinic, sessions):
    import csv as csv_module
    from app.dashboard import dashboard
    from app.printing.dashboard_report import dashboard_csv, dashboard_pdf
    start, end = date(2025, 3, 1), date(2026, 3, 1)
    doctor = sessions["physician"]
    board = dashboard(doctor, start=start, end=end)
    assert board.visits > 0 and board.measures
    pdf = dashboard_pdf(doctor, start=start, end=end)
    body = flat(pdf)
    texts = pages(pdf)
    assert f"Visits {board.visits}" in body and "Quality measures" in body
    assert all(f"Page {n} of {len(texts)}" in t for n, t in enumerate(texts, start=1))
    with demo_clinic.store.uow(readonly=True) as uow:
        families = uow.conn.execute(text("SELECT json_extract(data, '$.name.family') FROM patients")).scalars().all()
    assert not [f for f in families if f and f in body]
    rows = list(csv_module.reader(io.StringIO(dashboard_csv(board))))
    assert ["summary", "visits", str(board.visits)] in rows
    assert sum(int(r[2]) for r in rows if r[0] == "visits by day") == board.visits
