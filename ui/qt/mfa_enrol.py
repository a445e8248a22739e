"""Two-step sign-in enrolment: the QR code to scan (segno → PNG → QPixmap), the secret for
typing in by hand, and the ten backup codes, printable once."""
from __future__ import annotations

from PySide6.QtGui import QFont, QPixmap, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.mfa import Enrolment


def backup_codes_text(enrolment: Enrolment) -> str:
    """The sheet the user keeps: whose codes, and each code once."""
    lines = [f"Outpost EHR backup codes for {enrolment.username}",
             "Each code works once, in place of the authenticator app's code.", ""]
    lines += [f"{i:2d}. {code}" for i, code in enumerate(enrolment.backup_codes, 1)]
    return "\n".join(lines)


def print_text(parent: QWidget | None, text: str) -> bool:
    """Send plain text to a printer the user picks (tests replace this)."""
    printer = QPrinter()
    if QPrintDialog(printer, parent).exec() != QDialog.DialogCode.Accepted:
        return False
    doc = QTextDocument()
    doc.setPlainText(text)
    doc.print_(printer)
    return True


class MfaDialog(QDialog):
    def __init__(self, enrolment: Enrolment, parent: QWidget | None = None):
        super().__init__(parent)
        self.enrolment = enrolment
        self.setWindowTitle(f"Two-step sign-in for {enrolment.username}")
        self.pixmap = QPixmap()
        self.pixmap.loadFromData(enrolment.qr_png(scale=5), "PNG")
        self.qr = QLabel()
        self.qr.setPixmap(self.pixmap)
        self.qr.setAccessibleName("QR code for the authenticator app")
        steps = QLabel("1. Open an authenticator app and scan this code.\n"
                       "2. Or type this key by hand:")
        key = QLabel(" ".join(enrolment.secret[i:i + 4] for i in range(0, len(enrolment.secret), 4)))
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        key.setFont(mono)
        self.codes = QLabel("\n".join(enrolment.backup_codes))
        self.codes.setFont(mono)
        left = QVBoxLayout()
        left.addWidget(self.qr)
        left.addWidget(steps)
        left.addWidget(key)
        right = QVBoxLayout()
        right.addWidget(QLabel("Backup codes (each works once).\nPrint them now; they are not shown again."))
        right.addWidget(self.codes)
        right.addStretch(1)
        row = QHBoxLayout()
        row.addLayout(left)
        row.addLayout(right)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.print_button = buttons.addButton("&Print backup codes…", QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.clicked.connect(lambda: print_text(self, backup_codes_text(enrolment)))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(buttons)
