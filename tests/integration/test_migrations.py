"""Migrations: the migrated schema matches the tables the code uses; newer stores are refused."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from app.errors import StoreTooNew
from db import migrate
from db.migrations.env_filter import include_object
from db.store import Store
from db.tables import metadata
from tests.conftest import ADMIN_PASSWORD


def test_the_migrated_schema_matches_the_table_definitions(clinic):
    with clinic.store.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include_object,
                                                     "compare_type": True})
        diff = compare_metadata(ctx, metadata)
    assert diff == []


def test_a_new_store_is_at_the_head_revision(clinic):
    assert migrate.current(clinic.store.engine) == migrate.head()
    assert not migrate.pending(clinic.store.engine)


def test_a_store_from_a_newer_version_is_refused_and_left_untouched(clinic, store_dir):
    with clinic.store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    clinic.store.close()
    with pytest.raises(StoreTooNew, match="newer version"):
        Store.unlock(store_dir, "admin", ADMIN_PASSWORD)
    assert not (store_dir / "backups").exists()


def test_a_backup_is_an_encrypted_copy_that_opens_with_the_same_key(clinic, store_dir):
    from db.engine import make_engine
    target = migrate.backup(clinic.store.db_path, clinic.store.engine, "manual")
    assert target.exists() and target.with_suffix(".keyslots.json").exists()
    assert b"SQLite format 3" not in target.read_bytes()[:16]
    engine = make_engine(target, clinic.store._db_key)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 1
    engine.dispose()
