"""The Labs and orders tab: order a test, file its result, see results flagged and trended.

Top: the patient's lab orders (open ones first) beside the forms to order a LOINC test and
to file the result of the selected open order. Bottom: every lab result, values outside
the reference range flagged in bold red *and* in words ("H High"), and a trend chart of
the selected test across time. Everything loads and saves off the UI thread.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDateTimeEdit, QFormLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QSplitter,
                               QTableView, QVBoxLayout, QWidget)

from app import formatting as fmt
from app import orders, records, terminology
from app.errors import ConfirmationRequired, ValidationError
from app.model import Observation, ServiceRequest
from app.permissions import Permission
from app.session import Session
from ui.qt import errors, ops, registration
from ui.qt.chart_events import ChartEvents
from ui.qt.chart_picker import CodePicker
from ui.qt.models import Column, RowsModel
from ui.qt.style import alert_style, set_quiet
from ui.qt.chart_retract import RetractBar, focus_chain
from ui.qt.lab_trend import LabTrendChart

RESULTS_LIMIT = 1000
ORDERS_LIMIT = 200
MEASURED_ROWS = 150
TREND_LIMIT = 200  # points drawn, as app.observations.trend returns
ORDER_STATUS = {"active": "Waiting for result", "completed": "Resulted", "revoked": "Cancelled",
                "draft": "Draft"}


@dataclass(frozen=True)
class LabsData:
    """What the tab shows: orders (open first, then newest) and lab results (newest first)."""
    orders: list[ServiceRequest]
    results: list[Observation]


def load_labs(session: Session, patient_id: str) -> LabsData:
    """The patient's open lab orders, the newest ``ORDERS_LIMIT`` others, and the newest
    ``RESULTS_LIMIT`` results (PermissionDenied without chart access).

    A long chart holds thousands of finished orders; decoding them all would keep the
    background thread (and through the GIL, the window) busy for no one's benefit.
    """
    waiting = records.list_for(session, ServiceRequest, patient_id, Permission.CHART_READ, status="active")
    recent = records.list_for(session, ServiceRequest, patient_id, Permission.CHART_READ, limit=ORDERS_LIMIT)
    newest = lambda o: o.authored_on or o.created_at  # noqa: E731
    done = [o for o in recent if o.status != "active"]
    placed = sorted(waiting, key=newest, reverse=True) + sorted(done, key=newest, reverse=True)
    results = records.list_for(session, Observation, patient_id, Permission.CHART_READ,
                               limit=RESULTS_LIMIT, category="laboratory")
    results.sort(key=lambda o: o.effective, reverse=True)
    return LabsData(placed, results)


def flag_text(obs: Observation) -> str:
    """"H High", "LL Critically low", "" when the value is within range."""
    code = fmt.flag_text(obs.interpretation)
    return f"{code} {fmt.flag_words(obs.interpretation)}" if code else ""


def order_columns() -> list[Column[ServiceRequest]]:
    return [Column("Test", lambda o: fmt.coding_text(o.code, with_code=False)),
            Column("Ordered", lambda o: fmt.datetime_text(o.authored_on),
                   sort_key=lambda o: (o.authored_on or o.created_at).isoformat()),
            Column("Priority", lambda o: fmt.code_words(o.priority), flagged=True),
            Column("Status", lambda o: ORDER_STATUS.get(o.status, fmt.code_words(o.status)))]


def result_columns() -> list[Column[Observation]]:
    return [Column("Collected", lambda o: fmt.datetime_text(o.effective), sort_key=lambda o: o.effective.isoformat()),
            Column("Test", lambda o: fmt.coding_text(o.code, with_code=False)),
            Column("Result", lambda o: fmt.number_text(o.value) if o.value is not None else fmt.text(o.value_text),
                   flagged=True, align_right=True),
            Column("Unit", lambda o: fmt.unit_text(o.unit)),
            Column("Reference range", lambda o: fmt.range_text(o.ref_low, o.ref_high)),
            Column("Flag", flag_text, flagged=True)]


def _table(model: RowsModel, name: str) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName(name)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    return table


def _may(session: Session, permission: Permission) -> bool:
    return session.can(permission) or session.in_emergency


class LabsTab(QWidget):
    """Orders and their forms above; results and the trend chart below."""

    def __init__(self, session: Session, patient_id: str, events: ChartEvents,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.patient_id, self.events = session, patient_id, events
        self.loaded = False
        self.trend_code: str | None = None
        self.orders_model = RowsModel(order_columns(), row_id=lambda o: o.id,
                                      abnormal=lambda o: o.priority in ("urgent", "stat"), parent=self)
        self.results_model = RowsModel(result_columns(), row_id=lambda o: o.id,
                                       abnormal=lambda o: fmt.is_abnormal(o.interpretation), parent=self)
        self.orders_table = _table(self.orders_model, "Lab orders")
        self.results_table = _table(self.results_model, "Lab results")
        self.status = QLabel("Loading the lab orders and results…")
        self.chart = LabTrendChart()
        self.cancel_bar = RetractBar(self.orders_table, lambda order_id, reason: orders.cancel(
            self.session, order_id, reason=reason), what="order", prompt="Cancel an open order?",
            button_text="Ca&ncel order", hint="Why the order is cancelled", allowed=self._is_open)
        self.cancel_bar.retracted.connect(lambda _: self.events.changed.emit(ServiceRequest.RESOURCE_TYPE))
        self.cancel_bar.setEnabled(_may(session, Permission.ORDER_WRITE))
        self.chart.setMinimumHeight(self.fontMetrics().height() * 12)
        self._build()
        self.orders_table.selectionModel().selectionChanged.connect(lambda *_: self._order_selected())
        self.results_table.selectionModel().selectionChanged.connect(lambda *_: self._result_selected())
        events.changed.connect(self._changed)
        self.reload()

    # -- layout --------------------------------------------------------------
    def _build(self) -> None:
        forms = QWidget()
        side = QVBoxLayout(forms)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self._order_form())
        side.addWidget(self._result_form())
        side.addStretch(1)
        forms.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 34)
        orders_pane = QWidget()
        left = QVBoxLayout(orders_pane)
        left.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self.status)
        left.addWidget(self.orders_table, 1)
        left.addWidget(self.cancel_bar)
        self.trend_title = QLabel("Select a result to see its trend.")
        set_quiet(self.trend_title)
        trend = QWidget()
        lower = QVBoxLayout(trend)
        lower.setContentsMargins(0, 0, 0, 0)
        lower.addWidget(self.trend_title)
        lower.addWidget(self.chart, 1)
        # Orders, results and the trend one above the other, full width, so the results' flags
        # and the dates along the trend show without scrolling sideways; the forms on the right.
        lists = QSplitter(Qt.Orientation.Vertical)
        for pane, stretch in ((orders_pane, 2), (self.results_table, 3), (trend, 3)):
            lists.addWidget(pane)
            lists.setStretchFactor(lists.count() - 1, stretch)
        layout = QHBoxLayout(self)
        layout.addWidget(lists, 3)
        layout.addWidget(forms, 2, Qt.AlignmentFlag.AlignTop)
        focus_chain(self.orders_table, self.cancel_bar.reason, self.cancel_bar.button, self.picker.box,
                    self.picker.results, self.priority, self.order_note, self.order_button, self.value,
                    self.collected, self.performer, self.result_button, self.results_table)

    def _order_form(self) -> QGroupBox:
        box = QGroupBox("Order a lab test")
        form = QFormLayout(box)
        self.picker = CodePicker("loinc", "Test (LOINC): name or code")
        self.priority = QComboBox()
        for value in orders.PRIORITIES:
            self.priority.addItem(fmt.code_words(value), value)
        self.priority.setAccessibleName("Priority")
        self.order_note = QLineEdit()
        self.order_note.setAccessibleName("Note to the lab")
        self.order_button = QPushButton("&Place order")
        self.order_button.clicked.connect(lambda: self.place_order())
        self.order_message = QLabel()
        self.order_message.setWordWrap(True)
        form.addRow("&Test", self.picker)
        form.addRow("P&riority", self.priority)
        form.addRow("Note to the &lab", self.order_note)
        form.addRow(self.order_message)
        form.addRow(self.order_button)
        if not _may(self.session, Permission.ORDER_WRITE):
            self._refuse(box, form, "Your role may not place orders.")
        return box

    def _result_form(self) -> QGroupBox:
        box = QGroupBox("File a result")
        form = QFormLayout(box)
        self.result_for = QLabel("Select an order waiting for its result.")
        self.result_for.setWordWrap(True)
        set_quiet(self.result_for)
        self.value = QLineEdit()
        self.value.setAccessibleName("Result value")
        self.unit = QLabel(fmt.MISSING)
        value = QHBoxLayout()
        value.addWidget(self.value, 1)
        value.addWidget(self.unit)
        self.reference = QLabel(fmt.MISSING)
        self.collected = QDateTimeEdit(QDateTime.currentDateTime(), calendarPopup=True,
                                       displayFormat="yyyy-MM-dd HH:mm")
        self.collected.setMaximumDateTime(QDateTime.currentDateTime().addSecs(60))
        self.performer = QLineEdit(placeholderText="e.g. the lab that ran the test")
        self.performer.setAccessibleName("Performed by")
        self.result_button = QPushButton("&File result")
        self.result_button.clicked.connect(lambda: self.file_result())
        self.result_message = QLabel()
        self.result_message.setWordWrap(True)
        form.addRow(self.result_for)
        form.addRow(QLabel("&Value", buddy=self.value), value)
        form.addRow("Reference range", self.reference)
        form.addRow("&Collected", self.collected)
        form.addRow("Performed &by", self.performer)
        form.addRow(self.result_message)
        form.addRow(self.result_button)
        self.may_file = _may(self.session, Permission.RESULT_WRITE)
        if not self.may_file:
            self._refuse(box, form, "Your role may not file results.")
        self._order_selected()
        return box

    def _refuse(self, box: QGroupBox, form: QFormLayout, text: str) -> None:
        for child in box.findChildren(QWidget):
            child.setEnabled(False)
        note = QLabel(text)
        note.setWordWrap(True)
        set_quiet(note)
        form.insertRow(0, note)

    # -- loading -------------------------------------------------------------
    def _changed(self, record_type: str) -> None:
        if record_type in ("ServiceRequest", "DiagnosticReport", "Observation"):
            self.reload()

    def reload(self) -> None:
        ops.run(self, lambda: load_labs(self.session, self.patient_id), on_success=self._show,
                on_failure=self._load_failed)

    def _show(self, data: LabsData) -> None:
        self.orders_model.set_rows(data.orders)
        self.results_model.set_rows(data.results)
        for table, rows in ((self.orders_table, data.orders), (self.results_table, data.results)):
            if len(rows) <= MEASURED_ROWS:  # measuring more rows would stall the UI thread
                table.resizeColumnsToContents()
        # Long LOINC names are cut short (the full name is the cell's tooltip) so the flags show.
        widest = self.fontMetrics().horizontalAdvance("M") * 22
        if self.results_table.columnWidth(1) > widest:
            self.results_table.setColumnWidth(1, widest)
        waiting = sum(o.status == "active" for o in data.orders)
        flagged = sum(fmt.is_abnormal(o.interpretation) for o in data.results)
        newest = " (the newest)" if len(data.results) >= RESULTS_LIMIT else ""
        self.status.setText(f"{fmt.count_text(len(data.orders), 'order')} ({waiting} waiting for a result); "
                            f"{fmt.count_text(len(data.results), 'result')}{newest}, "
                            f"{flagged} outside the reference range.")
        self._order_selected()
        codes = [o.code.code for o in data.results]
        if self.trend_code is None and codes:
            self.show_trend(codes[0])
        elif self.trend_code is not None:
            self.show_trend(self.trend_code)
        self.loaded = True

    def _load_failed(self, exc: Exception) -> None:
        self.status.setText("The lab orders and results could not be loaded.")
        self.loaded = True
        errors.show_error(self, exc)

    # -- ordering ------------------------------------------------------------
    def place_order(self) -> None:
        concept = self.picker.chosen()
        if concept is None:
            self._say(self.order_message, "Not ordered. Test: choose one from the list.")
            return
        priority, note = self.priority.currentData(), self.order_note.text().strip() or None
        self.order_button.setEnabled(False)
        ops.run(self, lambda: orders.place_lab_order(self.session, patient_id=self.patient_id,
                                                     code=concept.code, priority=priority, note=note),
                on_success=self._ordered, on_failure=self._order_failed)

    def _ordered(self, order: ServiceRequest) -> None:
        self.order_button.setEnabled(True)
        self.order_message.setStyleSheet("")
        self.order_message.setText(f"Ordered: {fmt.coding_text(order.code, with_code=False)}.")
        self.picker.clear()
        self.order_note.clear()
        self.events.changed.emit(ServiceRequest.RESOURCE_TYPE)

    def _order_failed(self, exc: Exception) -> None:
        self.order_button.setEnabled(True)
        self._failed(self.order_message, "Not ordered.", exc)

    # -- filing a result -----------------------------------------------------
    def selected_order(self) -> ServiceRequest | None:
        rows = self.orders_table.selectionModel().selectedRows()
        return self.orders_model.row_at(rows[0].row()) if rows else None

    def _is_open(self, order_id: str) -> bool:
        return any(o.id == order_id and o.status == "active" for o in self.orders_model.rows())

    def _order_selected(self) -> None:
        order = self.selected_order()
        test = terminology.loinc_test(order.code.code) if order is not None else None
        open_order = order is not None and order.status == "active"
        if order is None:
            self.result_for.setText("Select an order waiting for its result.")
        elif not open_order:
            self.result_for.setText(f"{fmt.coding_text(order.code, with_code=False)} is "
                                    f"{ORDER_STATUS.get(order.status, order.status).lower()}; "
                                    "select an order waiting for its result.")
        else:
            self.result_for.setText(f"Result for: {fmt.coding_text(order.code, with_code=False)}")
        self.unit.setText(fmt.unit_text(test.unit) if test and open_order else fmt.MISSING)
        self.reference.setText(fmt.range_text(test.ref_low, test.ref_high, test.unit)
                               if test and open_order else fmt.MISSING)
        ready = open_order and self.may_file
        for widget in (self.value, self.collected, self.performer, self.result_button):
            widget.setEnabled(ready)

    def file_result(self, *, confirm: bool = False) -> None:
        order = self.selected_order()
        if order is None or order.status != "active":
            self._say(self.result_message, "Not filed. Select an order waiting for its result.")
            return
        value = self.value.text().strip()
        if not value:
            self._say(self.result_message, "Not filed. Value: type the result.")
            return
        when = _aware(self.collected.dateTime())
        performer = self.performer.text().strip() or None
        result = orders.ResultValue(order.code.code, value)
        self.result_button.setEnabled(False)
        ops.run(self, lambda: orders.file_results(self.session, order.id, results=[result], effective=when,
                                                  performer=performer, confirm=confirm),
                on_success=self._filed, on_failure=self._file_failed)

    def _filed(self, report) -> None:
        self.result_button.setEnabled(True)
        self.result_message.setStyleSheet("")
        self.result_message.setText("Result filed; the order is complete.")
        self.value.clear()
        self.trend_code = report.code.code
        self.events.changed.emit("DiagnosticReport")

    def _file_failed(self, exc: Exception) -> None:
        self.result_button.setEnabled(True)
        if isinstance(exc, ConfirmationRequired):
            text = "\n".join(errors.sentence(w) for w in exc.warnings.values())
            if registration.confirm(self, "Please check", text):
                self.file_result(confirm=True)
            else:
                self._say(self.result_message, "Not filed.")
            return
        self._failed(self.result_message, "Not filed.", exc)

    # -- shared --------------------------------------------------------------
    def _failed(self, label: QLabel, prefix: str, exc: Exception) -> None:
        if isinstance(exc, ValidationError):
            self._say(label, prefix + " " + " ".join(errors.sentence(f"{f}: {w}") for f, w in exc.problems.items()))
        else:
            self._say(label, prefix)
            errors.show_error(self, exc)

    @staticmethod
    def _say(label: QLabel, text: str) -> None:
        label.setStyleSheet(alert_style())
        label.setText(text)

    # -- trend ---------------------------------------------------------------
    def _result_selected(self) -> None:
        rows = self.results_table.selectionModel().selectedRows()
        obs = self.results_model.row_at(rows[0].row()) if rows else None
        if obs is not None:
            self.show_trend(obs.code.code)

    def show_trend(self, code: str) -> None:
        """Draw the loaded values of one test across time, oldest first.

        Drawn from the results already loaded (not a second read on the background
        thread): a read decoding records while the table paints would hold the UI thread up.
        """
        self.trend_code = code
        test = terminology.loinc_test(code)
        name = test.display if test else code
        title = f"{name} ({fmt.unit_text(test.unit)})" if test else name
        low, high = (test.ref_low, test.ref_high) if test else (None, None)
        rows = sorted((o for o in self.results_model.rows() if o.code.code == code), key=lambda o: o.effective)
        self._trend(code, title, name, rows[-TREND_LIMIT:], low, high)

    def _trend(self, code: str, title: str, name: str, rows: list[Observation], low, high) -> None:
        if code != self.trend_code:
            return  # another test was selected meanwhile
        shown = f"reference range {fmt.range_text(low, high)} dashed" if low is not None or high is not None else ""
        self.trend_title.setText(f"Trend of the selected test: {fmt.count_text(len(rows), 'value')}"
                                 + (f"; {shown}." if shown else "."))
        self.chart.show_lab(title, name, rows, low, high)


def _aware(when: QDateTime) -> datetime:
    """A QDateTimeEdit's local time as an aware datetime (the services refuse naive times)."""
    return when.toPython().astimezone()
