"""The clinic dashboard: visits, no-shows and money for a period, and the quality measures
computed from the chart, with a drill-down from a measure to its patients.

Everything is computed by :func:`app.dashboard.dashboard` in the background; the screen
only shows it. What a role sees is what the service gives it: money needs the billing
permission and the measures chart access (the service leaves them out otherwise, and
refuses the drill-down). The exports write the same figures the screen shows.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDateEdit, QFileDialog, QGridLayout, QGroupBox, QHBoxLayout,
                               QLabel, QPushButton, QSplitter, QTableView, QTabWidget, QVBoxLayout,
                               QWidget)

from app import formatting as fmt
from app.dashboard import Measure
from app.permissions import Permission
from app.printing.dashboard_report import dashboard_csv, dashboard_pdf
from app.session import Session
from ui.qt import dashboard_data as data
from ui.qt import errors, ops
from ui.qt.billing_view import money_text
from ui.qt.dashboard_drill import MeasurePatients
from ui.qt.dashboard_parts import Tile, VisitsChart
from ui.qt.models import Column, RowsModel, sorted_proxy
from ui.qt.style import scaled_font, set_quiet

PERIODS = ("This week", "This month", "Custom dates")
TILES = (("visits", "Visits"), ("new", "New patients"), ("noshow", "No-show rate"),
         ("charged", "Charged"), ("paid", "Paid"), ("outstanding", "Outstanding balance (all time)"))
MONEY_TILES = ("charged", "paid", "outstanding")
ALL_PROVIDERS, ALL_LOCATIONS = "All providers", "All locations"
WHOLE_CLINIC = "whole clinic"
MEASURES_HINT = "double-click or press Enter for the patients"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _table(model, *, sortable: bool = True) -> QTableView:
    view = QTableView()
    view.setModel(sorted_proxy(model, view) if sortable else model)
    view.setSortingEnabled(sortable)
    if sortable:
        view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().hide()
    return view


def _count_columns(first: str, text, sort_key=None) -> list[Column]:
    return [Column(first, text, sort_key=sort_key),
            Column("Visits", lambda row: str(row[1]), sort_key=lambda row: row[1], align_right=True)]


def may_see_dashboard(session: Session) -> bool:
    """Whether the dashboard service lets this user in (it checks again)."""
    return session.can(Permission.PATIENT_READ)


class DashboardView(QWidget):
    """Emits ``open_patient(id)`` when a patient is opened from a measure's list."""
    open_patient = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.board: data.Board | None = None
        self.drills: list[MeasurePatients] = []
        self._asked = 0
        title = QLabel("Clinic dashboard")
        title.setFont(scaled_font(self.font(), 1.3, bold=True))
        self.period = QComboBox()
        self.period.addItems(PERIODS)
        self.start_edit, self.end_edit = QDateEdit(calendarPopup=True), QDateEdit(calendarPopup=True)
        for edit in (self.start_edit, self.end_edit):
            edit.setDisplayFormat("d MMM yyyy")
        # whose visits and appointments (money and measures stay the whole clinic's)
        self.provider = QComboBox()
        self.provider.addItem(ALL_PROVIDERS, None)
        self.location = QComboBox()
        self.location.addItem(ALL_LOCATIONS, None)
        for combo in (self.provider, self.location):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(lambda _: self.refresh())
        self.show_button = QPushButton("S&how")
        self.show_button.clicked.connect(self.refresh)
        self.period.currentIndexChanged.connect(self._period_chosen)
        self.status = QLabel()
        set_quiet(self.status)
        self.pdf_button = QPushButton("Export &PDF…")
        self.csv_button = QPushButton("Export &CSV…")
        self.pdf_button.clicked.connect(self.export_pdf)
        self.csv_button.clicked.connect(self.export_csv)
        self.pdf_button.setVisible(session.can(Permission.PRINT))  # the service checks again
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(QLabel("&Period:", buddy=self.period))
        top.addWidget(self.period)
        top.addWidget(QLabel("from"))
        top.addWidget(self.start_edit)
        top.addWidget(QLabel("to"))
        top.addWidget(self.end_edit)
        top.addWidget(self.show_button)
        top.addStretch(1)
        top.addWidget(self.pdf_button)
        top.addWidget(self.csv_button)
        scope = QHBoxLayout()
        scope.addWidget(QLabel("Pro&vider:", buddy=self.provider))
        scope.addWidget(self.provider)
        scope.addSpacing(12)
        scope.addWidget(QLabel("&Location:", buddy=self.location))
        scope.addWidget(self.location)
        scope.addSpacing(12)
        hint = QLabel("These narrow the visits and appointments; money and quality measures are "
                      "always the whole clinic's.")
        set_quiet(hint)
        scope.addWidget(hint)
        scope.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(scope)
        layout.addWidget(self.status)
        layout.addLayout(self._build_tiles())
        layout.addWidget(self._build_body(), 1)
        self._period_chosen(0)

    # -- building -----------------------------------------------------------
    def _build_tiles(self) -> QGridLayout:
        self.tiles = {key: Tile(caption) for key, caption in TILES}
        grid = QGridLayout()
        for n, (key, _) in enumerate(TILES):
            grid.addWidget(self.tiles[key], 0, n)
        money = self.session.can(Permission.BILLING_READ)
        for key in MONEY_TILES:
            self.tiles[key].setVisible(money)
        return grid

    def _build_body(self) -> QSplitter:
        self.chart = VisitsChart()
        self.by_day = RowsModel(_count_columns("Day", lambda r: fmt.date_text(r[0]), lambda r: r[0]))
        self.by_week = RowsModel(_count_columns("Week of", lambda r: fmt.date_text(r[0]), lambda r: r[0]))
        self.by_provider = RowsModel(_count_columns("Provider", lambda r: r[0]))
        self.by_location = RowsModel(_count_columns("Location", lambda r: r[0]))
        self.visit_tabs = QTabWidget()
        self.visit_tabs.setUsesScrollButtons(False)  # every tab's title stays readable
        for name, model in (("By day", self.by_day), ("By week", self.by_week),
                            ("By provider", self.by_provider), ("By location", self.by_location)):
            self.visit_tabs.addTab(_table(model), name)
        upper = QSplitter()
        upper.addWidget(self.chart)
        upper.addWidget(self.visit_tabs)
        upper.setStretchFactor(0, 3)
        upper.setStretchFactor(1, 2)
        self.measures = RowsModel([
            Column("Measure", lambda m: m.title + (" (lower is better)" if m.lower_is_better else "")),
            Column("Patients counted", lambda m: str(m.numerator), sort_key=lambda m: m.numerator,
                   align_right=True),
            Column("Eligible patients", lambda m: str(m.denominator), sort_key=lambda m: m.denominator,
                   align_right=True),
            Column("Rate", lambda m: f"{m.rate} %", sort_key=lambda m: m.rate, align_right=True),
        ], row_id=lambda m: m.key)
        self.measures_box = QGroupBox(f"Quality measures — {MEASURES_HINT}")
        box = QVBoxLayout(self.measures_box)
        if self.session.can(Permission.CHART_READ):
            self.measures_table = _table(self.measures, sortable=False)
            self.measures_table.activated.connect(self._drill_index)
            header = self.measures_table.horizontalHeader()
            header.setStretchLastSection(False)
            header.setSectionResizeMode(0, header.ResizeMode.Stretch)
            rows = len(data.service.MEASURES) + 1  # every measure and the header, no scrolling
            self.measures_table.setMinimumHeight(
                self.measures_table.verticalHeader().defaultSectionSize() * rows + 4)
            box.addWidget(self.measures_table)
        else:
            self.measures_box.setTitle("Quality measures")
            note = QLabel("The quality measures are computed from the chart; your role does not "
                          "have access to clinical records.")
            note.setWordWrap(True)
            set_quiet(note)
            box.addWidget(note)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(upper)
        splitter.addWidget(self.measures_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        return splitter

    # -- the period ---------------------------------------------------------
    def _period_chosen(self, index: int) -> None:
        custom = PERIODS[index] == "Custom dates"
        for edit in (self.start_edit, self.end_edit):
            edit.setEnabled(custom)
        self.show_button.setEnabled(custom)
        if not custom:
            today = self.session.clock().astimezone().date()
            start, end = (data.this_week if index == 0 else data.this_month)(today)
            self.set_period(start, end, refresh=True)

    def set_period(self, start: date, end: date, *, refresh: bool = True) -> None:
        """Show the clinic days [start, end) (the "to" box shows the last day, end - 1)."""
        self.start_edit.setDate(_qdate(start))
        self.end_edit.setDate(_qdate(end - timedelta(days=1)))
        if refresh:
            self.refresh()

    def chosen_period(self) -> tuple[date, date]:
        start, last = self.start_edit.date().toPython(), self.end_edit.date().toPython()
        return start, last + timedelta(days=1)

    # -- loading ------------------------------------------------------------
    def refresh(self) -> None:
        """Compute the dashboard for the chosen period in the background."""
        self._asked += 1
        asked, (start, end) = self._asked, self.chosen_period()
        self.status.setText("Computing the dashboard…")
        for button in (self.pdf_button, self.csv_button):
            button.setEnabled(False)
        who, where = self.provider.currentData(), self.location.currentData()
        ops.run(self, lambda: data.load(self.session, start, end, practitioner_id=who, location_id=where),
                on_success=lambda board: self._show(asked, board), on_failure=self._failed)

    def _failed(self, exc: Exception) -> None:
        self.status.setText("The dashboard could not be computed.")
        errors.show_error(self, exc)

    def _show(self, asked: int, board: data.Board) -> None:
        if asked != self._asked:
            return  # a newer period was asked for meanwhile
        self.board, f = board, board.figures
        self._offer_scopes(board)
        self.tiles["visits"].set_value(str(f.visits))
        self.tiles["new"].set_value(str(f.new_patients))
        self.tiles["noshow"].set_value(f"{f.no_show_rate} %")
        money = f.money
        for key in MONEY_TILES:
            self.tiles[key].setVisible(money is not None)
            if money is not None:
                self.tiles[key].set_value(money_text(getattr(money, key)))
                caption = dict(TILES)[key]
                self.tiles[key].caption.setText(f"{caption} · {WHOLE_CLINIC}" if f.filtered else caption)
        self.by_day.set_rows(list(f.visits_by_day.items()))
        self.by_week.set_rows(list(f.visits_by_week.items()))
        self.by_provider.set_rows(sorted(((board.provider(k), n) for k, n in f.visits_by_provider.items()),
                                         key=lambda r: -r[1]))
        self.by_location.set_rows(sorted(((board.location(k), n) for k, n in f.visits_by_location.items()),
                                         key=lambda r: -r[1]))
        self.measures.set_rows(list(f.measures.values()))
        if hasattr(self, "measures_table"):
            for column in range(1, self.measures.columnCount()):
                self.measures_table.resizeColumnToContents(column)
        self.chart.show_board(f)
        if self.session.can(Permission.CHART_READ):
            whose = f" ({WHOLE_CLINIC})" if f.filtered else ""
            self.measures_box.setTitle(f"Quality measures{whose} — {MEASURES_HINT}")
        as_of = f"; measures as of {fmt.date_text(self.as_of())}" if f.measures else ""
        scope = board.scope()
        scope = f" · visits and appointments of {scope}" if scope else ""
        self.status.setText(f"{fmt.date_text(f.start)} to {fmt.date_text(f.end - timedelta(days=1))}"
                            f"{scope}{as_of}.")
        for button in (self.pdf_button, self.csv_button):
            button.setEnabled(True)

    def _offer_scopes(self, board: data.Board) -> None:
        """Fill the provider and location pickers from the directory the first time it is read
        (the current choice stays; no reload while filling)."""
        for combo, names in ((self.provider, board.providers), (self.location, board.locations)):
            if combo.count() > 1:
                continue
            combo.blockSignals(True)
            for key, name in sorted(((k, n) for k, n in names.items() if k), key=lambda kv: kv[1].casefold()):
                combo.addItem(name, key)
            combo.blockSignals(False)
            combo.setEnabled(combo.count() > 1)

    def as_of(self) -> date:
        """The day the shown measures are computed for (the last day, or today if earlier)."""
        return self.board.as_of if self.board else self.session.clock().astimezone().date()

    # -- drill-down ---------------------------------------------------------
    def _drill_index(self, index: QModelIndex) -> None:
        measure = self.measures.row_at(index.row()) if index.isValid() else None
        if measure is not None:
            self.drill(measure)

    def drill(self, measure: Measure) -> MeasurePatients:
        """Open the list of patients behind ``measure`` (non-modal, so several can be open)."""
        dialog = MeasurePatients(self.session, measure, self.as_of(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_patient.connect(self.open_patient)
        dialog.finished.connect(lambda _: self.drills.remove(dialog) if dialog in self.drills else None)
        self.drills.append(dialog)
        dialog.show()
        return dialog

    # -- exports ------------------------------------------------------------
    def _save_path(self, title: str, kind: str, suffix: str) -> str | None:
        f = self.board.figures
        suggested = f"dashboard-{f.start.isoformat()}-to-{(f.end - timedelta(days=1)).isoformat()}.{suffix}"
        path, _ = QFileDialog.getSaveFileName(self, title, suggested, f"{kind} (*.{suffix})")
        return path or None

    def export_pdf(self) -> None:
        """Print the shown period's dashboard to a PDF file (written in the background)."""
        if self.board is None or not (path := self._save_path("Export the dashboard as PDF", "PDF files", "pdf")):
            return
        f, session, as_of = self.board.figures, self.session, self.board.as_of
        self._write(path, lambda: dashboard_pdf(session, start=f.start, end=f.end, as_of=as_of,
                                                practitioner_id=f.practitioner_id, location_id=f.location_id))

    def export_csv(self) -> None:
        """Write the figures on screen to a CSV file for a spreadsheet (in the background)."""
        if self.board is None or not (path := self._save_path("Export the dashboard as CSV", "CSV files", "csv")):
            return
        figures, scope = self.board.figures, self.board.scope()
        self._write(path, lambda: dashboard_csv(figures, scope).encode("utf-8"))

    def _write(self, path: str, make) -> None:
        self.status.setText("Writing the file…")

        def work() -> str:
            Path(path).write_bytes(make())
            return path
        ops.run(self, work, on_success=lambda p: self.status.setText(f"Saved to {p}."),
                on_failure=self._write_failed, label="Writing the dashboard…")

    def _write_failed(self, exc: Exception) -> None:
        self.status.setText("The file was not saved.")
        if isinstance(exc, OSError):
            errors.present(self, errors.TITLE, f"The file could not be written: {exc.strerror or exc}.")
        else:
            errors.show_error(self, exc)
