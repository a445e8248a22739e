"""Starting the desktop client: the application object, sign-in, then the main window."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QApplication

from ui import collector, logging_setup, wiring
from ui.qt import ops, pyside_fix
from ui.qt.main_window import MainWindow
from ui.qt.signin import SignInWindow

APP_NAME = "Outpost EHR"
ORG_NAME = "Outpost"


def _start_logging(folder: Path) -> None:
    """Log to the data folder's PHI-safe log (ui.logging_setup), once the folder exists."""
    if logging.getLogger().handlers:
        return  # someone (a test, an embedding script) already decided where logs go
    if not folder.is_dir():
        return  # no store yet: nothing is created just by opening the client
    try:
        logging_setup.configure(folder)
    except OSError:  # a read-only data folder must not stop the client from starting
        logging.getLogger("outpost.ui").warning("cannot write the log in the data folder")


def application() -> QApplication:
    """The QApplication (made once), named so QSettings and the window manager know it."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    pyside_fix.install(app)
    return app


class Shell(QObject):
    """Moves between the sign-in window and the main window, holding whichever is open."""

    def __init__(self, folder: Path, settings: QSettings | None = None):
        super().__init__()
        self.folder, self.settings = Path(folder), settings
        self.sign_in_window: SignInWindow | None = None
        self.main_window: MainWindow | None = None

    def show_sign_in(self) -> SignInWindow:
        window = SignInWindow(self.folder)
        window.signed_in.connect(self._signed_in)
        window.show()
        if self.main_window is not None:
            self.main_window = None
        self.sign_in_window = window
        return window

    def _signed_in(self, opened: wiring.Opened) -> None:
        window = MainWindow(opened, self.settings)
        window.signed_out.connect(self.show_sign_in)
        window.show()  # shown before sign-in closes, so the app never has no window
        self.main_window = window
        if self.sign_in_window is not None:
            self.sign_in_window.close()
            self.sign_in_window.deleteLater()
            self.sign_in_window = None

    def shut_down(self) -> None:
        """Close whatever is open (the main window ends the session and closes the store)."""
        ops.wait_idle()
        for window in (self.main_window, self.sign_in_window):
            if window is not None and shiboken6.isValid(window):
                window.close()
        self.main_window = self.sign_in_window = None


def launch(data_dir: str | Path | None = None) -> int:
    """Run the desktop client until its last window closes; returns the exit code."""
    folder = wiring.data_dir(data_dir)
    _start_logging(folder)
    app = application()
    collector.freeze_start_up_objects()  # every module is imported by now; no chart is open yet
    shell = Shell(folder)
    shell.show_sign_in()
    try:
        return app.exec()
    finally:
        shell.shut_down()
