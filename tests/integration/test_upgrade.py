"""Upgrades: a store written by the previous schema version opens in this build with its data
and a backup; a failing migration is refused with the old data untouched."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from app import audit_trail, patients
from app.errors import MigrationFailed
from db import migrate
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


BROKEN = """revision = "9999_broken"
down_revision = {head!r}
branch_labels = None
depends_on = None

from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table("upgrade_probe", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("INSERT INTO upgrade_probe (id) VALUES (1)")
    raise RuntimeError("migration 9999 failed half-way")


def downgrade():
    pass
"""


def test_a_failing_migration_is_refused_and_the_old_store_is_untouched(clinic, store_dir, tmp_path, monkeypatch):
    """A "newer build" whose next migration creates a table, writes a row, then fails."""
    register(clinic.session, "Okonkwo", "Adaeze")
    head = migrate.head()
    clinic.store.close()
    scripts = tmp_path / "migrations"
    shutil.copytree(Path(migrate.__file__).parent / "migrations", scripts,
                    ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "9999_broken.py").write_text(BROKEN.format(head=head))
    monkeypatch.setattr(migrate, "_SCRIPTS", scripts)

    with pytest.raises(MigrationFailed, match="nothing was changed") as caught:
        wiring.sign_in(store_dir, "admin", ADMIN_PASSWORD)
    assert "9999 failed half-way" in str(caught.value) and "backup" in str(caught.value)
    backups = list((store_dir / "backups").glob("*.db"))
    assert len(backups) == 1 and "before-9999_broken" in backups[0].name

    monkeypatch.setattr(migrate, "_SCRIPTS", Path(migrate.__file__).parent / "migrations")
    opened = wiring.sign_in(store_dir, "admin", ADMIN_PASSWORD)  # this build: nothing to migrate
    try:
        assert migrate.current(opened.store.engine) == head and opened.store.last_backup is None
        with opened.store.engine.connect() as conn:
            tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
        assert "upgrade_probe" not in tables  # the half-done migration was rolled back
        assert [p.mrn for p in patients.search(opened.session, "Okonkwo")]
        assert audit_trail.verify(opened.session) is None
    finally:
        opened.close()
