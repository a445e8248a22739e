"""Sync conflicts a person resolves: an edit here and one on the server touched the same fields.

A conflict shows both versions (and the last common one) element by element. The
user keeps *mine*, takes *theirs*, or chooses per field; the decision is audited and
the next sync round carries it out (the chosen values go to the server on its
newest version, so nothing either side wrote is dropped without a trace).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.audit import Action
from app.errors import NotFound, ValidationError
from app.permissions import Permission
from app.session import Session

MINE, THEIRS = "mine", "theirs"


@dataclass(frozen=True)
class FieldVersions:
    field: str
    base: Any
    mine: Any
    theirs: Any


@dataclass(frozen=True)
class SyncConflict:
    id: str
    record_type: str
    record_id: str
    patient_id: str | None
    fields: list[FieldVersions]
    status: str  # open | decided | applied
    decision: dict[str, str] | None = None
    # whose "theirs" is: "server" (a newer server version) or "package" (another
    # workstation's edit carried on a sync package)
    source: str = "server"


def _load(raw: str | None) -> dict:
    return json.loads(raw) if raw else {}


def _conflict(row: dict) -> SyncConflict:
    base, mine, theirs = _load(row["base"]), _load(row["mine"]), _load(row["theirs"])
    return SyncConflict(
        id=row["id"], record_type=row["resource_type"], record_id=row["resource_id"],
        patient_id=row["patient_id"], status=row["status"], decision=row["decision"],
        source="package" if str(row.get("theirs_version") or "").startswith("package:") else "server",
        fields=[FieldVersions(f, base.get(f), mine.get(f), theirs.get(f)) for f in row["fields"]])


def open_conflicts(session: Session) -> list[SyncConflict]:
    """Conflicts waiting for a decision (PermissionDenied without the sync permission)."""
    session.require(Permission.SYNC)
    with session.uow() as uow:
        rows = uow.sync.conflicts("open")
    return [_conflict(r) for r in rows]


def get(session: Session, conflict_id: str) -> SyncConflict:
    session.require(Permission.SYNC)
    with session.uow() as uow:
        row = uow.sync.conflict(conflict_id)
    if row is None:
        raise NotFound("sync conflict", conflict_id)
    return _conflict(row)


def resolve(session: Session, conflict_id: str, choice: str, *,
            fields: dict[str, str] | None = None) -> SyncConflict:
    """Decide a conflict: ``choice`` is "mine", "theirs" or "fields" (then ``fields`` maps
    every conflicting field to "mine" or "theirs"). Raises NotFound, ValidationError
    (an unknown choice, a field left undecided, or a conflict already decided)."""
    session.require(Permission.SYNC)
    with session.uow() as uow:
        row = uow.sync.conflict(conflict_id)
        if row is None:
            raise NotFound("sync conflict", conflict_id)
        if row["status"] != "open":
            raise ValidationError({"conflict": "was already resolved"})
        decision = _decision(row["fields"], choice, fields)
        uow.sync.decide(conflict_id, decision, username=session.username, at=session.clock().isoformat())
        uow.audit.append(session.entry(Action.SYNC, patient_id=row["patient_id"],
                                       record_type=row["resource_type"], record_id=row["resource_id"],
                                       detail={"conflict_resolved": decision}))
        uow.commit()
    row = {**row, "status": "decided", "decision": decision}
    return _conflict(row)


def _decision(conflicting: list[str], choice: str, fields: dict[str, str] | None) -> dict[str, str]:
    if choice in (MINE, THEIRS):
        return {f: choice for f in conflicting}
    if choice != "fields":
        raise ValidationError({"choice": "choose mine, theirs, or field by field"})
    fields = fields or {}
    missing = [f for f in conflicting if fields.get(f) not in (MINE, THEIRS)]
    if missing:
        raise ValidationError({f: "choose mine or theirs" for f in missing})
    return {f: fields[f] for f in conflicting}
