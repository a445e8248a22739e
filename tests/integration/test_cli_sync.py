"""``outpost sync`` end to end against the real FHIR server: credentials, exit codes, JSON."""
from __future__ import annotations

import json
import threading
from base64 import b64decode
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest

from app import patients, sync_settings
from app import secrets as app_secrets
from app.model import HumanName, Patient
from db.secret_store import StoreSecrets, secret_store
from tests.conftest import ADMIN_PASSWORD
from tests.fhir_server import TOKEN
from tests.integration._sync import Workstation, clinic_code
from ui import cli


@pytest.fixture
def ws(tmp_path):
    station = Workstation(tmp_path / "a", clinic_code(), "a")
    yield station
    station.close()


def _save(ws: Workstation, server_url: str, secret: str, secrets=None, client_id: str = "outpost-a") -> None:
    app_secrets.save_sync_credentials(ws.admin, secrets or StoreSecrets(ws.store.uow), server_url=server_url,
                                      client_id=client_id, client_secret=secret)


def _register(ws: Workstation) -> Patient:
    return patients.register(ws.doctor, Patient(mrn="", name=HumanName("Adeyemi", ["Tolu"]),
                                                birth_date=date(1981, 2, 3), sex="female"),
                             confirm_duplicate=True)


def _failures(err: str) -> list[str]:
    """stderr without the sign-in notes (an MFA reminder for the admin)."""
    return [line for line in err.strip().splitlines() if not line.startswith("outpost: note:")]


@pytest.fixture
def folder(ws, tmp_path):
    return str(tmp_path / "a")


