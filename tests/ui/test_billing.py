"""The billing screen: charges per visit, an invoice, a payment, and the balance, against a
real store (amounts exact to the cent)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app import billing, billing_fees, billing_visits, encounters
from ui.qt import admin_dialogs as ask
from ui.qt import ops
from ui.qt.billing_view import BillingView


def _settle(qtbot) -> None:
    qtbot.waitUntil(lambda: not ops.busy(), timeout=5000)
    qtbot.wait(10)


@pytest.fixture
def visit(sessions, charted):
    billing_fees.set_fee(sessions["billing"], code="OV-EST", description="Office visit, established",
                         price="95.00")
    billing_fees.set_fee(sessions["billing"], code="LAB-GLU", description="Glucose test", price="12.35")
    return encounters.start(sessions["physician"], patient_id=charted.id)


@pytest.fixture
def said(monkeypatch):
    state = {"edit": None, "told": []}

    def run_dialog(dialog):
        state.pop("edit")(dialog)
        state["edit"] = None
        return True
    monkeypatch.setattr(ask, "run_dialog", run_dialog)
    monkeypatch.setattr(ask, "tell", lambda parent, words: state["told"].append(words))
    return state


def test_charges_an_invoice_and_a_payment_leave_the_exact_balance(qtbot, sessions, charted, visit, said):
    clerk = sessions["billing"]
    view = BillingView(clerk)
    qtbot.addWidget(view)
    view.show()
    view.show_patient(charted.id)
    _settle(qtbot)
    assert view.title.text() == "Billing — Maria Lopez"
    assert not view.invoice_button.isEnabled()

    def office(form):
        form.fee.setCurrentIndex(form.fee.findData("OV-EST"))
        form.diagnoses.setText("I10")
    said["edit"] = office
    view.post_charge()
    _settle(qtbot)

    def glucose(form):
        form.fee.setCurrentIndex(form.fee.findData("LAB-GLU"))
        form.units.setValue(2)
        form.diagnoses.setText("I10, E11.9")
    said["edit"] = glucose
    view.post_charge()
    _settle(qtbot)
    assert sorted(view.charges.index(r, 5).data() for r in range(2)) == ["$24.70", "$95.00"]
    assert view.charges.index(0, 0).data().endswith("Office visit")
    view.make_invoice()
    _settle(qtbot)
    [invoice] = billing_visits.invoices(clerk, charted.id)
    assert invoice.total == Decimal("119.70")
    assert said["told"] == [f"Invoice {invoice.number} for $119.70 was made."]

    def pay(form):
        form.amount.setText("50.05")
        form.method.setCurrentIndex(form.method.findData("card"))
        form.invoice.setCurrentIndex(form.invoice.findData(invoice.id))
    said["edit"] = pay
    view.record_payment()
    _settle(qtbot)
    assert billing.balance(clerk, charted.id).due == Decimal("69.65")
    assert view.balance.text().endswith("balance due $69.65")
    assert {view.charges.index(r, 7).data() for r in range(2)} == {"Billed"}


def test_a_bad_amount_is_refused_with_the_field_named_and_nothing_is_stored(
        qtbot, sessions, charted, visit, said, shown_errors):
    view = BillingView(sessions["billing"])
    qtbot.addWidget(view)
    view.show_patient(charted.id)
    _settle(qtbot)
    said["edit"] = lambda form: form.amount.setText("12.345")
    view.record_payment()
    _settle(qtbot)
    assert shown_errors and "amount" in shown_errors[-1] and "decimal places" in shown_errors[-1]
    assert billing.payments(sessions["billing"], charted.id) == []
