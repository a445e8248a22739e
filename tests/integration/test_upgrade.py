"""Upgrades: a store written by the previous schema version opens in this build with its data
and a backup; a failing migration is refused with the old data untouched."""
from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app import audit_trail, patients
from app.errors import MigrationFailed
from db import migrate
from db.store import Store
from tests.conftest import ADMIN_PASSWORD
from tests.integration._clinical import register
from ui import wiring


def _previous_revision() -> str:
    scripts = ScriptDirectory.from_config(migrate._config())
    return scripts.get_revision(scripts.get_current_head()).down_revision


@pytest.fixture
def old_store(store_dir, monkeypatch):
    """A clinic made by the previous version: migrations run only up to the revision before head."""
    previous = _previous_revision()
    real_upgrade = migrate.command.upgrade
    with monkeypatch.context() as m:
        m.setattr(migrate.command, "upgrade", lambda cfg, revision: real_upgrade(cfg, previous))
        m.setattr(migrate, "pending", lambda engine: migrate.current(engine) != previous)
        opened, _ = wiring.create_clinic(store_dir, clinic_name="Old Clinic", admin_username="admin",
                                         admin_password=ADMIN_PASSWORD)
        patient = register(opened.session, "Okonkwo", "Adaeze")
        assert migrate.current(opened.store.engine) == previous
        opened.close()
    return store_dir, previous, patient


def test_a_store_from_the_previous_version_opens_with_its_data_and_a_backup(old_store):
    folder, previous, patient = old_store
    assert not (folder / "backups").exists()
    opened = wiring.sign_in(folder, "admin", ADMIN_PASSWORD)
    try:
        assert migrate.current(opened.store.engine) == migrate.head() != previous
        backup = opened.store.last_backup
        assert backup is not None and backup.exists() and f"from-{previous}" in backup.name
        assert backup.with_suffix(".keyslots.json").exists()
        assert b"SQLite format 3" not in backup.read_bytes()[:16]  # the backup is encrypted too
        found = patients.search(opened.session, "Okonkwo")
        assert [p.id for p in found] == [patient.id]
        assert audit_trail.verify(opened.session) is None
    finally:
        opened.close()


def test_a_failing_migration_is_refused_and_the_old_store_is_untouched(old_store):
    folder, previous, patient = old_store
    # Sabotage the next migration: the second table it creates already exists, so it fails
    # after creating the first one — which must then be rolled back with everything else.
    with pytest.MonkeyPatch.context() as m:
        m.setattr(migrate, "upgrade", lambda engine, db_path, take_backup=True: None)
        opened = Store.unlock(folder, "admin", ADMIN_PASSWORD)
    with opened.engine.begin() as conn:
        conn.execute(text("CREATE TABLE interface_identifiers (x INTEGER)"))
        patients_before = conn.execute(text("SELECT count(*) FROM patients")).scalar()
    opened.close()

    with pytest.raises(MigrationFailed, match="nothing was changed") as caught:
        wiring.sign_in(folder, "admin", ADMIN_PASSWORD)
    assert "backup" in str(caught.value)

    with pytest.MonkeyPatch.context() as m:  # look inside without migrating
        m.setattr(migrate, "upgrade", lambda engine, db_path, take_backup=True: None)
        opened = Store.unlock(folder, "admin", ADMIN_PASSWORD)
    try:
        assert migrate.current(opened.engine) == previous
        with opened.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM patients")).scalar() == patients_before == 1
            tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
        assert "interface_review" not in tables  # created by the failed migration, rolled back
    finally:
        opened.close()
    assert list((folder / "backups").glob("*.db"))
