"""The clinic's encrypted store: creating it, unlocking it, and handing out units of work."""
from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Engine

from app.errors import KeyringUnavailable, SignInFailed, StoreExists, StoreMissing
from db import machine_key, migrate
from db.engine import make_engine
from db.keyslots import KeySlots, Slot, new_recovery_key, normalise_recovery_key
from db.uow import SqlUnitOfWork

DB_FILE = "clinic.db"


def _derive(db_key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(db_key)


class Store:
    """An unlocked store. Holds the database key in memory only while it is open."""

    def __init__(self, data_dir: Path, engine: Engine, db_key: bytes, slots: KeySlots):
        self.data_dir, self.engine, self.slots = data_dir, engine, slots
        self._db_key = db_key
        self.audit_key = _derive(db_key, b"outpost audit chain v1")
        self.last_backup: Path | None = None

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILE

    @property
    def store_id(self) -> str:
        return self.slots.store_id

    def uow(self, *, readonly: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.audit_key, readonly=readonly)

    def close(self) -> None:
        self.engine.dispose()
        self._db_key = b""

    # -- creating and opening ------------------------------------------------
    @staticmethod
    def exists(data_dir: Path) -> bool:
        return (data_dir / DB_FILE).exists() or (data_dir / "keyslots.json").exists()

    @classmethod
    def create(cls, data_dir: Path, *, admin_username: str, admin_password: str) -> tuple["Store", str]:
        """A new empty store with one user slot and a recovery slot; returns the recovery key.

        Refuses (StoreExists) when a store is already there: a store is never overwritten.
        """
        data_dir = Path(data_dir)
        if cls.exists(data_dir):
            raise StoreExists(f"a clinic store already exists in {data_dir}; it was left untouched")
        data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(data_dir, 0o700)  # encrypted anyway; still nobody else's business
        db_key, recovery = os.urandom(32), new_recovery_key()
        slots = KeySlots.create(data_dir)
        slots.put(Slot.wrap("user", admin_username, admin_password.encode(), db_key))
        slots.put(Slot.wrap("recovery", "recovery", normalise_recovery_key(recovery).encode(), db_key))
        # Made owner-only before SQLite opens it: SQLite gives -wal and -shm the same mode.
        (data_dir / DB_FILE).touch(mode=0o600)
        engine = make_engine(data_dir / DB_FILE, db_key)
        try:
            migrate.upgrade(engine, data_dir / DB_FILE, take_backup=False)
            slots.save()
        except BaseException:
            engine.dispose()
            for name in (DB_FILE, DB_FILE + "-wal", DB_FILE + "-shm", "keyslots.json"):
                (data_dir / name).unlink(missing_ok=True)
            raise
        return cls(data_dir, engine, db_key, slots), recovery

    @classmethod
    def open(cls, data_dir: Path, db_key: bytes, slots: KeySlots | None = None) -> "Store":
        """Open with a known key, migrating (after a backup) when this build is newer."""
        data_dir = Path(data_dir)
        slots = slots or KeySlots.load(data_dir)
        if not (data_dir / DB_FILE).exists():
            raise StoreMissing(f"the clinic store {data_dir / DB_FILE} is missing (the key file is "
                               "there); restore the store from a backup — it was not recreated")
        engine = make_engine(data_dir / DB_FILE, db_key)
        try:
            with engine.connect():
                pass  # connect() reads the file: a damaged store fails here, clearly
            store = cls(data_dir, engine, db_key, slots)
            store.last_backup = migrate.upgrade(engine, data_dir / DB_FILE)
        except BaseException:
            engine.dispose()
            raise
        return store

    @classmethod
    def unlock(cls, data_dir: Path, username: str, password: str) -> "Store":
        """Open with a user's password (SignInFailed when it is wrong)."""
        slots = KeySlots.load(Path(data_dir))
        return cls.open(data_dir, slots.unlock_user(username, password), slots)

    @classmethod
    def unlock_with_recovery_key(cls, data_dir: Path, recovery_key: str) -> "Store":
        slots = KeySlots.load(Path(data_dir))
        return cls.open(data_dir, slots.unlock_recovery(recovery_key), slots)

    @classmethod
    def unlock_with_machine_key(cls, data_dir: Path) -> "Store":
        """Open unattended (scheduled sync) with the secret held in the OS keyring."""
        slots = KeySlots.load(Path(data_dir))
        slot = slots.find("machine", "machine")
        if slot is None:
            raise SignInFailed("unattended access is not enabled for this workstation")
        secret = machine_key.load_secret(slots.store_id)
        key = slot.unwrap(secret) if secret else None
        if key is None:
            raise SignInFailed("the machine key in the OS keyring does not open this store")
        return cls.open(data_dir, key, slots)

    # -- key slots -----------------------------------------------------------
    def set_user_password(self, username: str, password: str) -> None:
        """Add or re-wrap a user's slot (password change, admin reset): no data is re-encrypted."""
        self.slots.put(Slot.wrap("user", username, password.encode(), self._db_key))
        self.slots.save()

    def remove_user_slot(self, username: str) -> None:
        self.slots.remove("user", username)
        self.slots.save()

    def has_user_slot(self, username: str) -> bool:
        return self.slots.find("user", username) is not None

    def enable_machine_slot(self) -> None:
        """Put a random secret in the OS keyring and a slot for it; KeyringUnavailable if none."""
        if not machine_key.available():
            raise KeyringUnavailable(
                f"no OS keyring is available ({machine_key.backend_name()}); unattended sync "
                "needs one — the store stays usable through user sign-in")
        secret = os.urandom(32)
        machine_key.store_secret(self.store_id, secret)
        self.slots.put(Slot.wrap("machine", "machine", secret, self._db_key, kdf="raw"))
        self.slots.save()

    def disable_machine_slot(self) -> None:
        machine_key.delete_secret(self.store_id)
        self.slots.remove("machine", "machine")
        self.slots.save()
