"""The dashboard's pieces that are not tables: headline tiles and the visits bar chart."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from app import formatting as fmt
from app.dashboard import Dashboard
from ui.qt.style import scaled_font

#: Longer periods are charted per week (a bar a day would be too thin to read).
MAX_DAY_BARS = 62


class Tile(QFrame):
    """A headline figure: a large value over a short caption."""

    def __init__(self, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.value = QLabel(fmt.MISSING)
        self.value.setFont(scaled_font(self.font(), 1.6, bold=True))
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel(caption)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set_value(self, text: str) -> None:
        self.value.setText(text)


def bars(board: Dashboard) -> tuple[str, list[tuple[str, int]]]:
    """(title, [(label, visits)]) for the chart: every day of the period, days without visits
    too, or every week when the period is long."""
    days = (board.end - board.start).days
    if days <= MAX_DAY_BARS:
        every = [board.start + timedelta(days=n) for n in range(days)]
        label = "%d %b" if days > 7 else "%a %d"
        return "Visits per day", [(d.strftime(label), board.visits_by_day.get(d, 0)) for d in every]
    monday = board.start - timedelta(days=board.start.weekday())
    weeks: list[date] = []
    while monday < board.end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return "Visits per week (week of)", [(w.strftime("%d %b"), board.visits_by_week.get(w, 0)) for w in weeks]


class VisitsChart(QChartView):
    """Bars of visits per day (per week for long periods)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(self.fontMetrics().height() * 14)
        self.shown: list[tuple[str, int]] = []
        self.setChart(QChart())
        self.chart().legend().hide()

    def show_board(self, board: Dashboard) -> None:
        title, self.shown = bars(board)
        chart = QChart()
        chart.setTitle(title)
        chart.legend().hide()
        chart.setMargins(QMargins(4, 4, 4, 4))
        series = QBarSeries()
        bar_set = QBarSet("Visits")
        bar_set.append([float(n) for _, n in self.shown])
        series.append(bar_set)
        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append([self._label(i, text) for i, (text, _) in enumerate(self.shown)])
        if len(self.shown) > 14:
            x.setLabelsAngle(-90)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x)
        y = QValueAxis()
        step, ticks = _whole_steps(max((n for _, n in self.shown), default=0))
        y.setRange(0, step * ticks)
        y.setTickCount(ticks + 1)
        y.setLabelFormat("%d")
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y)
        old = self.chart()
        self.setChart(chart)
        old.deleteLater()

    def _label(self, i: int, text: str) -> str:
        # Category labels must be unique; a long period shows every other one.
        if len(self.shown) > 31 and i % 2:
            return " " * (i // 2 + 1)
        return text


def _whole_steps(top: int, most: int = 5) -> tuple[int, int]:
    """(step, number of steps) so the value axis shows whole visits and reaches ``top``."""
    step = max(1, -(-top // most))
    return step, max(1, -(-top // step))
