"""Push: outbox → squashed per resource → mapped onto the last server copy → bounded
transaction Bundles → sent → reconciled in one local transaction per Bundle.

A record about a patient carries, besides this clinic's tag, the clinic tags the patient
has on the server (the clinics that hold them): each clinic pulls by its own tag, so what
is recorded here about another clinic's patient reaches that clinic on its next round
without anyone there looking the patient up again.

A Bundle commits locally only after the server confirmed it. If the connection dies
first, the outbox is untouched and the next round sends the same PUTs again (client
ids make that harmless). A Bundle the server refuses is retried one resource at a
time, so one bad resource (rejected, or a version conflict) does not hold up the rest.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.errors import NotFound, SyncError
from app.model import Document
from app.session import Session
from app.uow import UnitOfWork
from sync import bundles, jsonio, mapping
from sync.gateway import Gateway
from sync.incoming import CONFLICT, MERGED, apply_incoming, view
from sync.mapping import MapContext
from sync.mapping.common import CLINIC_TAG_SYSTEM
from sync.mapping.documents import binary
from sync.merge import outgoing


@dataclass
class PushResult:
    pushed: int = 0
    merged: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)


def patient_clinic_tags(uow: UnitOfWork, patient_ids: set[str]) -> dict[str, list[dict]]:
    """The clinic tags of each patient's server copy (patients never sent have none)."""
    out = {}
    for patient_id, state in uow.sync.server_states("Patient", sorted(patient_ids)).items():
        if state.server_copy:
            tags = (jsonio.loads(state.server_copy).get("meta") or {}).get("tag") or []
            out[patient_id] = [{"system": CLINIC_TAG_SYSTEM, "code": t["code"]} for t in tags
                               if t.get("system") == CLINIC_TAG_SYSTEM and t.get("code")]
    return out


def _add_tags(resource: dict, tags: list[dict]) -> None:
    held = resource.setdefault("meta", {}).setdefault("tag", [])
    have = {(t.get("system"), t.get("code")) for t in held}
    held.extend(t for t in tags if (t["system"], t["code"]) not in have)


def prepare(uow: UnitOfWork, ctx: MapContext) -> list[bundles.Outgoing]:
    """What to send for every resource with pending changes (records and their server
    state read in bulk, one type at a time)."""
    pending = uow.sync.pending()
    by_type: dict[str, list] = {}
    for p in pending:
        by_type.setdefault(p.resource_type, []).append(p.resource_id)
    records, states = {}, {}
    for resource_type, ids in by_type.items():
        records[resource_type] = uow.records(mapping.BY_OUTBOX_TYPE[resource_type]).find_many(ids)
        states[resource_type] = uow.sync.server_states(resource_type, ids)
    patient_tags = patient_clinic_tags(uow, {s.patient_id for by_id in states.values()
                                             for s in by_id.values() if s.patient_id})
    items = []
    for p in pending:
        cls = mapping.BY_OUTBOX_TYPE[p.resource_type]
        record = records[p.resource_type].get(p.resource_id)
        state = states[p.resource_type].get(p.resource_id)
        if record is None or state is None:
            continue
        copy = jsonio.loads(state.server_copy) if state.server_copy else None
        resource = outgoing(copy, view(copy, ctx) if copy else None, mapping.to_fhir(record, ctx),
                            owned=mapping.is_owned_extension)
        _add_tags(resource, patient_tags.get(state.patient_id, []))
        extra = []
        if cls is Document:
            try:
                extra.append(binary(record, uow.blobs.get(record.id)))
            except NotFound:
                pass  # the bytes never reached this store: send the reference alone
        items.append(bundles.Outgoing(p.resource_type, resource, p.upto_seq, state.server_version,
                                      state.patient_id, extra))
    return items


def _reconcile(session: Session, items: list[bundles.Outgoing], answer: dict) -> None:
    confirmed = bundles.responses(items, answer)
    by_type: dict[str, list[tuple[str, str | None, str, int]]] = {}
    for item, c in zip(items, confirmed):
        by_type.setdefault(item.record_type, []).append(
            (item.resource["id"], c.version, jsonio.dumps(c.resource), item.upto_seq))
    with session.uow() as uow:
        for record_type, rows in by_type.items():
            uow.sync.confirm_many(record_type, rows)
        uow.commit()


def _one_by_one(session: Session, gateway: Gateway, items: list[bundles.Outgoing], ctx: MapContext,
                result: PushResult) -> None:
    for item in items:
        try:
            _reconcile(session, [item], gateway.transaction(bundles.transaction(gateway.base_url, [item])))
            result.pushed += 1
        except SyncError as exc:
            if exc.kind == "conflict":
                _conflict(session, gateway, item, ctx, result)
            elif exc.kind == "rejected":
                message = f"{item.record_type} {item.resource['id']} was refused — {exc}"
                with session.uow() as uow:
                    uow.sync.reject(item.record_type, item.resource["id"], item.upto_seq, message)
                    uow.commit()
                result.errors.append(message)
            else:
                raise


def _conflict(session: Session, gateway: Gateway, item: bundles.Outgoing, ctx: MapContext,
              result: PushResult) -> None:
    """The server has a newer version than our edit's base: merge onto it."""
    theirs = gateway.read(item.resource["resourceType"], item.resource["id"])
    if theirs is None:
        result.errors.append(f"{item.key} is gone from the server; the local edit waits")
        return
    with session.uow() as uow:
        outcome = apply_incoming(session, uow, theirs, ctx)
        uow.commit()
    result.merged += outcome == MERGED
    result.conflicts += outcome == CONFLICT


def push(session: Session, gateway: Gateway, ctx: MapContext, *, max_entries: int = 200) -> PushResult:
    """Send every pending change; SyncError (network, auth) stops the round."""
    result = PushResult()
    for _ in range(2):  # a second pass sends edits that were merged onto a newer version
        with session.uow() as uow:
            items = prepare(uow, ctx)
        if not items:
            break
        merged_before = result.merged
        for batch in bundles.plan(items, max_entries):
            try:
                answer = gateway.transaction(bundles.transaction(gateway.base_url, batch))
            except SyncError as exc:
                if exc.kind not in ("rejected", "conflict"):
                    raise
                _one_by_one(session, gateway, batch, ctx, result)
                continue
            _reconcile(session, batch, answer)
            result.pushed += len(batch)
        if result.merged == merged_before:
            break
    return result
