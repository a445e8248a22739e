"""The guard against PySide6 6.12.0 losing a reference to True on every Python slot call."""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

from ui.qt import pyside_fix


class _Sender(QObject):
    ping = Signal(int)


def test_thousands_of_slot_calls_leave_true_with_plenty_of_references(qapp):
    sender, calls = _Sender(), []
    sender.ping.connect(lambda n: calls.append(n))
    before = sys.getrefcount(True)

    for n in range(20_000):
        sender.ping.emit(n)
    pyside_fix.top_up()

    assert len(calls) == 20_000
    if pyside_fix.leaks_true():  # the affected PySide6: the guard keeps a wide margin
        assert sys.getrefcount(True) >= pyside_fix.CHUNK // 2
    else:  # a fixed PySide6: slot calls do not touch True's count at all
        assert sys.getrefcount(True) >= before - 100
