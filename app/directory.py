"""The clinic's directory as the schedule needs it: who sees patients, and where."""
from __future__ import annotations

from app import formatting as fmt
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
