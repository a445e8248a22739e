"""The page every printed document shares: letterhead on the first page, the patient (name,
birth date, MRN) in the header of every page, and "Page N of M" in the footer.

The total page count is known only once the story is laid out, so the canvas keeps each
page until the end and then draws the headers and footers.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app import formatting as fmt
from app.model import Patient
from app.printing.fonts import _is_cjk, font_for, markup, register
from app.printing.letterhead import Letterhead

PAGE = LETTER
MARGIN = 18 * mm
LETTERHEAD_H = 24 * mm
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#999999")


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    right: ParagraphStyle


def styles() -> Styles:
    f = register()
    body = ParagraphStyle("body", fontName=f.regular, fontSize=9.5, leading=12.5)
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=GREY),
        title=ParagraphStyle("title", parent=body, fontName=f.bold, fontSize=15, leading=19, spaceAfter=4),
        heading=ParagraphStyle("heading", parent=body, fontName=f.bold, fontSize=11, leading=14,
                               spaceBefore=8, spaceAfter=3),
        cell=ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        cell_bold=ParagraphStyle("cellb", parent=body, fontName=f.bold, fontSize=8.5, leading=10.5),
        right=ParagraphStyle("right", parent=body, fontSize=8.5, leading=10.5, alignment=TA_RIGHT))


def grid(*commands) -> TableStyle:
    """A table style in the document font (reportlab's own default is Helvetica, which would
    then be named in the PDF even for tables holding only paragraphs)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), register().regular), *commands])


