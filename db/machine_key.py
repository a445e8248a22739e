"""The optional machine slot, whose secret lives in the OS keyring.

Where no trustworthy keyring exists (a headless Linux box, or only a plaintext
"keyring" from keyrings.alt) the slot is simply unavailable: the store is still
opened through user slots, and the secret is never written anywhere else.
"""
from __future__ import annotations

import keyring
import keyring.errors

from app.errors import KeyringUnavailable

SERVICE = "outpost-ehr"
_UNSAFE_BACKENDS = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")


def backend_name() -> str:
    kr = keyring.get_keyring()
    return f"{type(kr).__module__}.{type(kr).__name__}"


def available() -> bool:
    """Whether an OS keyring that does not store secrets in plaintext is present."""
    kr = keyring.get_keyring()
    module = type(kr).__module__
    if module.startswith(_UNSAFE_BACKENDS):
        return False
    if getattr(kr, "priority", 1) <= 0 and "chainer" not in module:
        return False
    if "chainer" in module:
        return bool(getattr(kr, "backends", []))
    return True


def _require() -> None:
    if not available():
        raise KeyringUnavailable(
            f"no OS keyring is available on this workstation ({backend_name()}); the machine "
            "slot for unattended sync cannot be used — sign in with a user instead")


def store_secret(store_id: str, secret: bytes) -> None:
    _require()
    try:
        keyring.set_password(SERVICE, f"machine-key:{store_id}", secret.hex())
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"the OS keyring refused the machine key: {exc}") from exc


def load_secret(store_id: str) -> bytes | None:
    _require()
    try:
        value = keyring.get_password(SERVICE, f"machine-key:{store_id}")
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(f"the OS keyring could not be read: {exc}") from exc
    return bytes.fromhex(value) if value else None


def delete_secret(store_id: str) -> None:
    if available():
        try:
            keyring.delete_password(SERVICE, f"machine-key:{store_id}")
        except keyring.errors.PasswordDeleteError:
            pass
