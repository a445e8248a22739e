"""Balances are exact: charges − payments − adjustments, in Decimal cents, whatever the amounts."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import billing
from app.model import Charge, Payment, utcnow
from tests.integration._clinical import register, staff, visit

cents = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("99999.99"), places=2)
positive_cents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
charge_lines = st.lists(st.tuples(cents, st.integers(min_value=1, max_value=12)), max_size=6)
amounts = st.lists(positive_cents, max_size=5)


def _expected(lines, paid, adjusted) -> Decimal:
    return (sum((price * units for price, units in lines), Decimal("0"))
            - sum(paid, Decimal("0")) - sum(adjusted, Decimal("0")))


@settings(max_examples=200)
@given(lines=charge_lines, paid=amounts, adjusted=amounts)
def test_summarize_is_exact_for_any_charges_and_payments(lines, paid, adjusted):
    charges = [Charge(patient_id="p", code="99213", description="visit", unit_price=price, units=units)
               for price, units in lines]
    payments = ([Payment(patient_id="p", amount=a, received_at=utcnow(), method="card") for a in paid]
                + [Payment(patient_id="p", amount=a, received_at=utcnow(), method="adjustment") for a in adjusted])
    balance = billing.summarize(charges, payments)
    assert balance.due == _expected(lines, paid, adjusted)
    assert isinstance(balance.due, Decimal)


@pytest.fixture
def roles(clinic):
    return staff(clinic)


# One store for the whole property (creating a store costs a fraction of a second); each
# example works on a new patient, so examples cannot see each other's money.
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=charge_lines, paid=amounts, adjusted=amounts)
def test_a_stored_patients_balance_is_charges_minus_payments_minus_adjustments(roles, lines, paid, adjusted):
    clerk = roles["billing"]
    patient = register(roles["physician"])
    encounter = visit(roles["physician"], patient)
    for price, units in lines:
        billing.post_charge(clerk, encounter_id=encounter.id, code="99213", description="visit",
                            unit_price=str(price), units=units, diagnosis_codes=["I10"])
    if lines and paid:
        billing.make_invoice(clerk, patient_id=patient.id)  # billed charges still count
    for amount in paid:
        billing.record_payment(clerk, patient_id=patient.id, amount=amount, method="card")
    for amount in adjusted:
        billing.record_payment(clerk, patient_id=patient.id, amount=amount, method="adjustment")
    balance = billing.balance(clerk, patient.id)
    assert balance.due == _expected(lines, paid, adjusted)
    assert balance.charges == sum((price * units for price, units in lines), Decimal("0"))
