"""Lossless edits and three-way merges of FHIR resources (pure functions over JSON dicts).

The unit of change is a top-level element (``name``, ``telecom``, ``birthDate`` ...).
Which elements *we* changed is decided in our own projection — the resource our
mapping makes from the local record, against the one it makes from the last server
copy — so an element we did not touch keeps the server's exact form, and elements
and extensions we do not model are never dropped.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable

#: Elements the server owns or that never differ between copies in a meaningful way.
IGNORED = frozenset({"resourceType", "id", "meta", "text"})
MISSING: Any = None  # an element our record no longer has (removed when applied)


def changed(base_view: dict | None, mine: dict) -> dict[str, Any]:
    """The elements where ``mine`` differs from ``base_view`` (None for removed ones).

    Without a base (never confirmed by the server) every element of ``mine`` counts.
    """
    if base_view is None:
        return {k: v for k, v in mine.items() if k not in IGNORED}
    keys = (set(base_view) | set(mine)) - IGNORED
    return {k: mine.get(k) for k in sorted(keys) if base_view.get(k) != mine.get(k)}


def apply(server: dict, changes: dict[str, Any], *, owned: Callable[[str], bool],
          mine_meta: dict | None = None) -> dict:
    """``server`` with our changed elements written over it; everything else kept.

    For ``extension`` only the extensions we own are replaced: other systems' stay.
    """
    out = copy.deepcopy(server)
    for key, value in changes.items():
        if key == "extension":
            theirs = [e for e in server.get("extension") or [] if not owned(e.get("url", ""))]
            value = theirs + list(value or [])
        if value is None or value == []:
            out.pop(key, None)
        else:
            out[key] = copy.deepcopy(value)
    meta = {k: v for k, v in (out.get("meta") or {}).items() if k not in ("versionId", "lastUpdated")}
    if mine_meta:
        tags = meta.get("tag") or []
        meta["tag"] = tags + [t for t in mine_meta.get("tag") or [] if t not in tags]
        if "security" in mine_meta or "security" in meta:
            meta["security"] = mine_meta.get("security", [])
            if not meta["security"]:
                meta.pop("security")
    if meta:
        out["meta"] = meta
    else:
        out.pop("meta", None)
    return out


def outgoing(server_copy: dict | None, base_view: dict | None, mine: dict, *,
             owned: Callable[[str], bool]) -> dict:
    """What to send for a local edit: the server copy with only our changes on it."""
    if server_copy is None:
        return mine
    return apply(server_copy, changed(base_view, mine), owned=owned, mine_meta=mine.get("meta"))


@dataclass
class Merge:
    resource: dict  # theirs with our non-overlapping changes applied
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)  # element -> base/mine/theirs
    mine_changed: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def three_way(*, base_view: dict | None, mine: dict, theirs: dict, theirs_view: dict,
              owned: Callable[[str], bool]) -> Merge:
    """Merge a local edit (``mine``, based on ``base_view``) onto a newer server version.

    Elements only one side changed merge by themselves; an element both changed to
    different values is a conflict (kept out of the merged resource: theirs stays).
    """
    mine_changes = changed(base_view, mine)
    their_changes = changed(base_view, theirs_view)
    conflicts = {}
    for key, value in mine_changes.items():
        if key in their_changes and theirs_view.get(key) != value:
            conflicts[key] = {"base": (base_view or {}).get(key), "mine": value, "theirs": theirs.get(key)}
    take = {k: v for k, v in mine_changes.items() if k not in conflicts and theirs_view.get(k) != v}
    merged = apply(theirs, take, owned=owned, mine_meta=mine.get("meta"))
    return Merge(merged, conflicts, sorted(take))


def resolve(theirs: dict, mine: dict, decision: dict[str, str], *, owned: Callable[[str], bool]) -> dict:
    """Theirs with the elements a person chose "mine" for taken from ``mine``."""
    take = {k: mine.get(k) for k, side in decision.items() if side == "mine"}
    return apply(theirs, take, owned=owned, mine_meta=mine.get("meta"))