def para(text: object, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped; CJK runs in the CJK font; newlines kept)."""
    shown = "" if text == "" else fmt.text(text)  # "" is a deliberately empty cell
    return Paragraph(markup(shown).replace("\n", "<br/>"), style)


def heading(text: str) -> Paragraph:
    return para(text, styles().heading)


CELL_PAD = 3
CHUNK = 60  # rows per Table: reportlab re-measures a long table at every page split


def table(header: list[str], rows: Iterable[list[object]], widths: list[float],
          *, right: Iterable[int] = ()) -> Table | list[Table]:
    """A ruled table with its header row on each page; no rows gives "None recorded".

    A long table is returned as a list of tables of CHUNK rows (each with the header), which
    lays out in linear time where one big Table takes quadratic time to split across pages.
    """
    s = styles()
    right = set(right)
    body = [[_cell(v, widths[i], s.right if i in right else s.cell) for i, v in enumerate(r)] for r in rows]
    if not body:
        empty = Table([[para("None recorded", s.small)]], colWidths=[sum(widths)])
        empty.setStyle(grid())
        return empty
    head = [para(h, s.cell_bold) for h in header]
    parts = [_ruled([head, *body[i:i + CHUNK]], widths, right) for i in range(0, len(body), CHUNK)]
    return parts[0] if len(parts) == 1 else parts


def _cell(value: object, width: float, style: ParagraphStyle) -> str | Paragraph:
    """A cell's content: plain text when it fits on one line (far faster to lay out and
    draw than a Paragraph), else a wrapping Paragraph. CJK text is always a Paragraph so it
    gets the CJK font."""
    shown = "" if value == "" else fmt.text(value)
    if "\n" not in shown and not any(_is_cjk(c) for c in shown) and \
            stringWidth(shown, style.fontName, style.fontSize) <= width - 2 * CELL_PAD:
        return shown
    return para(value, style)


def _ruled(data: list[list], widths: list[float], right: set[int] = frozenset()) -> Table:
    t = Table(data, colWidths=widths, repeatRows=1)
    cell = styles().cell
    t.setStyle(grid(
        ("FONTSIZE", (0, 0), (-1, -1), cell.fontSize), ("LEADING", (0, 0), (-1, -1), cell.leading),
        *[("ALIGN", (i, 0), (i, -1), "RIGHT") for i in right],
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD), ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)))
    return t


def pairs(rows: list[tuple[str, object]], label_width: float = 38 * mm) -> Table:
    """Label/value lines ("Birth date  4 Jun 1980")."""
    s = styles()
    t = Table([[para(k, s.cell_bold), para(v, s.cell)] for k, v in rows],
              colWidths=[label_width, PAGE[0] - 2 * MARGIN - label_width])
    t.setStyle(grid(("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)))
    return t


def section(title: str, *items: Flowable | list[Flowable]) -> list[Flowable]:
    """A heading kept on the same page as the first thing under it (lists are flattened)."""
    flowables = [f for item in items for f in (item if isinstance(item, list) else [item])]
    if not flowables:
        return [heading(title)]
    return [KeepTogether([heading(title), flowables[0]]), *flowables[1:]]


def draw_text(c: rl_canvas.Canvas, x: float, y: float, text: str, size: float, *, bold: bool = False,
              align: str = "left") -> None:
    """Draw one line on the canvas, switching to the CJK font for Han, kana and hangul."""
    runs: list[tuple[str, str]] = []
    for ch in text:
        font = font_for(ch, bold) if _is_cjk(ch) else font_for("", bold)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    width = sum(c.stringWidth(t, f, size) for f, t in runs)
    if align == "right":
        x -= width
    elif align == "center":
        x -= width / 2
    for font, chunk in runs:
        c.setFont(font, size)
        c.drawString(x, y, chunk)
        x += c.stringWidth(chunk, font, size)


def patient_line(patient: Patient) -> str:
    return (f"{fmt.person_name(patient.name)}  ·  DOB {fmt.date_text(patient.birth_date)}"
            f"  ·  MRN {fmt.text(patient.mrn)}")


class _NumberedCanvas(rl_canvas.Canvas):
    """Holds every page until the end so each footer can say "Page N of M"."""

    def __init__(self, *args, decorate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._decorate = decorate

    def showPage(self):  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._decorate(self, number, total)
            super().showPage()
        super().save()


def _letterhead(c: rl_canvas.Canvas, letterhead: Letterhead) -> None:
    top, x = PAGE[1] - MARGIN, MARGIN
    if letterhead.logo:
        try:
            img = ImageReader(io.BytesIO(letterhead.logo))
            w, h = img.getSize()
            height = 18 * mm
            width = min(40 * mm, height * w / h)
            c.drawImage(img, x, top - height, width=width, height=height, mask="auto",
                        preserveAspectRatio=True)
            x += width + 4 * mm
        except Exception:  # noqa: BLE001 - a broken logo must not stop a print
            pass
    draw_text(c, x, top - 5 * mm, letterhead.name, 13, bold=True)
    y = top - 9.5 * mm
    c.setFillColor(GREY)
    for line in [*letterhead.address_lines, letterhead.contact_line]:
        if line:
            draw_text(c, x, y, line, 8)
            y -= 3.6 * mm
    c.setFillColor(colors.black)
    c.setStrokeColor(RULE)
    rule_y = PAGE[1] - MARGIN - LETTERHEAD_H + 2 * mm
    c.line(MARGIN, rule_y, PAGE[0] - MARGIN, rule_y)


def render(*, title: str, letterhead: Letterhead, patient: Patient | None, story: list[Flowable],
           printed_at: datetime, printed_by: str, subject: str = "") -> bytes:
    """The PDF bytes of a document: letterhead, title, ``story``, headers and footers.
    ``patient`` None: a clinic report (the header names the clinic instead)."""
    buffer = io.BytesIO()
    who = patient_line(patient) if patient is not None else f"{letterhead.name} · clinic report"
    stamp = f"Printed {fmt.datetime_text(printed_at)} by {printed_by}"

    def decorate(c: rl_canvas.Canvas, page: int, total: int) -> None:
        c.saveState()
        if page == 1:
            _letterhead(c, letterhead)
        head_y = PAGE[1] - MARGIN + 5 * mm
        draw_text(c, MARGIN, head_y, who, 8.5, bold=True)
        draw_text(c, PAGE[0] - MARGIN, head_y, title, 8.5, align="right")
        c.setStrokeColor(RULE)
        c.line(MARGIN, head_y - 1.8 * mm, PAGE[0] - MARGIN, head_y - 1.8 * mm)
        foot_y = MARGIN - 9 * mm
        c.line(MARGIN, foot_y + 3.5 * mm, PAGE[0] - MARGIN, foot_y + 3.5 * mm)
        c.setFillColor(GREY)
        draw_text(c, MARGIN, foot_y, f"{letterhead.name} · Confidential patient information · {stamp}", 7)
        c.setFillColor(colors.black)
        draw_text(c, PAGE[0] - MARGIN, foot_y, f"Page {page} of {total}", 8, align="right")
        c.restoreState()

    doc = SimpleDocTemplate(buffer, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN,
                            title=f"{title} — {fmt.person_name(patient.name)}" if patient else title,
                            author=letterhead.name, subject=subject or title, creator="Outpost EHR",
                            # else the canvas's initial Helvetica is named on every page
                            initialFontName=register().regular, initialFontSize=9)
    head = [Spacer(1, LETTERHEAD_H - 2 * mm), para(title, styles().title)]
    doc.build(head + story, canvasmaker=lambda *a, **k: _NumberedCanvas(*a, decorate=decorate, **k))
    return buffer.getvalue()
