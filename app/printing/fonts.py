"""Fonts for printed documents: DejaVu Sans for Latin, Greek and Cyrillic, Droid Sans Fallback
for Chinese, Japanese and Korean, each embedded (subset) so the PDF shows the same on any machine.

When DejaVu is missing (scripts/setup.sh installs fonts-dejavu-core) documents fall back to
Helvetica, which has no Greek, Cyrillic or CJK glyphs; :func:`register` logs a warning saying
so, and :data:`FontSet.fallback` tells callers (``outpost doctor``, tests) plainly.
"""
from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/share/fonts/TTF"), Path("/Library/Fonts"), Path("C:/Windows/Fonts"))
CJK_FILES = (Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
             Path("/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf"))


@dataclass(frozen=True)
class FontSet:
    regular: str
    bold: str
    cjk: str | None  # a font for Han, kana and hangul, or None when none is installed
    fallback: bool  # True when DejaVu was not found (Helvetica: Latin-1 only)


def _find(name: str) -> Path | None:
    extra = os.environ.get("OUTPOST_FONT_DIR")
    for folder in ((Path(extra),) if extra else ()) + FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    return None


@functools.lru_cache(maxsize=1)
def register() -> FontSet:
    """Register the document fonts once; returns their names."""
    regular, bold = _find("DejaVuSans.ttf"), _find("DejaVuSans-Bold.ttf")
    cjk = None
    cjk_file = next((p for p in CJK_FILES if p.is_file()), None)
    if cjk_file:
        pdfmetrics.registerFont(TTFont("OutpostCJK", str(cjk_file)))
        cjk = "OutpostCJK"
    if regular and bold:
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
        pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold",
                                      italic="DejaVuSans", boldItalic="DejaVuSans-Bold")
        return FontSet("DejaVuSans", "DejaVuSans-Bold", cjk, False)
    log.warning("DejaVu Sans was not found (install fonts-dejavu-core); printed documents use "
                "Helvetica and cannot show Greek, Cyrillic or other non-Latin letters")
    return FontSet("Helvetica", "Helvetica-Bold", cjk, True)


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xAC00 <= o <= 0xD7AF or 0xF900 <= o <= 0xFAFF
            or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x2FFFF)


def markup(text: str) -> str:
    """``text`` escaped for a Paragraph, with runs of CJK characters set in the CJK font."""
    fonts = register()
    if not fonts.cjk or not any(_is_cjk(c) for c in text):
        return escape(text)
    out, run, in_cjk = [], [], False
    for ch in text + "\0":
        cjk = ch != "\0" and _is_cjk(ch)
        if (cjk != in_cjk or ch == "\0") and run:
            chunk = escape("".join(run))
            out.append(f'<font name="{fonts.cjk}">{chunk}</font>' if in_cjk else chunk)
            run = []
        in_cjk = cjk
        if ch != "\0":
            run.append(ch)
    return "".join(out)


def font_for(text: str, bold: bool = False) -> str:
    """The font to draw ``text`` with directly on a canvas (headers, footers)."""
    fonts = register()
    if fonts.cjk and any(_is_cjk(c) for c in text):
        return fonts.cjk
    return fonts.bold if bold else fonts.regular
