"""Secrets the product holds for the clinic (the sync server's credentials).

They live in the OS keyring where the workstation has one, otherwise inside the
encrypted store — never in a configuration file, a log or the audit trail. The port
below is implemented by ``db/secret_store.py``; services here decide who may use it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.audit import Action
from app.errors import ValidationError
from app.permissions import Permission
from app.session import Session

SYNC_CREDENTIALS = "sync-credentials"


class SecretStore(Protocol):
    """Named secrets. ``where`` says, in plain words, where they are kept."""
    where: str

    def get(self, name: str) -> str | None: ...
    def put(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...


@dataclass(frozen=True)
class SyncCredentials:
    server_url: str
    client_id: str
    client_secret: str

    def __repr__(self) -> str:  # never print the secret by accident (tracebacks, logs)
        return f"SyncCredentials(server_url={self.server_url!r}, client_id={self.client_id!r}, ***)"

    __str__ = __repr__


def save_sync_credentials(session: Session, secrets: SecretStore, *, server_url: str,
                          client_id: str, client_secret: str) -> str:
    """Keep the sync server's credentials; returns where they were put. Admins only; the
    change is audited without the secret. Raises ValidationError for missing parts."""
    session.require(Permission.CONFIG_ADMIN)
    problems = {k: "required" for k, v in (("server_url", server_url), ("client_id", client_id),
                                           ("client_secret", client_secret)) if not v.strip()}
    if problems:
        raise ValidationError(problems)
    secrets.put(SYNC_CREDENTIALS, "\n".join((server_url.strip(), client_id.strip(), client_secret)))
    with session.uow() as uow:
        uow.audit.append(session.entry(Action.CONFIG, record_type="SyncCredentials",
                                       detail={"change": "sync credentials saved",
                                               "server_url": server_url.strip(),
                                               "kept_in": secrets.where}))
        uow.commit()
    return secrets.where


def sync_credentials(session: Session, secrets: SecretStore) -> SyncCredentials | None:
    """The sync server's credentials, or None when none were saved. Needs the sync permission."""
    session.require(Permission.SYNC)
    raw = secrets.get(SYNC_CREDENTIALS)
    if not raw:
        return None
    server_url, client_id, client_secret = raw.split("\n", 2)
    return SyncCredentials(server_url, client_id, client_secret)


def forget_sync_credentials(session: Session, secrets: SecretStore) -> None:
    session.require(Permission.CONFIG_ADMIN)
    secrets.delete(SYNC_CREDENTIALS)
    with session.uow() as uow:
        uow.audit.append(session.entry(Action.CONFIG, record_type="SyncCredentials",
                                       detail={"change": "sync credentials removed"}))
        uow.commit()
