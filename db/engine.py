"""SQLCipher engines. Built after unlock, never at import time."""
from __future__ import annotations

from pathlib import Path

import sqlcipher3
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import QueuePool

from app.errors import StoreCorrupt

# Settings applied to every connection. temp_store=MEMORY keeps sorts and temp tables
# off the disk (they would be plaintext); synchronous=FULL makes every commit durable
# on power loss, not only on a crash of this process.
_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA synchronous = FULL",
    "PRAGMA cache_size = -32768",
)


def connect(path: Path, key: bytes | None) -> sqlcipher3.Connection:
    """Open one DB-API connection; ``key`` None opens an unencrypted file (benchmarks only)."""
    con = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        con.execute("PRAGMA cipher_log_level = NONE")
        if key is not None:
            con.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        # The first read is where a wrong key or a damaged file shows up.
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        con.execute("PRAGMA journal_mode = WAL").fetchone()
        for pragma in _PRAGMAS:
            con.execute(pragma)
    except sqlcipher3.DatabaseError as exc:
        con.close()
        raise StoreCorrupt(f"the clinic store {path} cannot be read ({exc}); the key was "
                           "accepted, so the file is damaged — restore it from a backup") from exc
    return con


def make_engine(path: Path, key: bytes | None, *, pool_size: int = 4) -> Engine:
    """An engine whose connections are keyed before any other statement runs.

    Write transactions start with BEGIN IMMEDIATE so two writers never both read the
    audit chain head and then race; connections tagged ``readonly`` use plain BEGIN.
    """
    engine = create_engine("sqlite://", module=sqlcipher3, creator=lambda: connect(path, key),
                           poolclass=QueuePool, pool_size=pool_size, max_overflow=4)

    @event.listens_for(engine, "begin")
    def _begin(conn):  # noqa: ANN001 - SQLAlchemy event signature
        conn.exec_driver_sql("BEGIN" if conn.info.get("readonly") else "BEGIN IMMEDIATE")

    return engine
