"""Conflicts between a sneakernet package's edit and an edit made on the importing workstation.

Both sides are local edits of the same server version, so the conflict record differs from a
pull's in one way: *theirs* is the other workstation's edit (from the package), not a server
copy. It is marked by ``theirs_version = "package:<digest>"``, the digest of the package's
edit, so the same edit carried again (the same package imported twice, or a later package
from a workstation that still holds it) is recognised and changes nothing.

A person's decision is carried out by the next round (``carry_out``): the fields chosen
"theirs" are written over this workstation's record as a new local edit, which then goes to
the server like any other. A ``server-data`` package going back carries the digests decided
here (``decided``), so the disconnected workstation takes the server's version of those
records instead of meeting the same conflict again.
"""
from __future__ import annotations

import hashlib
import json

from app import model as m
from app.audit import Action
from app.session import Session
from app.uow import UnitOfWork
from sync import jsonio, mapping
from sync.mapping import MapContext
from sync.merge import Merge, apply

PREFIX = "package:"


def marker(edit: dict) -> str:
    """``package:<digest>`` of an edit as FHIR JSON (the server's stamps left out)."""
    body = dict(edit)
    body["meta"] = {k: v for k, v in (edit.get("meta") or {}).items() if k not in ("versionId", "lastUpdated")}
    text = json.dumps(json.loads(jsonio.dumps(body)), sort_keys=True, separators=(",", ":"))
    return PREFIX + hashlib.sha256(text.encode()).hexdigest()[:32]


def is_package(conflict: dict) -> bool:
    return str(conflict.get("theirs_version") or "").startswith(PREFIX)


def record(session: Session, uow: UnitOfWork, *, record_type: str, local, base: dict | None,
           theirs: dict, merge: Merge, ctx: MapContext) -> None:
    """Keep an overlapping package edit as an open conflict (the disjoint fields of ``merge``
    are already on ``local``), and audit it."""
    rid, patient_id = local.id, getattr(local, "patient_id", None)
    if record_type == "Patient":
        patient_id = local.id
    uow.sync.add_conflict({
        "id": m.new_id(), "resource_type": record_type, "resource_id": rid, "patient_id": patient_id,
        "fields": sorted(merge.conflicts), "base": jsonio.dumps(base) if base else None,
        "mine": jsonio.dumps(mapping.to_fhir(local, ctx)), "theirs": jsonio.dumps(theirs),
        "theirs_version": marker(theirs), "upto_seq": uow.sync.has_pending(record_type, rid) or 0})
    uow.audit.append(session.entry(Action.SYNC, outcome="failure", patient_id=patient_id,
                                   record_type=record_type, record_id=rid,
                                   detail={"package_conflict": sorted(merge.conflicts)}))


def carry_out(uow: UnitOfWork, conflict: dict, ctx: MapContext) -> list[str]:
    """Write the fields decided "theirs" over this workstation's record (a new local edit);
    returns those fields. "mine" fields stay as they are."""
    repo = uow.records(mapping.BY_OUTBOX_TYPE[conflict["resource_type"]])
    local = repo.get(conflict["resource_id"])
    current = mapping.to_fhir(local, ctx)
    theirs = jsonio.loads(conflict["theirs"])
    take = {k: theirs.get(k) for k, side in conflict["decision"].items()
            if side == "theirs" and current.get(k) != theirs.get(k)}
    if take:
        chosen = mapping.from_fhir(apply(current, take, owned=mapping.is_owned_extension,
                                         mine_meta=current.get("meta")) | {"id": local.id})
        chosen.version, chosen.server_version, chosen.created_at = local.version, local.server_version, local.created_at
        repo.update(chosen)
    return sorted(take)


def decided(uow: UnitOfWork) -> list[str]:
    """The package edits decided here whose outcome the server already holds (for a
    ``server-data`` package)."""
    return sorted({c["theirs_version"] for c in uow.sync.conflicts("applied") if is_package(c)
                   and not uow.sync.has_pending(c["resource_type"], c["resource_id"])})
