"""Charges, invoices, payments and balances (exact Decimals); consents."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app import billing, consents
from app.errors import NotFound, ValidationError
from app.model import ENTERED_IN_ERROR, Charge, Consent, Invoice, Payment
from tests.integration._clinical import outbox_rows, register, staff, stored, visit


@pytest.fixture
def sessions(clinic):
    return staff(clinic)


@pytest.fixture
def clerk(sessions):
    return sessions["billing"]


@pytest.fixture
def patient(sessions):
    return register(sessions["physician"])


@pytest.fixture
def encounter(sessions, patient):
    return visit(sessions["physician"], patient)


def _charge(clerk, encounter, price="125.00", units=1, code="99213", dx=("I10",)):
    return billing.post_charge(clerk, encounter_id=encounter.id, code=code, description="Office visit",
                               unit_price=price, units=units, diagnosis_codes=list(dx))


def test_a_charge_is_stored_with_exact_money_and_normalised_diagnosis_codes(clinic, clerk, encounter):
    charge = _charge(clerk, encounter, price=Decimal("33.33"), units=3, code=" g0438 ", dx=("e119", "I10"))
    kept = stored(clinic, Charge, charge.id)
    assert (kept.unit_price, kept.units, kept.amount) == (Decimal("33.33"), 3, Decimal("99.99"))
    assert (kept.code, kept.diagnosis_codes, kept.status) == ("G0438", ["E11.9", "I10"], "billable")
    assert (kept.patient_id, kept.service_date) == (encounter.patient_id, encounter.start.date())
    assert [c.id for c in billing.charges(clerk, encounter.patient_id)] == [charge.id]


def test_charge_validation_names_the_field(clerk, encounter):
    cases = [(dict(price=12.5), "unit price"), (dict(price="12.555"), "unit price"),
             (dict(price="-1"), "unit price"), (dict(price="ten"), "unit price"),
             (dict(units=0), "units"), (dict(code="99 213"), "code"),
             (dict(dx=("E11.999",)), "diagnosis codes"), (dict(dx=("E11",)), "diagnosis codes"),
             (dict(dx=()), "diagnosis codes")]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as caught:
            _charge(clerk, encounter, **kwargs)
        assert field in caught.value.problems, kwargs
    with pytest.raises(NotFound):
        billing.post_charge(clerk, encounter_id="no-such-visit", code="99213", description="x",
                            unit_price="1", diagnosis_codes=["I10"])


def test_an_invoice_totals_the_unbilled_charges_exactly_and_marks_them_billed(clinic, clerk, encounter):
    charges = [_charge(clerk, encounter, price=p) for p in ("0.10", "0.20", "125.05")]
    before = outbox_rows(clinic)
    invoice = billing.make_invoice(clerk, patient_id=encounter.patient_id)
    assert outbox_rows(clinic) - before == 4  # the invoice and three charge updates
    kept = stored(clinic, Invoice, invoice.id)
    assert kept.total == Decimal("125.35") and sorted(kept.charge_ids) == sorted(c.id for c in charges)
    assert kept.number.startswith("INV-")
    for charge in charges:
        billed = stored(clinic, Charge, charge.id)
        assert (billed.status, billed.invoice_id) == ("billed", invoice.id)
    with pytest.raises(ValidationError) as caught:
        billing.make_invoice(clerk, patient_id=encounter.patient_id)
    assert "charges" in caught.value.problems
    later = _charge(clerk, encounter, price="40.00")
    assert billing.make_invoice(clerk, patient_id=encounter.patient_id).charge_ids == [later.id]


def test_payments_are_validated_and_the_balance_is_exact(clinic, clerk, encounter, patient):
    _charge(clerk, encounter, price="150.00")
    _charge(clerk, encounter, price="0.10", units=3)
    invoice = billing.make_invoice(clerk, patient_id=patient.id)
    for kwargs, field in [(dict(amount="0", method="cash"), "amount"), (dict(amount="-5", method="cash"), "amount"),
                          (dict(amount=20.0, method="cash"), "amount"), (dict(amount="5", method="bitcoin"), "method")]:
        with pytest.raises(ValidationError) as caught:
            billing.record_payment(clerk, patient_id=patient.id, **kwargs)
        assert field in caught.value.problems, kwargs
    paid = billing.record_payment(clerk, patient_id=patient.id, amount="100.10", method="card",
                                  invoice_id=invoice.id, reference="auth 5521")
    billing.record_payment(clerk, patient_id=patient.id, amount=Decimal("20"), method="adjustment")
    assert stored(clinic, Payment, paid.id).amount == Decimal("100.10")
    balance = billing.balance(clerk, patient.id)
    assert (balance.charges, balance.payments, balance.adjustments) == (
        Decimal("150.30"), Decimal("100.10"), Decimal("20.00"))
    assert balance.due == Decimal("30.20") and str(balance.due) == "30.20"


def test_a_payment_cannot_point_at_another_patients_invoice(sessions, clerk, encounter, patient):
    _charge(clerk, encounter)
    invoice = billing.make_invoice(clerk, patient_id=patient.id)
    other = register(sessions["physician"], family="Okafor", given="Chidi")
    with pytest.raises(ValidationError) as caught:
        billing.record_payment(clerk, patient_id=other.id, amount="10", method="cash", invoice_id=invoice.id)
    assert "invoice" in caught.value.problems
    assert billing.payments(clerk, other.id) == []


def test_a_voided_charge_leaves_the_balance_but_a_billed_one_cannot_be_voided(clinic, clerk, encounter, patient):
    mistake = _charge(clerk, encounter, price="80.00")
    billing.void_charge(clerk, mistake.id, reason="posted twice")
    assert stored(clinic, Charge, mistake.id).status == ENTERED_IN_ERROR
    assert billing.charges(clerk, patient.id) == []
    assert billing.balance(clerk, patient.id).due == Decimal("0")
    billed = _charge(clerk, encounter, price="80.00")
    billing.make_invoice(clerk, patient_id=patient.id)
    with pytest.raises(ValidationError) as caught:
        billing.void_charge(clerk, billed.id, reason="changed mind")
    assert "adjustment" in caught.value.problems["charge"]


# -- consents ------------------------------------------------------------------------
def test_a_consent_is_recorded_and_revoked_with_a_reason(clinic, sessions, patient):
    desk = sessions["front_desk"]
    given = consents.record(desk, patient_id=patient.id, category="hipaa-notice",
                            signed_on=date(2025, 1, 6), policy="NPP 2024 rev 2")
    assert consents.has_consent(desk, patient.id, "hipaa-notice")
    assert not consents.has_consent(desk, patient.id, "research")
    with pytest.raises(ValidationError) as caught:
        consents.revoke(desk, given.id, reason="")
    assert "reason" in caught.value.problems
    consents.revoke(desk, given.id, reason="patient request by letter")
    kept = stored(clinic, Consent, given.id)
    assert kept.status == "inactive" and "patient request" in kept.note
    assert not consents.has_consent(desk, patient.id, "hipaa-notice")
    assert [c.id for c in consents.for_patient(desk, patient.id)] == [given.id]
    with pytest.raises(ValidationError):
        consents.revoke(desk, given.id, reason="again")


def test_consent_validation_names_the_field(sessions, patient):
    with pytest.raises(ValidationError) as caught:
        consents.record(sessions["nurse"], patient_id=patient.id, category="marketing", decision="maybe",
                        signed_on=sessions["nurse"].clock().date() + timedelta(days=2))
    assert set(caught.value.problems) == {"category", "decision", "date"}


def test_a_refused_consent_does_not_permit(sessions, patient):
    consents.record(sessions["nurse"], patient_id=patient.id, category="research", decision="deny")
    assert not consents.has_consent(sessions["nurse"], patient.id, "research")


def test_a_consent_entered_in_error_is_hidden_but_kept(clinic, sessions, patient):
    consent = consents.record(sessions["front_desk"], patient_id=patient.id, category="treatment")
    consents.retract(sessions["front_desk"], consent.id, reason="wrong patient")
    assert consents.for_patient(sessions["front_desk"], patient.id) == []
    assert stored(clinic, Consent, consent.id).status == ENTERED_IN_ERROR
