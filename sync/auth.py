"""How a sync round authenticates to the central server.

Two ways, both per the specs: a bearer token sent as is (RFC 6750), or OAuth2 client
credentials (RFC 6749 §4.4, ``client_secret_basic``) exchanged at the server's token
endpoint for a short-lived access token. The secret comes from the keyring or the
encrypted store (app/secrets.py), or — for scripts — from ``OUTPOST_SYNC_TOKEN``; it is
never logged, printed or audited.
"""
from __future__ import annotations

import httpx

from app.errors import SyncError
from app.secrets import SyncCredentials

TOKEN_ENV = "OUTPOST_SYNC_TOKEN"


def client_credentials_token(token_url: str, client_id: str, client_secret: str, *,
                             scope: str | None = None, verify: str | bool = True,
                             timeout: float = 30.0) -> str:
    """An access token from ``token_url`` for the client's id and secret; SyncError if refused."""
    form = {"grant_type": "client_credentials"}
    if scope:
        form["scope"] = scope
    try:
        response = httpx.post(token_url, data=form, auth=(client_id, client_secret), verify=verify,
                              timeout=timeout, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise SyncError("network", f"the token endpoint {token_url} cannot be reached ({exc})") from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 400:
        why = body.get("error_description") or body.get("error") or f"status {response.status_code}"
        raise SyncError("auth", f"the token endpoint refused client {client_id!r}: {why}")
    token = body.get("access_token") if isinstance(body, dict) else None
    if not token or str(body.get("token_type", "bearer")).lower() != "bearer":
        raise SyncError("auth", f"the token endpoint {token_url} gave no bearer access token")
    return token


def token_for(credentials: SyncCredentials | None, *, env_token: str | None, token_url: str | None,
              scope: str | None = None, verify: str | bool = True) -> str | None:
    """The bearer token to send: the environment's, else one from the saved credentials
    (exchanged at ``token_url`` when given, else the saved secret is the token itself)."""
    if env_token:
        return env_token
    if credentials is None:
        return None
    if token_url:
        return client_credentials_token(token_url, credentials.client_id, credentials.client_secret,
                                        scope=scope, verify=verify)
    return credentials.client_secret
