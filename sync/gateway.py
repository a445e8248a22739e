"""The one module that talks HTTP: a small FHIR R4 REST gateway over httpx.

Bearer-token or OAuth2 client-credentials auth (SMART Backend Services with a client
secret; the token endpoint found in ``.well-known/smart-configuration`` when not given),
TLS verified (optionally against the clinic's own CA bundle), plain ``http://`` only to
this machine, gzip both ways, timeouts. Every failure leaves here as ``app.errors.SyncError`` whose message
names the resource and, when the server's OperationOutcome says so, the field.
"""
from __future__ import annotations

import gzip
import time
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import httpx

from app.errors import SyncError
from sync import jsonio

FHIR_JSON = "application/fhir+json"


class Gateway(Protocol):
    """What the sync pipeline needs from a FHIR server."""
    base_url: str

    def transaction(self, bundle: dict) -> dict: ...  # the transaction-response Bundle
    def search(self, url: str) -> dict: ...  # a searchset Bundle (url relative to the base, or absolute)
    def read(self, resource_type: str, resource_id: str) -> dict | None: ...  # None when gone


@dataclass
class GatewayOptions:
    token: str | None = None  # a bearer token
    client_id: str | None = None  # OAuth2 client credentials (with client_secret)
    client_secret: str | None = None
    token_url: str | None = None  # None: discovered from .well-known/smart-configuration
    scope: str = "system/*.*"
    ca_bundle: str | None = None  # a clinic CA file; None = the system's trust store
    # Responses come gzip-compressed when the server can (Accept-Encoding). Compressed request
    # bodies are only for servers known to accept them: HTTP does not promise it.
    gzip_requests: bool = False
    timeout: float = 60.0
    connect_timeout: float = 10.0

    def __repr__(self) -> str:  # never print a secret by accident
        return (f"GatewayOptions(token={'***' if self.token else None}, client_id={self.client_id!r}, "
                f"token_url={self.token_url!r}, ca_bundle={self.ca_bundle!r})")


LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def check_url(url: str) -> str:
    """The server's base URL, or SyncError("config") for one we will not send PHI to:
    anything but https, except plain http to this machine (a test or a local relay)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url.rstrip("/")
    if parts.scheme == "http" and parts.hostname in LOOPBACK:
        return url.rstrip("/")
    if parts.scheme == "http":
        raise SyncError("config", f"{url}: plain http is refused for a server on another machine; "
                                  "use https")
    raise SyncError("config", f"{url!r} is not a server address (https://host/fhir)")


def outcome_text(outcome: dict | None) -> str:
    """One line from an OperationOutcome: each issue's diagnostics and the element it names."""
    parts = []
    for issue in (outcome or {}).get("issue") or []:
        text = issue.get("diagnostics") or (issue.get("details") or {}).get("text") or issue.get("code", "")
        where = issue.get("expression") or issue.get("location") or []
        if where and not any(w in text for w in where):
            text += f" (field: {', '.join(where)})"
        parts.append(text)
    return "; ".join(p for p in parts if p) or "no details given"


def error_for(status: int, what: str, outcome: dict | None) -> SyncError:
    kind = ("auth" if status in (401, 403) else "conflict" if status in (409, 412)
            else "rejected" if 400 <= status < 500 else "protocol")
    return SyncError(kind, f"{what}: the server answered {status}: {outcome_text(outcome)}")


def token_lifetime(expires_in: Any) -> float:
    """Seconds to use a new access token for: its ``expires_in`` (a duration on the token
    endpoint's word, so no clock is compared) less a margin for the time on the wire — a
    tenth of it, at least a second and at most 30 s; 300 s when the endpoint says nothing."""
    try:
        lifetime = float(expires_in) if expires_in not in (None, "") else 300.0
    except (TypeError, ValueError):
        lifetime = 300.0
    return max(0.0, lifetime - min(30.0, max(1.0, lifetime / 10)))


