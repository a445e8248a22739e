"""The Documents tab: the patient's attached files, attaching one, and viewing it.

A file chosen through the file dialog is read and handed to ``app.documents.attach`` off
the UI thread; its bytes go straight into the encrypted store and are never copied
anywhere else. Viewing reads them back (audited) into memory: images are shown in a
scroll area, PDFs rendered page by page with QtPdf from an in-memory buffer — no
temporary file is ever written.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QFormLayout, QGroupBox,
                               QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QScrollArea,
                               QSplitter, QStackedWidget, QTableView, QVBoxLayout, QWidget)

from app import documents
from app import formatting as fmt
from app.errors import ValidationError
from app.model import Document
from app.permissions import Permission
from app.session import Session
from ui.qt import errors, ops
from ui.qt.chart_events import ChartEvents
from ui.qt.chart_retract import RetractBar, focus_chain
from ui.qt.models import Column, RowsModel
from ui.qt.pdf_view import PdfPane
from ui.qt.style import alert_style, set_quiet

FILE_FILTER = "Documents (*.pdf *.png *.jpg *.jpeg *.tif *.tiff *.txt);;All files (*)"
_BY_SUFFIX = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
              ".jpeg": "image/jpeg", ".tif": "image/tiff", ".tiff": "image/tiff", ".txt": "text/plain"}


def content_type_of(name: str, content: bytes) -> str:
    """The content type a file's first bytes say it is, else the one its name suggests."""
    for kind, signatures in documents.SIGNATURES.items():
        if any(content.startswith(s) for s in signatures):
            return kind
    return _BY_SUFFIX.get(Path(name).suffix.lower(), "application/octet-stream")


def size_text(size: int | None) -> str:
    """"820 bytes", "14 KB", "2.3 MB"."""
    if size is None or size < 0:
        return fmt.MISSING
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


TYPE_WORDS = {"application/pdf": "PDF", "image/png": "PNG image", "image/jpeg": "JPEG image",
              "image/tiff": "TIFF image", "text/plain": "Text"}


def document_columns() -> list[Column[Document]]:
    return [Column("Title", lambda d: fmt.text(d.title)),
            Column("Category", lambda d: fmt.code_words(d.category)),
            Column("Added", lambda d: fmt.date_text(d.created_at), sort_key=lambda d: d.created_at.isoformat()),
            Column("Size", lambda d: size_text(d.size), sort_key=lambda d: d.size, align_right=True),
            Column("Type", lambda d: TYPE_WORDS.get(d.content_type, fmt.text(d.content_type)))]


def read_and_attach(session: Session, patient_id: str, path: str, *, title: str,
                    category: str | None) -> Document:
    """Read the chosen file and store it (runs off the UI thread); ValidationError if unreadable."""
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError({"file": f"could not be read ({exc.strerror or exc})"}) from None
    return documents.attach(session, patient_id=patient_id, content=content, title=title,
                            content_type=content_type_of(path, content), category=category)


def decoded_image(content: bytes, room: int) -> QImage:
    """The picture in ``content``, fitted to ``room`` pixels wide when wider (a phone photo);
    a null image when it cannot be decoded. A QImage, not a widget: safe off the UI thread."""
    image = QImage.fromData(content)
    if not image.isNull() and room > 0 and image.width() > room:
        image = image.scaledToWidth(room, Qt.TransformationMode.SmoothTransformation)
    return image


def read_for_view(session: Session, document_id: str, room: int) -> tuple[Document, bytes, QImage | None]:
    """The document, its bytes (audited read) and, for an image, the decoded picture."""
    doc, content = documents.read(session, document_id)
    image = decoded_image(content, room) if doc.content_type.startswith("image/") else None
    return doc, content, image


