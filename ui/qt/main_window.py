"""The main window: patient search, the open chart, and who/where is working.

The window title and the saved settings never name a patient: the title shows in the
task bar and window switchers, and the settings file is not encrypted.
"""
from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QWidget

from app import formatting as fmt
from app import scheduling
from app.model import Location
from app.patients import PatientSummary
from ui import wiring
from ui.qt import ops
from ui.qt.chart_view import ChartView
from ui.qt.lock_screen import install_auto_lock
from ui.qt.search_view import SearchView
from ui.qt.schedule_view import ScheduleView, local_tz
from ui.qt.admin_view import AdminView, may_administer
from ui.qt.billing_view import BillingView
from ui.qt.dashboard_view import DashboardView, may_see_dashboard
from ui.qt.emergency_access import break_the_glass
from ui.qt import interfaces_view
from app.permissions import Permission
from ui.qt.sync_control import NOT_SET_UP as SYNC_NOT_YET, SyncControl

APP_TITLE = "Outpost EHR"
_GEOMETRY, _STATE = "main_window/geometry", "main_window/state"


def user_text(user) -> str:
    """"Dr. Amara Okafor (Physician)"."""
    return f"{fmt.text(user.display_name or user.username)} ({fmt.code_words(user.role)})"


def _workplace(opened: wiring.Opened) -> tuple[str | None, str | None]:
    """The clinic's name and this session's location name (read in the background)."""
    info = wiring.clinic(opened)
    location = None
    if opened.session.location_id:
        with opened.session.uow() as uow:
            site = uow.records(Location).find(opened.session.location_id)
        location = site.name if site else None
    return (info.name if info else None), location


