"""One lab test's values across time, with its reference range drawn as two dashed lines."""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtCharts import QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, QSize, Qt
from PySide6.QtGui import QPen

from app.model import Observation
from ui.qt.style import ABNORMAL_COLOUR
from ui.qt.vitals_view import TrendChart

LOW_NAME, HIGH_NAME = "Reference range low", "Reference range high"


class LabTrendChart(TrendChart):
    """A :class:`TrendChart` of one series; values outside the dashed lines are abnormal."""

    def sizeHint(self) -> QSize:
        # QChartView asks for 600×500; the tab's scroll area would then scroll rather than
        # share the height between the orders, the results and this chart.
        return QSize(self.fontMetrics().horizontalAdvance("M") * 30, self.fontMetrics().height() * 14)

    def show_lab(self, title: str, name: str, rows: list[Observation],
                 low: Decimal | None, high: Decimal | None) -> None:
        self.show_series(title, {name: rows})
        chart = self.chart()
        chart.legend().hide()  # one test: the title names it, the dashes speak for themselves
        times = [QDateTime(o.effective).toMSecsSinceEpoch() for o in rows if o.value is not None]
        if not times:
            return
        x_axis = chart.axes(Qt.Orientation.Horizontal)[0]
        y_axis = chart.axes(Qt.Orientation.Vertical)[0]
        bounds = [float(v) for v in (low, high) if v is not None]
        for bound, series_name in ((low, LOW_NAME), (high, HIGH_NAME)):
            if bound is None:
                continue
            line = QLineSeries()
            line.setName(series_name)
            pen = QPen(ABNORMAL_COLOUR)
            pen.setStyle(Qt.PenStyle.DashLine)
            pen.setWidthF(1.2)
            line.setPen(pen)
            line.append(min(times), float(bound))
            line.append(max(times), float(bound))
            chart.addSeries(line)
            line.attachAxis(x_axis)
            line.attachAxis(y_axis)
        if bounds and isinstance(y_axis, QValueAxis):
            values = [float(o.value) for o in rows if o.value is not None] + bounds
            pad = max((max(values) - min(values)) * 0.1, 1.0)
            y_axis.setRange(min(values) - pad, max(values) + pad)

    def line_names(self) -> list[str]:
        return [s.name() for s in self.chart().series()]
