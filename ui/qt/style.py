"""The client's few style decisions, in one place.

Text sizes are relative to the system font (so 125–150 % scaling just works) and
colours come from the palette, with one exception: abnormal results and allergies are
drawn in a red that reads on light and dark themes.
"""
from __future__ import annotations

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QLabel

ABNORMAL_COLOUR = QColor("#c62828")


def alert_style() -> str:
    """Style sheet for text that must be noticed (allergies, a refused sign-in)."""
    return f"color: {ABNORMAL_COLOUR.name()}; font-weight: bold;"


def scaled_font(base: QFont, factor: float, *, bold: bool = False) -> QFont:
    """``base`` made ``factor`` times larger (relative, so system scaling still applies)."""
    font = QFont(base)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * factor)
    elif font.pixelSize() > 0:
        font.setPixelSize(round(font.pixelSize() * factor))
    font.setBold(bold)
    return font


def set_quiet(label: QLabel) -> None:
    """Secondary text (empty states, hints): italic in the normal text colour. Greyed-out
    ("disabled") text would be calmer but too faint to read on many screens."""
    font = QFont(label.font())
    font.setItalic(True)
    label.setFont(font)
