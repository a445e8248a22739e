"""Users and roles: add, disable, reset a password, lift a lockout, enrol two-step sign-in.
Every action is an :mod:`app.accounts` / :mod:`app.mfa` call (admin permission, audited)."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from app import accounts, mfa
from app import formatting as fmt
from app.model import User
from app.permissions import ROLES
from db import signin_state
from ui import wiring
from ui.qt import admin_dialogs as ask
from ui.qt import ops
from ui.qt.mfa_enrol import MfaDialog
from ui.qt.models import Column, RowsModel


def user_state(u: User) -> str:
    return "Disabled" if u.disabled else "Active"


USER_COLUMNS = [
    Column("User name", lambda u: u.username),
    Column("Name", lambda u: fmt.text(u.display_name)),
    Column("Role", lambda u: fmt.code_words(u.role)),
    Column("Two-step sign-in", lambda u: "On" if u.mfa_secret else "Off"),
    Column("State", user_state),
]


class NewUserDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add a user")
        form = QFormLayout(self)
        self.username, self.display_name = QLineEdit(), QLineEdit()
        self.role = QComboBox()
        for role in ROLES:
            self.role.addItem(fmt.code_words(role), role)
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        form.addRow("&User name", self.username)
        form.addRow("&Full name", self.display_name)
        form.addRow("&Role", self.role)
        form.addRow("First &password", self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict:
        return {"username": self.username.text().strip(), "display_name": self.display_name.text().strip(),
                "role": self.role.currentData(), "password": self.password.text()}


class UsersView(QWidget):
    def __init__(self, opened: wiring.Opened, parent: QWidget | None = None):
        super().__init__(parent)
        self.opened, self.session = opened, opened.session
        self.model = RowsModel(USER_COLUMNS, row_id=lambda u: u.username)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, slot in (("add", "&Add user…", self.add), ("disable", "&Disable", self.disable),
                                ("reset", "&Reset password…", self.reset),
                                ("unlock", "&Unlock account", self.unlock),
                                ("mfa", "&Two-step sign-in…", self.enrol)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            self.buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.table)
        self.reload()

    def reload(self) -> None:
        ops.run(self, lambda: accounts.list_users(self.session), on_success=self._show)

    def _show(self, users: list[User]) -> None:
        chosen = self.selected()
        self.model.set_rows(sorted(users, key=lambda u: u.username))
        self.table.resizeColumnsToContents()
        self.select(chosen.username if chosen else None)

    def select(self, username: str | None) -> None:
        for i, u in enumerate(self.model.rows()):
            if u.username == username:
                self.table.selectRow(i)

    def selected(self) -> User | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.model.row_at(rows[0].row()) if rows else None

    def _do(self, work, done=None) -> None:
        ops.run(self, work, on_success=lambda result: (done(result) if done else None, self.reload()))

    def add(self) -> None:
        form = NewUserDialog(self)
        if ask.run_dialog(form):
            values = form.values()
            self._do(lambda: accounts.add_user(self.session, self.opened.store, **values))

    def disable(self) -> None:
        u = self.selected()
        if u and ask.ask_confirm(self, f"Disable {u.username}? They will no longer be able to sign in."):
            self._do(lambda: accounts.disable_user(self.session, self.opened.store, u.username))

    def reset(self) -> None:
        u = self.selected()
        password = ask.ask_text(self, "Reset password", f"New password for {u.username}:",
                                secret=True) if u else None
        if password is not None:
            folder = self.opened.store.data_dir
            self._do(lambda: accounts.reset_password(self.session, self.opened.store, username=u.username,
                                                     new_password=password,
                                                     lockouts=signin_state.lockouts(folder)),
                     lambda _: ask.tell(self, f"The password for {u.username} was reset."))

    def unlock(self) -> None:
        if (u := self.selected()) is not None:
            folder = self.opened.store.data_dir
            self._do(lambda: accounts.unlock_account(self.session, signin_state.lockouts(folder), u.username),
                     lambda was: ask.tell(self, f"{u.username} can sign in again." if was
                                          else f"{u.username} was not locked out."))

    def enrol(self) -> None:
        if (u := self.selected()) is not None:
            self._do(lambda: mfa.enrol(self.session, u.username), self._show_enrolment)

    def _show_enrolment(self, enrolment: mfa.Enrolment) -> None:
        self.mfa_dialog = MfaDialog(enrolment, self)
        ask.run_dialog(self.mfa_dialog)
