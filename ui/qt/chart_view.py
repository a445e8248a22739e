"""One patient's chart: the always-visible banner and the Summary tab."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QTabWidget, QVBoxLayout, QWidget)

from app import chart
from app import formatting as fmt
from app.chart import ChartSummary
from app.model import AllergyIntolerance
from app.session import Session
from ui.qt import errors, ops, printing
from ui.qt.chart_events import ChartEvents
from ui.qt.chart_panes import PANES, Pane
from ui.qt.chart_picker import warm_in_background
from ui.qt.chart_tabs import TAB_TITLES, build_tab  # imports QtCharts at start-up, not mid-chart
from ui.qt.registration import PatientDialog
from ui.qt.style import alert_style, scaled_font

NO_ALLERGIES = "No known allergies (none recorded)"


def allergy_text(allergy: AllergyIntolerance) -> str:
    """"Penicillin V (hives; severe; high risk)" — the substance and what matters about it."""
    details = [d for d in (allergy.reaction, allergy.severity,
                           "high risk" if allergy.criticality == "high" else None,
                           "intolerance" if allergy.type == "intolerance" else None) if d]
    name = fmt.coding_text(allergy.substance, with_code=False)
    return f"{name} ({'; '.join(details)})" if details else name


class Banner(QFrame):
    """Who this chart belongs to; visible whatever tab is open."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name = QLabel("Opening the chart…")
        self.name.setFont(scaled_font(self.font(), 1.5, bold=True))
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel()
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.allergies = QLabel()
        self.allergies.setWordWrap(True)
        self.withheld = QLabel()
        self.withheld.setWordWrap(True)
        self.withheld.hide()
        self.edit_button = QPushButton("Edit &demographics…")
        self.edit_button.setEnabled(False)
        self.print_button = QPushButton("Print…")
        self.print_button.setToolTip("Print a document, or save it as a PDF (Ctrl+P)")
        self.print_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.name, 1)
        top.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.print_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        for label in (self.details, self.allergies, self.withheld):
            layout.addWidget(label)

    def show_summary(self, summary: ChartSummary) -> None:
        p = summary.patient
        self.name.setText(fmt.person_name(p.name))
        parts = [fmt.age_text(p.birth_date), fmt.sex_text(p.sex), f"Born {fmt.date_text(p.birth_date)}",
                 f"MRN {fmt.text(p.mrn)}"]
        if p.deceased or p.deceased_date:
            parts.append(f"Deceased {fmt.date_text(p.deceased_date)}" if p.deceased_date else "Deceased")
        self.details.setText("  ·  ".join(parts))
        self._show_allergies(summary.allergies)
        if summary.hidden_sensitive:
            one = summary.hidden_sensitive == 1
            count = fmt.count_text(summary.hidden_sensitive, "sensitive record")
            self.withheld.setText(f"{count} {'is' if one else 'are'} withheld: your role may not "
                                  f"see {'it' if one else 'them'}.")
            self.withheld.show()
        else:
            self.withheld.hide()

    def _show_allergies(self, allergies: list[AllergyIntolerance]) -> None:
        if allergies:
            self.allergies.setText("Allergies: " + "; ".join(allergy_text(a) for a in allergies))
            self.allergies.setStyleSheet(alert_style())
        else:
            self.allergies.setText(NO_ALLERGIES)
            self.allergies.setStyleSheet("")

    def show_failure(self) -> None:
        self.name.setText("The chart could not be opened.")
        self.details.setText("")
        self.allergies.setText("")


