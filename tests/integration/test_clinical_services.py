"""What every clinical service shares: one outbox row per record written, in the same
transaction; refused writes leave nothing; the chart shows what the services stored.

Topic-by-topic behaviour is in test_problems_and_allergies, test_medications,
test_immunizations_and_orders, test_notes_and_documents, test_scheduling and
test_billing_and_consents.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import text

from app import (allergies, billing, chart, consents, documents, immunizations, medications, notes, orders,
                 problems, scheduling)
from app.errors import ConfirmationRequired
from app.orders import ResultValue
from tests.integration._clinical import outbox_rows, register, staff, visit

PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)


@pytest.fixture
def sessions(clinic):
    return staff(clinic)


def _outbox_since(clinic, seq: int) -> list[tuple[str, str, str]]:
    with clinic.store.engine.connect() as conn:
        rows = conn.execute(text("SELECT resource_type, resource_id, op FROM outbox WHERE seq > :s ORDER BY seq"),
                            {"s": seq})
        return [tuple(r) for r in rows]


def _last_seq(clinic) -> int:
    with clinic.store.engine.connect() as conn:
        return conn.execute(text("SELECT coalesce(max(seq), 0) FROM outbox")).scalar_one()


def test_every_write_adds_exactly_one_outbox_row_for_the_record_it_wrote(clinic, sessions):
    doc, desk, clerk = sessions["physician"], sessions["front_desk"], sessions["billing"]
    patient = register(doc)
    encounter = visit(doc, patient)
    slot = datetime.combine(doc.clock().date() + timedelta(days=3), time(9), tzinfo=timezone.utc)
    draft = {}
    writes = [
        ("problem", lambda: problems.add(doc, patient_id=patient.id, code="I10"), "create"),
        ("allergy", lambda: allergies.record(doc, patient_id=patient.id, substance_text="latex"), "create"),
        ("prescription", lambda: draft.setdefault("rx", medications.prescribe(
            doc, patient_id=patient.id, rxnorm="314076", dose="1", dose_unit="tablet", route="oral",
            frequency="daily", quantity="30")), "create"),
        ("signature", lambda: medications.sign(doc, draft["rx"].id), "update"),
        ("home med", lambda: medications.record_statement(doc, patient_id=patient.id, rxnorm="197361"), "create"),
        ("vaccine", lambda: immunizations.record(doc, patient_id=patient.id, cvx="115"), "create"),
        ("order", lambda: orders.place_lab_order(doc, patient_id=patient.id, code="4548-4"), "create"),
        ("note", lambda: draft.setdefault("note", notes.start(doc, encounter_id=encounter.id)), "create"),
        ("autosave", lambda: notes.save_draft(doc, draft["note"].id, version=1, plan="recheck"), "update"),
        ("document", lambda: documents.attach(doc, patient_id=patient.id, content=PNG, title="photo",
                                              content_type="image/png"), "create"),
        ("appointment", lambda: scheduling.book(desk, patient_id=patient.id, start=slot, minutes=15,
                                                practitioner_id=doc.user.practitioner_id), "create"),
        ("charge", lambda: billing.post_charge(clerk, encounter_id=encounter.id, code="99213",
                                               description="visit", unit_price="90", diagnosis_codes=["I10"]),
         "create"),
        ("payment", lambda: billing.record_payment(clerk, patient_id=patient.id, amount="15", method="cash"),
         "create"),
        ("consent", lambda: consents.record(desk, patient_id=patient.id, category="treatment"), "create"),
        ("retraction", lambda: problems.retract(doc, problems.all_for(doc, patient.id)[0].id,
                                                reason="duplicate"), "update"),
    ]
    for name, write, op in writes:
        seq = _last_seq(clinic)
        record = write()
        assert _outbox_since(clinic, seq) == [(record.RESOURCE_TYPE, record.id, op)], name


def test_a_write_refused_for_confirmation_leaves_no_record_and_no_outbox_row(clinic, sessions):
    doc = sessions["physician"]
    patient = register(doc)
    allergies.record(doc, patient_id=patient.id, rxnorm="308191")
    before = outbox_rows(clinic)
    with pytest.raises(ConfirmationRequired):
        medications.prescribe(doc, patient_id=patient.id, rxnorm="308191", dose="1", dose_unit="capsule",
                              route="oral", frequency="three times daily", quantity="21")
    with pytest.raises(ConfirmationRequired):
        allergies.record(doc, patient_id=patient.id, rxnorm="308191")
    assert outbox_rows(clinic) == before
    assert medications.prescriptions(doc, patient.id) == []


def test_the_chart_shows_what_the_services_stored(sessions):
    doc, nurse = sessions["physician"], sessions["nurse"]
    patient = register(doc)
    encounter = visit(doc, patient)
    allergy = allergies.record(doc, patient_id=patient.id, substance_text="peanuts")
    problem = problems.add(doc, patient_id=patient.id, code="E11.9")
    rx = medications.prescribe(doc, patient_id=patient.id, rxnorm="860975", dose="1", dose_unit="tablet",
                               route="oral", frequency="daily with supper", quantity="90")
    home = medications.record_statement(doc, patient_id=patient.id, medication_text="fish oil")
    shot = immunizations.record(nurse, patient_id=patient.id, cvx="141", occurrence=date(2024, 10, 2))
    order = orders.place_lab_order(doc, patient_id=patient.id, code="4548-4")
    report = orders.file_results(nurse, order.id, results=[ResultValue("4548-4", "6.8")])
    note = notes.start(doc, encounter_id=encounter.id)
    slot = datetime.combine(doc.clock().date() + timedelta(days=14), time(10), tzinfo=timezone.utc)
    appt = scheduling.book(nurse, patient_id=patient.id, start=slot, minutes=20,
                           practitioner_id=doc.user.practitioner_id)
    summary = chart.open_chart(doc, patient.id)
    assert [a.id for a in summary.allergies] == [allergy.id]
    assert [p.id for p in summary.problems] == [problem.id]
    assert [m.id for m in summary.medications] == [rx.id]
    assert [m.id for m in summary.home_medications] == [home.id]
    assert [i.id for i in summary.immunizations] == [shot.id]
    assert [o.id for o in summary.recent_labs] == report.result_ids
    assert [n.id for n in summary.draft_notes] == [note.id]
    assert [a.id for a in summary.upcoming] == [appt.id]
    assert [e.id for e in summary.recent_encounters] == [encounter.id]
    assert summary.hidden_sensitive == 0
