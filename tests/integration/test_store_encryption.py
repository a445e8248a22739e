"""The encrypted store: nothing readable on disk, and clear errors for every way opening fails."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from app import patients
from app.errors import SignInFailed, StoreCorrupt, StoreExists, StoreMissing
from app.model import ContactPoint, HumanName, Patient
from db.store import DB_FILE, Store
from tests.conftest import ADMIN_PASSWORD
from ui import wiring

NAME = "Quixtarabelle"


def _register(session, family=NAME, given="Zebulonia"):
    return patients.register(session, Patient(
        mrn="", name=HumanName(family, [given]), birth_date=date(1971, 3, 4), sex="female",
        telecom=[ContactPoint("phone", "555-867-5309")]))


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def test_no_patient_name_appears_in_any_file_of_the_store_while_it_is_open(clinic, store_dir):
    _register(clinic.session)
    # The store is still open: the WAL and shared-memory files exist now.
    assert (store_dir / (DB_FILE + "-wal")).exists()
    blob = _all_bytes(store_dir)
    for needle in (NAME, NAME.lower(), "Zebulonia", "8675309"):
        assert needle.encode() not in blob
        assert needle.encode("utf-16-le") not in blob


def test_strings_finds_no_patient_name_after_the_store_is_closed(clinic, store_dir):
    _register(clinic.session)
    clinic.store.close()
    out = subprocess.run(["strings", "-a", *map(str, store_dir.rglob("*"))],
                         capture_output=True, text=True, check=False).stdout
    assert NAME not in out and "Zebulonia" not in out


def test_plain_sqlite_cannot_open_the_store(clinic, store_dir):
    con = sqlite3.connect(store_dir / DB_FILE)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    con.close()


def test_a_wrong_password_is_a_named_error_and_changes_nothing(clinic, store_dir):
    clinic.store.close()
    before = (store_dir / "keyslots.json").read_bytes()
    with pytest.raises(SignInFailed, match="wrong user name or password"):
        Store.unlock(store_dir, "admin", "not the password at all")
    with pytest.raises(SignInFailed):
        Store.unlock(store_dir, "nobody", ADMIN_PASSWORD)
    assert (store_dir / "keyslots.json").read_bytes() == before


def test_the_recovery_key_opens_the_store_in_any_letter_case(clinic, store_dir):
    pid = _register(clinic.session).id
    clinic.store.close()
    store = Store.unlock_with_recovery_key(store_dir, clinic.recovery_key.lower().replace("-", " "))
    with store.uow() as uow:
        assert uow.patients.get(pid).name.family == NAME
    store.close()
    with pytest.raises(SignInFailed, match="recovery key"):
        Store.unlock_with_recovery_key(store_dir, "AAAA-BBBB")


def test_a_missing_store_is_reported_and_never_recreated(tmp_path):
    with pytest.raises(StoreMissing, match="outpost init"):
        Store.unlock(tmp_path / "nothing-here", "admin", ADMIN_PASSWORD)
    assert not (tmp_path / "nothing-here").exists()


def test_a_missing_database_file_beside_its_key_file_is_reported_not_recreated(clinic, store_dir):
    clinic.store.close()
    for suffix in ("", "-wal", "-shm"):
        (store_dir / (DB_FILE + suffix)).unlink(missing_ok=True)
    with pytest.raises(StoreMissing, match="restore"):
        Store.unlock(store_dir, "admin", ADMIN_PASSWORD)
    assert not (store_dir / DB_FILE).exists()


def test_a_damaged_database_file_is_a_named_error(clinic, store_dir):
    clinic.store.close()
    path = store_dir / DB_FILE
    data = bytearray(path.read_bytes())
    data[:4096] = bytes(4096)  # wipe the first page (salt and header)
    path.write_bytes(bytes(data))
    with pytest.raises(StoreCorrupt, match="damaged"):
        Store.unlock(store_dir, "admin", ADMIN_PASSWORD)
    assert path.read_bytes() == bytes(data)  # left as it was, for IT to inspect


def test_a_damaged_key_file_is_a_named_error(clinic, store_dir):
    clinic.store.close()
    (store_dir / "keyslots.json").write_text("{ not json")
    with pytest.raises(StoreCorrupt, match="key file"):
        Store.unlock(store_dir, "admin", ADMIN_PASSWORD)


def test_creating_a_store_where_one_exists_is_refused(clinic, store_dir):
    with pytest.raises(StoreExists):
        Store.create(store_dir, admin_username="admin", admin_password=ADMIN_PASSWORD)


def test_changing_a_password_rewraps_the_slot_without_touching_the_data(clinic, store_dir):
    pid = _register(clinic.session).id
    db_before = (store_dir / DB_FILE).stat().st_size
    clinic.store.set_user_password("admin", "a brand new passphrase")
    clinic.store.close()
    with pytest.raises(SignInFailed):
        Store.unlock(store_dir, "admin", ADMIN_PASSWORD)
    store = Store.unlock(store_dir, "admin", "a brand new passphrase")
    with store.uow() as uow:
        assert uow.patients.get(pid).mrn
    store.close()
    assert (store_dir / DB_FILE).stat().st_size >= db_before


def test_the_key_file_holds_no_key_in_plaintext(clinic, store_dir):
    key = clinic.store._db_key
    text = (store_dir / "keyslots.json").read_bytes()
    assert key.hex().encode() not in text and key not in text


def test_the_cli_says_wrong_password_in_one_line_and_exits_1(clinic, store_dir):
    clinic.store.close()
    proc = subprocess.run([sys.executable, "-m", "ui.cli", "--data-dir", str(store_dir), "--user",
                           "admin", "patient", "search", "smith"], input="wrong password\n",
                          capture_output=True, text=True, env=_env())
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == ["outpost: sign-in failed: wrong user name or password"]


def _env():
    import os
    env = dict(os.environ)
    env.pop("OUTPOST_PASSWORD", None)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return env


def test_the_store_files_are_readable_only_by_their_owner(clinic, store_dir):
    _register(clinic.session)
    assert store_dir.stat().st_mode & 0o777 == 0o700
    for name in (DB_FILE, DB_FILE + "-wal", "keyslots.json"):
        assert (store_dir / name).stat().st_mode & 0o077 == 0, name


def _outpost_cli(*args: str, password: str, cwd=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, OUTPOST_PASSWORD=password)
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True,
                          env=env, timeout=120, cwd=cwd)


def test_outpost_init_then_registering_leaves_no_name_on_disk_and_plain_sqlite_fails(tmp_path):
    folder = tmp_path / "riverbend"
    made = _outpost_cli("init", "--clinic", "Riverbend Clinic", "--admin", "admin", "--data-dir", str(folder),
                        "--json", password=ADMIN_PASSWORD)
    assert made.returncode == 0, made.stderr
    recovery = json.loads(made.stdout)["recovery_key"]
    assert len(recovery.replace("-", "")) >= 32
    opened = wiring.sign_in(folder, "admin", ADMIN_PASSWORD)
    patients.register(opened.session, Patient(mrn="", name=HumanName("Quagmireson", ["Ottoline"]),
                                              birth_date=date(1971, 2, 3), sex="female"),
                      confirm_duplicate=True)
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files), "the WAL is checked while it holds the write"
    for path in files:
        data = path.read_bytes()
        assert b"Quagmireson" not in data and "Quagmireson".encode("utf-16-le") not in data, path
    opened.close()
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(folder / "clinic.db").execute("SELECT count(*) FROM sqlite_master").fetchone()
    wrong = _outpost_cli("--data-dir", str(folder), "--user", "admin", "patient", "search", "Quag",
                         password="not-the-password")
    assert wrong.returncode == 1 and wrong.stderr.count("\n") == 1
    again = _outpost_cli("init", "--clinic", "Again", "--admin", "admin", "--data-dir", str(folder),
                         password=ADMIN_PASSWORD)
    assert again.returncode == 1 and "exists" in again.stderr
