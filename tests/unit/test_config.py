"""The managed configuration file: parsing, refusals naming the key, and locked policy."""
from __future__ import annotations

from pathlib import Path

import pytest

from app import config
from app.errors import ValidationError

EXAMPLE = Path(__file__).resolve().parents[2] / "installer" / "config.example.toml"


def test_the_example_file_parses_with_every_setting_and_its_locks():
    c = config.load([EXAMPLE])
    assert c.server_url == "https://fhir.riverside.example/fhir"
    assert (c.clinic, c.location, c.data_dir) == ("Riverside Family Practice", "Main Street", "/var/lib/outpost")
    assert (c.idle_lock_minutes, c.mfa, c.update_channel) == (10, "required", "stable")
    assert c.locked == {"server_url", "idle_lock_minutes", "mfa", "update_channel"}
    assert c.source == str(EXAMPLE)


def test_no_file_gives_the_built_in_defaults(tmp_path):
    c = config.load([tmp_path / "missing.toml"])
    assert c == config.DEFAULTS and c.source is None and c.idle_lock_minutes == 10


def test_the_first_existing_file_wins(tmp_path):
    (tmp_path / "b.toml").write_text('clinic = "B"\n')
    (tmp_path / "c.toml").write_text('clinic = "C"\n')
    assert config.load([tmp_path / "a.toml", tmp_path / "b.toml", tmp_path / "c.toml"]).clinic == "B"


@pytest.mark.parametrize("text, key", [
    ("idle_lock_minutes = 0", "idle_lock_minutes"),
    ("idle_lock_minutes = 61", "idle_lock_minutes"),
    ('idle_lock_minutes = "10"', "idle_lock_minutes"),
    ('mfa = "sometimes"', "mfa"),
    ('update_channel = "nightly"', "update_channel"),
    ('server_url = "http://fhir.example.org"', "server_url"),
    ('server_url = "ftp://fhir.example.org"', "server_url"),
    ('clinic = ""', "clinic"),
    ('colour = "blue"', "colour"),
    ('locked = ["password"]', "locked"),
])
def test_a_wrong_value_is_refused_naming_the_file_and_key(text, key):
    with pytest.raises(ValidationError) as caught:
        config.parse(text, source="/etc/outpost/config.toml")
    assert f"/etc/outpost/config.toml: {key}" in str(caught.value)


def test_broken_toml_is_refused_naming_the_file():
    with pytest.raises(ValidationError, match="site.toml.*not valid TOML"):
        config.parse("clinic = ", source="site.toml")


def test_plain_http_is_allowed_only_for_a_local_server():
    assert config.parse('server_url = "http://localhost:8080/fhir/"').server_url == "http://localhost:8080/fhir"


def test_per_user_settings_override_only_what_is_not_locked():
    managed = config.parse('idle_lock_minutes = 5\nmfa = "required"\nlocation = "North"\n'
                           'locked = ["idle_lock_minutes", "mfa"]')
    merged = config.merge(managed, {"idle_lock_minutes": 30, "mfa": "optional", "location": "South"})
    assert merged.config.idle_lock_minutes == 5 and merged.config.mfa == "required"
    assert merged.config.location == "South"
    assert merged.ignored == ("idle_lock_minutes", "mfa")


def test_a_user_cannot_lock_or_unlock_anything():
    managed = config.parse('mfa = "required"\nlocked = ["mfa"]')
    with pytest.raises(ValidationError, match="user settings: locked"):
        config.merge(managed, {"locked": []})


def test_a_bad_per_user_value_is_refused_naming_it():
    with pytest.raises(ValidationError, match="user settings: idle_lock_minutes"):
        config.merge(config.DEFAULTS, {"idle_lock_minutes": 600})


def test_rendered_configuration_reads_back_the_same():
    original = config.parse(EXAMPLE.read_text(encoding="utf-8"), source="x")
    assert config.parse(config.render(original), source="x") == original


def test_the_data_folder_comes_from_the_managed_file(tmp_path, monkeypatch):
    from ui import wiring
    target = tmp_path / "clinic data"
    (tmp_path / "config.toml").write_text(f'data_dir = "{target.as_posix()}"\n')
    monkeypatch.delenv("OUTPOST_DATA_DIR", raising=False)
    monkeypatch.setenv("OUTPOST_CONFIG", str(tmp_path / "config.toml"))
    assert wiring.data_dir() == target
    assert wiring.data_dir(tmp_path / "explicit") == (tmp_path / "explicit").resolve()


def test_an_invalid_managed_file_falls_back_to_the_platform_folder(tmp_path, monkeypatch):
    from ui import wiring
    (tmp_path / "config.toml").write_text('data_dir = ""\n')
    monkeypatch.delenv("OUTPOST_DATA_DIR", raising=False)
    monkeypatch.setenv("OUTPOST_CONFIG", str(tmp_path / "config.toml"))
    assert wiring.data_dir() != Path("")
