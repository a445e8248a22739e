"""Prescriptions (draft, sign, stop), the allergy check, and home medications."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app import allergies, chart, medications
from app.errors import ConfirmationRequired, PermissionDenied, ValidationError
from app.model import ENTERED_IN_ERROR, Coding, MedicationRequest, MedicationStatement
from tests.integration._clinical import doc, patient, sessions  # noqa: F401 - fixtures
from tests.integration._clinical import audit_actions, register, staff, stored

AMOXICILLIN = "308191"  # amoxicillin 500 MG Oral Capsule
AMOX_CLAV = "617296"  # amoxicillin 500 MG / clavulanate 125 MG Oral Tablet
LISINOPRIL = "314076"  # lisinopril 10 MG Oral Tablet


def _draft(session, patient, rxnorm=LISINOPRIL, **overrides):
    fields = dict(patient_id=patient.id, rxnorm=rxnorm, dose="1", dose_unit="tablet", route="oral",
                  frequency="once daily", quantity="30", refills=2)
    fields.update(overrides)
    return medications.prescribe(session, **fields)


def test_a_prescription_is_drafted_with_a_sig_built_from_dose_route_and_frequency(clinic, doc, patient):
    rx = _draft(doc, patient, dose=Decimal("1.0"), frequency="twice daily", prn=True)
    kept = stored(clinic, MedicationRequest, rx.id)
    assert kept.medication == Coding("rxnorm", LISINOPRIL, "lisinopril 10 MG Oral Tablet")
    assert (kept.status, kept.dose, kept.quantity, kept.refills) == ("draft", Decimal("1.0"), Decimal("30"), 2)
    assert kept.sig == "Take 1 tablet by mouth twice daily as needed"
    assert kept.prescriber_id == doc.user.practitioner_id and kept.signed_by is None


def test_a_given_sig_is_kept_as_written(doc, patient):
    rx = _draft(doc, patient, sig="Take one tablet each morning with water")
    assert rx.sig == "Take one tablet each morning with water"


def test_prescription_validation_errors_name_each_field(doc, patient):
    with pytest.raises(ValidationError) as caught:
        _draft(doc, patient, rxnorm="999999999")
    assert "999999999" in caught.value.problems["medication"]
    for field, value, name in [("dose", "0", "dose"), ("dose", "-2", "dose"), ("dose", "lots", "dose"),
                               ("quantity", "0", "quantity"), ("dose", 0.5, "dose")]:
        with pytest.raises(ValidationError) as caught:
            _draft(doc, patient, **{field: value})
        assert name in caught.value.problems, (field, value)
    with pytest.raises(ValidationError) as caught:
        _draft(doc, patient, refills=12, route="by mouth", frequency=" ")
    assert set(caught.value.problems) == {"refills", "route", "frequency"}


def test_a_physician_signs_a_draft_which_then_cannot_be_edited(clinic, doc, patient):
    rx = _draft(doc, patient)
    medications.revise(doc, rx.id, dose="2", frequency="once daily")
    signed = medications.sign(doc, rx.id)
    assert signed.status == "active" and signed.signed_by == doc.user.practitioner_id
    assert signed.signed_at is not None and signed.sig == "Take 2 tablets by mouth once daily"
    with pytest.raises(ValidationError) as caught:
        medications.revise(doc, rx.id, dose="3")
    assert "cannot be edited" in caught.value.problems["prescription"]
    with pytest.raises(ValidationError):
        medications.sign(doc, rx.id)
    assert stored(clinic, MedicationRequest, rx.id).dose == Decimal("2")


def test_a_nurse_may_draft_but_not_sign_and_the_refusal_is_audited(clinic, sessions, patient):
    nurse = sessions["nurse"]
    rx = _draft(nurse, patient)
    with pytest.raises(PermissionDenied):
        medications.sign(nurse, rx.id)
    assert stored(clinic, MedicationRequest, rx.id).status == "draft"
    [denial] = audit_actions(clinic, nurse.username, "permission-denied")
    assert denial.detail == {"permission": "sign_prescriptions"}


def test_a_signed_prescription_is_stopped_with_a_reason_and_a_draft_is_cancelled(doc, patient):
    active = medications.sign(doc, _draft(doc, patient).id)
    draft = _draft(doc, patient, rxnorm="314077")
    with pytest.raises(ValidationError) as caught:
        medications.stop(doc, active.id, reason="")
    assert "reason" in caught.value.problems
    stopped = medications.stop(doc, active.id, reason="cough")
    cancelled = medications.stop(doc, draft.id, reason="duplicate")
    assert (stopped.status, cancelled.status) == ("stopped", "cancelled")
    assert "cough" in stopped.note
    assert medications.prescriptions(doc, patient.id, current_only=True) == []
    assert len(medications.prescriptions(doc, patient.id)) == 2


def test_prescribing_a_drug_the_patient_is_allergic_to_needs_confirmation(doc, patient):
    allergies.record(doc, patient_id=patient.id, rxnorm=AMOXICILLIN, reaction="hives")
    with pytest.raises(ConfirmationRequired) as caught:
        _draft(doc, patient, rxnorm=AMOXICILLIN, frequency="three times daily")
    assert "hives" in caught.value.warnings["allergy"]
    # a different product with the same first word (the ingredient) is caught too
    with pytest.raises(ConfirmationRequired):
        _draft(doc, patient, rxnorm=AMOX_CLAV, frequency="twice daily")
    assert medications.prescriptions(doc, patient.id) == []
    rx = _draft(doc, patient, rxnorm=AMOXICILLIN, frequency="three times daily", confirm=True)
    assert [r.id for r in medications.prescriptions(doc, patient.id)] == [rx.id]


def test_a_free_text_allergy_matches_a_drug_by_the_first_word_of_its_name(doc, patient):
    allergies.record(doc, patient_id=patient.id, substance_text="Lisinopril (angioedema)",
                     category="medication")
    with pytest.raises(ConfirmationRequired):
        _draft(doc, patient)
    _draft(doc, patient, rxnorm="197361")  # amlodipine: no warning


def test_an_ended_allergy_no_longer_blocks_the_drug(doc, patient):
    allergy = allergies.record(doc, patient_id=patient.id, rxnorm=AMOXICILLIN)
    allergies.end(doc, allergy.id, clinical_status="resolved")
    _draft(doc, patient, rxnorm=AMOXICILLIN)


def test_home_medications_are_recorded_stopped_and_shown_on_the_chart(clinic, doc, patient):
    coded = medications.record_statement(doc, patient_id=patient.id, rxnorm=LISINOPRIL, dosage="1 daily",
                                         effective_start=date(2022, 5, 1))
    herbal = medications.record_statement(doc, patient_id=patient.id, medication_text="St John's wort")
    assert herbal.medication == Coding("text", "st john's wort", "St John's wort")
    assert {m.id for m in chart.open_chart(doc, patient.id).home_medications} == {coded.id, herbal.id}
    with pytest.raises(ValidationError) as caught:
        medications.stop_statement(doc, coded.id, end=date(2021, 1, 1))
    assert "end date" in caught.value.problems
    medications.stop_statement(doc, coded.id, reason="switched to losartan")
    kept = stored(clinic, MedicationStatement, coded.id)
    assert (kept.status, kept.effective_end) == ("stopped", doc.clock().date())
    assert [m.id for m in medications.home_medications(doc, patient.id)] == [herbal.id]


def test_home_medication_validation_names_the_field(doc, patient):
    with pytest.raises(ValidationError) as caught:
        medications.record_statement(doc, patient_id=patient.id)
    assert "medication" in caught.value.problems
    with pytest.raises(ValidationError) as caught:
        medications.record_statement(doc, patient_id=patient.id, rxnorm=LISINOPRIL,
                                     effective_start=doc.clock().date() + timedelta(days=3))
    assert "start date" in caught.value.problems


def test_a_prescription_entered_in_error_is_hidden_but_kept(clinic, doc, patient):
    rx = _draft(doc, patient)
    medications.retract(doc, rx.id, reason="wrong patient")
    assert medications.prescriptions(doc, patient.id) == []
    assert chart.open_chart(doc, patient.id).medications == []
    assert stored(clinic, MedicationRequest, rx.id).status == ENTERED_IN_ERROR
