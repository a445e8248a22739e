"""A guard against reference-counting bugs in PySide6 6.12.0 on Python 3.11.

In that combination some calls into Python drop a reference they never took: every
call of a Python slot connected to a custom signal loses one to ``True``; a button's
``clicked``, a combo box's ``currentIndexChanged`` and every ``QTimer.singleShot`` with
a Python callable lose one to ``None`` (a model reset loses two). On Python 3.11 these
are ordinary objects with a few thousand (``True``) or some tens of thousands (``None``)
of references, so after enough keystrokes, clicks and finished operations the
interpreter aborts with "Fatal Python error: bool_dealloc" or "none_dealloc". (PySide6
6.11.3 does not do this, and Python 3.12 made both immortal.)

Until the dependency is fixed or pinned, this module keeps the count of each of
``True``, ``False`` and ``None`` far from zero by holding extra references whenever it
runs low: about 8 bytes per reference, CHUNK at a time (a megabyte and a half), checked
every second and after every background operation. Where nothing leaks, that is one
top-up per object for the life of the process. The lists holding them are never freed,
not even when the interpreter shuts down: freeing them would give back references the
bug already took, and abort at exit instead.
"""
from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QCoreApplication, QTimer

GUARDED = (True, False, None)
CHUNK = 200_000  # references held per top-up
LOW = CHUNK // 2  # top up when an object's count falls below this
_stash: list[list] = []


def _hold(references: list) -> None:
    _stash.append(references)
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(references))  # never freed, by design


def top_up() -> None:
    """Hold another CHUNK references to each guarded object whose count is running low."""
    for obj in GUARDED:
        if sys.getrefcount(obj) < LOW:
            _hold([obj] * CHUNK)


def install(app: QCoreApplication) -> None:
    """Top up now and every second for as long as ``app`` runs."""
    top_up()
    timer = QTimer(app, interval=1000)
    timer.setObjectName("outpost_pyside_refcount_guard")
    timer.timeout.connect(top_up)
    timer.start()
