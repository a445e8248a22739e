"""The HL7 review queue: messages held because we were not sure who the patient is (never
merged silently), and results filed without their order. The sender's demographics
stand beside each candidate's; a person decides: the same patient (the message is
taken for them and the sender's identifier linked), a new patient, or reject."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from app import formatting as fmt
from app import hl7_review
from app.hl7_review import Incoming, ReviewItem
from app.model import Patient
from app.session import Session
from ui.qt import ops

ID_ROLE = Qt.ItemDataRole.UserRole + 1
FIELDS = ("Name", "Birth date", "Sex", "Identifiers", "Address", "Phone")


def incoming_values(i: Incoming) -> list[str]:
    return [fmt.person_name(i.name), fmt.date_text(i.birth_date), fmt.sex_text(i.sex),
            "; ".join(i.identifiers) or fmt.MISSING, i.address or fmt.MISSING, fmt.phone_text(i.phone or None)]


def _address(p: Patient) -> str:
    if not p.addresses:
        return fmt.MISSING
    a = p.addresses[0]
    return ", ".join(x for x in [*a.lines, a.city, a.state, a.postal_code] if x) or fmt.MISSING


def patient_values(p: Patient) -> list[str]:
    ids = [f"MRN {p.mrn}"] + [f"{i.value} ({i.system})" for i in p.identifiers if i.value != p.mrn]
    phone = next((t.value for t in p.telecom if t.system == "phone"), None)
    return [fmt.person_name(p.name), fmt.date_text(p.birth_date), fmt.sex_text(p.sex), "; ".join(ids),
            _address(p), fmt.phone_text(phone)]


def item_title(item: ReviewItem) -> str:
    who = fmt.person_name(item.incoming.name)
    return f"{item.kind_words}\n{who} — {item.message_type} {item.control_id}"


class ReviewPane(QWidget):
    def __init__(self, session: Session, on_count=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.on_count = session, on_count
        self.items: list[ReviewItem] = []
        self.listing = QListWidget()
        self.listing.setWordWrap(True)
        self.listing.setSpacing(2)
        self.listing.currentItemChanged.connect(lambda *_: self._show_item())
        self.reason = QLabel("")
        self.reason.setWordWrap(True)
        self.compare = QTableWidget(len(FIELDS), 1)
        self.compare.setVerticalHeaderLabels(list(FIELDS))
        self.compare.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.compare.setWordWrap(True)
        self.compare.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.candidate = QComboBox()
        self.candidate.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.candidate.setToolTip("Which of our patients the message is for")
        self.same_button = QPushButton("This is the &same patient")
        self.new_button = QPushButton("Register as &new patient")
        self.reject_button = QPushButton("Re&ject")
        self.same_button.clicked.connect(self.same_patient)
        self.new_button.clicked.connect(self.register_new)
        self.reject_button.clicked.connect(self.reject)
        self.empty = QLabel("No messages wait for review.")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setObjectName("review_status")
        self.status.setVisible(False)  # shown once a decision was made
        buttons = QHBoxLayout()
        buttons.addWidget(self.candidate)
        for b in (self.same_button, self.new_button, self.reject_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        right = QWidget()
        side = QVBoxLayout(right)
        side.addWidget(self.reason)
        side.addWidget(self.compare)
        side.addLayout(buttons)
        side.addStretch(1)
        split = QSplitter()
        split.addWidget(self.listing)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        split.setSizes([280, 720])
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        self.reload()

    def reload(self) -> None:
        ops.run(self, lambda: hl7_review.queue(self.session), on_success=self._show)

    def _show(self, items: list[ReviewItem]) -> None:
        self.items = items
        self.listing.clear()
        for i in items:
            row = QListWidgetItem(item_title(i))
            row.setData(ID_ROLE, i.id)
            row.setToolTip(i.reason)
            self.listing.addItem(row)
        self.empty.setVisible(not items)
        if items:
            self.listing.setCurrentRow(0)
        self._show_item()
        if self.on_count is not None:
            self.on_count(len(items))

    def selected(self) -> ReviewItem | None:
        row = self.listing.currentItem()
        return next((i for i in self.items if row and i.id == row.data(ID_ROLE)), None)

    def _show_item(self) -> None:
        item = self.selected()
        columns = [("In the message" + (f" (from {item.incoming.sender})" if item and item.incoming.sender else ""),
                    incoming_values(item.incoming))] if item else []
        for n, p in enumerate(item.candidates if item else [], start=1):
            columns.append((f"Our patient {n}: MRN {p.mrn}", patient_values(p)))
        self.compare.setColumnCount(max(len(columns), 1))
        self.compare.setHorizontalHeaderLabels([c[0] for c in columns] or [""])
        self.compare.clearContents()
        for c, (_, values) in enumerate(columns):
            for r, text in enumerate(values):
                cell = QTableWidgetItem(text)
                if c > 0 and text != columns[0][1][r]:
                    font = cell.font()
                    font.setBold(True)  # what differs from the message
                    cell.setFont(font)
                self.compare.setItem(r, c, cell)
        self.compare.resizeRowsToContents()
        frame = self.compare.frameWidth() * 2
        self.compare.setFixedHeight(self.compare.horizontalHeader().height() + frame +
                                    sum(self.compare.rowHeight(r) for r in range(len(FIELDS))))
        self.reason.setText(f"{item.kind_words}: {fmt.text(item.reason)}. Received {item.created_at[:16].replace('T', ' ')} "
                            "UTC." if item else "")
        self.candidate.clear()
        for n, p in enumerate(item.candidates if item else [], start=1):
            self.candidate.addItem(f"Our patient {n}: {fmt.person_name(p.name)}, MRN {p.mrn}", p.id)
        held = item is not None and item.needs_patient
        self.candidate.setVisible(held)
        self.same_button.setVisible(held)
        self.new_button.setVisible(held)
        self.same_button.setEnabled(held and self.candidate.count() > 0)
        self.new_button.setEnabled(held)
        self.reject_button.setEnabled(item is not None)
        self.reject_button.setText("Re&ject" if item is None or held else "Mark as &reviewed")

    # -- decisions ------------------------------------------------------------
    def same_patient(self) -> None:
        item, patient_id = self.selected(), self.candidate.currentData()
        if item is not None and patient_id:
            self._decide(lambda: hl7_review.same_patient(self.session, item.id, patient_id))

    def register_new(self) -> None:
        item = self.selected()
        if item is not None:
            self._decide(lambda: hl7_review.register_new(self.session, item.id))

    def reject(self) -> None:
        item = self.selected()
        if item is not None:
            self._decide(lambda: hl7_review.reject(self.session, item.id))

    def _decide(self, work) -> None:
        for b in (self.same_button, self.new_button, self.reject_button):
            b.setEnabled(False)
        ops.run(self, work, on_success=self._decided, on_failure=self._failed)

    def _decided(self, outcome) -> None:
        self.status.setVisible(True)
        if outcome is None:
            self.status.setText("Closed: the message was not taken.")
        elif outcome.ack_code == "AA":
            self.status.setText(f"Taken: {outcome.reason}.")
        else:
            self.status.setText(f"Still waiting: the message itself is wrong ({outcome.reason}).")
        self.reload()

    def _failed(self, exc: Exception) -> None:
        from ui.qt import errors
        errors.show_error(self, exc)
        self.reload()
