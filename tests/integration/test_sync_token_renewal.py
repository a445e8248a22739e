"""``outpost sync`` with OAuth2 client credentials renews an access token that runs out in the
middle of a round — by its ``expires_in``, or when the real FHIR server answers 401 — once,
and resends without storing anything twice.

The token endpoint is a small one on loopback served by the test: it passes the client's
request on to the FHIR server's own token endpoint (so the server really requires the token
it issued) and counts the tokens handed out; what it says about ``expires_in`` the test sets.
"""
from __future__ import annotations

import json
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

import sync.push
from app import patients
from app import secrets as app_secrets
from app.model import HumanName, Patient
from db.secret_store import StoreSecrets
from tests.conftest import ADMIN_PASSWORD
from tests.fhir_server import CLIENT_ID, CLIENT_SECRET, TOKEN, FhirServer
from tests.integration._sync import Workstation, clinic_code
from ui import cli

SHORT = 5  # seconds the short-lived server's tokens are good for


class TokenEndpoint:
    """OAuth2 client credentials on loopback, in front of the FHIR server's token endpoint."""

    def __init__(self, upstream: str, *, says_expires_in: int | None, token: str | None = None):
        self.upstream, self.says, self.token = upstream, says_expires_in, token
        self.issued: list[str] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                answer = httpx.post(endpoint.upstream, content=body, timeout=10, headers={
                    "Authorization": self.headers["Authorization"],
                    "Content-Type": "application/x-www-form-urlencoded"})
                data = answer.json()
                if answer.status_code == 200:
                    if endpoint.token:
                        data["access_token"] = endpoint.token
                    if endpoint.says is not None:
                        data["expires_in"] = endpoint.says
                    endpoint.issued.append(data["access_token"])
                raw = json.dumps(data).encode()
                self.send_response(answer.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_port}/token"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


def _upstream(server: FhirServer) -> str:
    return httpx.get(f"{server.url}/.well-known/smart-configuration", timeout=10).json()["token_endpoint"]


@pytest.fixture(scope="module")
def short_lived_server(tmp_path_factory):
    """A FHIR server of its own whose access tokens last only SHORT seconds."""
    server = FhirServer(tmp_path_factory.mktemp("short-tokens"))
    server.config.write_text(server.config.read_text() + f"  token_lifetime: {SHORT}\n")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def ws(tmp_path):
    station = Workstation(tmp_path / "a", clinic_code(), "a")
    yield station
    station.close()


def _register(ws: Workstation, family: str) -> Patient:
    return patients.register(ws.doctor, Patient(mrn="", name=HumanName(family, ["Nia"]),
                                                birth_date=date(1988, 4, 2), sex="female"),
                             confirm_duplicate=True)


def _slow_after_first_bundle(monkeypatch, seconds: float) -> None:
    """The round pauses after its first Bundle is confirmed (a slow link), so the token
    runs out between two Bundles of one push."""
    real, calls = sync.push._reconcile, []

    def reconcile(*args, **kw):
        real(*args, **kw)
        calls.append(1)
        if len(calls) == 1:
            time.sleep(seconds)
    monkeypatch.setattr(sync.push, "_reconcile", reconcile)


def _sync(ws: Workstation, tmp_path, server: FhirServer, endpoint: TokenEndpoint, monkeypatch, capsys):
    monkeypatch.delenv("OUTPOST_SYNC_TOKEN", raising=False)
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    app_secrets.save_sync_credentials(ws.admin, StoreSecrets(ws.store.uow), server_url=server.url,
                                      client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    code = cli.main(["--data-dir", str(tmp_path / "a"), "--user", "admin", "sync", "--server", server.url,
                     "--token-url", endpoint.url, "--bundle-size", "1", "--json"])
    out, err = capsys.readouterr()
    return code, out, err


def _versions(server: FhirServer, resource_type: str, resource_id: str) -> int:
    page = httpx.get(f"{server.url}/{resource_type}/{resource_id}/_history",
                     headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).json()
    return len(page.get("entry") or [])


def test_a_token_the_server_stops_accepting_mid_round_is_renewed_once_and_nothing_is_pushed_twice(
        ws, tmp_path, short_lived_server, monkeypatch, capsys):
    # the endpoint promises an hour; the server honours its tokens for SHORT seconds only
    endpoint = TokenEndpoint(_upstream(short_lived_server), says_expires_in=3600)
    try:
        first, second = _register(ws, "Achebe"), _register(ws, "Adichie")
        _slow_after_first_bundle(monkeypatch, SHORT + 1.5)
        code, out, err = _sync(ws, tmp_path, short_lived_server, endpoint, monkeypatch, capsys)
    finally:
        endpoint.close()

    assert code == 0, err
    report = json.loads(out)
    assert report["errors"] == 0 and report["pushed"] >= 2
    # one new token per 401 (more than one only if this loaded machine made the round outlast
    # a second token too); the first Bundle went with the first token, the rest after renewal
    assert len(endpoint.issued) >= 2 and len(set(endpoint.issued)) == len(endpoint.issued)
    with ws.store.uow() as uow:
        assert uow.sync.outbox_count() == 0
    for patient in (first, second):
        assert _versions(short_lived_server, "Patient", patient.id) == 1  # sent once, stored once


def test_a_token_past_its_expires_in_is_renewed_before_the_next_request(
        ws, tmp_path, fhir_server, monkeypatch, capsys):
    # the server would take the first token for an hour: only expires_in can cause the renewal
    endpoint = TokenEndpoint(_upstream(fhir_server), says_expires_in=2)
    try:
        first, second = _register(ws, "Emecheta"), _register(ws, "Okri")
        _slow_after_first_bundle(monkeypatch, 2.5)
        code, out, err = _sync(ws, tmp_path, fhir_server, endpoint, monkeypatch, capsys)
    finally:
        endpoint.close()

    assert code == 0, err
    assert json.loads(out)["errors"] == 0
    assert len(endpoint.issued) >= 2  # renewed, and only expires_in could have asked for it
    for patient in (first, second):
        assert _versions(fhir_server, "Patient", patient.id) == 1


def test_a_renewed_token_the_server_refuses_again_fails_the_round_after_one_retry(
        ws, tmp_path, fhir_server, monkeypatch, capsys):
    endpoint = TokenEndpoint(_upstream(fhir_server), says_expires_in=3600, token="not-a-token-the-server-issued")
    try:
        _register(ws, "Soyinka")
        code, out, err = _sync(ws, tmp_path, fhir_server, endpoint, monkeypatch, capsys)
    finally:
        endpoint.close()

    assert code == 1
    lines = [line for line in err.strip().splitlines() if not line.startswith("outpost: note:")]
    assert len(lines) == 1 and "401" in lines[0]
    assert len(endpoint.issued) == 2  # the first token, and one new one: no loop
    with ws.store.uow() as uow:
        assert uow.sync.outbox_count() > 0  # the changes wait for the next round
