"""The guard against PySide6 6.12.0 losing references to True, False and None."""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QPushButton

from ui.qt import pyside_fix


class _Sender(QObject):
    ping = Signal(int)


def test_thousands_of_slot_calls_clicks_and_timers_leave_plenty_of_references(qapp):
    sender, calls = _Sender(), []
    sender.ping.connect(lambda n: calls.append(n))
    button, combo = QPushButton(), QComboBox()
    button.clicked.connect(lambda: calls.append("click"))
    combo.addItems(["a", "b"])
    combo.currentIndexChanged.connect(lambda i: calls.append(i))
    pyside_fix.top_up()
    before = {repr(o): sys.getrefcount(o) for o in pyside_fix.GUARDED}

    for n in range(3_000):
        sender.ping.emit(n)
        button.click()
        combo.setCurrentIndex(1 - combo.currentIndex())
        QTimer.singleShot(0, lambda: calls.append("timer"))
        if n % 100 == 0:
            qapp.processEvents()
    qapp.processEvents()
    pyside_fix.top_up()

    assert calls.count("click") == 3_000 and calls.count("timer") == 3_000
    for obj in pyside_fix.GUARDED:
        # A leaking PySide6 lost thousands meanwhile; the guard keeps a wide margin anyway.
        assert sys.getrefcount(obj) >= pyside_fix.LOW, repr(obj)
        assert sys.getrefcount(obj) >= min(before[repr(obj)] - 20_000, pyside_fix.LOW)


def test_a_count_that_runs_low_is_topped_up(qapp, monkeypatch):
    monkeypatch.setattr(pyside_fix, "LOW", sys.getrefcount(None) + 10)
    held = len(pyside_fix._stash)

    pyside_fix.top_up()

    assert sys.getrefcount(None) >= pyside_fix.LOW + pyside_fix.CHUNK - 10
    assert len(pyside_fix._stash) > held
