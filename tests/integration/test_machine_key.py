"""The machine slot lives in the OS keyring; with no keyring the store still works by user slots."""
from __future__ import annotations

import keyring
import pytest
from keyring.backends import fail

from app.errors import KeyringUnavailable, SignInFailed
from db import machine_key
from db.store import Store
from tests.conftest import ADMIN_PASSWORD


def test_the_machine_slot_opens_the_store_unattended(clinic, store_dir, memory_keyring):
    clinic.store.enable_machine_slot()
    clinic.store.close()
    store = Store.unlock_with_machine_key(store_dir)
    with store.uow() as uow:
        assert uow.users.get("admin").role == "admin"
    store.close()
    secret = next(iter(memory_keyring.secrets.values()))
    assert secret not in (store_dir / "keyslots.json").read_text()


def test_without_a_keyring_the_machine_slot_is_unavailable_but_users_still_sign_in(clinic, store_dir):
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert not machine_key.available()
        with pytest.raises(KeyringUnavailable, match="no OS keyring"):
            clinic.store.enable_machine_slot()
        assert clinic.store.slots.find("machine", "machine") is None
        clinic.store.close()
        with pytest.raises(SignInFailed, match="not enabled"):
            Store.unlock_with_machine_key(store_dir)
        Store.unlock(store_dir, "admin", ADMIN_PASSWORD).close()
    finally:
        keyring.set_keyring(previous)


def test_a_plaintext_file_keyring_is_never_trusted():
    class PlaintextKeyring(fail.Keyring):
        priority = 0.5
    PlaintextKeyring.__module__ = "keyrings.alt.file"
    previous = keyring.get_keyring()
    keyring.set_keyring(PlaintextKeyring())
    try:
        assert not machine_key.available()
    finally:
        keyring.set_keyring(previous)


def test_disabling_the_machine_slot_removes_the_secret(clinic, store_dir, memory_keyring):
    clinic.store.enable_machine_slot()
    clinic.store.disable_machine_slot()
    assert memory_keyring.secrets == {}
    clinic.store.close()
    with pytest.raises(SignInFailed):
        Store.unlock_with_machine_key(store_dir)
