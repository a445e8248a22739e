"""Printing from the client: each of the six documents through the real chart, Medications tab
and billing screen, printed page by page onto a PDF printer (or saved as a PDF), read back with
pypdf, and found in the patient's accounting of disclosures."""
from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrinter

from app import billing, billing_fees, disclosures, encounters, immunizations, medications, orders
from app.audit import Action
from app.orders import ResultValue
from ui.qt import ops, printing
from ui.qt.billing_view import BillingView
from ui.qt.chart_view import ChartView


def _settle(qtbot) -> None:
    qtbot.waitUntil(lambda: not ops.busy(), timeout=20_000)
    qtbot.wait(10)


def _text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


@pytest.fixture
def history(sessions, charted):
    """The charted patient's visit with a prescription, a flu shot, an HbA1c result and an invoice."""
    doctor, nurse, clerk = sessions["physician"], sessions["nurse"], sessions["billing"]
    visit = encounters.start(doctor, patient_id=charted.id)
    rx = medications.prescribe(doctor, patient_id=charted.id, rxnorm="860975", dose="1", dose_unit="tablet",
                               route="oral", frequency="once daily", quantity="90", encounter_id=visit.id)
    immunizations.record(nurse, patient_id=charted.id, cvx="141", encounter_id=visit.id)
    order = orders.place_lab_order(doctor, patient_id=charted.id, code="4548-4", encounter_id=visit.id)
    report = orders.file_results(nurse, order.id, results=[ResultValue("4548-4", "7.9")])
    billing_fees.set_fee(clerk, code="OV-EST", description="Office visit, established", price="95.00")
    billing_fees.charge(clerk, encounter_id=visit.id, code="OV-EST", diagnosis_codes=["I10"])
    invoice = billing.make_invoice(clerk, patient_id=charted.id)
    return {"visit": visit, "rx": rx, "report": report, "invoice": invoice}


@pytest.fixture
def printers(monkeypatch, tmp_path):
    """The print dialog's choice: a PDF printer writing under tmp_path; the files it made."""
    made: list[Path] = []

    def choose(parent, title):
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        made.append(tmp_path / f"printed-{len(made)}.pdf")
        printer.setOutputFileName(str(made[-1]))
        return printer
    monkeypatch.setattr(printing, "choose_printer", choose)
    return made


@pytest.fixture
def opened(monkeypatch):
    """The files the desktop was asked to open (QDesktopServices.openUrl)."""
    urls: list[str] = []

    def open_url(url):
        urls.append(url.toLocalFile())
        return True
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    return urls


def _chart(qtbot, session, patient_id) -> ChartView:
    view = ChartView(session, patient_id)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.summary is not None, timeout=10_000)
    return view


def _ready(qtbot, dialog) -> None:
    _settle(qtbot)
    qtbot.waitUntil(dialog.print_button.isEnabled, timeout=5000)


def _choose(qtbot, dialog, kind: str) -> None:
    dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
    _ready(qtbot, dialog)


def _printed_to(session, patient_id) -> list[disclosures.Disclosure]:
    return disclosures.for_patient(session, patient_id)


EXPECTED = {  # what each document must say, besides the patient's name
    "visit-summary": ["After-visit summary", "Office visit", "metformin", "Hemoglobin A1c"],
    "chart": ["Essential (primary) hypertension", "metformin", "Influenza, seasonal, injectable"],
    "immunization-record": ["Immunization record", "Influenza, seasonal, injectable"],
    "lab-report": ["Hemoglobin A1c", "7.9"],
}


def test_the_banner_prints_four_documents_page_by_page_and_each_is_a_disclosure(
        qtbot, sessions, charted, history, printers, shown_errors):
    doctor = sessions["physician"]
    view = _chart(qtbot, doctor, charted.id)
    dialog = view.print_documents()
    qtbot.addWidget(dialog)
    _ready(qtbot, dialog)
    assert dialog.which.currentData() == history["visit"].id  # the latest visit comes first

    for kind, words in EXPECTED.items():
        _choose(qtbot, dialog, kind)
        dialog.print_button.click()
        _settle(qtbot)
        reader = PdfReader(printers[-1])
        assert all(page.images for page in reader.pages)  # each page drawn from QtPdf's rendering
        assert dialog.message.text().startswith(
            f"{printing.TITLES[kind]}: {len(reader.pages)} page")
        text = _text(printers[-1])
        for expected in ["Maria Lopez", *words]:
            assert expected in text, (kind, expected)

    assert shown_errors == []
    assert dialog.message.text().endswith("Recorded as a disclosure to the patient.")
    printed = [d for d in _printed_to(sessions["admin"], charted.id) if d.action == "print"]
    assert [d.what for d in printed] == ["After-visit summary", "Patient chart", "Immunization record",
                                         "Laboratory report"]
    assert {(d.username, d.recipient) for d in printed} == {(doctor.username, "patient")}


