"""PDF bytes printed page by page through QtPdf onto a PDF printer: every page, a chosen page
range, Cancel between pages, and a printer that cannot start."""
from __future__ import annotations

import io
import time

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from reportlab.pdfgen import canvas

from ui.qt import ops, print_pages


def _pdf(pages: int) -> bytes:
    out = io.BytesIO()
    doc = canvas.Canvas(out)
    for n in range(1, pages + 1):
        doc.drawString(72, 720, f"Maria Lopez page {n} of {pages}: office visit")
        doc.showPage()
    doc.save()
    return out.getvalue()


def _printer(path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def _texts(path) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(path).pages]


def test_every_page_is_drawn_with_its_text_kept_searchable(qapp, tmp_path):
    out = tmp_path / "all.pdf"
    started = time.perf_counter()
    assert print_pages.paint(_pdf(12), _printer(out)) == 12
    took = time.perf_counter() - started
    texts = _texts(out)
    assert [f"page {n} of 12" in t for n, t in enumerate(texts, 1)] == [True] * 12
    assert all("Maria Lopez" in t and "office visit" in t for t in texts)
    assert all(page.images for page in PdfReader(out).pages)
    print(f"12 pages in {took:.2f} s")


def test_only_the_page_range_chosen_in_the_print_dialog_is_printed(qapp, tmp_path):
    out = tmp_path / "range.pdf"
    printer = _printer(out)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    assert print_pages.paint(_pdf(5), printer) == 2
    assert ["page 2 of 5" in _texts(out)[0], "page 3 of 5" in _texts(out)[1]] == [True, True]


def test_cancel_stops_between_pages(qapp, tmp_path):
    reports = []
    progress = ops.Progress(lambda done, total: (reports.append((done, total)),
                                                 progress.cancel() if done == 2 else None))
    with pytest.raises(ops.Cancelled):
        print_pages.paint(_pdf(6), _printer(tmp_path / "cancelled.pdf"), progress)
    assert reports == [(1, 6), (2, 6)]


def test_a_printer_that_cannot_start_is_said_in_words(qapp, tmp_path):
    with pytest.raises(print_pages.PrinterUnavailable, match="switched on and connected"):
        print_pages.paint(_pdf(1), _printer(tmp_path / "no such folder" / "x.pdf"))
