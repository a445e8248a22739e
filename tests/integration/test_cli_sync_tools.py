"""``outpost sync export-package | import-package | status | lookup`` through the command line."""
from __future__ import annotations

import json
from datetime import date

import pytest

from app import accounts, patients
from app.model import HumanName, Patient
from tests.conftest import ADMIN_PASSWORD
from tests.fhir_server import TOKEN
from tests.integration._sync import Workstation, clinic_code
from ui import cli

PHRASE = "clinic package phrase 1"


@pytest.fixture
def pair(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("OUTPOST_PACKAGE_PASSPHRASE", PHRASE)
    code = clinic_code()
    a, b = Workstation(tmp_path / "a", code, "a"), Workstation(tmp_path / "b", code, "b")
    a.store.close()  # the commands open the stores themselves
    b.store.close()
    yield tmp_path / "a", tmp_path / "b", a, b


def _run(capsys, *argv) -> tuple[int, dict]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip().startswith("{") else {"stderr": err})


def _patient(folder: str, family: str) -> str:
    from ui import wiring
    opened = wiring.sign_in(folder, "admin", ADMIN_PASSWORD)
    try:
        from app.session import Session
        with opened.store.uow() as uow:
            doctor = uow.users.get("dr.a") or uow.users.get("dr.b")
        session = Session(user=doctor, uow_factory=opened.store.uow, workstation="t")
        return patients.register(session, Patient(mrn="", name=HumanName(family, ["Ada"]),
                                                  birth_date=date(1970, 1, 1), sex="female"),
                                 confirm_duplicate=True).id
    finally:
        opened.close()


def test_a_package_exported_on_one_workstation_imports_once_on_the_other(pair, capsys, tmp_path):
    a, b, *_ = pair
    _patient(a, "Nnamdi")
    out = tmp_path / "changes.pkg"
    code, data = _run(capsys, "--data-dir", str(a), "--user", "admin", "sync", "export-package",
                      "--out", str(out), "--json")
    assert code == 0 and data["kind"] == "changes" and data["count"] >= 1 and out.is_file()
    code, first = _run(capsys, "--data-dir", str(b), "--user", "admin", "sync", "import-package", str(out), "--json")
    assert code == 0 and first["applied"] == data["count"] and first["conflicts"] == []
    code, second = _run(capsys, "--data-dir", str(b), "--user", "admin", "sync", "import-package", str(out), "--json")
    assert code == 0 and second["applied"] == 0 and second["unchanged"] == data["count"]
    code, now = _run(capsys, "--data-dir", str(b), "--user", "admin", "sync", "status", "--json")
    assert code == 0 and now["pending"] >= 1 and now["last_sync"] is None


def test_a_missing_package_file_or_server_is_one_clear_line(pair, capsys, tmp_path):
    a, *_ = pair
    code, data = _run(capsys, "--data-dir", str(a), "--user", "admin", "sync", "import-package",
                      str(tmp_path / "nope.pkg"))
    assert code == 1 and "nope.pkg" in data["stderr"]
    code, data = _run(capsys, "--data-dir", str(a), "--user", "admin", "sync")
    assert code == 1 and "--server" in data["stderr"]


def test_lookup_finds_a_patient_on_the_server_and_pulls_them_in(tmp_path, fhir_server, capsys, monkeypatch):
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setenv("OUTPOST_SYNC_TOKEN", TOKEN)
    there = Workstation(tmp_path / "there", clinic_code(), "there")
    here = Workstation(tmp_path / "here", clinic_code(), "here")
    accounts.add_user(here.admin, here.store, username="dr.cli", role="physician", display_name="Dr Cli",
                      password=ADMIN_PASSWORD)
    family = "Quispe" + clinic_code()[1:6].lower()
    visitor = patients.register(there.doctor, Patient(mrn="", name=HumanName(family, ["Rosa"]),
                                                      birth_date=date(1960, 5, 5), sex="female"))
    assert there.sync(fhir_server).errors == []
    there.close()
    here.close()
    folder = str(tmp_path / "here")
    code, data = _run(capsys, "--data-dir", folder, "--user", "dr.cli", "sync", "lookup", "--server",
                      fhir_server.url, "--family", family, "--json")
    assert code == 0 and [p["id"] for p in data["patients"]] == [visitor.id]
    assert data["patients"][0]["local"] is False
    code, data = _run(capsys, "--data-dir", folder, "--user", "dr.cli", "sync", "lookup", "--server",
                      fhir_server.url, "--pull", visitor.id, "--json")
    assert code == 0 and data["stored"] == 1


def test_credentials_and_unattended_sync_are_set_up_from_the_command_line(
        tmp_path, fhir_server, memory_keyring, capsys, monkeypatch):
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.delenv("OUTPOST_SYNC_TOKEN", raising=False)
    monkeypatch.setenv("OUTPOST_SYNC_SECRET", TOKEN)
    ws = Workstation(tmp_path / "ws", clinic_code(), "ws")
    ws.store.close()
    folder = str(tmp_path / "ws")
    code, data = _run(capsys, "--data-dir", folder, "--user", "admin", "sync", "credentials", "--server",
                      fhir_server.url, "--json")
    assert code == 0 and data["kept_in"] == "the OS keyring"
    assert any(TOKEN in v for v in memory_keyring.secrets.values())
    code, data = _run(capsys, "--data-dir", folder, "--user", "admin", "sync", "unattended", "--enable", "--json")
    assert code == 0 and data["unattended"] is True
    monkeypatch.delenv("OUTPOST_PASSWORD")
    monkeypatch.delenv("OUTPOST_SYNC_SECRET")
    code, data = _run(capsys, "--data-dir", folder, "--user", "admin", "sync", "--unattended", "--server",
                      fhir_server.url, "--json")
    assert code == 0 and data["pushed"] >= 3 and data["errors"] == 0  # organization, location, practitioner
    monkeypatch.setenv("OUTPOST_PASSWORD", ADMIN_PASSWORD)
    code, _ = _run(capsys, "--data-dir", folder, "--user", "admin", "sync", "unattended", "--disable")
    assert code == 0
    code, data = _run(capsys, "--data-dir", folder, "--user", "admin", "sync", "--unattended", "--server",
                      fhir_server.url)
    assert code == 1 and "not enabled" in data["stderr"]
