"""Pull: per resource type, what changed on the server since the checkpoint.

``Type?_tag=<clinic>&_lastUpdated=ge<checkpoint>&_sort=_lastUpdated``, following the
server's ``next`` links. Each page is applied in one local transaction together with
the new checkpoint, so an interrupted pull resumes after the last applied page. The
checkpoint is the server's own ``lastUpdated`` (its clock, not ours); ``ge`` rather
than ``gt`` re-reads the boundary instant, and a version already held is skipped.

Besides the clinic's own records (by its tag), the patients of other clinics this store
follows (sync/scope.py: pulled in by the central lookup, or opened here) are read by
patient, ``Patient?_id=a,b`` and ``Type?patient=Patient/a,Patient/b``, with a checkpoint
per type of their own.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator
from urllib.parse import quote

from app.errors import SyncError
from app.model import Document
from app.session import Session
from sync import jsonio, mapping, scope
from sync.gateway import Gateway
from sync.incoming import CONFLICT, MERGED, SAME, SKIPPED, apply_incoming, opaque
from sync.mapping import MapContext
from sync.mapping.common import CLINIC_TAG_SYSTEM, to_datetime


@dataclass
class PullResult:
    pulled: int = 0
    merged: int = 0
    conflicts: int = 0
    pages: int = 0
    errors: list[str] = field(default_factory=list)


def search_url(wire_type: str, ctx: MapContext, since: str | None, count: int) -> str:
    url = (f"{wire_type}?_tag={quote(f'{CLINIC_TAG_SYSTEM}|{ctx.clinic_code}', safe='')}"
           f"&_sort=_lastUpdated&_count={count}")
    return url + (f"&_lastUpdated=ge{quote(since, safe='')}" if since else "")


def next_link(page: dict) -> str | None:
    return next((link.get("url") for link in page.get("link") or [] if link.get("relation") == "next"), None)


def newest(resources: list[dict], current: str | None) -> str | None:
    """The latest ``meta.lastUpdated`` among ``resources`` (compared as instants)."""
    best, best_at = current, to_datetime(current) if current else None
    for r in resources:
        stamp = (r.get("meta") or {}).get("lastUpdated")
        at = to_datetime(stamp) if stamp else None
        if at and (best_at is None or at > best_at):
            best, best_at = stamp, at
    return best


def _fetch_binaries(gateway: Gateway, session: Session, resources: list[dict]) -> dict[str, bytes]:
    """The bytes of pulled documents this store does not have yet."""
    import base64
    wanted = [r["id"] for r in resources if r["resourceType"] == "DocumentReference"
              and mapping.record_type_for(r) is Document]
    if not wanted:
        return {}
    with session.uow() as uow:
        missing = [i for i in wanted if uow.records(Document).find(i) is None]
    out = {}
    for rid in missing:
        blob = gateway.read("Binary", rid)
        if blob and blob.get("data"):
            out[rid] = base64.b64decode(blob["data"])
    return out


def _store_new(uow, resources: list[dict]) -> set[str]:
    """Store in bulk the page's resources this store has never held (most of a first pull):
    one lookup and one insert per record type instead of several statements per resource.
    A new record has no local edit to merge, so this is what ``apply_incoming`` would do."""
    by_class: dict[type, list[tuple[object, dict]]] = {}
    for resource in resources:
        try:
            record = mapping.from_fhir(resource)
        except Exception:  # noqa: BLE001 - left to the one-by-one path, which reports it
            continue
        record.server_version = opaque(record.server_version)
        by_class.setdefault(type(record), []).append((record, resource))
    stored: set[str] = set()
    for cls, items in by_class.items():
        repo = uow.records(cls)
        if not hasattr(repo, "put_many_from_server"):
            continue
        held = repo.find_many(record.id for record, _ in items)
        seen: set[str] = set()
        new = []
        for record, resource in items:
            if record.id not in held and record.id not in seen:
                seen.add(record.id)
                new.append((record, jsonio.dumps(resource)))
        repo.put_many_from_server(new)
        stored |= seen
    return stored


def _apply_page(session: Session, server: str, wire_type: str, resources: list[dict], ctx: MapContext,
                blobs: dict[str, bytes], result: PullResult, checkpoint: str | None) -> None:
    """Store one page in one transaction, moving the ``checkpoint`` (when given) with it."""
    with session.uow() as uow:
        since = uow.sync.checkpoint(server, checkpoint) if checkpoint else None
        stored = _store_new(uow, resources)
        for resource in resources:
            if resource.get("id") in stored:
                if resource["id"] in blobs:
                    uow.blobs.put(resource["id"], blobs.pop(resource["id"]))
                result.pulled += 1
                continue
            try:
                outcome = apply_incoming(session, uow, resource, ctx)
            except Exception as exc:  # one unusable resource must not stop the clinic's pull
                result.errors.append(f"{wire_type}/{resource.get('id')} could not be stored: {exc}")
                continue
            if resource["id"] in blobs:
                uow.blobs.put(resource["id"], blobs.pop(resource["id"]))
            result.pulled += outcome not in (SAME, SKIPPED)
            result.merged += outcome == MERGED
            result.conflicts += outcome == CONFLICT
        stamp = newest(resources, since)
        if checkpoint and stamp and stamp != since:
            uow.sync.set_checkpoint(server, checkpoint, stamp)
        uow.commit()


@dataclass(frozen=True)
class Search:
    """One paged search of the pull. ``checkpoint`` moves page by page (the clinic's own
    scope); ``group`` names a followed-patients search whose stamps are gathered instead."""
    wire_type: str
    url: Callable[[], str]  # made when the search starts (it reads the checkpoint then)
    checkpoint: str | None = None
    group: tuple[str, int] | None = None


def _pages(gateway: Gateway, searches: Iterable[Search]):
    """(search, page) in pull order. While the caller applies one page, the next is
    already being fetched (one request ahead, never more), so the wire and the local
    store work at the same time; checkpoints still move only as pages are applied."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-pull") as ahead:
        for search in searches:
            coming: Future | None = ahead.submit(gateway.search, search.url())
            while coming is not None:
                page = coming.result()
                if page.get("resourceType") != "Bundle":
                    raise SyncError("protocol", f"search {search.wire_type}: the server did not answer with a Bundle")
                url = next_link(page)
                coming = ahead.submit(gateway.search, url) if url else None
                yield search, page


