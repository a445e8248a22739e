"""The schedule: a day or week calendar per provider and per location, and the day's flow
(book, reschedule, cancel, no-show, check in, check out). Every change goes through
:mod:`app.scheduling` on the background thread; a double booking asks before it is made."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (QComboBox, QDateEdit, QHBoxLayout, QHeaderView, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from app import formatting as fmt
from app import scheduling
from app.errors import ConfirmationRequired
from app.session import Session
from ui.qt import errors, ops
from ui.qt import schedule_dialogs as dialogs
from ui.qt.schedule_data import Directory, Slot, load_days, load_directory

SLOT_MINUTES = 30
DAY_START, DAY_END = 7, 19  # hours shown unless an appointment lies outside them
ID_ROLE = Qt.ItemDataRole.UserRole + 1


def local_tz() -> tzinfo:
    return datetime.now().astimezone().tzinfo


class ScheduleView(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None, *, tz: tzinfo | None = None):
        super().__init__(parent)
        self.session, self.tz = session, tz or local_tz()
        self.names = Directory([], [])
        self.days: dict[date, list[Slot]] = {}
        self.patient: tuple[str, str] | None = None  # the open chart's (id, name), for booking
        self._pending_select: str | None = None  # an appointment just saved, chosen after reload
        self._build()
        ops.run(self, lambda: load_directory(session), on_success=self._got_directory)

    # -- layout -------------------------------------------------------------
    def _build(self) -> None:
        self.practitioner = QComboBox()
        self.practitioner.addItem("All practitioners", None)
        self.location = QComboBox()
        self.location.addItem("All locations", None)
        self.span = QComboBox()
        self.span.addItem("Day", 1)
        self.span.addItem("Week", 7)
        today = date.today()
        self.date = QDateEdit(QDate(today.year, today.month, today.day), calendarPopup=True)
        self.date.setDisplayFormat("ddd d MMM yyyy")
        back, ahead, now = QPushButton("◀"), QPushButton("▶"), QPushButton("&Today")
        back.setToolTip("Previous day or week")
        ahead.setToolTip("Next day or week")
        back.clicked.connect(lambda: self.step(-1))
        ahead.clicked.connect(lambda: self.step(1))
        now.clicked.connect(lambda: self.go_to(date.today()))
        for widget in (self.practitioner, self.location, self.span):
            widget.currentIndexChanged.connect(self.reload)
        self.date.dateChanged.connect(self.reload)
        bar = QHBoxLayout()
        for label, widget in (("Practitioner", self.practitioner), ("Location", self.location),
                              ("Show", self.span)):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (back, self.date, ahead, now):
            bar.addWidget(widget)
        self.grid = QTableWidget()
        self.grid.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.grid.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.grid.setWordWrap(True)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # rows grow with their text whenever the columns change width
        self.grid.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.grid.currentCellChanged.connect(lambda *_: self._cell_chosen())
        self.grid.cellDoubleClicked.connect(lambda *_: self.book())
        self.listing = QListWidget()
        self.listing.setWordWrap(True)
        self.listing.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.listing.currentItemChanged.connect(lambda *_: self._show_details())
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setOpenExternalLinks(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.book_button = QPushButton("&Book…")
        self.book_button.clicked.connect(self.book)
        self.actions: dict[str, QPushButton] = {}
        side = QVBoxLayout()
        side.addWidget(QLabel("Appointments in this slot"))
        side.addWidget(self.listing, 1)
        side.addWidget(self.details, 1)  # a splitter pane gets no height-for-width: give it room
        side.addWidget(self.book_button)
        for key, text, slot in (("check_in", "Check &in", self.check_in),
                                ("check_out", "Check o&ut", self.check_out),
                                ("reschedule", "&Reschedule…", self.reschedule),
                                ("no_show", "&No-show", self.no_show),
                                ("cancel", "&Cancel appointment…", self.cancel)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.actions[key] = button
            side.addWidget(button)
        panel = QWidget()
        panel.setLayout(side)
        split = QSplitter()
        split.addWidget(self.grid)
        split.addWidget(panel)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.status = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        self._show_details()

    # -- loading ------------------------------------------------------------
    def _got_directory(self, names: Directory) -> None:
        self.names = names
        for combo, items in ((self.practitioner, names.practitioners), (self.location, names.locations)):
            combo.blockSignals(True)
            for item_id, name in items:
                combo.addItem(name, item_id)
            combo.blockSignals(False)
        self.reload()

    def first_day(self) -> date:
        day = self.date.date().toPython()
        return day - timedelta(days=day.weekday()) if self.span.currentData() == 7 else day

    def go_to(self, day: date) -> None:
        self.date.setDate(QDate(day.year, day.month, day.day))

    def step(self, direction: int) -> None:
        self.go_to(self.date.date().toPython() + timedelta(days=direction * self.span.currentData()))

    def reload(self) -> None:
        first, count = self.first_day(), self.span.currentData()
        who, where = self.practitioner.currentData(), self.location.currentData()
        names, tz = self.names, self.tz
        self.status.setText("Loading the schedule…")
        ops.run(self, lambda: load_days(self.session, first, count, tz=tz, practitioner_id=who,
                                        location_id=where, names=names), on_success=self._show_days)

    def _show_days(self, days: dict[date, list[Slot]]) -> None:
        self.days = days
        chosen = self._pending_select or (self.selected().id if self.selected() else None)
        self._pending_select = None
        slots = [s for day in days.values() for s in day]
        hours = [s.local_start(self.tz).hour for s in slots]
        begin = min([DAY_START, *hours])
        end = max([DAY_END, *(h + 1 for h in hours)])
        rows = (end - begin) * 60 // SLOT_MINUTES
        self.grid.clear()
        self.grid.setColumnCount(len(days))
        self.grid.setRowCount(rows)
        self.grid.setHorizontalHeaderLabels([f"{d:%a} {fmt.date_text(d)}" for d in days])
        self.grid.setVerticalHeaderLabels(
            [f"{begin + r * SLOT_MINUTES // 60:02d}:{r * SLOT_MINUTES % 60:02d}" for r in range(rows)])
        self._row_start = begin
        for col, (day, day_slots) in enumerate(days.items()):
            for r in range(rows):
                item = QTableWidgetItem()
                item.setData(ID_ROLE, [])
                self.grid.setItem(r, col, item)
            for s in day_slots:
                start = s.local_start(self.tz)
                r = ((start.hour - begin) * 60 + start.minute) // SLOT_MINUTES
                item = self.grid.item(r, col)
                item.setData(ID_ROLE, [*item.data(ID_ROLE), s.id])
                item.setText("\n".join(filter(None, [item.text(), s.line(self.tz)])))
        total = len([s for s in slots if s.appointment.status not in ("cancelled", "noshow")])
        self.status.setText(f"{fmt.count_text(total, 'appointment')} "
                            f"{'this week' if len(days) == 7 else 'this day'}")
        self._select(chosen)

    def _select(self, appointment_id: str | None) -> None:
        for r in range(self.grid.rowCount()):
            for c in range(self.grid.columnCount()):
                item = self.grid.item(r, c)
                if appointment_id and appointment_id in (item.data(ID_ROLE) or []):
                    self.grid.setCurrentCell(r, c)
                    self._pick(appointment_id)
                    return
        self._cell_chosen()

    # -- choosing -----------------------------------------------------------
    def _slot(self, appointment_id: str) -> Slot | None:
        return next((s for day in self.days.values() for s in day if s.id == appointment_id), None)

    def _cell_chosen(self) -> None:
        item = self.grid.currentItem()
        self.listing.clear()
        for appointment_id in (item.data(ID_ROLE) or []) if item else []:
            s = self._slot(appointment_id)
            row = QListWidgetItem(s.line(self.tz))
            row.setData(ID_ROLE, appointment_id)
            self.listing.addItem(row)
        if self.listing.count():
            self.listing.setCurrentRow(0)
        self._show_details()

    def _pick(self, appointment_id: str) -> None:
        for i in range(self.listing.count()):
            if self.listing.item(i).data(ID_ROLE) == appointment_id:
                self.listing.setCurrentRow(i)

    def selected(self) -> Slot | None:
        item = self.listing.currentItem()
        return self._slot(item.data(ID_ROLE)) if item else None

    def cell_time(self) -> tuple[date, time]:
        """The day and time of the chosen cell (the booking form starts there)."""
        days = list(self.days) or [self.first_day()]
        row, col = max(self.grid.currentRow(), 0), max(self.grid.currentColumn(), 0)
        minutes = getattr(self, "_row_start", DAY_START) * 60 + row * SLOT_MINUTES
        return days[min(col, len(days) - 1)], time(minutes // 60, minutes % 60)

    def _show_details(self) -> None:
        s = self.selected()
        status = s.appointment.status if s else None
        allowed = {"check_in": ("booked", "arrived"), "check_out": ("checked-in", "arrived"),
                   "reschedule": ("proposed", "booked"), "no_show": ("booked",),
                   "cancel": scheduling.HOLDING}
        for key, button in self.actions.items():
            button.setEnabled(status in allowed[key])
        if s is None:
            self.details.setText("Choose an appointment, or a time to book one.")
            return
        a = s.appointment
        lines = [f"<b>{_html(s.patient)}</b>", _html(s.line(self.tz)),
                 f"With {_html(s.practitioner)} at {_html(s.location)}"]
        if a.reason:
            lines.append("Reason: " + _html(a.reason))
        if a.telehealth_url:
            lines.append(f'<a href="{_html(a.telehealth_url)}">Join the video visit</a>')
        self.details.setText("<br>".join(lines))

    # -- actions ------------------------------------------------------------
    def book(self) -> None:
        day, at = self.cell_time()
        form = dialogs.BookDialog(self.session, self.names, day=day, at=at,
                                  practitioner_id=self.practitioner.currentData()
                                  or self.session.user.practitioner_id,
                                  location_id=self.location.currentData(), patient=self.patient,
                                  parent=self)
        if dialogs.run_dialog(form):
            self._save(scheduling.book, form.booking(self.tz))

    def reschedule(self) -> None:
        s = self.selected()
        if s is None:
            return
        form = dialogs.RescheduleDialog(self.names, start=s.local_start(self.tz),
                                        practitioner_id=s.appointment.practitioner_id, parent=self)
        if dialogs.run_dialog(form):
            self._save(lambda session, **kw: scheduling.reschedule(session, s.id, **kw), form.move(self.tz))

    def cancel(self) -> None:
        s = self.selected()
        reason = dialogs.ask_reason(self, "Cancel the appointment", "Why is it cancelled?") if s else None
        if reason is not None:
            self._change(lambda: scheduling.cancel(self.session, s.id, reason=reason))

    def no_show(self) -> None:
        if (s := self.selected()) is not None:
            self._change(lambda: scheduling.no_show(self.session, s.id))

    def check_in(self) -> None:
        if (s := self.selected()) is not None:
            self._change(lambda: scheduling.check_in(self.session, s.id))

    def check_out(self) -> None:
        if (s := self.selected()) is not None:
            self._change(lambda: scheduling.check_out(self.session, s.id))

    def _save(self, service, kwargs: dict, confirm: bool = False) -> None:
        """Book or move; a warning (double booking, the past) is asked about, then retried."""
        def failed(exc: Exception) -> None:
            if isinstance(exc, ConfirmationRequired) and not confirm:
                if dialogs.ask_confirm(self, errors.message_for(exc) + "\n\nSave anyway?"):
                    self._save(service, kwargs, confirm=True)
            else:
                errors.show_error(self, exc)

        ops.run(self, lambda: service(self.session, **kwargs, confirm=confirm),
                on_success=self._saved, on_failure=failed)

    def _change(self, work) -> None:
        ops.run(self, work, on_success=self._saved)

    def _saved(self, appointment) -> None:
        self._pending_select = appointment.id
        start = appointment.start.astimezone(self.tz).date()
        if not self.first_day() <= start < self.first_day() + timedelta(days=self.span.currentData()):
            self.go_to(start)  # reloads
        else:
            self.reload()


def _html(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
