"""The desktop client (PySide6). Widgets call app/ services only through ``ui.qt.ops.run``."""
from ui.qt import pyside_fix

pyside_fix.top_up()  # before any widget exists: see pyside_fix for the PySide6 6.12.0 bug
