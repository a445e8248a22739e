"""One lab test's values across time, with its reference range drawn as two dashed lines.

One chart and its axes are built once; each test shown replaces the series' points in one
call (``QLineSeries.replace``), so choosing another result does not rebuild the chart on the
UI thread.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, QMargins, QPointF, QSize, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QWidget

from app.model import Observation
from ui.qt.style import ABNORMAL_COLOUR

LOW_NAME, HIGH_NAME = "Reference range low", "Reference range high"


def _dashed() -> QPen:
    pen = QPen(ABNORMAL_COLOUR)
    pen.setStyle(Qt.PenStyle.DashLine)
    pen.setWidthF(1.2)
    return pen


class LabTrendChart(QChartView):
    """The values of one test (solid) and its reference range (red dashes) against time."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.series_points: dict[str, list[tuple[datetime, float]]] = {}
        chart = QChart()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().hide()  # one test: the title names it, the dashes speak for themselves
        self.x_axis, self.y_axis = QDateTimeAxis(), QValueAxis()
        self.x_axis.setFormat("d MMM yyyy")
        self.x_axis.setTickCount(5)
        chart.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.values, self.low, self.high = QLineSeries(), QLineSeries(), QLineSeries()
        self.low.setName(LOW_NAME)
        self.high.setName(HIGH_NAME)
        for line in (self.values, self.low, self.high):
            chart.addSeries(line)
            line.attachAxis(self.x_axis)
            line.attachAxis(self.y_axis)
        for line in (self.low, self.high):
            line.setPen(_dashed())
        self.setChart(chart)
        chart.setTitle("Select a result to see its trend")

    def sizeHint(self) -> QSize:
        # QChartView asks for 600×500; the tab's scroll area would then scroll rather than
        # share the height between the orders, the results and this chart.
        return QSize(self.fontMetrics().horizontalAdvance("M") * 30, self.fontMetrics().height() * 14)

    def show_lab(self, title: str, name: str, rows: list[Observation],
                 low: Decimal | None, high: Decimal | None) -> None:
        """Draw ``rows`` (oldest first) and the range ``low``–``high`` (either may be None)."""
        points = [(o.effective, float(o.value)) for o in rows if o.value is not None]
        self.series_points = {name: points}
        self.values.setName(name)
        self.values.setPointsVisible(len(points) < 60)
        self.values.replace([QPointF(QDateTime(w).toMSecsSinceEpoch(), v) for w, v in points])
        chart = self.chart()
        if not points:
            for line in (self.low, self.high):
                line.clear()
            chart.setTitle(f"{title}: no values recorded yet")
            return
        chart.setTitle(title)
        first, last = QDateTime(points[0][0]), QDateTime(points[-1][0])
        if first == last:  # one value: a day either side, so the point is not on the frame
            first, last = first.addDays(-1), last.addDays(1)
        for line, bound in ((self.low, low), (self.high, high)):
            line.replace([QPointF(first.toMSecsSinceEpoch(), float(bound)),
                          QPointF(last.toMSecsSinceEpoch(), float(bound))] if bound is not None else [])
        values = [v for _, v in points] + [float(b) for b in (low, high) if b is not None]
        pad = max((max(values) - min(values)) * 0.1, 1.0)
        self.y_axis.setRange(min(values) - pad, max(values) + pad)
        self.x_axis.setTickCount(3 if first.daysTo(last) < 4 else 5)  # no day named twice
        self.x_axis.setRange(first, last)

    def line_names(self) -> list[str]:
        """The lines drawn with points in them (the test's name, then the range's ends)."""
        return [s.name() for s in self.chart().series() if s.count()]
