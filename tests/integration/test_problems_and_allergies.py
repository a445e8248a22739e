"""The problem list and allergies, through the real encrypted store."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from app import allergies, chart, problems
from app.errors import ConfirmationRequired, ValidationError
from app.model import ENTERED_IN_ERROR, AllergyIntolerance, Coding, Condition
from tests.integration._clinical import doc, patient, sessions  # noqa: F401 - fixtures
from tests.integration._clinical import register, staff, stored


# -- problems ------------------------------------------------------------------------
def test_a_problem_is_stored_with_the_terminology_display_and_shows_on_the_chart(clinic, doc, patient):
    added = problems.add(doc, patient_id=patient.id, code="e119", onset_date=date(2019, 3, 1))
    kept = stored(clinic, Condition, added.id)
    assert kept.code == Coding("icd10cm", "E11.9", "Type 2 diabetes mellitus without complications")
    assert (kept.onset_date, kept.clinical_status, kept.security_labels) == (date(2019, 3, 1), "active", [])
    assert kept.recorder_id == doc.user.practitioner_id
    assert [c.id for c in chart.open_chart(doc, patient.id).problems] == [added.id]


def test_an_unknown_icd10_code_is_refused_naming_the_code(doc, patient):
    with pytest.raises(ValidationError) as caught:
        problems.add(doc, patient_id=patient.id, code="E11.999")
    assert "E11.999" in caught.value.problems["code"]


def test_a_future_onset_date_is_refused(doc, patient):
    tomorrow = doc.clock().date() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        problems.add(doc, patient_id=patient.id, code="I10", onset_date=tomorrow)
    assert "future" in caught.value.problems["onset date"]


def test_a_behavioural_health_problem_is_labelled_psy_and_withheld_from_a_nurse(sessions, doc, patient):
    added = problems.add(doc, patient_id=patient.id, code="F32.9")
    problems.add(doc, patient_id=patient.id, code="I10")
    assert added.security_labels == ["PSY"]
    assert {c.code.code for c in problems.active(doc, patient.id)} == {"F32.9", "I10"}
    assert [c.code.code for c in problems.active(sessions["nurse"], patient.id)] == ["I10"]
    nurse_chart = chart.open_chart(sessions["nurse"], patient.id)
    assert nurse_chart.hidden_sensitive == 1 and len(nurse_chart.problems) == 1


def test_adding_a_problem_that_is_already_active_asks_for_confirmation_first(doc, patient):
    problems.add(doc, patient_id=patient.id, code="I10")
    with pytest.raises(ConfirmationRequired) as caught:
        problems.add(doc, patient_id=patient.id, code="I10")
    assert "already an active problem" in caught.value.warnings["code"]
    problems.add(doc, patient_id=patient.id, code="I10", confirm=True)
    assert len(problems.active(doc, patient.id)) == 2


def test_resolving_a_problem_records_its_end_and_takes_it_off_the_active_list(doc, patient):
    added = problems.add(doc, patient_id=patient.id, code="J06.9", onset_date=date(2024, 1, 2))
    resolved = problems.resolve(doc, added.id, abatement_date=date(2024, 1, 20))
    assert (resolved.clinical_status, resolved.abatement_date) == ("resolved", date(2024, 1, 20))
    assert problems.active(doc, patient.id) == []
    assert [c.id for c in problems.all_for(doc, patient.id)] == [added.id]
    # a resolved problem is no longer a duplicate of a new episode
    problems.add(doc, patient_id=patient.id, code="J06.9")


def test_a_problem_cannot_resolve_before_it_began_or_in_the_future(doc, patient):
    added = problems.add(doc, patient_id=patient.id, code="J06.9", onset_date=date(2024, 1, 2))
    with pytest.raises(ValidationError) as caught:
        problems.resolve(doc, added.id, abatement_date=date(2023, 12, 1))
    assert "onset" in caught.value.problems["abatement date"]
    with pytest.raises(ValidationError) as caught:
        problems.resolve(doc, added.id, abatement_date=doc.clock().date() + timedelta(days=2))
    assert "future" in caught.value.problems["abatement date"]


def test_a_problem_entered_in_error_leaves_the_lists_but_stays_in_the_store(clinic, doc, patient):
    added = problems.add(doc, patient_id=patient.id, code="I10")
    with pytest.raises(ValidationError) as caught:
        problems.retract(doc, added.id, reason="  ")
    assert "reason" in caught.value.problems
    problems.retract(doc, added.id, reason="wrong patient")
    assert problems.all_for(doc, patient.id) == []
    assert chart.open_chart(doc, patient.id).problems == []
    assert stored(clinic, Condition, added.id).status == ENTERED_IN_ERROR


# -- allergies -----------------------------------------------------------------------
def test_a_drug_allergy_is_stored_with_its_rxnorm_name_and_shows_on_the_chart(clinic, doc, patient):
    added = allergies.record(doc, patient_id=patient.id, rxnorm="308191", reaction="hives",
                             severity="severe")
    kept = stored(clinic, AllergyIntolerance, added.id)
    assert kept.substance == Coding("rxnorm", "308191", "amoxicillin 500 MG Oral Capsule")
    assert (kept.category, kept.reaction, kept.severity, kept.criticality) == (
        "medication", "hives", "severe", "high")
    assert [a.id for a in chart.open_chart(doc, patient.id).allergies] == [added.id]


def test_a_food_allergy_can_be_recorded_as_free_text(doc, patient):
    added = allergies.record(doc, patient_id=patient.id, substance_text="  Peanuts ",
                             reaction="anaphylaxis", severity="severe", criticality="high")
    assert added.substance == Coding("text", "peanuts", "Peanuts")
    assert added.category == "food"


def test_allergy_validation_errors_name_the_field(doc, patient):
    with pytest.raises(ValidationError) as caught:
        allergies.record(doc, patient_id=patient.id)
    assert "substance" in caught.value.problems
    with pytest.raises(ValidationError) as caught:
        allergies.record(doc, patient_id=patient.id, rxnorm="1")
    assert "'1'" in caught.value.problems["substance"]
    with pytest.raises(ValidationError) as caught:
        allergies.record(doc, patient_id=patient.id, substance_text="latex", severity="deadly",
                         criticality="very")
    assert set(caught.value.problems) == {"severity", "criticality"}


def test_a_second_active_allergy_to_the_same_substance_needs_confirmation(doc, patient):
    allergies.record(doc, patient_id=patient.id, substance_text="Peanuts")
    with pytest.raises(ConfirmationRequired) as caught:
        allergies.record(doc, patient_id=patient.id, substance_text="peanuts")
    assert "Peanuts" in caught.value.warnings["substance"]
    allergies.record(doc, patient_id=patient.id, substance_text="peanuts", confirm=True)
    assert len(allergies.active(doc, patient.id)) == 2


def test_an_ended_allergy_leaves_the_active_list_and_no_longer_counts_as_a_duplicate(doc, patient):
    added = allergies.record(doc, patient_id=patient.id, rxnorm="308191")
    ended = allergies.end(doc, added.id, clinical_status="resolved", note="tolerated amoxicillin challenge")
    assert (ended.clinical_status, ended.status) == ("resolved", "inactive")
    assert allergies.active(doc, patient.id) == []
    assert [a.id for a in allergies.all_for(doc, patient.id)] == [added.id]
    allergies.record(doc, patient_id=patient.id, rxnorm="308191")
    with pytest.raises(ValidationError):
        allergies.end(doc, added.id, clinical_status="gone")


def test_an_allergy_entered_in_error_is_hidden_but_kept(clinic, doc, patient):
    added = allergies.record(doc, patient_id=patient.id, substance_text="latex")
    allergies.retract(doc, added.id, reason="recorded on the wrong chart")
    assert allergies.all_for(doc, patient.id) == []
    assert stored(clinic, AllergyIntolerance, added.id).status == ENTERED_IN_ERROR
