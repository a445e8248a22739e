"""The questions the administration screens ask. Module-level so tests replace them
(a real modal dialog would wait for a click forever)."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

TITLE = "Outpost EHR"


def _ask_text(parent: QWidget | None, title: str, label: str, *, secret: bool = False) -> str | None:
    mode = QLineEdit.EchoMode.Password if secret else QLineEdit.EchoMode.Normal
    text, ok = QInputDialog.getText(parent, title, label, mode)
    return text if ok else None


def _ask_confirm(parent: QWidget | None, text: str) -> bool:
    return QMessageBox.question(parent, TITLE, text) == QMessageBox.StandardButton.Yes


def _ask_save_path(parent: QWidget | None, title: str, suggested: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, "CSV files (*.csv)")
    return path or None


def _tell(parent: QWidget | None, text: str) -> None:
    QMessageBox.information(parent, TITLE, text)


def _run_dialog(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


ask_text = _ask_text
ask_confirm = _ask_confirm
ask_save_path = _ask_save_path
tell = _tell
run_dialog = _run_dialog