class MainWindow(QMainWindow):
    """Emits ``signed_out`` after the user signed out and the store was closed."""
    signed_out = Signal()

    def __init__(self, opened: wiring.Opened, settings: QSettings | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.opened, self.session = opened, opened.session
        self.settings = settings or QSettings()
        self._closed = False
        self.chart: ChartView | None = None
        self.schedule: ScheduleView | None = None  # built when first shown
        self.admin: AdminView | None = None
        self.billing: BillingView | None = None
        self.dashboard: DashboardView | None = None
        self.setWindowTitle(APP_TITLE)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.pages = QStackedWidget()
        self.search = SearchView(self.session)
        self.search.open_patient.connect(self.open_patient)
        self.pages.addWidget(self.search)
        self.setCentralWidget(self.pages)
        self._build_actions()
        self._build_status_bar()
        self._restore_geometry()
        self.show_search()
        ops.run(self, lambda: _workplace(opened), on_success=self._show_workplace)
        self.auto_lock = install_auto_lock(self, self.session)  # idle lock (hides PHI)
        self.auto_lock.before_session_end.append(lambda: self.chart and self.chart.keep_as_draft())

    # -- chrome -------------------------------------------------------------
    def _build_actions(self) -> None:
        self.find_action = QAction("&Find patient", self, shortcut=QKeySequence.StandardKey.Find,
                                   triggered=self.show_search)
        self.find_action.setStatusTip("Search for a patient by name, MRN, birth date or phone")
        self.sign_out_action = QAction("Sign &out", self, triggered=self.sign_out)
        self.sign_out_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit,
                                   triggered=self.close)
        self.sync_control = SyncControl(self, self.opened)  # background sync, F5 / Ctrl+Shift+Y
        menu = self.menuBar().addMenu("&Outpost")
        menu.addAction(self.sign_out_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        self.new_note_action = QAction("&New note", self, shortcut=QKeySequence("Ctrl+Shift+N"),
                                       triggered=self.new_note)
        self.new_note_action.setStatusTip("Start a note for today's visit in the open chart")
        self.next_patient_action = QAction("Ne&xt patient", self, shortcut=QKeySequence("Ctrl+Shift+PgDown"),
                                           triggered=self.next_patient)
        self.next_patient_action.setStatusTip("Open the chart of the next patient on today's schedule")
        patient_menu = self.menuBar().addMenu("&Patient")
        for action in (self.find_action, self.new_note_action, self.next_patient_action):
            patient_menu.addAction(action)
        self.schedule_action = QAction("S&chedule", self, shortcut=QKeySequence("Ctrl+Shift+S"),
                                       triggered=self.show_schedule)
        self.schedule_action.setStatusTip("The day or week calendar: book, check in, check out")
        clinic_menu = self.menuBar().addMenu("&Clinic")
        clinic_menu.addAction(self.schedule_action)
        self.admin_action = QAction("&Administration", self, triggered=self.show_admin)
        self.admin_action.setStatusTip("Users and roles, two-step sign-in, the audit report")
        self.admin_action.setVisible(may_administer(self.session))  # the services check again
        clinic_menu.addAction(self.admin_action)
        self.billing_action = QAction("&Billing", self, triggered=self.show_billing)
        self.billing_action.setStatusTip("Charges, invoices, payments and the balance of the open patient")
        self.billing_action.setVisible(self.session.can(Permission.BILLING_READ))
        clinic_menu.addAction(self.billing_action)
        self.dashboard_action = QAction("&Dashboard", self, triggered=self.show_dashboard)
        self.dashboard_action.setStatusTip("Visits, no-shows, revenue and quality measures, with their patients")
        self.dashboard_action.setVisible(may_see_dashboard(self.session))  # the service checks again
        clinic_menu.addAction(self.dashboard_action)
        self.interfaces_action = QAction("&Interfaces", self, triggered=lambda: interfaces_view.show_page(self))
        self.interfaces_action.setStatusTip("Import FHIR and HL7 v2 files, the HL7 review queue, EHI export")
        self.interfaces_action.setVisible(interfaces_view.may_use(self.session))  # the services check again
        clinic_menu.addAction(self.interfaces_action)
        self.emergency_action = QAction("&Emergency access…", self, triggered=self.break_the_glass)
        self.emergency_action.setStatusTip("Time-limited access in an emergency; flagged and reviewed")
        clinic_menu.addSeparator()
        clinic_menu.addAction(self.emergency_action)
        self.menuBar().addMenu("S&ync").addActions(self.sync_control.actions())
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main_toolbar")  # saveState() needs a name
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.find_action)
        toolbar.addAction(self.schedule_action)
        toolbar.addAction(self.billing_action)
        toolbar.addAction(self.dashboard_action)
        toolbar.addAction(self.admin_action)
        toolbar.addSeparator()
        toolbar.addAction(self.sign_out_action)

    def _build_status_bar(self) -> None:
        self.user_label = QLabel(user_text(self.session.user))
        self.location_label = QLabel("Location: " + fmt.MISSING)
        self.workstation_label = QLabel("Workstation: " + fmt.text(self.session.workstation))
        self.sync_label = self.sync_control.indicator
        bar = self.statusBar()
        for label in (self.user_label, self.location_label, self.workstation_label, self.sync_label):
            label.setContentsMargins(6, 0, 6, 0)
            bar.addPermanentWidget(label)

    def _show_workplace(self, workplace: tuple[str | None, str | None]) -> None:
        clinic, location = workplace
        if clinic:
            self.setWindowTitle(f"{clinic} — {APP_TITLE}")
        self.location_label.setText("Location: " + fmt.text(location))

    def status_texts(self) -> list[str]:
        """What the status bar says, left to right."""
        return [w.text() for w in (self.user_label, self.location_label, self.workstation_label,
                                   self.sync_label)]

    # -- navigation ---------------------------------------------------------
    def show_search(self) -> None:
        self.pages.setCurrentWidget(self.search)
        self.search.focus_search()

    def show_schedule(self) -> None:
        if self.schedule is None:
            self.schedule = ScheduleView(self.session)
            self.pages.addWidget(self.schedule)
        if self.chart is not None and self.chart.summary is not None:
            p = self.chart.summary.patient
            self.schedule.patient = (p.id, fmt.person_name(p.name))  # "Book…" starts with them
        self.pages.setCurrentWidget(self.schedule)

    def show_billing(self) -> None:
        if self.billing is None:
            self.billing = BillingView(self.session)
            self.pages.addWidget(self.billing)
        if self.chart is not None:
            self.billing.show_patient(self.chart.patient_id)
        self.pages.setCurrentWidget(self.billing)

    def show_dashboard(self) -> None:
        if self.dashboard is None:
            self.dashboard = DashboardView(self.session)
            self.dashboard.open_patient.connect(self.open_patient)
            self.pages.addWidget(self.dashboard)
        self.pages.setCurrentWidget(self.dashboard)

    def break_the_glass(self) -> None:
        """Ask why, open the emergency window, and show the open chart again with the new access."""
        patient_id = self.chart.patient_id if self.chart is not None else None
        break_the_glass(self, self.session, patient_id=patient_id,
                        on_granted=lambda _: self.chart.reload() if self.chart is not None else None)

    def show_admin(self) -> None:
        if self.admin is None:
            self.admin = AdminView(self.opened)
            self.pages.addWidget(self.admin)
        self.pages.setCurrentWidget(self.admin)

    def new_note(self) -> None:
        """Start a note in the open chart (Ctrl+Shift+N); says so when no chart is open."""
        if self.chart is None or self.pages.currentWidget() is not self.chart:
            self.statusBar().showMessage("Open a patient's chart first, then start the note.", 5000)
            return
        self.chart.new_note()

    def next_patient(self) -> None:
        """Open the next patient on today's schedule after the one whose chart is open."""
        current = self.chart.patient_id if self.chart is not None else None
        ops.run(self, lambda: scheduling.next_patient(self.session, current, tz=local_tz()),
                on_success=self._open_next, label="Finding the next patient…")

    def _open_next(self, patient_id: str | None) -> None:
        if patient_id is None:
            self.statusBar().showMessage("Nobody else is waiting on today's schedule.", 5000)
        else:
            self.open_patient(patient_id)

    def open_patient(self, patient_id: str) -> None:
        """Show a patient's chart (one chart at a time in this first version)."""
        if self.chart is not None and self.chart.patient_id == patient_id:
            self.chart.reload()
        else:
            if self.chart is not None:
                self.pages.removeWidget(self.chart)
                self.chart.deleteLater()
            self.chart = ChartView(self.session, patient_id)
            self.chart.loaded.connect(lambda s: self.search.add_recent(PatientSummary.of(s.patient)))
            self.pages.addWidget(self.chart)
        self.pages.setCurrentWidget(self.chart)

    # -- leaving ------------------------------------------------------------
    def sign_out(self) -> None:
        """End the session, close the store, and go back to sign-in."""
        self._end_session()
        self.signed_out.emit()
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._end_session()
        super().closeEvent(event)

    def _end_session(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.settings.setValue(_GEOMETRY, self.saveGeometry())
        self.settings.setValue(_STATE, self.saveState())
        self.settings.sync()
        self.sync_control.stop()  # before the store closes: the round under way stops at a safe point
        ops.wait_idle()  # the background thread may still be using the store
        self.opened.close()

    def _restore_geometry(self) -> None:
        geometry, state = self.settings.value(_GEOMETRY), self.settings.value(_STATE)
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(self.fontMetrics().horizontalAdvance("M") * 80,
                        self.fontMetrics().height() * 40)
        if state is not None:
            self.restoreState(state)