class HttpGateway:
    """A FHIR server reached over HTTP(S). Use as a context manager, or call ``close()``."""

    def __init__(self, base_url: str, options: GatewayOptions | None = None):
        self.options = options = options or GatewayOptions()
        self.base_url = check_url(base_url)
        if options.ca_bundle:
            from pathlib import Path
            if not Path(options.ca_bundle).is_file():
                raise SyncError("config", f"the CA bundle {options.ca_bundle} does not exist")
        if options.client_id and not options.client_secret:
            raise SyncError("config", "OAuth2 client credentials need the client secret too")
        headers = {"Accept": FHIR_JSON, "Accept-Encoding": "gzip", "Prefer": "return=representation"}
        self._token, self._expires = options.token, float("inf")
        self.client = httpx.Client(
            headers=headers, verify=options.ca_bundle or True, follow_redirects=False,
            timeout=httpx.Timeout(options.timeout, connect=options.connect_timeout))
        self.bytes_sent = self.bytes_received = 0

    def __enter__(self) -> "HttpGateway":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else urljoin(self.base_url + "/", path)

    # -- authentication ----------------------------------------------------------------
    def _token_url(self) -> str:
        if self.options.token_url:
            return check_url(self.options.token_url)
        what = "finding the token endpoint"
        response = self._request("GET", f"{self.base_url}/.well-known/smart-configuration", what)
        endpoint = self._json(response, what).get("token_endpoint") if response.status_code == 200 else None
        if not endpoint:
            raise SyncError("auth", f"{what}: the server publishes no token endpoint; give --token-url")
        return check_url(endpoint)

    def _fetch_token(self) -> None:
        o, what = self.options, "getting an access token"
        response = self._request("POST", self._token_url(), what, auth=(o.client_id, o.client_secret),
                                 data={"grant_type": "client_credentials", "scope": o.scope})
        body = self._json(response, what)
        if response.status_code != 200 or not body.get("access_token"):
            reason = body.get("error_description") or body.get("error") or f"status {response.status_code}"
            raise SyncError("auth", f"{what}: the token endpoint refused the client {o.client_id}: {reason}")
        self._token = body["access_token"]
        self._expires = time.monotonic() + token_lifetime(body.get("expires_in"))

    def _auth_header(self) -> dict[str, str]:
        if self.options.client_id and (self._token is None or time.monotonic() >= self._expires):
            self._fetch_token()
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}

    # -- the wire -----------------------------------------------------------------------
    def _request(self, method: str, url: str, what: str, **kw: Any) -> httpx.Response:
        try:
            response = self.client.request(method, url, **kw)
        except httpx.TimeoutException as exc:
            raise SyncError("network", f"{what}: the server did not answer in time ({exc})") from exc
        except httpx.HTTPError as exc:
            raise SyncError("network", f"{what}: the server cannot be reached ({exc})") from exc
        self.bytes_received += len(response.content)
        return response

    def _send(self, method: str, url: str, what: str, body: Any = None) -> httpx.Response:
        content = jsonio.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": FHIR_JSON} if content is not None else {}
        if content is not None and self.options.gzip_requests:
            content, headers["Content-Encoding"] = gzip.compress(content, 5), "gzip"
        self.bytes_sent += len(content or b"")
        response = self._request(method, self._url(url), what, content=content,
                                 headers=headers | self._auth_header())
        if response.status_code == 401 and self.options.client_id:
            # The token expired early (revoked, or the server's lifetime is shorter than it
            # said): a 401 means the request was not carried out, so one new token and one
            # resend cannot apply anything twice. A second 401 is the answer.
            self._token = None
            response = self._request(method, self._url(url), what, content=content,
                                     headers=headers | self._auth_header())
        return response

    def _json(self, response: httpx.Response, what: str) -> dict:
        try:
            return jsonio.loads(response.content) if response.content else {}
        except ValueError as exc:
            raise SyncError("protocol", f"{what}: the server's answer is not FHIR JSON") from exc

    def _check(self, response: httpx.Response, what: str) -> dict:
        body = self._json(response, what) if response.status_code != 204 else {}
        if response.status_code >= 400:
            raise error_for(response.status_code, what, body if body.get("resourceType") == "OperationOutcome" else None)
        return body

    def transaction(self, bundle: dict) -> dict:
        what = f"transaction of {len(bundle.get('entry') or [])} resources"
        body = self._check(self._send("POST", self.base_url, what, bundle), what)
        if body.get("resourceType") != "Bundle":
            raise SyncError("protocol", f"{what}: the server did not answer with a Bundle")
        return body

    def search(self, url: str) -> dict:
        what = f"search {url.split('?')[0].rsplit('/', 1)[-1]}"
        return self._check(self._send("GET", url, what), what)

    def read(self, resource_type: str, resource_id: str) -> dict | None:
        what = f"{resource_type}/{resource_id}"
        response = self._send("GET", f"{resource_type}/{resource_id}", what)
        if response.status_code in (404, 410):
            return None
        return self._check(response, what)
