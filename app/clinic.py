"""Setting up a clinic in a new store, and reading its basic settings."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Callable

from app.accounts import new_user
from app.audit import Action
from app.model import Address, Location, Organization
from app.session import Session
from app.uow import UnitOfWork


@dataclass(frozen=True)
class ClinicInfo:
    name: str
    clinic_code: str
    organization_id: str
    default_location_id: str | None


def new_clinic_code() -> str:
    return "C" + secrets.token_hex(4).upper()


def setup_clinic(uow_factory: Callable[[], UnitOfWork], *, clinic_name: str, clinic_code: str | None,
                 admin_username: str, admin_password: str, workstation: str,
                 location_name: str = "Main site", address: Address | None = None) -> Session:
    """Fill a new, empty store: the organization, its first location and the administrator.

    Returns the administrator's session. The administrator's key slot is made by the store.
    """
    admin = new_user(username=admin_username, role="admin", display_name="Administrator",
                     password=admin_password)
    org = Organization(name=clinic_name, clinic_code=clinic_code or new_clinic_code(), address=address)
    site = Location(name=location_name, organization_id=org.id, address=address)
    session = Session(user=admin, uow_factory=uow_factory, workstation=workstation,
                      location_id=site.id)
    with uow_factory() as uow:
        uow.users.add(admin)
        uow.records(Organization).add(org)
        uow.records(Location).add(site)
        uow.settings.set("clinic", {"name": clinic_name, "clinic_code": org.clinic_code,
                                    "organization_id": org.id, "default_location_id": site.id})
        uow.audit.append(session.entry(Action.CONFIG, record_type="Organization", record_id=org.id,
                                       detail={"change": "clinic created", "clinic_code": org.clinic_code}))
        uow.commit()
    return session


def clinic_info(uow_factory: Callable[[], UnitOfWork]) -> ClinicInfo | None:
    """The clinic's name and code (not PHI; shown on the sign-in screen)."""
    with uow_factory() as uow:
        raw = uow.settings.get("clinic")
    return ClinicInfo(**raw) if raw else None
