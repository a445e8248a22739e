"""Immunizations, lab orders and filing their results (all or nothing)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app import chart, immunizations, orders
from app.errors import ConfirmationRequired, ValidationError
from app.model import (ENTERED_IN_ERROR, Coding, DiagnosticReport, Immunization, Observation,
                       ServiceRequest)
from app.orders import ResultValue
from db.repositories import RecordRepository
from tests.integration._clinical import doc, patient, sessions  # noqa: F401 - fixtures
from tests.integration._clinical import outbox_rows, register, staff, stored, table_rows

A1C, GLUCOSE = "4548-4", "2345-7"


# -- immunizations -------------------------------------------------------------------
def test_a_nurse_records_a_vaccine_with_lot_site_and_route(clinic, sessions, patient):
    nurse = sessions["nurse"]
    shot = immunizations.record(nurse, patient_id=patient.id, cvx="8", lot_number=" HB123 ",
                                expiration_date=date(2099, 1, 1), site="left deltoid", route="IM",
                                dose_number=1)
    kept = stored(clinic, Immunization, shot.id)
    assert kept.vaccine == Coding("cvx", "08", "Hep B, adolescent or pediatric")
    assert (kept.occurrence, kept.lot_number, kept.site, kept.route, kept.status) == (
        nurse.clock().date(), "HB123", "left deltoid", "IM", "completed")
    assert [i.id for i in chart.open_chart(nurse, patient.id).immunizations] == [shot.id]


def test_immunization_validation_names_the_field(doc, patient):
    with pytest.raises(ValidationError) as caught:
        immunizations.record(doc, patient_id=patient.id, cvx="9999")
    assert "9999" in caught.value.problems["vaccine"]
    with pytest.raises(ValidationError) as caught:
        immunizations.record(doc, patient_id=patient.id, cvx="03",
                             occurrence=doc.clock().date() + timedelta(days=1))
    assert "future" in caught.value.problems["date given"]
    with pytest.raises(ValidationError) as caught:
        immunizations.record(doc, patient_id=patient.id, cvx="03", route="intramuscularly",
                             site="elbow", dose_number=0)
    assert set(caught.value.problems) == {"route", "site", "dose number"}


def test_an_expired_lot_needs_confirmation(doc, patient):
    given = date(2024, 10, 1)
    with pytest.raises(ConfirmationRequired) as caught:
        immunizations.record(doc, patient_id=patient.id, cvx="141", occurrence=given, lot_number="FL1",
                             expiration_date=date(2024, 6, 30))
    assert "2024-06-30" in caught.value.warnings["expiration date"]
    assert immunizations.for_patient(doc, patient.id) == []
    immunizations.record(doc, patient_id=patient.id, cvx="141", occurrence=given, lot_number="FL1",
                         expiration_date=date(2024, 6, 30), confirm=True)
    assert len(immunizations.for_patient(doc, patient.id)) == 1


def test_a_vaccine_not_given_is_recorded_with_its_reason(doc, patient):
    with pytest.raises(ValidationError) as caught:
        immunizations.record_not_done(doc, patient_id=patient.id, cvx="141", reason="busy")
    assert "reason" in caught.value.problems
    refused = immunizations.record_not_done(doc, patient_id=patient.id, cvx="141", reason="patient refused")
    given = immunizations.record(doc, patient_id=patient.id, cvx="115", occurrence=date(2020, 2, 2))
    assert refused.status == "not-done" and "patient refused" in refused.note
    assert [i.id for i in immunizations.for_patient(doc, patient.id)] == [refused.id, given.id]
    assert [i.id for i in immunizations.for_patient(doc, patient.id, given_only=True)] == [given.id]


def test_an_immunization_entered_in_error_is_hidden_but_kept(clinic, doc, patient):
    shot = immunizations.record(doc, patient_id=patient.id, cvx="03")
    immunizations.retract(doc, shot.id, reason="charted twice")
    assert immunizations.for_patient(doc, patient.id) == []
    assert stored(clinic, Immunization, shot.id).status == ENTERED_IN_ERROR


# -- orders and results --------------------------------------------------------------
def test_a_lab_order_is_placed_with_its_loinc_name_and_reasons(clinic, doc, patient):
    order = orders.place_lab_order(doc, patient_id=patient.id, code=A1C, reasons=["E119"], priority="urgent")
    kept = stored(clinic, ServiceRequest, order.id)
    assert kept.code.system == "loinc" and kept.code.code == A1C and kept.code.display
    assert kept.reasons == [Coding("icd10cm", "E11.9", "Type 2 diabetes mellitus without complications")]
    assert (kept.status, kept.priority, kept.requester_id) == ("active", "urgent", doc.user.practitioner_id)
    assert [o.id for o in orders.open_orders(doc, patient.id)] == [order.id]


def test_order_validation_names_the_field(doc, patient):
    for kwargs, field in [({"code": "0000-0"}, "test"), ({"code": A1C, "priority": "asap"}, "priority"),
                          ({"code": A1C, "reasons": ["NOPE"]}, "reason")]:
        with pytest.raises(ValidationError) as caught:
            orders.place_lab_order(doc, patient_id=patient.id, **kwargs)
        assert field in caught.value.problems, kwargs


def test_filing_results_stores_observations_and_a_report_and_completes_the_order(clinic, sessions, doc, patient):
    order = orders.place_lab_order(doc, patient_id=patient.id, code=A1C)
    before = outbox_rows(clinic)
    report = orders.file_results(sessions["nurse"], order.id, conclusion="above goal",
                                 results=[ResultValue(A1C, "7.9"), ResultValue(GLUCOSE, "151", note="fasting")])
    assert outbox_rows(clinic) - before == 4  # two results, one report, the order's update
    kept = stored(clinic, DiagnosticReport, report.id)
    assert (kept.service_request_id, kept.conclusion, len(kept.result_ids)) == (order.id, "above goal", 2)
    a1c = stored(clinic, Observation, kept.result_ids[0])
    assert (a1c.value, a1c.interpretation, a1c.report_id, a1c.service_request_id) == (
        Decimal("7.9"), "H", report.id, order.id)
    assert stored(clinic, Observation, kept.result_ids[1]).note == "fasting"
    assert stored(clinic, ServiceRequest, order.id).status == "completed"
    assert orders.open_orders(doc, patient.id) == []
    assert [r.id for r in orders.reports(doc, patient.id)] == [report.id]
    assert {o.id for o in chart.open_chart(doc, patient.id).recent_labs} == set(kept.result_ids)
    with pytest.raises(ValidationError) as caught:
        orders.file_results(doc, order.id, results=[ResultValue(A1C, "8.0")])
    assert "open order" in caught.value.problems["order"]


def test_a_bad_result_files_nothing(clinic, doc, patient):
    order = orders.place_lab_order(doc, patient_id=patient.id, code=A1C)
    before = outbox_rows(clinic)
    with pytest.raises(ValidationError):
        orders.file_results(doc, order.id, results=[ResultValue(A1C, "7.0"), ResultValue("0000-0", "1")])
    with pytest.raises(ConfirmationRequired):
        orders.file_results(doc, order.id, results=[ResultValue(A1C, "7.0"), ResultValue(GLUCOSE, "4000")])
    with pytest.raises(ValidationError) as caught:
        orders.file_results(doc, order.id, results=[])
    assert "results" in caught.value.problems
    assert (table_rows(clinic, "observations"), table_rows(clinic, "diagnostic_reports")) == (0, 0)
    assert outbox_rows(clinic) == before
    report = orders.file_results(doc, order.id, confirm=True,
                                 results=[ResultValue(A1C, "7.0"), ResultValue(GLUCOSE, "4000")])
    assert len(report.result_ids) == 2


def test_a_failure_while_filing_results_leaves_nothing_written(clinic, doc, patient, monkeypatch):
    order = orders.place_lab_order(doc, patient_id=patient.id, code=A1C)
    before = (outbox_rows(clinic), table_rows(clinic, "audit_log"))
    real_update = RecordRepository.update

    def failing_update(self, record):
        if isinstance(record, ServiceRequest):  # after the results and the report were added
            raise RuntimeError("disk unplugged")
        return real_update(self, record)

    monkeypatch.setattr(RecordRepository, "update", failing_update)
    with pytest.raises(RuntimeError):
        orders.file_results(doc, order.id, results=[ResultValue(A1C, "6.1"), ResultValue(GLUCOSE, "99")])
    assert (table_rows(clinic, "observations"), table_rows(clinic, "diagnostic_reports")) == (0, 0)
    assert (outbox_rows(clinic), table_rows(clinic, "audit_log")) == before
    assert stored(clinic, ServiceRequest, order.id).status == "active"


def test_a_cancelled_order_leaves_the_open_list(doc, patient):
    order = orders.place_lab_order(doc, patient_id=patient.id, code=GLUCOSE)
    with pytest.raises(ValidationError):
        orders.cancel(doc, order.id, reason=" ")
    assert orders.cancel(doc, order.id, reason="ordered twice").status == "revoked"
    assert orders.open_orders(doc, patient.id) == []