class DocumentViewer(QStackedWidget):
    """Shows one document's bytes: an image, a PDF's pages, or plain text."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.empty = QLabel("Select a document and choose View.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        set_quiet(self.empty)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_area = QScrollArea()
        self.image_area.setWidget(self.image)
        self.image_area.setWidgetResizable(True)
        self.pdf = PdfPane()
        self.text = QPlainTextEdit(readOnly=True)
        for page in (self.empty, self.image_area, self.pdf, self.text):
            self.addWidget(page)
        self.shown_title: str | None = None

    def room(self) -> int:
        """The width an image may take without scrolling sideways."""
        return self.image_area.viewport().width() - 8

    def show_document(self, doc: Document, content: bytes, image: QImage | None = None) -> None:
        """Show the bytes; ``image`` is the picture already decoded (off the UI thread)."""
        self.shown_title = doc.title
        if doc.content_type == "application/pdf":
            self.pdf.show_pdf(content)
            self.setCurrentWidget(self.pdf)
        elif doc.content_type.startswith("image/"):
            image = image if image is not None else decoded_image(content, self.room())
            if image.isNull():
                self.show_message(f"{doc.title}: this image could not be shown.")
                return
            self.image.setPixmap(QPixmap.fromImage(image))
            self.setCurrentWidget(self.image_area)
        else:
            self.text.setPlainText(content.decode("utf-8", errors="replace"))
            self.setCurrentWidget(self.text)

    def show_message(self, text: str) -> None:
        self.shown_title = None
        self.empty.setText(text)
        self.pdf.clear()
        self.image.clear()
        self.text.clear()
        self.setCurrentWidget(self.empty)


class DocumentsTab(QWidget):
    """The list and the attach form on the left, the viewer on the right."""
    record_type = Document.RESOURCE_TYPE

    def __init__(self, session: Session, patient_id: str, events: ChartEvents,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.patient_id, self.events = session, patient_id, events
        self.loaded = False
        self.model = RowsModel(document_columns(), row_id=lambda d: d.id, parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Documents")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(lambda _: self.view_selected())
        self.status = QLabel("Loading the documents…")
        self.view_button = QPushButton("&View")
        self.view_button.clicked.connect(lambda: self.view_selected())
        self.retract_bar = RetractBar(self.table, lambda record_id, reason: documents.retract(
            self.session, record_id, reason=reason), what="document")
        self.retract_bar.retracted.connect(self._retracted)
        self.viewer = DocumentViewer()
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self._build()
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection())
        events.changed.connect(self._changed)
        self._selection()
        self.reload()

    def _build(self) -> None:
        box = QGroupBox("Attach a file")
        form = QFormLayout(box)
        self.title = QLineEdit(placeholderText="e.g. Discharge letter, St Mary's")
        self.title.setAccessibleName("Document title")
        self.category = QComboBox()
        self.category.addItem("Not stated", None)
        for value in documents.CATEGORIES:
            self.category.addItem(fmt.code_words(value), value)
        self.category.setAccessibleName("Category")
        self.attach_button = QPushButton("&Choose a file and attach…")
        self.attach_button.clicked.connect(lambda: self.choose_and_attach())
        self.message = QLabel()
        self.message.setWordWrap(True)
        form.addRow("&Title", self.title)
        form.addRow("Cate&gory", self.category)
        form.addRow(self.message)
        form.addRow(self.attach_button)
        if not (self.session.can(Permission.DOCUMENT_WRITE) or self.session.in_emergency):
            for widget in (self.title, self.category, self.attach_button):
                widget.setEnabled(False)
            note = QLabel("Your role may not attach documents.")
            set_quiet(note)
            form.insertRow(0, note)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.status)
        column.addWidget(self.table, 1)
        column.addWidget(self.view_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.retract_bar)
        column.addWidget(box)
        split = QSplitter(Qt.Orientation.Horizontal)
        viewing = QWidget()
        right = QVBoxLayout(viewing)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.caption)
        right.addWidget(self.viewer, 1)
        split.addWidget(left)
        split.addWidget(viewing)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        focus_chain(self.table, self.view_button, self.retract_bar.reason, self.retract_bar.button,
                    self.title, self.category, self.attach_button)

    # -- loading -------------------------------------------------------------
    def _changed(self, record_type: str) -> None:
        if record_type == self.record_type:
            self.reload()

    def reload(self) -> None:
        ops.run(self, lambda: documents.for_patient(self.session, self.patient_id),
                on_success=self._show, on_failure=self._load_failed)

    def _show(self, rows: list[Document]) -> None:
        self.model.set_rows(rows)
        if len(rows) <= 150:  # measuring more rows would stall the UI thread
            self.table.resizeColumnsToContents()
        self.status.setText(f"{fmt.count_text(len(rows), 'document')}, newest first.")
        self._selection()
        self.loaded = True

    def _load_failed(self, exc: Exception) -> None:
        self.status.setText("The documents could not be loaded.")
        self.loaded = True
        errors.show_error(self, exc)

    def _selection(self) -> None:
        self.view_button.setEnabled(self.selected() is not None)

    def selected(self) -> Document | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    # -- attaching -------------------------------------------------------------
    def choose_and_attach(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Attach a file to the chart", "", FILE_FILTER)
        if not path:
            return
        title = self.title.text().strip() or Path(path).stem
        category = self.category.currentData()
        self.attach_button.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText(f"Attaching {Path(path).name}…")
        ops.run(self, lambda: read_and_attach(self.session, self.patient_id, path, title=title,
                                              category=category),
                on_success=self._attached, on_failure=self._attach_failed, label="Attaching the file…")

    def _attached(self, doc: Document) -> None:
        self.attach_button.setEnabled(True)
        self.message.setStyleSheet("")
        self.message.setText(f"Attached “{doc.title}” ({size_text(doc.size)}).")
        self.title.clear()
        self.events.changed.emit(self.record_type)

    def _attach_failed(self, exc: Exception) -> None:
        self.attach_button.setEnabled(True)
        self.message.setStyleSheet(alert_style())
        if isinstance(exc, ValidationError):
            self.message.setText("Not attached. " + " ".join(
                errors.sentence(f"{f}: {w}") for f, w in exc.problems.items()))
        else:
            self.message.setText("Not attached.")
            errors.show_error(self, exc)

    # -- viewing ---------------------------------------------------------------
    def view_selected(self) -> None:
        doc = self.selected()
        if doc is None:
            return
        self.caption.setText("")
        self.viewer.show_message(f"Opening “{doc.title}”…")
        room = self.viewer.room()
        ops.run(self, lambda: read_for_view(self.session, doc.id, room), on_success=self._view,
                on_failure=self._view_failed)

    def _view(self, found: tuple[Document, bytes, QImage | None]) -> None:
        doc, content, image = found
        details = [fmt.code_words(doc.category)] if doc.category else []
        details += [TYPE_WORDS.get(doc.content_type, doc.content_type), size_text(doc.size),
                    f"added {fmt.date_text(doc.created_at)}"]
        self.caption.setText(f"<b>{escape(doc.title)}</b> — {escape(', '.join(details))}")
        self.viewer.show_document(doc, content, image)

    def _view_failed(self, exc: Exception) -> None:
        self.viewer.show_message("This document could not be shown.")
        errors.show_error(self, exc)

    def _retracted(self, doc: Document) -> None:
        if self.viewer.shown_title == doc.title:
            self.caption.setText("")
            self.viewer.show_message("That document was marked entered in error.")
        self.events.changed.emit(self.record_type)
