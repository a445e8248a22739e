"""What the sync indicator and panel say, as pure functions that never raise.

"Online — synced 4 Dec 2026 09:12 · No changes waiting", "Syncing — sending · 120 records ·
1.4 MB", "Offline — the sync server cannot be reached · next try in 2 min · 3 changes
waiting · 1 conflict to resolve", "Sync not set up · 3 changes waiting".
"""
from __future__ import annotations

import functools
import math
import re
from typing import Callable, TypeVar

from app import formatting as fmt
from sync.runner import Progress, StoreStatus

NOT_SET_UP = "Sync not set up"
NOT_ALLOWED = "Sync status not available to your role"
_KIND = re.compile(r"^sync (\w+) error: ")
_PHASES = {"push": "sending", "pull": "receiving", "read": "checking"}

F = TypeVar("F", bound=Callable[..., str])


def _never_raises(fn: F) -> F:
    @functools.wraps(fn)
    def safe(*args, **kwargs) -> str:
        try:
            return fn(*args, **kwargs)
        except Exception:  # noqa: BLE001 - a formatter must not take the status bar down
            return fmt.MISSING
    return safe  # type: ignore[return-value]


def failure_kind(error: str | None) -> str:
    """The SyncError kind inside a round's failure text ("network", "auth", "cancelled" ...)."""
    found = _KIND.match(error or "")
    return found.group(1) if found else "other"


def _detail(error: str) -> str:
    return _KIND.sub("", error).strip()


@_never_raises
def failure_short(error: str | None) -> str:
    """A few words for the status bar: "the sync server cannot be reached"."""
    kind = failure_kind(error)
    return {"network": "the sync server cannot be reached",
            "auth": "the sync server refused this clinic's credentials",
            "config": "the sync settings need attention",
            "cancelled": "sync was cancelled",
            "rejected": "the sync server refused a change",
            "conflict": "the sync server reported a clash",
            "protocol": "the sync server gave an answer that cannot be used"}.get(kind, "the last sync failed")


@_never_raises
def failure_sentence(error: str | None) -> str:
    """One clear sentence saying why the round failed, with the server's own words after it."""
    kind = failure_kind(error)
    advice = {"network": "The sync server cannot be reached: check the network connection; "
                         "changes stay on this computer until it is back.",
              "auth": "The sync server refused this clinic's credentials: ask an administrator "
                      "to check the sync server settings.",
              "config": "The sync server settings are not valid: ask an administrator to correct them.",
              "cancelled": "Sync was cancelled; everything confirmed before that is kept.",
              "rejected": "The sync server refused a change; the record it names waits for a correction.",
              "conflict": "The sync server reported a clash with another clinic's change.",
              "protocol": "The sync server gave an answer that cannot be used; ask IT to check the server."}
    head = advice.get(kind, "The last sync failed.")
    detail = _detail(error or "")
    return f"{head} ({detail})" if detail else head


@_never_raises
def bytes_text(count: int) -> str:
    """"0 B", "850 B", "12 KB", "1.4 MB"."""
    if count < 1000:
        return f"{count} B"
    if count < 1_000_000:
        return f"{count / 1000:.0f} KB"
    return f"{count / 1_000_000:.1f} MB"


@_never_raises
def wait_text(seconds: float | None) -> str:
    """"in 40 s", "in 2 min", "in 1 h" (rounded up: never sooner than it will be)."""
    if seconds is None:
        return fmt.MISSING
    seconds = max(0, math.ceil(seconds))
    if seconds < 60:
        return f"in {seconds} s"
    if seconds < 3600:
        return f"in {math.ceil(seconds / 60)} min"
    return f"in {math.ceil(seconds / 3600)} h"


@_never_raises
def progress_text(p: Progress) -> str:
    """"Syncing — sending · 120 records · 1.4 MB"."""
    return (f"Syncing — {_PHASES.get(p.phase, p.phase)} · {fmt.count_text(p.items, 'record')} · "
            f"{bytes_text(p.bytes)}")


def _counts(s: StoreStatus) -> list[str]:
    parts = [f"{fmt.count_text(s.pending, 'change')} waiting"]
    if s.conflicts:
        parts.append(f"{fmt.count_text(s.conflicts, 'conflict')} to resolve")
    if s.rejected:
        parts.append(f"{fmt.count_text(s.rejected, 'record')} refused by the server")
    return parts


@_never_raises
def status_text(s: StoreStatus | None, *, configured: bool = True, waiting: float | None = None) -> str:
    """The indicator's line. ``s`` a RunnerStatus while a runner works, else the store's status;
    ``waiting`` the seconds until the next round as the indicator counts them down."""
    if s is None:
        return NOT_SET_UP if not configured else "Sync status is being read…"
    if not configured:
        return " · ".join([NOT_SET_UP, *_counts(s)])
    state = getattr(s, "state", None)
    if state == "running":
        head = ["Syncing…"]
    elif s.last_outcome is None:
        head = ["Offline — not yet synced"]
    elif s.last_outcome == "success":
        head = [f"Online — synced {fmt.datetime_text(s.last_sync)}"]
    elif failure_kind(s.last_error) == "cancelled":
        head = ["Sync cancelled"]
    else:
        head = [f"Offline — {failure_short(s.last_error)}"]
    if state == "waiting" and waiting is not None:
        head.append(f"next try {wait_text(waiting)}")
    if state == "stopped":
        head.append("sync stopped")
    return " · ".join(head + _counts(s))


@_never_raises
def status_tooltip(s: StoreStatus | None, *, configured: bool = True) -> str:
    """The indicator's tooltip: why the last round failed, or what happens to changes."""
    if not configured:
        return ("Sync with the central server is not set up: changes are kept on this computer. "
                "An administrator sets the server under Administration → Sync server.")
    lines = []
    if s is not None and s.last_outcome == "failure":
        lines.append(failure_sentence(s.last_error))
    elif s is not None and s.last_outcome == "success":
        lines.append(f"The last sync finished {fmt.datetime_text(s.last_sync)}.")
    lines.append("Changes are kept on this computer and sent at the next sync round. "
                 "Click for the sync panel; F5 syncs now.")
    return "\n".join(lines)


def is_alert(s: StoreStatus | None) -> bool:
    """Whether the indicator should stand out (a failed round, conflicts waiting)."""
    return bool(s is not None and (s.conflicts or s.last_outcome == "failure")
                and getattr(s, "state", None) != "running")


__all__ = ["NOT_SET_UP", "NOT_ALLOWED", "status_text", "status_tooltip", "progress_text", "failure_sentence",
           "failure_short", "bytes_text", "wait_text", "is_alert"]
