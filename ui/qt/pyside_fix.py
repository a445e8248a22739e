"""A guard against a reference-counting bug in PySide6 6.12.0 on Python 3.11.

In that combination every call of a Python slot (a method, function or lambda
connected to a signal) drops one reference to ``True`` that it never took. Python
3.11's ``True`` is an ordinary object with a few thousand references, so after a few
thousand keystrokes, clicks and finished operations the interpreter aborts with
"Fatal Python error: bool_dealloc". (PySide6 6.11.3 does not do this, and Python 3.12
made ``True`` immortal.) Until the dependency is fixed or pinned, this module detects
the leak by measuring it and keeps ``True``'s count far from zero by holding extra
references, about 8 bytes per leaked reference: a few megabytes for a long day. The
lists holding them are never freed, not even when the interpreter shuts down: freeing
them would give back references the bug already took, and abort at exit instead.
"""
from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

CHUNK = 1_000_000  # references held per top-up
_stash: list[list[bool]] = []
_leaks: bool | None = None


class _Probe(QObject):
    ping = Signal()


def leaks_true() -> bool:
    """Whether calling a Python slot loses a reference to True here (measured once)."""
    global _leaks
    if _leaks is None:
        probe, calls = _Probe(), []
        probe.ping.connect(lambda: calls.append(1))
        before = sys.getrefcount(True)
        for _ in range(20):
            probe.ping.emit()
        _leaks = sys.getrefcount(True) < before - 10
        if _leaks:
            _hold([True] * 40)  # give back what the probe took
    return _leaks


def _hold(references: list[bool]) -> None:
    _stash.append(references)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(references))  # never freed, by design


def top_up() -> None:
    """Hold another CHUNK references to True when it is running low (only where it leaks)."""
    if leaks_true() and sys.getrefcount(True) < CHUNK // 2:
        _hold([True] * CHUNK)


def install(app: QCoreApplication) -> None:
    """Top up now and every second for as long as ``app`` runs."""
    top_up()
    if not leaks_true():
        return
    timer = QTimer(app, interval=1000)
    timer.setObjectName("outpost_pyside_refcount_guard")
    timer.timeout.connect(top_up)
    timer.start()
