"""The sync server settings an administrator keeps for the clinic, and the record of past rounds.

The address and the credentials (a bearer token, or an OAuth2 client id and secret) go
to the secret store of :mod:`app.secrets` (the OS keyring, else the encrypted store),
never to a settings file. What is not secret (how the client authenticates, where the
token endpoint is) goes to the encrypted store's settings beside them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app import secrets as app_secrets
from app.audit import Action
from app.errors import ValidationError
from app.permissions import Permission
from app.secrets import SecretStore
from app.session import Session

TOKEN, CLIENT = "token", "client"  # the two ways a workstation authenticates
BEARER_ID = "bearer"  # the client id under which a bearer token is kept (see ui/cli_sync_tools.py)
_KEY = "sync.server"


@dataclass(frozen=True)
class SyncSettings:
    """The saved settings without the secret. ``kept_in`` says where the secret is."""
    server_url: str
    auth: str  # TOKEN or CLIENT
    client_id: str | None  # None for a bearer token
    token_url: str | None  # None: found in the server's .well-known/smart-configuration
    kept_in: str


@dataclass(frozen=True)
class Round:
    """One sync round as the audit trail recorded it."""
    at: datetime
    username: str
    ok: bool
    pushed: int
    pulled: int
    merged: int
    conflicts: int
    problems: int
    failed: str | None


def load(session: Session, secrets: SecretStore) -> SyncSettings | None:
    """The clinic's sync settings, or None when sync is not set up. Needs the sync permission."""
    saved = app_secrets.sync_credentials(session, secrets)
    if saved is None:
        return None
    with session.uow() as uow:
        extra = uow.settings.get(_KEY) or {}
    auth = CLIENT if saved.client_id != BEARER_ID else TOKEN
    return SyncSettings(saved.server_url, auth, saved.client_id if auth == CLIENT else None,
                        extra.get("token_url") if auth == CLIENT else None, secrets.where)


def credentials(session: Session, secrets: SecretStore) -> tuple[SyncSettings, str] | None:
    """The settings and the secret (token or client secret) for a round; None when not set up."""
    settings = load(session, secrets)
    if settings is None:
        return None
    return settings, app_secrets.sync_credentials(session, secrets).client_secret


def save(session: Session, secrets: SecretStore, *, server_url: str, auth: str, secret: str | None,
         client_id: str | None = None, token_url: str | None = None) -> str:
    """Keep the sync server's address and credentials; returns where the secret went. An
    empty ``secret`` keeps the one saved before (for the same kind of sign-in).

    Admins only (PermissionDenied), audited without the secret. Raises ValidationError for
    a missing address, secret or client id, or an unknown ``auth``.
    """
    session.require(Permission.CONFIG_ADMIN)
    if not secret:
        before = app_secrets.sync_credentials(session, secrets)
        same_kind = before is not None and (before.client_id == BEARER_ID) == (auth == TOKEN)
        secret = before.client_secret if same_kind else ""
    problems = {}
    if auth not in (TOKEN, CLIENT):
        problems["sign in with"] = "choose a bearer token or an OAuth2 client"
    if not server_url.strip():
        problems["server address"] = "the sync server's address is required"
    if not secret:
        problems["token" if auth == TOKEN else "client secret"] = "required"
    if auth == CLIENT and not (client_id or "").strip():
        problems["client id"] = "required"
    if auth == CLIENT and (client_id or "").strip() == BEARER_ID:
        problems["client id"] = f"{BEARER_ID!r} cannot be used as a client id"
    if problems:
        raise ValidationError(problems)
    where = app_secrets.save_sync_credentials(
        session, secrets, server_url=server_url, client_secret=secret,
        client_id=client_id.strip() if auth == CLIENT else BEARER_ID)
    with session.uow() as uow:
        uow.settings.set(_KEY, {"token_url": ((token_url or "").strip() or None) if auth == CLIENT else None})
        uow.commit()
    return where


def forget(session: Session, secrets: SecretStore) -> None:
    """Remove the sync settings (admins only; audited). Sync stops being set up."""
    app_secrets.forget_sync_credentials(session, secrets)
    with session.uow() as uow:
        uow.settings.set(_KEY, None)
        uow.commit()


@dataclass(frozen=True)
class Counts:
    pending: int  # local changes waiting to be sent
    conflicts: int  # conflicts waiting for a person
    rejected: int  # records the server refused


def counts(session: Session) -> Counts:
    """What waits: changes to send, conflicts to decide, refused records (sync permission).
    Cheap enough for a status bar that asks every half minute."""
    session.require(Permission.SYNC)
    with session.uow() as uow:
        return Counts(uow.sync.outbox_count(), len(uow.sync.conflicts("open")), len(uow.sync.rejections()))


#: How far back to look for rounds, widening until enough are found: a store syncing every
#: few minutes finds them in the first window without reading a year of audit entries.
_WINDOWS = (timedelta(hours=1), timedelta(days=1), timedelta(days=30), timedelta(days=366), None)


def recent_rounds(session: Session, limit: int = 20) -> list[Round]:
    """The last ``limit`` sync rounds of this store, newest first (sync permission)."""
    session.require(Permission.SYNC)
    now = session.clock()
    with session.uow() as uow:
        for window in _WINDOWS:
            since = now - window if window is not None else None
            entries = [e for e in uow.audit.query(action=Action.SYNC.value, since=since)
                       if e.patient_id is None and e.record_id is None and "server" in (e.detail or {})]
            if len(entries) >= limit:
                break
    out = []
    for e in reversed(entries[-limit:]):
        d = e.detail
        out.append(Round(e.at, e.username, e.outcome == "success", int(d.get("pushed") or 0),
                         int(d.get("pulled") or 0), int(d.get("merged") or 0), int(d.get("conflicts") or 0),
                         int(d.get("errors") or 0), d.get("failed")))
    return out
