"""Lab trends drawn as small line charts (reportlab graphics) for the printed chart."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from app import formatting as fmt
from app.model import Observation
from app.printing.fonts import register

MAX_CHARTS = 8


def series_by_code(labs: list[Observation]) -> list[tuple[str, str, list[Observation]]]:
    """(name, unit, observations oldest first) for every numeric lab seen twice or more,
    the most measured first."""
    groups: dict[str, list[Observation]] = defaultdict(list)
    for o in labs:
        if o.value is not None:
            groups[o.code.code].append(o)
    ranked = sorted((g for g in groups.values() if len(g) >= 2), key=lambda g: (-len(g), g[0].code.code))
    return [(fmt.coding_text(g[0].code, with_code=False), fmt.unit_text(g[0].unit),
             sorted(g, key=lambda o: o.effective)) for g in ranked[:MAX_CHARTS]]


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` points."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _label(day_number: float) -> str:
    d = date.fromordinal(int(day_number))
    return f"{d:%b} {d.year}"


def trend_chart(name: str, unit: str, points: list[Observation], width: float = 85 * mm,
                height: float = 50 * mm) -> Drawing:
    """One test's values over time, with its reference range as dashed lines where known."""
    font = register().regular
    drawing = Drawing(width, height)
    xs = [o.effective.date().toordinal() for o in points]
    ys = [float(o.value) for o in points]
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 30, 16, width - 40, height - 40
    plot.data = [list(zip(xs, ys))]
    plot.lines[0].strokeColor = colors.HexColor("#1f4e79")
    plot.lines[0].symbol = makeMarker("FilledCircle", size=2.5)
    lo, hi = min(ys), max(ys)
    ref_low, ref_high = points[-1].ref_low, points[-1].ref_high
    for ref in (ref_low, ref_high):
        if ref is not None:
            lo, hi = min(lo, float(ref)), max(hi, float(ref))
    pad = (hi - lo) * 0.1 or 1
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = lo - pad, hi + pad
    if xs[0] == xs[-1]:
        plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = xs[0] - 1, xs[0] + 1
    plot.xValueAxis.labelTextFormat = _label
    plot.xValueAxis.maximumTicks = 4
    plot.yValueAxis.maximumTicks = 5
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName, axis.labels.fontSize = font, 6
    drawing.add(plot)
    y_of = lambda v: plot.y + (float(v) - plot.yValueAxis.valueMin) / (  # noqa: E731
        plot.yValueAxis.valueMax - plot.yValueAxis.valueMin) * plot.height
    for ref in (ref_low, ref_high):
        if ref is not None:
            drawing.add(Line(plot.x, y_of(ref), plot.x + plot.width, y_of(ref),
                             strokeColor=colors.HexColor("#c0504d"), strokeDashArray=[2, 2],
                             strokeWidth=0.5))
    title = _fit(f"{name} ({unit})" if unit else name, register().bold, 7.5, width - 10)
    drawing.add(String(4, height - 9, title, fontName=register().bold, fontSize=7.5))
    drawing.add(String(4, height - 17, f"{len(points)} results, last "
                       f"{fmt.quantity_text(points[-1].value, points[-1].unit)} on "
                       f"{fmt.date_text(points[-1].effective)}", fontName=font, fontSize=6.5))
    return drawing
