"""The Vitals tab: the entry form, a flowsheet (one row per time taken) and trend charts.

The flowsheet shows the newest ``FLOWSHEET_LIMIT`` vital-sign values, pivoted off the UI
thread; the trend chart reads one series through ``app.observations.trend``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, QMargins, QPointF, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QSplitter, QTableView, QVBoxLayout, QWidget)

from app import formatting as fmt
from app import observations, records
from app.model import Observation
from app.permissions import Permission
from app.session import Session
from ui.qt import errors, ops
from ui.qt.chart_events import ChartEvents
from ui.qt.models import Column, RowsModel
from ui.qt.vitals_entry import VitalsEntry

FLOWSHEET_LIMIT = 3000
_SYS, _DIA = "8480-6", "8462-4"
#: Flowsheet columns after the time: (title, LOINC codes shown together).
FLOW_COLUMNS = (("BP (mmHg)", (_SYS, _DIA)), ("Pulse (/min)", ("8867-4",)), ("Resp (/min)", ("9279-1",)),
                ("Temp (°C)", ("8310-5",)), ("SpO₂ (%)", ("59408-5",)), ("Weight (kg)", ("29463-7",)),
                ("Height (cm)", ("8302-2",)), ("BMI", ("39156-5",)))
#: The trend charts offered: title -> (LOINC code, series name) pairs drawn together.
TRENDS = {"Blood pressure (mmHg)": ((_SYS, "Systolic"), (_DIA, "Diastolic")),
          "Weight (kg)": (("29463-7", "Weight"),),
          "BMI (kg/m²)": (("39156-5", "BMI"),),
          "HbA1c (%)": (("4548-4", "HbA1c"),),
          "Heart rate (/min)": (("8867-4", "Heart rate"),)}


@dataclass
class FlowRow:
    """One time vitals were taken, and what was measured then."""
    taken: datetime
    values: dict[str, Observation] = field(default_factory=dict)
    flagged: bool = False  # any value outside its reference range (worked out once, off the UI thread)

    def cell(self, codes: tuple[str, ...]) -> str:
        shown = [self.values.get(c) for c in codes]
        if not any(shown):
            return ""
        return "/".join(fmt.number_text(o.value) if o and o.value is not None else fmt.MISSING for o in shown)

    def abnormal(self) -> bool:
        return self.flagged

    def cell_abnormal(self, codes: tuple[str, ...]) -> bool:
        return any(fmt.is_abnormal(self.values[c].interpretation) for c in codes if c in self.values)


def pivot(rows: list[Observation]) -> list[FlowRow]:
    """Observations (any order) grouped by the time taken, newest first; a panel (blood
    pressure from another system) gives a value per component."""
    by_time: dict[datetime, FlowRow] = {}
    for obs in rows:
        row = by_time.setdefault(obs.effective, FlowRow(obs.effective))
        for code, _, _ in obs.values():
            part = obs.part(code)
            if part is not None:
                row.values.setdefault(code, part)
    for row in by_time.values():
        row.flagged = any(fmt.is_abnormal(o.interpretation) for o in row.values.values())
    return sorted(by_time.values(), key=lambda r: r.taken, reverse=True)


def load_flowsheet(session: Session, patient_id: str) -> list[FlowRow]:
    rows = records.list_for(session, Observation, patient_id, Permission.CHART_READ,
                            limit=FLOWSHEET_LIMIT, category="vital-signs")
    return pivot(rows)


def _flow_columns() -> list[Column[FlowRow]]:
    columns = [Column("Taken", lambda r: fmt.datetime_text(r.taken), sort_key=lambda r: r.taken.isoformat())]
    for title, codes in FLOW_COLUMNS:
        columns.append(Column(title, lambda r, c=codes: r.cell(c), flagged=True, align_right=True))
    return columns


class FlowsheetModel(RowsModel[FlowRow]):
    """Flags each value outside its own range (not the whole row: a normal weight stays plain)."""

    def _is_cell_abnormal(self, index) -> bool:
        row = self.row_at(index.row())
        column = index.column() - 1
        return row is not None and 0 <= column < len(FLOW_COLUMNS) and row.cell_abnormal(FLOW_COLUMNS[column][1])

    def _data(self, index, role):
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole) and index.isValid():
            if not self._is_cell_abnormal(index):
                return None
        return super()._data(index, role)


class TrendChart(QChartView):
    """A line chart of one or two series against time.

    The chart, its axes and two lines are built once; showing another trend replaces each
    line's points in one call (``QLineSeries.replace``), because building a new QChart each
    time held the UI thread for over 100 ms with a long history.
    """
    LINES = 2  # blood pressure has two series; the other trends one

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(self.fontMetrics().height() * 16)
        self.series_points: dict[str, list[tuple[datetime, float]]] = {}
        chart = QChart()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.x_axis, self.y_axis = QDateTimeAxis(), QValueAxis()
        self.x_axis.setFormat("d MMM yyyy")
        self.x_axis.setTickCount(5)
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.lines = [QLineSeries() for _ in range(self.LINES)]
        for line in self.lines:
            chart.addSeries(line)
            line.attachAxis(self.x_axis)
            line.attachAxis(self.y_axis)
        self.setChart(chart)
        self.show_series("", {})

    def sizeHint(self) -> QSize:
        # QChartView asks for 600×500; inside the chart's scroll area the tab would then grow
        # taller than the window instead of sharing the height with the flowsheet.
        return QSize(self.fontMetrics().horizontalAdvance("M") * 40, self.fontMetrics().height() * 16)

    def show_series(self, title: str, series: dict[str, list[Observation]]) -> None:
        chart = self.chart()
        chart.setTitle(title)
        self.series_points = {}
        values, times = [], []
        shown = list(series.items())[:self.LINES]
        for n, line in enumerate(self.lines):
            name, rows = shown[n] if n < len(shown) else ("", [])
            points = [(o.effective, float(o.value)) for o in rows if o.value is not None]
            line.setName(name)
            line.setPointsVisible(len(points) < 60)
            line.replace([QPointF(QDateTime(when).toMSecsSinceEpoch(), value) for when, value in points])
            line.setVisible(n < len(shown))
            if n < len(shown):
                self.series_points[name] = points
            values += [v for _, v in points]
            times += [w for w, _ in points]
        for marker, line in zip(chart.legend().markers(), self.lines):
            marker.setVisible(line.isVisible())
        if values:
            low, high = min(values), max(values)
            pad = max((high - low) * 0.1, 1.0)
            self.y_axis.setRange(low - pad, high + pad)
            first, last = QDateTime(min(times)), QDateTime(max(times))
            if first == last:  # one value: a day either side, so the point is not on the frame
                first, last = first.addDays(-1), last.addDays(1)
            self.x_axis.setTickCount(3 if first.daysTo(last) < 4 else 5)
            self.x_axis.setRange(first, last)
        else:
            chart.setTitle(f"{title}: no values recorded yet" if title else "No values recorded yet")


class VitalsTab(QWidget):
    """Entry form and flowsheet side by side, the trend chart below."""

    def __init__(self, session: Session, patient_id: str, events: ChartEvents,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.patient_id, self.events = session, patient_id, events
        self.loaded_rows: list[FlowRow] | None = None
        self.entry = VitalsEntry(session, patient_id)
        self.entry.saved.connect(lambda _: events.changed.emit("Observation"))
        self.model = FlowsheetModel(_flow_columns(), abnormal=lambda r: r.abnormal(), parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Vital signs flowsheet")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        # Widths from the titles, not the rows: measuring thousands of rows would stall the UI.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        digit = self.fontMetrics().horizontalAdvance("0")
        for i, column in enumerate(self.model.columns):
            header.resizeSection(i, max(self.fontMetrics().horizontalAdvance(column.title) + 3 * digit,
                                        (22 if i == 0 else 8) * digit))
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.status = QLabel("Loading the vital signs…")
        self.trend_choice = QComboBox()
        self.trend_choice.addItems(list(TRENDS))
        self.trend_choice.setAccessibleName("Trend to show")
        self.trend_choice.currentTextChanged.connect(self.show_trend)
        self.chart = TrendChart()
        self._build()
        events.changed.connect(self._changed)
        self.reload()

    def _build(self) -> None:
        sheet = QWidget()
        right = QVBoxLayout(sheet)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.status)
        right.addWidget(self.table, 1)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(self.entry)
        top.addWidget(sheet)
        top.setStretchFactor(1, 1)
        choose = QHBoxLayout()
        choose.addWidget(QLabel("&Trend:", buddy=self.trend_choice))
        choose.addWidget(self.trend_choice)
        choose.addStretch(1)
        bottom = QWidget()
        lower = QVBoxLayout(bottom)
        lower.setContentsMargins(0, 0, 0, 0)
        lower.addLayout(choose)
        lower.addWidget(self.chart, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.addWidget(split)

    def _changed(self, record_type: str) -> None:
        if record_type == "Observation":
            self.reload()

    def reload(self) -> None:
        ops.run(self, lambda: load_flowsheet(self.session, self.patient_id), on_success=self._show,
                on_failure=self._failed)
        self.show_trend(self.trend_choice.currentText())

    def _show(self, rows: list[FlowRow]) -> None:
        self.loaded_rows = rows
        self.model.set_rows(rows)
        if not rows:
            self.status.setText("No vital signs recorded yet.")
        else:
            self.status.setText(f"{fmt.count_text(len(rows), 'set')} of vital signs, newest first.")

    def _failed(self, exc: Exception) -> None:
        self.status.setText("The vital signs could not be loaded.")
        errors.show_error(self, exc)

    def show_trend(self, title: str) -> None:
        pairs = TRENDS.get(title, ())

        def work():
            return {name: observations.trend(self.session, self.patient_id, code) for code, name in pairs}

        ops.run(self, work, on_success=lambda series: self.chart.show_series(title, series))
