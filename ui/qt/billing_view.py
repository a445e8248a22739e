"""The billing screen for one patient: charges per visit, invoices, payments and the balance.
Posting a charge, invoicing and taking a payment go through :mod:`app.billing` (billing
permission, audited); amounts are exact decimals, typed as text, never floats."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox,
                               QTableView, QVBoxLayout, QWidget)

from app import billing, billing_fees, billing_visits, patients
from app import formatting as fmt
from app.billing import Balance
from app.billing_types import FeeEntry
from app.billing_visits import Visit
from app.model import Charge, Invoice, Payment
from app.session import Session
from ui.qt import admin_dialogs as ask
from ui.qt import ops, printing
from ui.qt.models import Column, RowsModel
from ui.qt.style import scaled_font


def money_text(amount: Decimal | None) -> str:
    return fmt.MISSING if amount is None else f"${amount:,.2f}"


@dataclass(frozen=True)
class Account:
    patient: str
    visits: list[Visit]
    charges: list[Charge]
    invoices: list[Invoice]
    payments: list[Payment]
    balance: Balance
    fees: list[FeeEntry]


def load_account(session: Session, patient_id: str) -> Account:
    return Account(patient=fmt.person_name(patients.get(session, patient_id).name),
                   visits=billing_visits.visits(session, patient_id),
                   charges=billing.charges(session, patient_id),
                   invoices=billing_visits.invoices(session, patient_id),
                   payments=billing.payments(session, patient_id),
                   balance=billing.balance(session, patient_id),
                   fees=billing_fees.fee_schedule(session))


def _visit_text(v: Visit) -> str:
    return f"{fmt.date_text(v.start)} {fmt.code_words(v.visit_type)}"


class ChargeDialog(QDialog):
    def __init__(self, account: Account, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Post a charge")
        form = QFormLayout(self)
        self.visit = QComboBox()
        for v in account.visits:
            self.visit.addItem(_visit_text(v), v.id)
        self.fee = QComboBox()
        for f in account.fees:
            self.fee.addItem(f"{f.code} {f.description} ({money_text(f.price)})", f.code)
        self.units = QSpinBox(minimum=1, maximum=99, value=1)
        self.diagnoses = QLineEdit(placeholderText="ICD-10-CM codes, e.g. I10, E11.9")
        form.addRow("&Visit", self.visit)
        form.addRow("&Service", self.fee)
        form.addRow("&Units", self.units)
        form.addRow("&Diagnoses", self.diagnoses)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict:
        codes = [c.strip() for c in self.diagnoses.text().replace(";", ",").split(",") if c.strip()]
        return {"encounter_id": self.visit.currentData() or "", "code": self.fee.currentData() or "",
                "units": self.units.value(), "diagnosis_codes": codes}


class PaymentDialog(QDialog):
    def __init__(self, account: Account, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Record a payment")
        form = QFormLayout(self)
        self.amount = QLineEdit(placeholderText="0.00")
        self.method = QComboBox()
        for m in billing.METHODS:
            self.method.addItem(m.capitalize(), m)
        self.invoice = QComboBox()
        self.invoice.addItem("Not against one invoice", None)
        for inv in account.invoices:
            self.invoice.addItem(f"{inv.number} ({money_text(inv.total)})", inv.id)
        self.reference = QLineEdit()
        form.addRow("&Amount ($)", self.amount)
        form.addRow("&Method", self.method)
        form.addRow("&Invoice", self.invoice)
        form.addRow("&Reference", self.reference)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict:
        return {"amount": self.amount.text().strip().lstrip("$").replace(",", ""),
                "method": self.method.currentData(), "invoice_id": self.invoice.currentData(),
                "reference": self.reference.text().strip() or None}


def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().hide()
    # columns as wide as what they hold (a service's name, an invoice number), the last one
    # taking what is left, rather than every column cut to the same width
    model.modelReset.connect(view.resizeColumnsToContents)
    return view


class BillingView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.patient_id: str | None = None
        self.account: Account | None = None
        self.title = QLabel("Open a patient's chart, then choose Billing.")
        self.title.setFont(scaled_font(self.font(), 1.3, bold=True))
        self.visit_names: dict[str, str] = {}
        self.charges = RowsModel([
            Column("Visit", lambda c: self.visit_names.get(c.encounter_id or "", fmt.MISSING)),
            Column("Date", lambda c: fmt.date_text(c.service_date), sort_key=lambda c: c.service_date),
            Column("Code", lambda c: c.code),
            Column("Service", lambda c: c.description),
            Column("Units", lambda c: str(c.units), align_right=True),
            Column("Amount", lambda c: money_text(c.amount), align_right=True),
            Column("Diagnoses", lambda c: ", ".join(c.diagnosis_codes)),
            Column("Status", lambda c: fmt.code_words(c.status)),
        ], row_id=lambda c: c.id)
        self.invoices = RowsModel([
            Column("Invoice", lambda i: i.number), Column("Issued", lambda i: fmt.date_text(i.issued)),
            Column("Total", lambda i: money_text(i.total), align_right=True),
            Column("Status", lambda i: fmt.code_words(i.status))], row_id=lambda i: i.id)
        self.payments = RowsModel([
            Column("Received", lambda p: fmt.datetime_text(p.received_at)),
            Column("Method", lambda p: fmt.code_words(p.method)),
            Column("Amount", lambda p: money_text(p.amount), align_right=True),
            Column("Reference", lambda p: fmt.text(p.reference))], row_id=lambda p: p.id)
        self.balance = QLabel()
        self.balance.setFont(scaled_font(self.font(), 1.15, bold=True))
        self.charge_button = QPushButton("&Post charge…")
        self.invoice_button = QPushButton("Make &invoice")
        self.payment_button = QPushButton("Record pa&yment…")
        self.print_button = QPushButton("Print invoice / superbill…")
        self.print_button.setToolTip("Print the selected invoice (or the newest), or save it as a PDF")
        self.print_button.clicked.connect(lambda: self.print_invoice())
        self.charge_button.clicked.connect(self.post_charge)
        self.invoice_button.clicked.connect(self.make_invoice)
        self.payment_button.clicked.connect(self.record_payment)
        buttons = QHBoxLayout()
        for b in (self.charge_button, self.invoice_button, self.payment_button, self.print_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.balance)
        grid = QGridLayout()
        for row, col, span, title, model in ((0, 0, 2, "Charges by visit", self.charges),
                                             (1, 0, 1, "Invoices", self.invoices),
                                             (1, 1, 1, "Payments and adjustments", self.payments)):
            box = QGroupBox(title)
            table = _table(model)
            QVBoxLayout(box).addWidget(table)
            if model is self.invoices:
                self.invoice_table = table
            if model is self.charges:
                self.charges_box = box
            grid.addWidget(box, row, col, 1, span)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(buttons)
        layout.addLayout(grid, 1)
        self._enable()

    def _enable(self) -> None:
        a = self.account
        self.charge_button.setEnabled(bool(a and a.visits and a.fees))
        self.invoice_button.setEnabled(bool(a and any(c.status == "billable" and not c.invoice_id
                                                      for c in a.charges)))
        self.payment_button.setEnabled(a is not None)
        self.print_button.setEnabled(bool(a and a.invoices))

    def show_patient(self, patient_id: str) -> None:
        self.patient_id = patient_id
        ops.run(self, lambda: load_account(self.session, patient_id), on_success=self._show)

    def reload(self) -> None:
        if self.patient_id:
            self.show_patient(self.patient_id)

    def _show(self, account: Account) -> None:
        self.account = account
        self.visit_names = {v.id: _visit_text(v) for v in account.visits}
        self.title.setText(f"Billing — {account.patient}")
        self.charges.set_rows(sorted(account.charges, key=lambda c: (c.service_date is None, c.service_date),
                                     reverse=True))
        self.charges_box.setTitle("Charges by visit" if account.charges else "Charges by visit (none yet)")
        self.invoices.set_rows(account.invoices)
        self.payments.set_rows(account.payments)
        b = account.balance
        self.balance.setText(f"Charged {money_text(b.charges)} · paid {money_text(b.payments)} · "
                             f"adjusted {money_text(b.adjustments)} · balance due {money_text(b.due)}")
        self._enable()

    def post_charge(self) -> None:
        form = ChargeDialog(self.account, self)
        if ask.run_dialog(form):
            values = form.values()
            ops.run(self, lambda: billing_fees.charge(self.session, **values), on_success=lambda _: self.reload())

    def make_invoice(self) -> None:
        pid = self.patient_id
        ops.run(self, lambda: billing.make_invoice(self.session, patient_id=pid),
                on_success=lambda inv: (ask.tell(self, f"Invoice {inv.number} for {money_text(inv.total)} "
                                                       "was made."), self.reload()))

    def record_payment(self) -> None:
        form = PaymentDialog(self.account, self)
        if ask.run_dialog(form):
            values, pid = form.values(), self.patient_id
            ops.run(self, lambda: billing.record_payment(self.session, patient_id=pid, **values),
                    on_success=lambda _: self.reload())

    def print_invoice(self) -> printing.PrintDialog | None:
        """Open the print dialog on the selected invoice (else the newest); None without one."""
        if not (self.account and self.account.invoices):
            return None
        index = self.invoice_table.currentIndex()
        invoice = self.invoices.row_at(index.row()) if index.isValid() else None
        invoice = invoice or self.account.invoices[0]
        return printing.open_dialog(self, self.session, self.patient_id, kind="invoice", ident=invoice.id,
                                    kinds=("invoice",))
