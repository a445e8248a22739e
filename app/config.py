"""The managed (system-wide) configuration an installer writes, and how it meets per-user settings.

IT writes one TOML file per workstation — ``/etc/outpost/config.toml`` on Linux,
``%ProgramData%\\Outpost\\config.toml`` on Windows, ``/Library/Application Support/Outpost/
config.toml`` on macOS — usually through the installer's silent-install parameters. Keys
(all optional)::

    server_url = "https://fhir.example.org/fhir"   # the central sync server (https, or http for localhost)
    clinic = "Riverside Family Practice"
    location = "Main Street"
    data_dir = "/var/lib/outpost"                   # the clinic store's folder
    idle_lock_minutes = 10                          # 1–60
    mfa = "required"                                # "required" or "optional"
    update_channel = "stable"                       # "stable", "beta" or "none"
    locked = ["server_url", "idle_lock_minutes", "mfa"]   # policy per-user settings never override

Pure parsing and merging (plain ``tomllib``); reading the file is the only I/O here.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from app.errors import ValidationError

MFA_POLICIES = ("required", "optional")
UPDATE_CHANNELS = ("stable", "beta", "none")
MIN_IDLE, MAX_IDLE = 1, 60


@dataclass(frozen=True)
class Config:
    server_url: str | None = None
    clinic: str | None = None
    location: str | None = None
    data_dir: str | None = None
    idle_lock_minutes: int = 10
    mfa: str = "optional"
    update_channel: str = "stable"
    locked: frozenset[str] = field(default_factory=frozenset)
    source: str | None = None  # the file it came from (None: built-in defaults)

    def public(self) -> dict:
        """The settings as plain JSON-ready values (none of them is a secret)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["locked"] = sorted(self.locked)
        return out


SETTING_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Config) if f.name not in ("locked", "source"))
DEFAULTS = Config()


def _check(key: str, value, problems: dict[str, str]):
    """The value for ``key`` once checked; records what is wrong in ``problems``."""
    if key in ("server_url", "clinic", "location", "data_dir"):
        if not isinstance(value, str) or not value.strip():
            problems[key] = "must be a non-empty string"
            return None
        value = value.strip()
        if key == "server_url":
            parts = urlsplit(value)
            local = parts.hostname in ("localhost", "127.0.0.1", "::1")
            if parts.scheme not in ("https", "http") or not parts.hostname:
                problems[key] = f"must be an https:// URL, not {value!r}"
                return None
            if parts.scheme == "http" and not local:
                problems[key] = "must use https:// (plain http is allowed only for localhost)"
                return None
            value = value.rstrip("/")
        return value
    if key == "idle_lock_minutes":
        if isinstance(value, bool) or not isinstance(value, int) or not MIN_IDLE <= value <= MAX_IDLE:
            problems[key] = f"must be a whole number of minutes from {MIN_IDLE} to {MAX_IDLE}, not {value!r}"
            return None
        return value
    if key == "mfa":
        if value not in MFA_POLICIES:
            problems[key] = f"must be one of {', '.join(MFA_POLICIES)}, not {value!r}"
            return None
        return value
    if key == "update_channel":
        if value not in UPDATE_CHANNELS:
            problems[key] = f"must be one of {', '.join(UPDATE_CHANNELS)}, not {value!r}"
            return None
        return value
    raise AssertionError(key)


def _values(data: dict, *, where: str, allow_locked: bool) -> tuple[dict, frozenset[str]]:
    problems: dict[str, str] = {}
    values: dict = {}
    locked: frozenset[str] = frozenset()
    for key, value in data.items():
        if key == "locked" and allow_locked:
            if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
                problems["locked"] = "must be a list of setting names"
            elif unknown := sorted(set(value) - set(SETTING_KEYS)):
                problems["locked"] = f"names unknown settings: {', '.join(unknown)}"
            else:
                locked = frozenset(value)
        elif key in SETTING_KEYS:
            checked = _check(key, value, problems)
            if key not in problems:
                values[key] = checked
        else:
            problems[key] = f"is not a setting (known: {', '.join(SETTING_KEYS + (('locked',) if allow_locked else ()))})"
    if problems:
        raise ValidationError({f"{where}: {k}": v for k, v in problems.items()})
    return values, locked


def parse(text: str, *, source: str = "config.toml") -> Config:
    """The managed configuration from TOML text; ValidationError names each wrong key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError({source: f"is not valid TOML ({exc})"}) from exc
    values, locked = _values(data, where=source, allow_locked=True)
    return replace(DEFAULTS, **values, locked=locked, source=source)


def load(paths: tuple[Path, ...] | list[Path]) -> Config:
    """The first managed configuration file that exists, or the defaults when there is none."""
    for path in paths:
        path = Path(path)
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ValidationError({str(path): f"cannot be read ({exc})"}) from exc
            return parse(text, source=str(path))
    return DEFAULTS


@dataclass(frozen=True)
class Effective:
    config: Config
    ignored: tuple[str, ...]  # per-user settings refused because the managed file locks them


def merge(managed: Config, user: dict) -> Effective:
    """Per-user settings over the managed ones, except where the managed file locks a key.

    ``user`` holds the same keys (a user cannot lock anything); a bad user value is
    a ValidationError naming it, a locked key is ignored and reported in ``ignored``.
    """
    values, _ = _values(dict(user), where="user settings", allow_locked=False)
    ignored = tuple(sorted(k for k in values if k in managed.locked))
    allowed = {k: v for k, v in values.items() if k not in managed.locked}
    return Effective(replace(managed, **allowed), ignored)


def render(config: Config) -> str:
    """The configuration as TOML text that ``parse`` reads back to the same values."""
    lines = []
    for key in SETTING_KEYS:
        value = getattr(config, key)
        if value is None:
            continue
        if isinstance(value, int):
            lines.append(f"{key} = {value}")
        else:
            escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{key} = "{escaped}"')
    if config.locked:
        lines.append("locked = [" + ", ".join(f'"{k}"' for k in sorted(config.locked)) + "]")
    return "\n".join(lines) + "\n"
