"""Apply one resource from the server to the local store (pull, or a 412 on push).

A record with no pending local edit simply takes the server's version. One with a
pending edit is merged three ways on the last common copy: disjoint changes merge by
themselves (and the edit stays pending, now based on the new version); overlapping
ones become a conflict record for a person to resolve.
"""
from __future__ import annotations

from app import model as m
from app.audit import Action
from app.session import Session
from app.uow import UnitOfWork
from sync import jsonio, mapping
from sync.mapping import MapContext
from sync.merge import three_way

UPDATED, SAME, MERGED, CONFLICT, SKIPPED = "updated", "same", "merged", "conflict", "skipped"


def opaque(version) -> str | None:
    """A server version as the opaque string it is (a server that writes ``versionId`` as a
    JSON number still gets it back, and compared, as text — never as a number)."""
    return None if version is None else str(version)


def view(resource: dict, ctx: MapContext) -> dict:
    """A resource as our mapping sees it (what we would write for what we understood)."""
    return mapping.to_fhir(mapping.from_fhir(resource), ctx)


def apply_incoming(session: Session, uow: UnitOfWork, theirs: dict, ctx: MapContext) -> str:
    """Store ``theirs`` (a server resource); returns what happened (see the constants)."""
    try:
        incoming = mapping.from_fhir(theirs)
    except KeyError:
        return SKIPPED
    cls, rid = type(incoming), incoming.id
    version = incoming.server_version = opaque(incoming.server_version)
    state = uow.sync.server_state(cls.RESOURCE_TYPE, rid)
    if state and version is not None and state.server_version == version:
        return SAME
    repo = uow.records(cls)
    pending = uow.sync.has_pending(cls.RESOURCE_TYPE, rid) if state else None
    theirs_text = jsonio.dumps(theirs)
    if not pending:
        repo.put_from_server(incoming, theirs_text)
        return UPDATED
    if uow.sync.open_conflict(cls.RESOURCE_TYPE, rid, version):
        return SAME  # already waiting for a person (found on push, seen again on pull)
    local = repo.get(rid)
    base = jsonio.loads(state.server_copy) if state.server_copy else None
    mine = mapping.to_fhir(local, ctx)
    merge = three_way(base_view=view(base, ctx) if base else None, mine=mine, theirs=theirs,
                      theirs_view=mapping.to_fhir(incoming, ctx), owned=mapping.is_owned_extension)
    patient_id = getattr(local, "patient_id", None)
    if not merge.clean:
        uow.sync.add_conflict({
            "id": m.new_id(), "resource_type": cls.RESOURCE_TYPE, "resource_id": rid,
            "patient_id": patient_id, "fields": sorted(merge.conflicts),
            "base": jsonio.dumps(base) if base else None, "mine": jsonio.dumps(mine),
            "theirs": theirs_text, "theirs_version": version, "upto_seq": pending})
        uow.audit.append(session.entry(Action.SYNC, outcome="failure", patient_id=patient_id,
                                       record_type=cls.RESOURCE_TYPE, record_id=rid,
                                       detail={"conflict": sorted(merge.conflicts)}))
        return CONFLICT
    if not merge.mine_changed:  # the server already has our edit (e.g. a push whose answer was lost)
        repo.put_from_server(incoming, theirs_text)
        uow.sync.clear_outbox(cls.RESOURCE_TYPE, rid, pending)
        return UPDATED
    merged = mapping.from_fhir(merge.resource | {"id": rid})
    merged.server_version = version
    merged.created_at = local.created_at
    repo.put_from_server(merged, theirs_text)  # still pending: the edit goes out on the new base
    uow.audit.append(session.entry(Action.SYNC, patient_id=patient_id, record_type=cls.RESOURCE_TYPE,
                                   record_id=rid, detail={"merge": "automatic", "mine": merge.mine_changed,
                                                          "theirs_version": version}))
    return MERGED
