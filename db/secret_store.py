"""Where the clinic's secrets are kept: the OS keyring when there is a trustworthy one,
else the encrypted store's settings. Never a plaintext file (see ``db/machine_key.py``
for which keyrings count as trustworthy)."""
from __future__ import annotations

import keyring
import keyring.errors

from app.errors import KeyringUnavailable
from db import machine_key

_PREFIX = "secret:"


class KeyringSecrets:
    """Secrets in the OS keyring. ``fallback`` is read when the keyring has nothing (a secret
    kept in the store before this workstation had a keyring) and emptied on the next put."""
    where = "the OS keyring"

    def __init__(self, store_id: str, fallback: "StoreSecrets | None" = None):
        self.store_id, self.fallback = store_id, fallback

    def _name(self, name: str) -> str:
        return f"{name}:{self.store_id}"

    def get(self, name: str) -> str | None:
        try:
            value = keyring.get_password(machine_key.SERVICE, self._name(name))
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(f"the OS keyring could not be read: {exc}") from exc
        if value is None and self.fallback is not None:
            return self.fallback.get(name)
        return value

    def put(self, name: str, value: str) -> None:
        try:
            keyring.set_password(machine_key.SERVICE, self._name(name), value)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(f"the OS keyring refused the secret: {exc}") from exc
        if self.fallback is not None and self.fallback.get(name) is not None:
            self.fallback.delete(name)

    def delete(self, name: str) -> None:
        try:
            keyring.delete_password(machine_key.SERVICE, self._name(name))
        except keyring.errors.PasswordDeleteError:
            pass
        if self.fallback is not None:
            self.fallback.delete(name)


class StoreSecrets:
    """Secrets in the encrypted store's settings table (SQLCipher, AES-256)."""
    where = "the encrypted clinic store"

    def __init__(self, uow_factory):
        self.uow_factory = uow_factory

    def get(self, name: str) -> str | None:
        with self.uow_factory() as uow:
            return uow.settings.get(_PREFIX + name)

    def put(self, name: str, value: str) -> None:
        with self.uow_factory() as uow:
            uow.settings.set(_PREFIX + name, value)
            uow.commit()

    def delete(self, name: str) -> None:
        with self.uow_factory() as uow:
            uow.settings.set(_PREFIX + name, None)
            uow.commit()


def secret_store(store) -> KeyringSecrets | StoreSecrets:
    """The keyring when this workstation has a trustworthy one, else the encrypted store."""
    in_store = StoreSecrets(store.uow)
    if machine_key.available():
        return KeyringSecrets(store.store_id, fallback=in_store)
    return in_store
