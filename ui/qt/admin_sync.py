"""Administration → Sync server: the central FHIR server's address and how this clinic signs in
to it (a bearer token, or an OAuth2 client id and secret). The secret goes to the OS keyring
or the encrypted store (:mod:`app.sync_settings`), never to a settings file, and is never
shown again: an empty secret field keeps the saved one."""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from app import sync_settings
from app.errors import SyncError, ValidationError
from app.sync_settings import CLIENT, TOKEN, SyncSettings
from db.secret_store import secret_store
from sync.gateway import check_url
from ui import wiring
from ui.qt import admin_dialogs as ask
from ui.qt import ops
from ui.qt.style import set_quiet

KINDS = [(TOKEN, "Bearer token"), (CLIENT, "OAuth2 client (client id and secret)")]


def _checked(values: dict) -> dict:
    """The values, with the server address refused here (not at the first round) when sync
    would never send to it."""
    for key, label in (("server_url", "server address"), ("token_url", "token endpoint")):
        if values.get(key):
            try:
                values[key] = check_url(values[key])
            except SyncError as exc:
                raise ValidationError({label: str(exc).removeprefix("sync config error: ")}) from None
    return values


class SyncServerView(QWidget):
    def __init__(self, opened: wiring.Opened, parent: QWidget | None = None):
        super().__init__(parent)
        self.opened, self.session = opened, opened.session
        self.secrets = secret_store(opened.store)
        self.saved: SyncSettings | None = None
        self.url = QLineEdit(placeholderText="https://fhir.example.org/r4")
        self.kind = QComboBox()
        for value, label in KINDS:
            self.kind.addItem(label, value)
        self.kind.currentIndexChanged.connect(lambda _: self._show_kind())
        self.token = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.client_id = QLineEdit()
        self.client_secret = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.token_url = QLineEdit(placeholderText="found from the server when left empty")
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.form = QFormLayout()
        self.form.addRow("Sync &server address", self.url)
        self.form.addRow("Sign in &with", self.kind)
        self.form.addRow("Bearer &token", self.token)
        self.form.addRow("Client &id", self.client_id)
        self.form.addRow("Client s&ecret", self.client_secret)
        self.form.addRow("Token &endpoint", self.token_url)
        self.save_button = QPushButton("&Save sync settings")
        self.save_button.clicked.connect(self.save)
        self.forget_button = QPushButton("&Remove sync settings…")
        self.forget_button.clicked.connect(self.forget)
        note = QLabel("Plain http is accepted only for a server on this computer. The token or "
                      "client secret is kept in the OS keyring, or in the encrypted clinic store "
                      "where there is none, and is never shown again.")
        note.setWordWrap(True)
        set_quiet(note)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.forget_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addLayout(self.form)
        layout.addWidget(note)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self._show_kind()
        self.reload()

    def reload(self) -> None:
        ops.run(self, lambda: sync_settings.load(self.session, self.secrets), on_success=self._show)

    def _show(self, saved: SyncSettings | None) -> None:
        self.saved = saved
        self.forget_button.setEnabled(saved is not None)
        if saved is None:
            self.state.setText("Sync is not set up: changes stay on this computer until a server is saved here.")
            return
        self.state.setText(f"Sync is set up; the secret is kept in {saved.kept_in}.")
        self.url.setText(saved.server_url)
        self.kind.setCurrentIndex(0 if saved.auth == TOKEN else 1)
        self.client_id.setText(saved.client_id or "")
        self.token_url.setText(saved.token_url or "")
        for field in (self.token, self.client_secret):
            field.clear()
        self._show_kind()

    def _show_kind(self) -> None:
        client = self.kind.currentData() == CLIENT
        for widget, shown in ((self.token, not client), (self.client_id, client),
                              (self.client_secret, client), (self.token_url, client)):
            self.form.setRowVisible(widget, shown)
        same = self.saved is not None and self.saved.auth == self.kind.currentData()
        hint = "saved — type a new one to replace it" if same else ""
        self.token.setPlaceholderText(hint)
        self.client_secret.setPlaceholderText(hint)

    def save(self) -> None:
        kind = self.kind.currentData()
        secret = (self.client_secret if kind == CLIENT else self.token).text()
        values = dict(server_url=self.url.text().strip(), auth=kind, secret=secret,
                      client_id=self.client_id.text().strip() or None,
                      token_url=self.token_url.text().strip() or None)
        ops.run(self, lambda: sync_settings.save(self.session, self.secrets, **_checked(values)),
                on_success=self._saved)

    def _saved(self, where: str) -> None:
        self.reload()
        self._settings_changed()
        ask.tell(self, f"Saved the sync settings; the secret is kept in {where}.")

    def forget(self) -> None:
        if not ask.ask_confirm(self, "Remove the sync server settings? Sync stops until they are "
                                     "entered again; changes stay on this computer."):
            return
        ops.run(self, lambda: sync_settings.forget(self.session, self.secrets),
                on_success=lambda _: (self._clear(), self.reload(), self._settings_changed()))

    def _clear(self) -> None:
        for field in (self.url, self.token, self.client_id, self.client_secret, self.token_url):
            field.clear()

    def _settings_changed(self) -> None:
        """Tell this window's sync controller to read the settings again."""
        from ui.qt.sync_control import SyncControl
        control = self.window().findChild(SyncControl)
        if control is not None:
            control.reconfigure()
