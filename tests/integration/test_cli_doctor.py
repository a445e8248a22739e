"""``outpost doctor`` and ``outpost self-check``: what IT sees, and that it never shows PHI or secrets."""
from __future__ import annotations

import json
import os
import socket
import ssl
import threading
from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import ADMIN_PASSWORD
from tests.integration._clinical import register
from ui import cli


def _doctor(capsys, *argv: str) -> tuple[int, dict, str]:
    code = cli.main(["--json", "doctor", "--timeout", "2", *argv])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


@pytest.fixture
def no_managed_config(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTPOST_CONFIG", str(tmp_path / "no-config.toml"))


def test_doctor_reports_an_encrypted_store_from_its_files_alone_and_no_phi(
        clinic, store_dir, capsys, no_managed_config):
    register(clinic.session, "Zebulon", "Quillfeather")
    clinic.store.close()
    code, out, _ = _doctor(capsys, "--data-dir", str(store_dir))
    store = out["checks"]["store"]
    assert code == 0 and store["status"] == "ok", out
    assert store["database"]["encrypted"] is True and store["database"]["mode"] == "0o600"
    assert store["key_file"]["slots"] == {"user": 1, "recovery": 1}
    assert out["data_dir"] == str(store_dir) and out["version"]
    assert "signed_in" not in out["checks"]  # nothing was opened without --user
    text = json.dumps(out)
    assert "Zebulon" not in text and "Quillfeather" not in text and ADMIN_PASSWORD not in text


def test_doctor_with_a_user_shows_schema_and_pending_changes_but_no_secrets(
        clinic, store_dir, capsys, monkeypatch, no_managed_config):
    register(clinic.session, "Zebulon", "Quillfeather")
    clinic.store.close()
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    code, out, _ = _doctor(capsys, "--data-dir", str(store_dir), "--user", "admin")
    signed = out["checks"]["signed_in"]
    assert code == 0 and signed["opens"] is True
    assert signed["schema"] == signed["schema_head"] and signed["schema_current"] is True
    assert signed["pending_changes"] >= 1  # the registration waits in the outbox
    assert signed["open_conflicts"] == 0
    text = json.dumps(out)
    assert ADMIN_PASSWORD not in text and "Zebulon" not in text and clinic.recovery_key not in text


def test_doctor_fails_a_plain_sqlite_store_and_a_missing_key_file(tmp_path, capsys, no_managed_config):
    import sqlite3
    folder = tmp_path / "plain"
    folder.mkdir()
    sqlite3.connect(folder / "clinic.db").execute("create table t(x)").connection.close()
    code, out, err = _doctor(capsys, "--data-dir", str(folder))
    problems = out["checks"]["store"]["problems"]
    assert code == 1 and out["failed"] == ["store"] and "store" in err
    assert any("plain SQLite" in p for p in problems)
    assert any("keyslots.json is missing" in p for p in problems)


def test_doctor_with_a_wrong_password_reports_the_store_does_not_open(
        clinic, store_dir, capsys, monkeypatch, no_managed_config):
    clinic.store.close()
    monkeypatch.setenv("OUTPOST_PASSWORD", "not-the-password")
    code, out, _ = _doctor(capsys, "--data-dir", str(store_dir), "--user", "admin")
    assert code == 1 and out["checks"]["signed_in"]["opens"] is False
    assert "not-the-password" not in json.dumps(out)


def test_doctor_reaches_the_sync_server_named_in_the_managed_config(
        fhir_server, tmp_path, capsys, monkeypatch):
    (tmp_path / "config.toml").write_text(f'server_url = "{fhir_server.url}"\nclinic = "North"\n')
    monkeypatch.setenv("OUTPOST_CONFIG", str(tmp_path / "config.toml"))
    code, out, _ = _doctor(capsys, "--data-dir", str(tmp_path / "none"))
    server = out["checks"]["server"]
    assert server["status"] == "ok" and server["reachable"] is True
    assert server["metadata_status"] == 200 and server["fhir_version"].startswith("4.")
    assert out["checks"]["config"]["source"] == str(tmp_path / "config.toml")
    assert out["checks"]["config"]["clinic"] == "North" and code == 0


def test_doctor_fails_an_unreachable_server(tmp_path, capsys, no_managed_config):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    code, out, _ = _doctor(capsys, "--data-dir", str(tmp_path), "--server", f"http://127.0.0.1:{port}/fhir")
    assert code == 1 and out["checks"]["server"]["reachable"] is False and "server" in out["failed"]


def _self_signed(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))


def test_doctor_fails_a_server_whose_certificate_is_not_trusted(tmp_path, capsys, no_managed_config):
    _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve():
        conn, _ = listener.accept()
        try:
            context.wrap_socket(conn, server_side=True).close()
        except (ssl.SSLError, OSError):
            pass  # the client hangs up once it distrusts the certificate
        finally:
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        code, out, _ = _doctor(capsys, "--data-dir", str(tmp_path), "--server", f"https://localhost:{port}/fhir")
    finally:
        thread.join(5)
        listener.close()
    server = out["checks"]["server"]
    assert code == 1 and server["tls"] == {"verified": False} and "not trusted" in server["note"]


def test_self_check_creates_opens_and_shows_the_sign_in_window(capsys, monkeypatch, tmp_path):
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    code = cli.main(["--json", "self-check"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["window_shown"] is True and out["encrypted"] is True
    assert out["schema_is_head"] is True and "rxnorm.tsv" in out["terminology"]
    assert out["pdf_pages_rendered"] == 1
    assert out["icd10cm_cache_shipped"] is False  # a source checkout: the cache is the user's
    assert not any(tmp_path.glob("outpost-self-check-*"))  # the throw-away store is gone


def test_config_show_prints_the_installed_file_and_refuses_a_bad_one_naming_the_key(tmp_path, capsys, monkeypatch):
    good, bad = tmp_path / "good.toml", tmp_path / "bad.toml"
    good.write_text('clinic = "North"\nmfa = "required"\nlocked = ["mfa"]\n')
    bad.write_text('idle_lock_minutes = 90\n')
    monkeypatch.setenv("OUTPOST_CONFIG", str(good))
    assert cli.main(["--json", "config", "show"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["clinic"] == "North" and out["locked"] == ["mfa"] and out["source"] == str(good)
    assert cli.main(["config", "show", "--file", str(bad)]) == 1
    assert "idle_lock_minutes" in capsys.readouterr().err
    assert cli.main(["config", "show", "--file", str(tmp_path / "none.toml")]) == 1