class SummaryTab(QScrollArea):
    """The chart's first screen: the panes, two to a row."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        grid = QGridLayout(body)
        self.panes: dict[str, Pane] = {}
        self._builders = {}
        for i, spec in enumerate(PANES):
            pane = Pane(spec.title, spec.headers, spec.empty, flagged=spec.flagged, stretch=spec.stretch)
            self.panes[spec.title] = pane
            self._builders[spec.title] = spec.rows
            grid.addWidget(pane, i // 2, i % 2, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(len(PANES) // 2 + 1, 1)
        self.setWidget(body)

    def show_summary(self, summary: ChartSummary, done=None) -> None:
        """Fill the panes one per turn of the event loop (a long chart never stalls the window
        for all seven at once), then call ``done()``."""
        self._serial = getattr(self, "_serial", 0) + 1
        self._fill(self._serial, list(self.panes), summary, done)

    def _fill(self, serial: int, titles: list[str], summary: ChartSummary, done) -> None:
        if serial != self._serial:
            return  # a newer summary arrived meanwhile
        if not titles:
            if done is not None:
                done()
            return
        title = titles[0]
        self.panes[title].set_rows(self._builders[title](summary))
        QTimer.singleShot(0, self, lambda: self._fill(serial, titles[1:], summary, done))


class ChartView(QWidget):
    """Loads ``app.chart.open_chart`` off the UI thread; emits ``loaded(summary)`` when shown."""
    loaded = Signal(object)

    def __init__(self, session: Session, patient_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.patient_id = session, patient_id
        self.summary: ChartSummary | None = None
        self.events = ChartEvents(self)
        self.banner = Banner()
        self.banner.edit_button.clicked.connect(self.edit_demographics)
        self.banner.print_button.clicked.connect(lambda: self.print_documents())
        QShortcut(QKeySequence.StandardKey.Print, self, lambda: self.print_documents(),
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.tabs = QTabWidget()
        self.summary_tab = SummaryTab()
        self.tabs.addTab(self.summary_tab, "Summary")
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.tab_widgets: dict[str, QWidget] = {}
        self._tabs_added = False
        warm_in_background()  # the pickers' indexes, ready before anyone types in one
        self.events.changed.connect(lambda _: self.reload())
        self.reload()

    def _add_tabs(self) -> None:
        """The other tabs, once the chart opened (a refused chart shows one error, not ten).

        Each tab is built and loads its records the first time it is shown, so opening a
        long chart only pays for the Summary.
        """
        for title in TAB_TITLES:
            scroller = QScrollArea()  # a small window scrolls the tab instead of growing
            scroller.setWidgetResizable(True)
            scroller.setFrameShape(QFrame.Shape.NoFrame)
            self.tabs.addTab(scroller, title)
        self.tabs.currentChanged.connect(self._build_tab)

    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]

    def _build_tab(self, index: int) -> QWidget | None:
        title = self.tabs.tabText(index)
        scroller = self.tabs.widget(index)
        if title in self.tab_widgets or not isinstance(scroller, QScrollArea) or index == 0:
            return self.tab_widgets.get(title)
        tab = build_tab(title, self.session, self.patient_id, self.events)
        scroller.setWidget(tab)
        self.tab_widgets[title] = tab
        return tab

    def show_tab(self, title: str) -> QWidget | None:
        """Bring the tab called ``title`` to the front; returns its widget (None if not built yet)."""
        for i in range(self.tabs.count()):
            if self.tabs.tabText(i) == title:
                self.tabs.setCurrentIndex(i)
                return self._build_tab(i)
        return None

    def new_note(self) -> None:
        """Open the notes tab and start a note of its chosen visit type (Ctrl+Shift+N)."""
        if not self._tabs_added:
            return  # the chart has not opened (or was refused): nothing to write in
        tab = self.show_tab("Encounters and notes")
        if tab is not None and tab.new_button.isEnabled():
            tab.new_note_when_loaded()

    def keep_as_draft(self) -> None:
        """Save an open draft note now (the lock screen calls this before a session ends)."""
        notes_tab = self.tab_widgets.get("Encounters and notes")
        if notes_tab is not None:
            notes_tab.keep_as_draft()

    def edit_demographics(self) -> PatientDialog | None:
        """Open the demographics dialog for this patient; the chart reloads after saving."""
        if self.summary is None:
            return None
        dialog = PatientDialog(self.session, self.summary.patient, parent=self)
        dialog.saved.connect(lambda _: self.events.changed.emit("Patient"))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def print_documents(self) -> printing.PrintDialog | None:
        """Open the print dialog for this patient (once the chart has opened)."""
        if self.summary is None:
            return None
        return printing.open_dialog(self, self.session, self.patient_id)

    def reload(self) -> None:
        """Read the chart again (audited as a chart open)."""
        ops.run(self, lambda: chart.open_chart(self.session, self.patient_id),
                on_success=self._show, on_failure=self._failed, label="Opening the chart…")

    def _show(self, summary: ChartSummary) -> None:
        self.banner.edit_button.setEnabled(True)
        self.banner.print_button.setEnabled(True)
        self.banner.show_summary(summary)
        if not self._tabs_added:
            self._tabs_added = True
            self._add_tabs()
        self.summary_tab.show_summary(summary, lambda: self._shown(summary))

    def _shown(self, summary: ChartSummary) -> None:
        self.summary = summary
        self.loaded.emit(summary)

    def _failed(self, exc: Exception) -> None:
        self.banner.show_failure()
        errors.show_error(self, exc)
