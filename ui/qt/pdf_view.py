"""A PDF shown from bytes in memory (QtPdf reads a QBuffer; no file is ever written).

QtPdf ships in its own wheel (``pyside6-pdf``) from PySide6 6.8 on; without it the
pane says so in one sentence instead of failing the whole chart.
"""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.qt.style import set_quiet

try:
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPdfWidgets import QPdfView
except ImportError:  # the optional Qt PDF module is not installed
    QPdfDocument = QPdfView = None

NO_PDF_MODULE = "PDFs cannot be shown on this computer: the Qt PDF module is not installed."


def available() -> bool:
    return QPdfDocument is not None and QPdfView is not None


class PdfPane(QWidget):
    """All pages of one PDF, fitted to the width, scrolled with the keyboard or mouse."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.caption = QLabel()
        set_quiet(self.caption)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        self._buffer: QBuffer | None = None
        self.document = QPdfDocument(self) if available() else None
        if self.document is not None:
            self.view = QPdfView(self)
            self.view.setPageMode(QPdfView.PageMode.MultiPage)
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self.view.setDocument(self.document)
            self.document.statusChanged.connect(self._status_changed)
            layout.addWidget(self.view, 1)
        else:
            self.view = None
            self.caption.setText(NO_PDF_MODULE)
            self.caption.setWordWrap(True)

    def show_pdf(self, content: bytes) -> None:
        """Render ``content`` (the PDF's bytes); the caption says how many pages it has."""
        if self.document is None:
            return
        self.clear()
        buffer = QBuffer(self)
        buffer.setData(QByteArray(content))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._buffer = buffer  # QPdfDocument reads from it for as long as the PDF is shown
        self.document.load(buffer)
        self._status_changed(self.document.status())

    def clear(self) -> None:
        if self.document is not None:
            self.document.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
            self._buffer = None

    def ready(self) -> bool:
        return self.document is not None and self.document.status() == QPdfDocument.Status.Ready

    def page_count(self) -> int:
        return self.document.pageCount() if self.ready() else 0

    def page_image(self, page: int, size: QSize) -> QImage:
        """One page drawn at ``size`` (for a thumbnail or a test); a null image when not ready."""
        return self.document.render(page, size) if self.ready() else QImage()

    def _status_changed(self, status) -> None:
        # The document also reports while it is destroyed with the pane: nothing left to tell.
        if not (shiboken6.isValid(self) and shiboken6.isValid(self.caption)
                and shiboken6.isValid(self.document)):
            return
        if status == QPdfDocument.Status.Ready:
            count = self.document.pageCount()
            self.caption.setText(f"{count} page{'s' if count != 1 else ''}")
        elif status == QPdfDocument.Status.Error:
            self.caption.setText("This PDF could not be read; it may be damaged.")
        elif status == QPdfDocument.Status.Loading:
            self.caption.setText("Opening the PDF…")
