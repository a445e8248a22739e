"""PDF bytes onto a QPrinter, page by page, through QtPdf: in memory, never a temporary file.

Each page is drawn as an image (at most 300 dpi) fitted to the paper, and the page's text
is laid over it in invisible ink at the same places (ligatures spelt out), so a print to a PDF
file can still be searched, copied from and read aloud. This runs on the background thread (ui.qt.ops):
Qt allows a QPainter on a QPrinter off the UI thread, and nothing here touches a widget.
"""
from __future__ import annotations

import re
import unicodedata

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, QSize
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtPrintSupport import QPrinter

from app.errors import OutpostError

#: Enough for sharp text on paper; a 1200 dpi page image would take half a gigabyte.
RENDER_DPI = 300
_LINE = re.compile(r"[^\r\n]+")


class PrinterUnavailable(OutpostError):
    """The printer could not be started (switched off, disconnected, no rights)."""

    def __init__(self):
        super().__init__("the printer could not be started; check that it is switched on and "
                         "connected, then print again")


class PdfModuleMissing(OutpostError):
    """Qt's PDF module (the PySide6-Pdf package) is not installed on this workstation."""

    def __init__(self):
        super().__init__("printing needs Qt's PDF module, which is not installed on this computer; "
                         "use Save as PDF… and print from the PDF viewer, and ask IT to install it")


def _qt_pdf():
    """QtPdf, imported when first printing: a client without it still opens charts."""
    try:
        from PySide6.QtPdf import QPdfDocument
    except ImportError as exc:
        raise PdfModuleMissing() from exc
    return QPdfDocument


def open_pdf(pdf: bytes):
    """The QPdfDocument read from memory, and its buffer (keep it alive as long as the document).

    Raises PdfModuleMissing without QtPdf.
    """
    QPdfDocument = _qt_pdf()
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        raise RuntimeError(f"the PDF could not be read for printing ({document.error()})")
    return document, buffer


def _pages(printer: QPrinter, count: int) -> range:
    """The pages to print: the range chosen in the print dialog, else all of them."""
    first, last = printer.fromPage(), printer.toPage()
    if printer.printRange() == QPrinter.PrintRange.PageRange and first > 0:
        return range(min(first, count) - 1, min(max(last, first), count))
    return range(count)


def paint(pdf: bytes, printer: QPrinter, progress=None) -> int:
    """Print ``pdf`` on ``printer``; returns the number of pages sent.

    ``progress`` (an ops.Progress) gets ``(done, total)`` after each page and may cancel
    between pages. Raises PrinterUnavailable when the printer cannot be started, and
    PdfModuleMissing without QtPdf.
    """
    document, _buffer = open_pdf(pdf)
    pages = _pages(printer, document.pageCount())
    printer.setFullPage(True)  # the documents carry their own margins
    painter = QPainter()
    if not painter.begin(printer):
        raise PrinterUnavailable()
    try:
        for done, index in enumerate(pages):
            if done:
                printer.newPage()
            _paint_page(painter, printer, document, index)
            if progress is not None:
                progress.report(done + 1, len(pages))
                if progress.cancelled:
                    printer.abort()
                    progress.check()
    finally:
        painter.end()
    return len(pages)


def _paint_page(painter: QPainter, printer: QPrinter, document, index: int) -> None:
    size = document.pagePointSize(index)  # points: 1/72 inch
    paper = printer.paperRect(QPrinter.Unit.DevicePixel)
    scale = min(paper.width() / size.width(), paper.height() / size.height())  # device px per point
    target = QRectF(paper.x() + (paper.width() - size.width() * scale) / 2,
                    paper.y() + (paper.height() - size.height() * scale) / 2,
                    size.width() * scale, size.height() * scale)
    dpi = min(printer.resolution(), RENDER_DPI)
    image = document.render(index, QSize(round(size.width() * dpi / 72), round(size.height() * dpi / 72)))
    painter.drawImage(target, image)
    _text_layer(painter, document, index, target.topLeft(), scale)


def _text_layer(painter: QPainter, document, index: int, origin: QPointF,
                scale: float) -> None:
    """Each line of the page's text, invisible, where the image shows it."""
    text = document.getAllText(index).text()
    painter.save()
    painter.setPen(QColor(0, 0, 0, 0))
    font = QFont("DejaVu Sans")
    for tag in ("liga", "clig"):  # "ffi" must stay three letters for search
        font.setFeature(QFont.Tag(tag), 0)
    for line in _LINE.finditer(text):
        box = document.getSelectionAtIndex(index, line.start(), len(line.group())).boundingRectangle()
        if box.height() <= 0:
            continue
        font.setPixelSize(max(1, round(box.height() * scale * 0.8)))
        painter.setFont(font)
        painter.drawText(QPointF(origin.x() + box.left() * scale, origin.y() + box.bottom() * scale),
                         unicodedata.normalize("NFKC", line.group()))  # "ﬃ" ligatures as "ffi"
    painter.restore()
