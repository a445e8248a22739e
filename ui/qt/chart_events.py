"""What changed in the open chart: one small hub per chart that its tabs listen to.

A tab that saved something through a service says so (``changed.emit("Observation")``);
every tab that shows that kind of record reloads itself, and the banner and Summary
reload too. Widgets never tell each other directly.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class ChartEvents(QObject):
    """``changed(record_type)`` after a service stored a record of that type for this patient."""
    changed = Signal(str)