def test_a_prescription_from_the_medications_tab_is_saved_as_a_pdf_and_opened(
        qtbot, sessions, charted, history, monkeypatch, tmp_path, opened):
    doctor = sessions["physician"]
    view = _chart(qtbot, doctor, charted.id)
    tab = view.show_tab("Medications")
    qtbot.waitUntil(lambda: tab.loaded, timeout=5000)
    assert not tab.print_button.isEnabled()
    tab.table.selectRow(0)
    assert tab.print_button.isEnabled()
    asked = []
    target = tmp_path / "for the pharmacy"
    monkeypatch.setattr(printing, "ask_pdf_path", lambda parent, suggested: asked.append(suggested)
                        or str(target))

    tab.print_button.click()
    dialog = tab.findChild(printing.PrintDialog)
    qtbot.addWidget(dialog)
    _ready(qtbot, dialog)
    assert dialog.chosen_kind() == "prescription"
    assert dialog.which.currentData() == history["rx"].id
    dialog.recipient.setCurrentText("Another provider")
    dialog.save_button.click()
    assert "name" in dialog.message.text()  # who received it is asked for before anything is made
    dialog.recipient_name.setText("Riverside Pharmacy")
    dialog.purpose.setCurrentText("Continuing care or referral")
    dialog.save_button.click()
    _settle(qtbot)

    saved = tmp_path / "for the pharmacy.pdf"
    assert asked[-1].startswith("prescription-") and opened == [str(saved)]
    assert "metformin" in _text(saved) and "Maria Lopez" in _text(saved)
    [last] = [d for d in _printed_to(sessions["admin"], charted.id)][-1:]
    assert (last.what, last.recipient, last.purpose) == (
        "Prescription", "Riverside Pharmacy (another provider)", "Continuing care or referral")


def test_the_billing_screen_prints_the_invoice_with_its_amount(qtbot, sessions, charted, history, printers):
    clerk = sessions["billing"]
    view = BillingView(clerk)
    qtbot.addWidget(view)
    view.show()
    view.show_patient(charted.id)
    _settle(qtbot)
    assert view.print_button.isEnabled()

    view.print_button.click()
    dialog = view.findChild(printing.PrintDialog)
    qtbot.addWidget(dialog)
    _ready(qtbot, dialog)
    assert [dialog.kind.itemData(i) for i in range(dialog.kind.count())] == ["invoice"]
    assert dialog.which.currentData() == history["invoice"].id
    dialog.print_button.click()
    _settle(qtbot)

    text = _text(printers[-1])
    assert "Maria Lopez" in text and "$95.00" in text and history["invoice"].number in text
    with clerk.uow() as uow:
        [entry] = uow.audit.query(patient_id=charted.id, action=Action.PRINT)
    assert (entry.username, entry.record_id, entry.detail["recipient"]) == (
        clerk.username, history["invoice"].id, "patient")


def test_ctrl_p_opens_the_dialog_and_a_nurses_chart_print_leaves_out_the_sensitive_problem(
        qtbot, sessions, charted, printers):
    view = _chart(qtbot, sessions["nurse"], charted.id)
    view.activateWindow()
    view.banner.name.setFocus()
    qtbot.keyClick(view.banner.name, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = view.findChild(printing.PrintDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.addWidget(dialog)
    _settle(qtbot)
    assert dialog.which.currentText() == "None recorded for this patient"  # no visit yet
    assert not dialog.print_button.isEnabled()
    _choose(qtbot, dialog, "chart")

    dialog.print_button.click()
    _settle(qtbot)

    text = _text(printers[-1])
    assert "Essential (primary) hypertension" in text and "Depression" not in text
    assert "1 sensitive record was left out: your role may not see it." in dialog.message.text()


def test_a_nurse_is_told_she_may_not_print_invoices_and_nothing_is_disclosed(
        qtbot, sessions, charted, history, printers):
    nurse = sessions["nurse"]
    view = _chart(qtbot, nurse, charted.id)
    dialog = view.print_documents()
    qtbot.addWidget(dialog)
    _ready(qtbot, dialog)

    dialog.kind.setCurrentIndex(dialog.kind.findData("invoice"))
    _settle(qtbot)

    assert dialog.message.text() == ("You are not allowed to view billing; ask the clinic's "
                                     "administrator if you need to.")
    assert not dialog.print_button.isEnabled() and not dialog.save_button.isEnabled()
    assert printers == []
    assert _printed_to(sessions["admin"], charted.id) == []


def test_the_front_desk_printing_a_chart_gets_a_clear_refusal(qtbot, sessions, charted, printers,
                                                              shown_errors):
    desk = sessions["front_desk"]
    dialog = printing.PrintDialog(desk, charted.id, kind="chart")
    qtbot.addWidget(dialog)
    dialog.show()
    _ready(qtbot, dialog)

    dialog.print_button.click()
    _settle(qtbot)

    assert shown_errors == ["You are not allowed to read clinical records; ask the clinic's "
                            "administrator if you need to."]
    assert dialog.message.text() == "Nothing was printed or saved."
    assert not printers[0].exists() or PdfReader(printers[0]).pages == []
    assert _printed_to(sessions["admin"], charted.id) == []
    with sessions["admin"].uow() as uow:
        assert any(e.username == desk.username and e.outcome != "success"
                   for e in uow.audit.query(username=desk.username))