def test_sync_with_the_saved_bearer_token_pushes_and_prints_the_counts_as_json(
        ws, folder, fhir_server, monkeypatch, capsys):
    monkeypatch.delenv("OUTPOST_SYNC_TOKEN", raising=False)
    _save(ws, fhir_server.url, TOKEN)
    patient = _register(ws)
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    code = cli.main(["--data-dir", folder, "--user", "admin", "sync", "--server", fhir_server.url, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert {"pushed", "pulled", "merged", "conflicts", "errors"} <= set(data)
    assert data["pushed"] >= 2 and data["errors"] == 0 and data["conflicts"] == 0
    with ws.store.uow() as uow:
        assert uow.sync.outbox_count() == 0
    assert patients.get(ws.doctor, patient.id).server_version


def test_a_token_the_server_refuses_fails_with_one_line_naming_the_cause(
        ws, folder, fhir_server, monkeypatch, capsys):
    monkeypatch.setenv("OUTPOST_SYNC_TOKEN", "not-the-token")
    _register(ws)
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    code = cli.main(["--data-dir", folder, "--user", "admin", "sync", "--server", fhir_server.url])
    out, err = capsys.readouterr()
    assert code == 1
    lines = _failures(err)
    assert len(lines) == 1 and "auth" in lines[0] and "401" in lines[0]
    with ws.store.uow() as uow:
        assert uow.sync.outbox_count() > 0  # nothing was lost: the changes wait for the next round


def test_an_unreachable_server_fails_with_one_clear_line(ws, folder, monkeypatch, capsys):
    monkeypatch.setenv("OUTPOST_SYNC_TOKEN", TOKEN)
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    code = cli.main(["--data-dir", folder, "--user", "admin", "sync", "--server", "http://127.0.0.1:9/fhir",
                     "--timeout", "2"])
    err = capsys.readouterr().err
    assert code == 1 and len(_failures(err)) == 1 and "cannot be reached" in err


def test_a_server_that_is_not_a_url_is_refused_before_anything_happens(ws, folder, monkeypatch, capsys):
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    code = cli.main(["--data-dir", folder, "--user", "admin", "sync", "--server", "fhir.example.org"])
    assert code == 1 and "--server" in capsys.readouterr().err


class _TokenEndpoint(BaseHTTPRequestHandler):
    """An OAuth2 token endpoint (client credentials, client_secret_basic) on loopback."""
    client = ("outpost-a", "s3cret-client")
    seen: list[dict] = []

    def do_POST(self):  # noqa: N802
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        user, _, secret = b64decode(self.headers.get("Authorization", "Basic ")[6:]).decode().partition(":")
        _TokenEndpoint.seen.append({"grant_type": form.get("grant_type"), "client_id": user})
        ok = (user, secret) == self.client and form.get("grant_type") == ["client_credentials"]
        body = {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 300} if ok else \
            {"error": "invalid_client", "error_description": "unknown client or wrong secret"}
        raw = json.dumps(body).encode()
        self.send_response(200 if ok else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


@pytest.fixture
def token_endpoint():
    server = HTTPServer(("127.0.0.1", 0), _TokenEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _TokenEndpoint.seen = []
    yield f"http://127.0.0.1:{server.server_port}/token"
    server.shutdown()
    server.server_close()


def test_client_credentials_are_exchanged_at_the_token_endpoint_and_kept_in_the_keyring_for_unattended_sync(
        ws, folder, fhir_server, token_endpoint, memory_keyring, monkeypatch, capsys):
    monkeypatch.delenv("OUTPOST_SYNC_TOKEN", raising=False)
    monkeypatch.delenv("OUTPOST_PASSWORD", raising=False)
    ws.store.enable_machine_slot()
    secrets = secret_store(ws.store)
    _save(ws, fhir_server.url, "s3cret-client", secrets=secrets)
    assert any("s3cret-client" in v for v in memory_keyring.secrets.values())
    _register(ws)
    code = cli.main(["--data-dir", folder, "--user", "admin", "sync", "--server", fhir_server.url,
                     "--token-url", token_endpoint, "--unattended", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["pushed"] >= 2
    assert _TokenEndpoint.seen == [{"grant_type": ["client_credentials"], "client_id": "outpost-a"}]
    with ws.store.uow() as uow:
        signins = [e for e in uow.audit.query(action="sign-in") if e.detail.get("method") == "machine key"]
    assert signins and signins[-1].username == "admin"


def test_a_client_secret_the_token_endpoint_refuses_fails_naming_the_client(
        ws, folder, fhir_server, token_endpoint, monkeypatch, capsys):
    monkeypatch.delenv("OUTPOST_SYNC_TOKEN", raising=False)
    _save(ws, fhir_server.url, "wrong-secret")
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    code = cli.main(["--data-dir", folder, "--user", "admin", "sync", "--server", fhir_server.url,
                     "--token-url", token_endpoint])
    err = capsys.readouterr().err
    assert code == 1 and "outpost-a" in err and "wrong secret" in err


def test_unattended_sync_without_the_machine_slot_is_refused(ws, folder, memory_keyring, monkeypatch, capsys):
    code = cli.main(["--data-dir", folder, "--user", "admin", "sync", "--server", "http://127.0.0.1:9/fhir",
                     "--unattended"])
    assert code == 1 and "unattended access is not enabled" in capsys.readouterr().err



def test_without_server_the_round_goes_to_the_server_saved_in_the_client(
        ws, folder, fhir_server, monkeypatch, capsys):
    monkeypatch.delenv("OUTPOST_SYNC_TOKEN", raising=False)
    sync_settings.save(ws.admin, StoreSecrets(ws.store.uow), server_url=fhir_server.url,
                       auth=sync_settings.TOKEN, secret=TOKEN)
    patient = _register(ws)
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)

    code = cli.main(["--data-dir", folder, "--user", "admin", "sync", "--json"])

    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["server"].rstrip("/") == fhir_server.url.rstrip("/") and data["pushed"] >= 2
    assert patients.get(ws.doctor, patient.id).server_version


def test_without_server_and_nothing_saved_the_round_is_refused_saying_what_to_give(
        ws, folder, monkeypatch, capsys):
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)

    code = cli.main(["--data-dir", folder, "--user", "admin", "sync"])

    _, err = capsys.readouterr()
    lines = _failures(err)
    assert code != 0 and len(lines) == 1
    assert "--server" in lines[0] and "Sync server" in lines[0]
