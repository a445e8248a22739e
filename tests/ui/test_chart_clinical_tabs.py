"""Immunizations, labs and orders, and documents from the chart's tabs, on a real store."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import io

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QFileDialog
from reportlab.pdfgen import canvas

from app import documents, immunizations, observations, orders
from app.errors import NotFound
from app.model import Coding, Observation, utcnow
from ui.qt import pdf_view, registration
from ui.qt.chart_documents import DocumentsTab, decoded_image
from ui.qt.chart_events import ChartEvents
from ui.qt.chart_labs import LabsTab, flag_text
from tests.ui._patients import chart_tab
from ui.qt.models import ABNORMAL_ROLE


_tab = chart_tab  # open the chart and show one tab, loaded


def _alone(qtbot, kind, session, patient_id):
    tab = kind(session, patient_id, ChartEvents())
    qtbot.addWidget(tab)
    qtbot.waitUntil(lambda: tab.loaded, timeout=5000)
    return tab


def _pick(qtbot, picker, text, code):
    qtbot.keyClicks(picker.box, text)
    # The first search of a process waits for the terminology index to be built.
    qtbot.waitUntil(lambda: any(c.code == code for c in picker.choices()), timeout=20_000)
    assert picker.choose(code)


def _cells(model):
    return [tuple(model.index(r, c).data() for c in range(model.columnCount()))
            for r in range(model.rowCount())]


# -- immunizations -------------------------------------------------------------
def test_a_vaccine_given_is_recorded_with_its_lot_site_and_route(qtbot, sessions, charted):
    nurse = sessions["nurse"]
    _, tab = _tab(qtbot, nurse, charted.id, "Immunizations")
    _pick(qtbot, tab.picker, "influenza seasonal", "141")
    tab.lot.setText("FLU-2026-A")
    tab.has_expiry.setChecked(True)
    tab.expiry.setDate(tab.expiry.date().addYears(1))
    tab.site.setCurrentIndex(tab.site.findData("left deltoid"))
    tab.route.setCurrentIndex(tab.route.findData("IM"))
    tab.dose.setValue(1)

    tab.save_button.click()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=5000)

    shot = immunizations.for_patient(nurse, charted.id)[0]
    assert (shot.vaccine.code, shot.lot_number, shot.site, shot.route, shot.dose_number, shot.status) == (
        "141", "FLU-2026-A", "left deltoid", "IM", 1, "completed")
    row = _cells(tab.model)[0]
    assert row[2:5] == ("FLU-2026-A", "Left deltoid", "Intramuscular") and row[-1] == "Given"



def test_a_vaccine_not_given_keeps_its_reason_and_a_mistaken_entry_is_retracted(qtbot, sessions, charted):
    nurse = sessions["nurse"]
    mistaken = immunizations.record(nurse, patient_id=charted.id, cvx="141", lot_number="WRONG-1")
    _, tab = _tab(qtbot, nurse, charted.id, "Immunizations")
    _pick(qtbot, tab.picker, "tetanus", "113")
    tab.outcome.setCurrentIndex(tab.outcome.findData("not-given"))
    assert not tab.lot.isEnabled() and tab.reason.isEnabled()
    tab.reason.setCurrentIndex(tab.reason.findData("patient refused"))

    tab.save_button.click()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=5000)
    refused = next(r for r in _cells(tab.model) if r[-1].startswith("Not given"))
    assert refused[-1] == "Not given: patient refused"

    row = next(i for i in range(tab.model.rowCount()) if tab.model.row_at(i).id == mistaken.id)
    tab.table.selectRow(row)
    assert not tab.retract_bar.button.isEnabled()  # no reason yet
    tab.retract_bar.reason.setText("recorded on the wrong patient")
    tab.retract_bar.button.click()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=5000)

    stored = immunizations.for_patient(nurse, charted.id)
    assert [(s.vaccine.code, s.status) for s in stored] == [("113", "not-done")]


def test_an_expired_lot_is_stored_only_when_the_user_confirms(qtbot, sessions, charted, monkeypatch):
    nurse = sessions["nurse"]
    asked = []
    monkeypatch.setattr(registration, "confirm", lambda p, t, text: asked.append(text) or False)
    _, tab = _tab(qtbot, nurse, charted.id, "Immunizations")
    _pick(qtbot, tab.picker, "influenza seasonal", "141")
    tab.lot.setText("OLD-LOT")
    tab.has_expiry.setChecked(True)
    tab.expiry.setDate(tab.expiry.date().addDays(-3))

    tab.save_button.click()
    qtbot.waitUntil(lambda: tab.message.text() == "Not saved.", timeout=5000)

    assert "expired" in asked[0]
    assert immunizations.for_patient(nurse, charted.id) == []


def test_the_vaccine_form_is_filled_in_order_with_the_tab_key(qtbot, sessions, charted):
    view, tab = _tab(qtbot, sessions["nurse"], charted.id, "Immunizations")
    view.show()
    qtbot.waitExposed(view)
    tab.lot.setFocus()
    qtbot.waitUntil(lambda: tab.lot.hasFocus(), timeout=2000)

    reached = []
    for _ in range(4):
        qtbot.keyClick(view.focusWidget(), Qt.Key.Key_Tab)
        reached.append(view.focusWidget())

    assert reached == [tab.has_expiry, tab.site, tab.route, tab.dose]  # expiry is off until known


# -- labs and orders -------------------------------------------------------------
def test_an_urgent_lab_order_is_placed_from_the_loinc_picker(qtbot, sessions, charted):
    doctor = sessions["physician"]
    _, tab = _tab(qtbot, doctor, charted.id, "Labs and orders")
    _pick(qtbot, tab.picker, "glucose serum", "2345-7")
    tab.priority.setCurrentIndex(tab.priority.findData("urgent"))

    tab.order_button.click()
    qtbot.waitUntil(lambda: tab.orders_model.rowCount() == 1, timeout=5000)

    placed = orders.open_orders(doctor, charted.id)
    assert [(o.code.code, o.priority, o.status) for o in placed] == [("2345-7", "urgent", "active")]
    assert _cells(tab.orders_model)[0][2:] == ("Urgent", "Waiting for result")


def test_an_abnormal_result_filed_against_its_order_is_flagged_in_words_and_trended(qtbot, sessions, charted):
    doctor = sessions["physician"]
    observations.record_result(doctor, patient_id=charted.id, code="2345-7", value="92",
                               effective=utcnow() - timedelta(days=90))
    order = orders.place_lab_order(doctor, patient_id=charted.id, code="2345-7")
    _, tab = _tab(qtbot, doctor, charted.id, "Labs and orders")
    tab.orders_table.selectRow(0)
    assert tab.unit.text() == "mg/dL" and tab.reference.text() == "70–99 mg/dL"
    tab.value.setText("250")
    tab.performer.setText("Riverbend Lab")

    tab.result_button.click()
    qtbot.waitUntil(lambda: tab.results_model.rowCount() == 2, timeout=5000)

    newest = tab.results_model.index(0, 0)
    assert _cells(tab.results_model)[0][2:] == ("250", "mg/dL", "70–99", "H High")
    assert newest.data(ABNORMAL_ROLE) is True
    flag = tab.results_model.index(0, 5)
    assert flag.data(Qt.ItemDataRole.ForegroundRole).color() == QColor("#c62828")
    assert tab.results_model.index(1, 5).data() == ""  # the earlier 92 is within range
    report = orders.reports(doctor, charted.id)[0]
    assert report.service_request_id == order.id and report.performer == "Riverbend Lab"
    assert orders.open_orders(doctor, charted.id) == []
    qtbot.waitUntil(lambda: [v for _, v in tab.chart.series_points.get(
        "Glucose [Mass/volume] in Serum or Plasma", [])] == [92.0, 250.0], timeout=5000)
    assert tab.chart.line_names()[1:] == ["Reference range low", "Reference range high"]


def test_an_open_order_is_cancelled_with_a_reason_and_a_resulted_one_cannot_be(qtbot, sessions, charted):
    doctor = sessions["physician"]
    done = orders.place_lab_order(doctor, patient_id=charted.id, code="4548-4")
    orders.file_results(doctor, done.id, results=[orders.ResultValue("4548-4", "5.2")])
    twice = orders.place_lab_order(doctor, patient_id=charted.id, code="2345-7")
    _, tab = _tab(qtbot, doctor, charted.id, "Labs and orders")
    tab.cancel_bar.reason.setText("ordered twice")
    tab.orders_table.selectRow(1)  # open orders are listed first: this is the resulted one
    assert tab.orders_model.row_at(1).id == done.id and not tab.cancel_bar.button.isEnabled()

    tab.orders_table.selectRow(0)
    tab.cancel_bar.button.click()
    qtbot.waitUntil(lambda: sorted(r[3] for r in _cells(tab.orders_model)) == ["Cancelled", "Resulted"],
                    timeout=5000)

    assert orders.open_orders(doctor, charted.id) == []
    assert {o.id: o.status for o in tab.orders_model.rows()} == {twice.id: "revoked", done.id: "completed"}


def test_a_value_outside_the_physiological_range_is_filed_only_when_confirmed(qtbot, sessions, charted,
                                                                             monkeypatch):
    nurse = sessions["nurse"]
    orders.place_lab_order(sessions["physician"], patient_id=charted.id, code="2345-7")
    asked = []
    monkeypatch.setattr(registration, "confirm", lambda p, t, text: asked.append(text) or False)
    _, tab = _tab(qtbot, nurse, charted.id, "Labs and orders")
    tab.orders_table.selectRow(0)
    tab.value.setText("9000")

    tab.result_button.click()
    qtbot.waitUntil(lambda: tab.result_message.text() == "Not filed.", timeout=5000)

    assert "outside the usual range" in asked[0]
    assert orders.reports(nurse, charted.id) == []


def test_a_nurse_may_file_results_but_not_order_and_the_front_desk_may_not_read_labs(
        qtbot, sessions, charted, shown_errors):
    _, tab = _tab(qtbot, sessions["nurse"], charted.id, "Labs and orders")
    assert not tab.order_button.isEnabled() and not tab.picker.box.isEnabled()
    assert tab.may_file

    # The chart itself refuses the front desk; the tab, built on its own, refuses too.
    desk_tab = _alone(qtbot, LabsTab, sessions["front_desk"], charted.id)
    assert any("not allowed to read clinical records" in text for text in shown_errors)
    assert desk_tab.orders_model.rowCount() == 0


def test_critical_flags_are_spelled_out_beside_the_code():
    taken = utcnow()
    critical = Observation(patient_id="p", code=Coding("loinc", "2823-3", "Potassium"), effective=taken,
                           value=Decimal("7.1"), interpretation="HH")
    normal = Observation(patient_id="p", code=critical.code, effective=taken, value=Decimal("4"),
                         interpretation="N")

    assert (flag_text(critical), flag_text(normal)) == ("HH Critically high", "")


# -- documents ------------------------------------------------------------------
def _pdf(tmp_path, words: str):
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.setFont("Helvetica-Bold", 28)
    page.drawString(72, 720, words)
    page.rect(72, 400, 300, 200, fill=1)
    page.showPage()
    page.drawString(72, 720, "Page two")
    page.save()
    path = tmp_path / "discharge-letter.pdf"
    path.write_bytes(out.getvalue())
    return path


def _png(tmp_path, name="wound-photo.png"):
    image = QImage(64, 48, QImage.Format.Format_RGB32)
    image.fill(QColor("#1565c0"))
    path = tmp_path / name
    assert image.save(str(path))
    return path


def _attach(qtbot, tab, monkeypatch, path, count):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    tab.attach_button.click()
    qtbot.waitUntil(lambda: tab.model.rowCount() == count, timeout=10_000)


def _select(tab, title):
    tab.table.selectRow(next(i for i in range(tab.model.rowCount()) if tab.model.row_at(i).title == title))


def test_a_pdf_and_a_png_are_attached_encrypted_and_viewed_from_memory(qtbot, sessions, charted, tmp_path,
                                                                     store_dir, monkeypatch):
    doctor = sessions["physician"]
    pdf, png = _pdf(tmp_path, "ZEBRA-DISCHARGE-4711"), _png(tmp_path)
    _, tab = _tab(qtbot, doctor, charted.id, "Documents")
    tab.category.setCurrentIndex(tab.category.findData("letter"))
    _attach(qtbot, tab, monkeypatch, pdf, 1)
    tab.title.setText("Wound photo, day 3")
    tab.category.setCurrentIndex(tab.category.findData("imaging"))
    _attach(qtbot, tab, monkeypatch, png, 2)
    tab.category.setCurrentIndex(0)
    _attach(qtbot, tab, monkeypatch, _png(tmp_path, "insurance-card.jpg"), 3)

    stored = {d.title: d for d in documents.for_patient(doctor, charted.id)}
    assert {t: (d.content_type, d.category) for t, d in stored.items()} == {
        "discharge-letter": ("application/pdf", "letter"), "Wound photo, day 3": ("image/png", "imaging"),
        "insurance-card": ("image/jpeg", None)}
    assert documents.read(doctor, stored["discharge-letter"].id)[1] == pdf.read_bytes()
    on_disk = b"".join(f.read_bytes() for f in store_dir.rglob("*") if f.is_file())
    assert b"ZEBRA-DISCHARGE-4711" not in on_disk and png.read_bytes()[:64] not in on_disk

    _select(tab, "Wound photo, day 3")
    tab.view_button.click()
    qtbot.waitUntil(lambda: tab.viewer.currentWidget() is tab.viewer.image_area, timeout=5000)
    assert tab.viewer.image.pixmap().size() == QSize(64, 48)
    _select(tab, "insurance-card")
    tab.view_button.click()
    qtbot.waitUntil(lambda: tab.viewer.shown_title == "insurance-card", timeout=5000)
    assert tab.viewer.currentWidget() is tab.viewer.image_area
    assert "JPEG image" in tab.caption.text()

    assert pdf_view.available()  # pyside6-pdf is a dependency
    _select(tab, "discharge-letter")
    tab.view_button.click()
    qtbot.waitUntil(lambda: tab.viewer.pdf.ready(), timeout=5000)
    assert tab.viewer.currentWidget() is tab.viewer.pdf and tab.viewer.pdf.page_count() == 2
    assert tab.viewer.pdf.caption.text() == "2 pages"
    page = tab.viewer.pdf.page_image(0, QSize(300, 400))
    dark = sum(QColor(page.pixel(x, y)).lightness() < 100 for x in range(0, 300, 5) for y in range(0, 400, 5))
    assert dark > 100  # the filled rectangle was drawn


def test_a_photo_wider_than_the_pane_is_fitted_to_its_width_and_a_broken_one_is_null(qapp):
    wide = QImage(3000, 1500, QImage.Format.Format_RGB32)
    wide.fill(QColor("#2e7d32"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert wide.save(buffer, "JPG")

    assert decoded_image(bytes(data), 800).size() == QSize(800, 400)
    assert decoded_image(b"\xff\xd8\xff not a picture", 800).isNull()


def test_a_document_filed_in_error_is_retracted_with_a_reason_and_can_no_longer_be_read(
        qtbot, sessions, charted, tmp_path, monkeypatch):
    doctor = sessions["physician"]
    _, tab = _tab(qtbot, doctor, charted.id, "Documents")
    _attach(qtbot, tab, monkeypatch, _png(tmp_path), 1)
    doc = tab.model.row_at(0)
    tab.table.selectRow(0)
    tab.retract_bar.reason.setText("another patient's photo")

    tab.retract_bar.button.click()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 0, timeout=5000)

    assert documents.for_patient(doctor, charted.id) == []
    with pytest.raises(NotFound):
        documents.read(doctor, doc.id)


def test_a_file_that_is_not_what_its_name_says_is_refused_in_words(qtbot, sessions, charted, tmp_path,
                                                                  monkeypatch):
    fake = tmp_path / "scan.pdf"
    fake.write_bytes(b"\x00\x01 not really a pdf")
    _, tab = _tab(qtbot, sessions["physician"], charted.id, "Documents")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(fake), ""))

    tab.attach_button.click()
    qtbot.waitUntil(lambda: tab.message.text().startswith("Not attached."), timeout=5000)

    assert documents.for_patient(sessions["physician"], charted.id) == []


def test_billing_may_neither_read_nor_attach_documents(qtbot, sessions, charted, shown_errors):
    tab = _alone(qtbot, DocumentsTab, sessions["billing"], charted.id)

    assert any("not allowed to read clinical records" in text for text in shown_errors)
    assert not tab.attach_button.isEnabled()
