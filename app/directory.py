"""The clinic's directory as the schedule needs it: who sees patients, and where."""
from __future__ import annotations

from app import formatting as fmt
from app import records
from app.errors import ValidationError
from app.model import Location, Practitioner
from app.permissions import Permission
from app.session import Session


def practitioners(session: Session) -> list[Practitioner]:
    """Active practitioners, by family then given name (PermissionDenied without schedule access)."""
    session.require(Permission.SCHEDULE_READ)
    with session.uow() as uow:
        rows = uow.records(Practitioner).all()
    active = [p for p in rows if p.status == "active"]
    return sorted(active, key=lambda p: fmt.person_name(p.name).casefold())


def locations(session: Session) -> list[Location]:
    """Active locations by name (PermissionDenied without schedule access)."""
    session.require(Permission.SCHEDULE_READ)
    with session.uow() as uow:
        rows = uow.records(Location).all()
    return sorted((l for l in rows if l.status == "active"), key=lambda l: l.name.casefold())


def add_location(session: Session, *, name: str, organization_id: str | None = None) -> Location:
    """A new site of the clinic (admins with clinic settings rights; audited).

    Raises ValidationError for an empty name or one another active location already has.
    """
    session.require(Permission.CONFIG_ADMIN, record_type=Location.RESOURCE_TYPE)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "give the location a name"})

    def unique(uow, site: Location) -> None:
        if any(l.name.casefold() == name.casefold() and l.status == "active"
               for l in uow.records(Location).all()):
            raise ValidationError({"name": f"there is already a location called {name}"})
    return records.create(session, Location(name=name, organization_id=organization_id),
                          Permission.CONFIG_ADMIN, check=unique)