def _searches(session: Session, server: str, ctx: MapContext, page_size: int,
              followed: list[str], new: list[str]) -> Iterator[Search]:
    """Per type: the clinic's own records since its checkpoint; then, for the patients of
    other clinics this store follows, theirs since the followed checkpoint (the patients new
    to the scope: all of theirs)."""
    def since(key: str) -> str | None:
        with session.uow() as uow:
            return uow.sync.checkpoint(server, key)

    for wire_type in mapping.PULL_ORDER:
        yield Search(wire_type, lambda w=wire_type: search_url(w, ctx, since(w), page_size), wire_type)
        if wire_type not in scope.TYPES:
            continue
        key = wire_type + scope.CHECKPOINT_SUFFIX
        for n, ids in enumerate(scope.chunks(followed)):
            yield Search(wire_type, lambda w=wire_type, i=ids, k=key: scope.search_url(w, i, since(k), page_size),
                         group=(wire_type, n))
        for ids in scope.chunks(new):
            yield Search(wire_type, lambda w=wire_type, i=ids: scope.search_url(w, i, None, page_size))


def _followed_checkpoints(session: Session, server: str, followed: list[str], new: list[str],
                          stamps: dict[tuple[str, int], str | None]) -> None:
    """Move each type's followed checkpoint once the whole followed set was read: to the
    earliest of the chunks' newest stamps (a later change to any chunk's patients is newer
    than that), and only when every chunk gave one. Then the new patients are caught up."""
    chunks = len(scope.chunks(followed))
    with session.uow() as uow:
        for wire_type in scope.TYPES if chunks else ():
            got = [stamps.get((wire_type, n)) for n in range(chunks)]
            if all(got):
                key = wire_type + scope.CHECKPOINT_SUFFIX
                earliest = min(got, key=to_datetime)
                if earliest != uow.sync.checkpoint(server, key):
                    uow.sync.set_checkpoint(server, key, earliest)
        if new:
            scope.caught_up(uow, new)
        uow.commit()


def pull(session: Session, gateway: Gateway, ctx: MapContext, *, page_size: int = 500) -> PullResult:
    """Apply every change on the server since the last round, for the clinic's own records
    and the patients of other clinics it follows; SyncError stops it (everything applied so
    far stays, with its checkpoint)."""
    result = PullResult()
    server = gateway.base_url
    with session.uow() as uow:
        scope.collect_opened(uow, ctx)
        uow.commit()
        followed, new = scope.followed(uow)
    stamps: dict[tuple[str, int], str | None] = {}
    for search, page in _pages(gateway, _searches(session, server, ctx, page_size, followed, new)):
        wire_type = search.wire_type
        resources = [e["resource"] for e in page.get("entry") or []
                     if (e.get("search") or {}).get("mode", "match") == "match"
                     and (e.get("resource") or {}).get("resourceType") == wire_type]
        blobs = _fetch_binaries(gateway, session, resources)
        _apply_page(session, server, wire_type, resources, ctx, blobs, result, search.checkpoint)
        if search.group is not None:
            stamps[search.group] = newest(resources, stamps.get(search.group))
        result.pages += 1
    _followed_checkpoints(session, server, followed, new, stamps)
    return result
