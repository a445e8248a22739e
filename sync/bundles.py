"""Pure steps between the outbox and the wire: order the outgoing resources so no
bundle points at something not yet sent, cut them into bounded transaction Bundles,
and read the server's answer back entry by entry."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from sync.mapping import PULL_ORDER

RANK = {name: n for n, name in enumerate(("Binary", *PULL_ORDER))}


@dataclass
class Outgoing:
    """One resource to send, with what reconciling it needs afterwards."""
    record_type: str  # the outbox's name for the record type
    resource: dict
    upto_seq: int
    if_match: str | None = None  # the server version the edit was based on
    patient_id: str | None = None
    extra: list[dict] = field(default_factory=list)  # resources that travel with it (a Binary)

    @property
    def key(self) -> str:
        return f"{self.resource['resourceType']}/{self.resource['id']}"


def _rank(item: Outgoing) -> tuple[int, str]:
    return RANK.get(item.resource["resourceType"], len(RANK)), item.resource["id"]


def _size(item: Outgoing) -> int:
    return 1 + len(item.extra)


def plan(items: Iterable[Outgoing], max_entries: int) -> list[list[Outgoing]]:
    """Bundles of at most ``max_entries`` entries, in an order that keeps references whole.

    Directory resources (no patient) go first; then each patient's resources go
    together, the patient before what refers to it, so a bundle only points at what
    it carries or what an earlier bundle carried.
    """
    directory, by_patient = [], {}
    for item in items:
        if item.patient_id is None and item.resource["resourceType"] != "Patient":
            directory.append(item)
        else:
            by_patient.setdefault(item.patient_id or item.resource["id"], []).append(item)
    groups = [sorted(directory, key=_rank)] + [sorted(g, key=_rank) for g in by_patient.values()]
    bundles: list[list[Outgoing]] = []
    current: list[Outgoing] = []
    used = 0
    for group in groups:
        if current and used + sum(map(_size, group)) > max_entries:
            bundles.append(current)
            current, used = [], 0
        for item in group:  # a group bigger than a bundle is split in reference order
            if current and used + _size(item) > max_entries:
                bundles.append(current)
                current, used = [], 0
            current.append(item)
            used += _size(item)
    if current:
        bundles.append(current)
    return bundles


def _entry(base_url: str, resource: dict, if_match: str | None) -> dict:
    request = {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}
    if if_match:
        request["ifMatch"] = f'W/"{if_match}"'
    return {"fullUrl": f"{base_url}/{resource['resourceType']}/{resource['id']}", "resource": resource,
            "request": request}


def transaction(base_url: str, items: list[Outgoing]) -> dict:
    """A transaction Bundle: ``PUT Type/id`` per resource (client ids, so a retry is
    harmless), with ``If-Match`` on the version each edit was based on."""
    entries = []
    for item in items:
        entries.extend(_entry(base_url, extra, None) for extra in item.extra)
        entries.append(_entry(base_url, item.resource, item.if_match))
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


def etag_version(etag: str | None) -> str | None:
    """The version in an ETag (``W/"3"`` → ``3``); versions are opaque strings."""
    if not etag:
        return None
    value = etag.strip()
    value = value[2:] if value.startswith("W/") else value
    return value.strip('"') or None


@dataclass(frozen=True)
class Confirmed:
    version: str | None
    resource: dict  # the server's copy (as it answered, else what we sent)


def responses(items: list[Outgoing], answer: dict) -> list[Confirmed]:
    """The server's copy and version of each item, from a transaction-response Bundle.

    Entries answer in request order (FHIR R4 §3.1.0.11.2); a server that left out the
    resource gets our own copy with the version from its ETag.
    """
    entries = answer.get("entry") or []
    expected = sum(_size(i) for i in items)
    if len(entries) != expected:
        from app.errors import SyncError
        raise SyncError("protocol", f"the server answered {len(entries)} entries for {expected} sent")
    out, position = [], 0
    for item in items:
        position += len(item.extra)
        entry = entries[position]
        position += 1
        response = entry.get("response") or {}
        resource = entry.get("resource") or dict(item.resource)
        version = etag_version(response.get("etag")) or (resource.get("meta") or {}).get("versionId")
        version = None if version is None else str(version)  # opaque text, whatever the JSON type
        if version and "meta" in resource:
            resource["meta"].setdefault("versionId", version)
        out.append(Confirmed(version, resource))
    return out
