"""The panes of the chart's Summary tab: what each shows, and one titled table widget.

Each pane is a :class:`Pane` (a titled box holding a table, or a sentence when there is
nothing to show) fed with rows made from a :class:`app.chart.ChartSummary`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QGroupBox, QHeaderView, QLabel, QTableView,
                               QVBoxLayout)

from app import formatting as fmt
from app.chart import ChartSummary
from app.medications import build_sig
from app.model import Observation
from app.observations import VITAL_CODES
from ui.qt.models import Column, RowsModel
from ui.qt.style import set_quiet

_SYSTOLIC, _DIASTOLIC = "8480-6", "8462-4"


@dataclass(frozen=True)
class Row:
    """One line of a pane: its cells as text, and whether it is flagged abnormal."""
    cells: tuple[str, ...]
    abnormal: bool = False


class Pane(QGroupBox):
    """A titled table of :class:`Row`; shows ``empty`` as a sentence when there are no rows.

    The table is as tall as its rows (up to ``MAX_ROWS``, then it scrolls), so the
    Summary tab scrolls as one page instead of each pane hiding rows; the ``stretch``
    column takes the spare width and wraps long names instead of scrolling sideways.
    """
    MAX_ROWS = 12

    def __init__(self, title: str, headers: Sequence[str], empty: str, *, flagged: Sequence[int] = (),
                 stretch: int = 0):
        super().__init__(title)
        self.empty_text = empty
        self._fit_pending = False
        columns = [Column(h, _cell(i), flagged=i in flagged) for i, h in enumerate(headers)]
        self.model = RowsModel(columns, abnormal=lambda r: r.abnormal, parent=self)
        self.table = self._make_table(title, len(headers), stretch)
        self.placeholder = QLabel(empty)
        self.placeholder.setWordWrap(True)
        set_quiet(self.placeholder)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.placeholder)
        self.set_rows([])

    def _make_table(self, title: str, count: int, stretch: int) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setAccessibleName(title)
        table.verticalHeader().hide()
        table.setShowGrid(False)
        table.setWordWrap(True)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # The other columns are sized to their contents once per set of rows (set_rows), not
        # kept so (ResizeToContents re-measures every row on each layout pass: that was most
        # of the time a pane took to fill).
        self._stretch = stretch
        for column in range(count):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == stretch
                                        else QHeaderView.ResizeMode.Fixed)
        header.sectionResized.connect(lambda *_: self._fit_soon())
        return table

    def _fit_soon(self) -> None:
        """Fit once after a burst of column resizes (each resize would re-measure every row)."""
        if not self._fit_pending:
            self._fit_pending = True
            # With the table as context: a pane closed before the timer fires drops the call
            # (a bare callable would run on a deleted table).
            QTimer.singleShot(0, self.table, self._fit_later)

    def _fit_later(self) -> None:
        self._fit_pending = False
        self._fit()

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.model.set_rows(rows)
        for column in range(self.model.columnCount()):
            if column != self._stretch:
                self.table.resizeColumnToContents(column)
        self.table.setVisible(bool(rows))
        self.placeholder.setVisible(not rows)
        self._fit()

    def _fit(self) -> None:
        """Re-wrap the rows and make the table exactly as tall as they are (up to MAX_ROWS)."""
        table = self.table
        table.resizeRowsToContents()
        shown = min(self.model.rowCount(), self.MAX_ROWS)
        height = sum(table.rowHeight(r) for r in range(shown))
        table.setFixedHeight(table.horizontalHeader().sizeHint().height() + height
                             + 2 * table.frameWidth())

    def texts(self) -> list[tuple[str, ...]]:
        """The cells shown, row by row (what a reader of the pane sees)."""
        return [r.cells for r in self.model.rows()]


def _cell(i: int) -> Callable[[Row], str]:
    return lambda row: row.cells[i] if i < len(row.cells) else fmt.MISSING


# -- rows for each pane ------------------------------------------------------
def problem_rows(summary: ChartSummary) -> list[Row]:
    rows = sorted(summary.problems, key=lambda c: (c.code.display or c.code.code or "").casefold())
    return [Row((fmt.text(c.code.code), fmt.text(c.code.display), fmt.date_text(c.onset_date)))
            for c in rows]


def medication_rows(summary: ChartSummary) -> list[Row]:
    rows = []
    for rx in summary.medications:
        status = "" if rx.status == "active" else f" ({fmt.code_words(rx.status).lower()})"
        rows.append(Row((fmt.coding_text(rx.medication, with_code=False) + status,
                         fmt.text(rx.sig or _sig(rx)), "Prescribed")))
    for ms in summary.home_medications:
        rows.append(Row((fmt.coding_text(ms.medication, with_code=False), fmt.text(ms.dosage),
                         "Home medication")))
    return rows


def _sig(rx) -> str | None:
    try:
        return build_sig(rx)
    except Exception:  # noqa: BLE001 - an odd prescription must not hide the list
        return None


def vital_rows(summary: ChartSummary) -> list[Row]:
    """Latest vitals in the usual order; systolic and diastolic shown together as one BP."""
    latest = summary.latest_vitals
    rows = []
    systolic, diastolic = latest.get(_SYSTOLIC), latest.get(_DIASTOLIC)
    for code in VITAL_CODES:
        if code == _DIASTOLIC:
            continue  # shown with the systolic value
        if code == _SYSTOLIC:
            if systolic or diastolic:
                rows.append(_blood_pressure(systolic, diastolic))
            continue
        obs = latest.get(code)
        if obs is not None:
            rows.append(Row((fmt.text(obs.code.display), _value(obs), fmt.flag_text(obs.interpretation),
                             fmt.datetime_text(obs.effective)), fmt.is_abnormal(obs.interpretation)))
    return rows


def _blood_pressure(systolic: Observation | None, diastolic: Observation | None) -> Row:
    parts = [fmt.number_text(o.value) if o else fmt.MISSING for o in (systolic, diastolic)]
    taken = (systolic or diastolic).effective
    flag = _bp_flag(*(fmt.flag_text(o.interpretation) if o else "" for o in (systolic, diastolic)))
    return Row(("Blood pressure", f"{parts[0]}/{parts[1]} mmHg", flag, fmt.datetime_text(taken)),
               bool(flag))


def _bp_flag(systolic: str, diastolic: str) -> str:
    """"H" when both are high, "H systolic" when one is, "H/L" when they differ."""
    if systolic and diastolic:
        return systolic if systolic == diastolic else f"{systolic}/{diastolic}"
    if systolic:
        return f"{systolic} systolic"
    return f"{diastolic} diastolic" if diastolic else ""


def _value(obs: Observation) -> str:
    if obs.value is None:
        return fmt.text(obs.value_text)
    return fmt.quantity_text(obs.value, obs.unit)


def lab_rows(summary: ChartSummary) -> list[Row]:
    return [Row((fmt.text(o.code.display), _value(o), fmt.flag_text(o.interpretation),
                 fmt.range_text(o.ref_low, o.ref_high, o.unit), fmt.date_text(o.effective)),
                fmt.is_abnormal(o.interpretation))
            for o in summary.recent_labs]


def encounter_rows(summary: ChartSummary) -> list[Row]:
    return [Row((fmt.date_text(e.start), fmt.code_words(e.visit_type), fmt.code_words(e.status),
                 ", ".join(fmt.coding_text(r, with_code=False) for r in e.reasons) or fmt.MISSING))
            for e in summary.recent_encounters]


def appointment_rows(summary: ChartSummary) -> list[Row]:
    return [Row((fmt.datetime_text(a.start), fmt.code_words(a.appointment_type),
                 fmt.text(a.reason), fmt.code_words(a.status)))
            for a in summary.upcoming]


def immunization_rows(summary: ChartSummary) -> list[Row]:
    latest_first = sorted(summary.immunizations, key=lambda i: i.occurrence, reverse=True)
    return [Row((fmt.date_text(i.occurrence), fmt.coding_text(i.vaccine, with_code=False),
                 fmt.text(i.dose_number), fmt.code_words(i.status)))
            for i in latest_first]


@dataclass(frozen=True)
class PaneSpec:
    title: str
    headers: tuple[str, ...]
    empty: str
    rows: Callable[[ChartSummary], list[Row]]
    flagged: tuple[int, ...] = ()  # columns drawn bold red on abnormal rows
    stretch: int = 0  # the column that takes the spare width and wraps


PANES = (
    PaneSpec("Active problems", ("Code", "Problem", "Onset"), "No active problems recorded.",
             problem_rows, stretch=1),
    PaneSpec("Medications", ("Drug", "Instructions", "Source"), "No current medications recorded.",
             medication_rows, stretch=0),
    PaneSpec("Latest vital signs", ("Vital sign", "Value", "Flag", "Taken"), "No vital signs recorded.",
             vital_rows, flagged=(1, 2)),
    PaneSpec("Recent lab results", ("Test", "Result", "Flag", "Reference", "Date"),
             "No lab results recorded.", lab_rows, flagged=(1, 2)),
    PaneSpec("Recent encounters", ("Date", "Type", "Status", "Reason"), "No encounters recorded.",
             encounter_rows, stretch=3),
    PaneSpec("Upcoming appointments", ("When", "Type", "Reason", "Status"), "No upcoming appointments.",
             appointment_rows, stretch=2),
    PaneSpec("Immunizations", ("Date", "Vaccine", "Dose", "Status"), "No immunizations recorded.",
             immunization_rows, stretch=1),
)
