"""What the store knows about synchronisation, for the status bar: changes waiting to go,
conflicts waiting for a person, and when the last round finished."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.audit import Action
from app.permissions import Permission
from app.session import Session


@dataclass(frozen=True)
class SyncStatus:
    pending: int  # local changes not yet sent
    conflicts: int  # conflicts waiting for a decision
    last_round: datetime | None  # when the last sync round ended (either outcome)
    last_ok: bool | None  # whether that round succeeded; None before the first


def status(session: Session) -> SyncStatus:
    """The sync picture of this store. Reading it is not audited (it names no patient).

    Raises PermissionDenied for a role that may not synchronise.
    """
    session.require(Permission.SYNC)
    with session.uow() as uow:
        pending = uow.sync.outbox_count()
        conflicts = len(uow.sync.conflicts("open"))
        rounds = [e for e in uow.audit.query(action=Action.SYNC.value)
                  if e.patient_id is None and "server" in (e.detail or {})]
    last = rounds[-1] if rounds else None
    return SyncStatus(pending=pending, conflicts=conflicts, last_round=last.at if last else None,
                      last_ok=None if last is None else last.outcome == "success")
