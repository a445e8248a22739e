"""The key hierarchy.

One random 256-bit database key encrypts the whole store (SQLCipher). It is never
written to disk in plaintext: ``keyslots.json`` beside the store holds copies of it,
each wrapped (AES-256-GCM) under a key-encryption key derived from

* a user's password (Argon2id) — one slot per user;
* the recovery key printed once at ``outpost init`` (Argon2id too);
* a random machine secret held in the OS keyring, for unattended sync (optional).

A wrong secret fails the GCM tag check, so a wrong password is told apart from a
corrupt store without ever touching the database file.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.errors import SignInFailed, StoreCorrupt, StoreMissing

FILE_NAME = "keyslots.json"
FORMAT = 1
# Argon2id, OWASP's second recommended profile (m=64 MiB would be stronger but makes every
# sign-in on an old clinic laptop slow; 46 MiB/t=1/p=1 is OWASP's equal-strength alternative).
KDF_DEFAULTS = {"time_cost": 2, "memory_cost": 47104, "parallelism": 1}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)


@dataclass
class Slot:
    kind: str  # user | recovery | machine
    name: str
    salt: str
    nonce: str
    wrapped: str
    kdf: str = "argon2id"
    time_cost: int = KDF_DEFAULTS["time_cost"]
    memory_cost: int = KDF_DEFAULTS["memory_cost"]
    parallelism: int = KDF_DEFAULTS["parallelism"]

    @property
    def aad(self) -> bytes:
        return f"outpost-keyslot:{self.kind}:{self.name}".encode()

    def _kek(self, secret: bytes) -> bytes:
        if self.kdf == "raw":  # machine secret: already 256 random bits
            return secret
        return hash_secret_raw(secret, _unb64(self.salt), time_cost=self.time_cost,
                               memory_cost=self.memory_cost, parallelism=self.parallelism,
                               hash_len=32, type=Type.ID)

    def unwrap(self, secret: bytes) -> bytes | None:
        """The database key, or None when ``secret`` is wrong."""
        try:
            return AESGCM(self._kek(secret)).decrypt(_unb64(self.nonce), _unb64(self.wrapped), self.aad)
        except InvalidTag:
            return None

    @classmethod
    def wrap(cls, kind: str, name: str, secret: bytes, db_key: bytes, *, kdf: str = "argon2id") -> "Slot":
        slot = cls(kind=kind, name=name, salt=_b64(os.urandom(16)), nonce=_b64(os.urandom(12)),
                   wrapped="", kdf=kdf)
        slot.wrapped = _b64(AESGCM(slot._kek(secret)).encrypt(_unb64(slot.nonce), db_key, slot.aad))
        return slot


class KeySlots:
    """The slots file of one store. Every save is atomic (write, fsync, rename)."""

    def __init__(self, path: Path, slots: list[Slot], store_id: str):
        self.path, self.slots, self.store_id = path, slots, store_id

    @classmethod
    def create(cls, data_dir: Path) -> "KeySlots":
        return cls(data_dir / FILE_NAME, [], secrets.token_hex(8))

    @classmethod
    def load(cls, data_dir: Path) -> "KeySlots":
        path = data_dir / FILE_NAME
        if not path.exists():
            raise StoreMissing(f"no clinic store in {data_dir} (key file {FILE_NAME} is missing); "
                               "run 'outpost init' or 'outpost demo' first")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            slots = [Slot(**s) for s in raw["slots"]]
            return cls(path, slots, raw["store_id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreCorrupt(f"the key file {path} is damaged ({exc.__class__.__name__}); "
                               "restore it from a backup") from exc

    def save(self) -> None:
        body = {"format": FORMAT, "store_id": self.store_id, "slots": [asdict(s) for s in self.slots]}
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8") as fh:
            json.dump(body, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    def find(self, kind: str, name: str) -> Slot | None:
        return next((s for s in self.slots if s.kind == kind and s.name == name), None)

    def put(self, slot: Slot) -> None:
        self.slots = [s for s in self.slots if not (s.kind == slot.kind and s.name == slot.name)]
        self.slots.append(slot)

    def remove(self, kind: str, name: str) -> None:
        self.slots = [s for s in self.slots if not (s.kind == kind and s.name == name)]

    def unlock_user(self, username: str, password: str) -> bytes:
        """The database key for a user's password; SignInFailed when either is wrong."""
        slot = self.find("user", username)
        if slot is None:
            # Spend the same time as a real attempt so user names cannot be probed.
            Slot.wrap("user", "-", password.encode(), os.urandom(32))
            raise SignInFailed()
        key = slot.unwrap(password.encode())
        if key is None:
            raise SignInFailed()
        return key

    def unlock_recovery(self, recovery_key: str) -> bytes:
        slot = self.find("recovery", "recovery")
        key = slot.unwrap(normalise_recovery_key(recovery_key).encode()) if slot else None
        if key is None:
            raise SignInFailed("the recovery key is not correct")
        return key


def new_recovery_key() -> str:
    """A 160-bit recovery key in groups of five base32 characters, easy to type from paper."""
    raw = base64.b32encode(os.urandom(20)).decode().rstrip("=")
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def normalise_recovery_key(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())
