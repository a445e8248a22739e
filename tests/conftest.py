"""Shared fixtures: real SQLCipher stores in temporary folders, sessions for every role,
and an in-memory OS keyring (headless Linux has none)."""
from __future__ import annotations

import os
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from app import accounts
from app.session import Session
from ui import wiring
from tests.fhir_server import fhir_server, own_fhir_server  # noqa: F401 - fixtures

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ADMIN_PASSWORD = "test-clinic-passphrase"
USER_PASSWORD = "test-user-passphrase"
ROLE_USERS = {"physician": "dr.test", "nurse": "nurse.test", "front_desk": "desk.test",
              "billing": "billing.test"}


@pytest.fixture(scope="session", autouse=True)
def terminology_cache(tmp_path_factory) -> Path:
    """The ICD-10-CM code cache of this test run (never the developer's own cache folder);
    child processes the tests start inherit it."""
    folder = tmp_path_factory.mktemp("cache")
    previous = os.environ.get("OUTPOST_CACHE_DIR")
    os.environ["OUTPOST_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("OUTPOST_CACHE_DIR", None)
    else:
        os.environ["OUTPOST_CACHE_DIR"] = previous


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps secrets in this process only (tests)."""
    priority = 1

    def __init__(self):
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        self.secrets.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def store_dir(tmp_path) -> Path:
    return tmp_path / "clinic"


@pytest.fixture
def clinic(store_dir):
    """A fresh clinic store, open, with the administrator signed in (``clinic.session``)."""
    opened, recovery = wiring.create_clinic(store_dir, clinic_name="Test Clinic",
                                            admin_username="admin", admin_password=ADMIN_PASSWORD)
    opened.recovery_key = recovery
    yield opened
    opened.store.close()


@pytest.fixture
def sessions(clinic) -> dict[str, Session]:
    """A signed-in session per role on the ``clinic`` store (keys: admin, physician, ...)."""
    from app.model import HumanName, Practitioner
    out = {"admin": clinic.session}
    for role, username in ROLE_USERS.items():
        practitioner_id = None
        if role == "physician":
            doc = Practitioner(name=HumanName("Test", ["Doctor"]), npi="1234567893", qualification="MD")
            with clinic.store.uow() as uow:
                uow.records(Practitioner).add(doc)
                uow.commit()
            practitioner_id = doc.id
        accounts.add_user(clinic.session, clinic.store, username=username, role=role,
                          display_name=username, password=USER_PASSWORD,
                          practitioner_id=practitioner_id)
        out[role] = accounts.start_session(clinic.store.uow, username=username,
                                           password=USER_PASSWORD, workstation="test-ws")
    return out
