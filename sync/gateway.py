"""The one module that talks HTTP: a small FHIR R4 REST gateway over httpx.

Bearer-token auth, TLS verified (optionally against the clinic's own CA bundle),
gzip, timeouts. Every failure leaves here as ``app.errors.SyncError`` whose message
names the resource and, when the server's OperationOutcome says so, the field.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urljoin

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
    token: str | None = None
    ca_bundle: str | None = None  # a clinic CA file; None = the system's trust store
    timeout: float = 60.0
    connect_timeout: float = 10.0


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


class HttpGateway:
    """A FHIR server reached over HTTP(S). Use as a context manager, or call ``close()``."""

    def __init__(self, base_url: str, options: GatewayOptions | None = None):
        options = options or GatewayOptions()
        self.base_url = base_url.rstrip("/")
        headers = {"Accept": FHIR_JSON, "Accept-Encoding": "gzip", "Prefer": "return=representation"}
        if options.token:
            headers["Authorization"] = f"Bearer {options.token}"
        self.client = httpx.Client(
            headers=headers, verify=options.ca_bundle or True, follow_redirects=False,
            timeout=httpx.Timeout(options.timeout, connect=options.connect_timeout))

    def __enter__(self) -> "HttpGateway":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else urljoin(self.base_url + "/", path)

    def _send(self, method: str, url: str, what: str, body: Any = None) -> httpx.Response:
        content = jsonio.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": FHIR_JSON} if content is not None else None
        try:
            return self.client.request(method, self._url(url), content=content, headers=headers)
        except httpx.TimeoutException as exc:
            raise SyncError("network", f"{what}: the server did not answer in time ({exc})") from exc
        except httpx.HTTPError as exc:
            raise SyncError("network", f"{what}: the server cannot be reached ({exc})") from exc

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
