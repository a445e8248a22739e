"""Helpers for the sync tests: workstations of one clinic, and a gateway to the test server."""
from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from app.model import HumanName, Practitioner, User
from app.session import Session
from sync.engine import run_round
from sync.gateway import GatewayOptions, HttpGateway
from tests.conftest import ADMIN_PASSWORD
from tests.fhir_server import TOKEN
from ui import wiring


class Workstation:
    """A clinic store of its own (as on another computer) with an admin and a physician."""

    def __init__(self, folder: Path, clinic_code: str, name: str):
        self.opened, _ = wiring.create_clinic(folder, clinic_name="Sync Clinic", admin_username="admin",
                                              admin_password=ADMIN_PASSWORD, clinic_code=clinic_code)
        self.store, self.admin = self.opened.store, self.opened.session
        with self.store.uow() as uow:
            doc = Practitioner(name=HumanName("Sync", ["Doctor"]), npi="1245319599", qualification="MD")
            uow.records(Practitioner).add(doc)
            user = User(username=f"dr.{name}", role="physician", display_name=f"Dr {name}",
                        practitioner_id=doc.id)
            uow.users.add(user)
            uow.commit()
        self.doctor = Session(user=user, uow_factory=self.store.uow, workstation=name)

    def sync(self, server, *, session: Session | None = None, **kw):
        with HttpGateway(server.url, GatewayOptions(token=TOKEN, timeout=10)) as gateway:
            return run_round(session or self.doctor, gateway, **kw)

    def close(self) -> None:
        self.store.close()


def clinic_code() -> str:
    return "T" + secrets.token_hex(4).upper()


@pytest.fixture
def pair(tmp_path):
    """Two workstations of one clinic (import into a test module to use it)."""
    code = clinic_code()
    a = Workstation(tmp_path / "a", code, "a")
    b = Workstation(tmp_path / "b", code, "b")
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def clinics(tmp_path):
    """Workstations of two different clinics on one server (import into a test module to use it)."""
    here = Workstation(tmp_path / "here", clinic_code(), "here")
    there = Workstation(tmp_path / "there", clinic_code(), "there")
    yield here, there
    here.close()
    there.close()
