"""Numbered migrations, run explicitly, with a backup first."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from app.errors import MigrationFailed, StoreTooNew

_SCRIPTS = Path(__file__).resolve().parent / "migrations"


def _config(connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def pending(engine: Engine) -> bool:
    """Whether the store is behind this build; StoreTooNew when it is ahead of it."""
    rev = current(engine)
    scripts = ScriptDirectory.from_config(_config())
    if not _known(scripts, rev):
        raise StoreTooNew(f"this clinic store was written by a newer version of Outpost (schema "
                          f"{rev}); install that version or newer — downgrades are refused")
    return rev != scripts.get_current_head()


def _known(scripts: ScriptDirectory, rev: str | None) -> bool:
    if rev is None:
        return True
    try:
        return scripts.get_revision(rev) is not None
    except Exception:  # alembic raises for unknown ids
        return False


def backup(db_path: Path, engine: Engine, label: str) -> Path:
    """Copy the (encrypted) store aside after folding the WAL into it."""
    raw = engine.raw_connection()  # outside any transaction: a checkpoint cannot run inside one
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
    finally:
        raw.close()
    folder = db_path.parent / "backups"
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"{db_path.stem}-{label}-{stamp}.db"
    shutil.copy2(db_path, target)
    wal = db_path.with_name(db_path.name + "-wal")
    if wal.exists() and wal.stat().st_size:  # a reader kept the checkpoint from finishing
        shutil.copy2(wal, target.with_name(target.name + "-wal"))
    keys = db_path.parent / "keyslots.json"
    if keys.exists():
        shutil.copy2(keys, target.with_suffix(".keyslots.json"))
    return target


def upgrade(engine: Engine, db_path: Path, *, take_backup: bool = True) -> Path | None:
    """Bring the store to this build's schema; returns the backup made, if any.

    The whole upgrade runs in one transaction: a failing migration leaves the store
    exactly as it was (and the backup beside it).
    """
    if not pending(engine):
        return None
    rev = current(engine)
    saved = backup(db_path, engine, f"before-{head()}-from-{rev}") if take_backup and rev else None
    try:
        with engine.begin() as conn:
            command.upgrade(_config(conn), "head")
    except Exception as exc:
        raise MigrationFailed(f"upgrading the clinic store failed ({exc}); nothing was changed"
                              + (f" and a backup is at {saved}" if saved else "")) from exc
    return saved
