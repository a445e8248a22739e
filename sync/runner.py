"""Background sync in plain Python (no Qt): periodic rounds, rounds on demand, exponential
back-off after a failure, progress and cancel hooks, and a status that tells the truth.

The desktop client drives a ``SyncRunner`` from its own thread helper or lets it run its
own daemon thread (``start()``); ``sync_now()`` asks for a round at once (the user's
button, or connectivity coming back), ``cancel()`` stops the running round at the next
safe point (between Bundles or pages, each committed on its own, so nothing is half
applied). ``status()`` reads what the store says (pending changes, open conflicts,
refused records, the last round's time and outcome) plus the runner's own state.
"""
from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Callable, ContextManager

from app.errors import SyncError
from app import sync_settings
from app.session import Session
from sync.engine import SyncReport, run_round
from sync.gateway import Gateway


@dataclass(frozen=True)
class Progress:
    phase: str  # "push" (transactions), "pull" (searches) or "read"
    requests: int  # HTTP exchanges so far in this round
    items: int  # resources sent or received so far
    bytes: int  # bytes sent and received so far (when the gateway counts them)


@dataclass(frozen=True)
class StoreStatus:
    pending: int  # local changes waiting to be sent
    conflicts: int  # conflicts waiting for a person
    rejected: int  # records the server refused (waiting for a fix)
    last_sync: datetime | None  # when the last round ended, either way
    last_outcome: str | None  # "success" | "failure" | None before the first round
    last_error: str | None  # why the last round failed

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["last_sync"] = self.last_sync.isoformat() if self.last_sync else None
        return out


@dataclass(frozen=True)
class RunnerStatus(StoreStatus):
    state: str = "idle"  # idle | running | waiting (back-off) | stopped
    failures: int = 0  # failed rounds in a row
    next_round_in: float | None = None  # seconds until the next scheduled round


def store_status(session: Session) -> StoreStatus:
    """What the store knows about sync (PermissionDenied without the sync permission).
    Reads only the newest round of the audit trail, however many rounds it holds."""
    waiting = sync_settings.counts(session)
    rounds = sync_settings.recent_rounds(session, limit=1)
    last = rounds[0] if rounds else None
    error = None
    if last is not None and not last.ok:
        error = last.failed or "the round failed"
    return StoreStatus(waiting.pending, waiting.conflicts, waiting.rejected, last.at if last else None,
                       None if last is None else ("success" if last.ok else "failure"), error)


class Cancelled(SyncError):
    def __init__(self) -> None:
        super().__init__("cancelled", "the round was cancelled; what was confirmed so far is kept")


class _Watched:
    """A gateway that reports progress and stops between requests once cancelled."""

    def __init__(self, inner: Gateway, cancelled: threading.Event, report: Callable[[Progress], None]):
        self.inner, self.cancelled, self.report = inner, cancelled, report
        self.base_url = inner.base_url
        self.requests = self.items = 0

    def _bytes(self) -> int:
        return getattr(self.inner, "bytes_sent", 0) + getattr(self.inner, "bytes_received", 0)

    def _do(self, phase: str, items: Callable[[Any], int], call: Callable[[], Any]) -> Any:
        if self.cancelled.is_set():
            raise Cancelled()
        answer = call()
        self.requests += 1
        self.items += items(answer)
        self.report(Progress(phase, self.requests, self.items, self._bytes()))
        return answer

    def transaction(self, bundle: dict) -> dict:
        return self._do("push", lambda a: len(bundle.get("entry") or []), lambda: self.inner.transaction(bundle))

    def search(self, url: str) -> dict:
        return self._do("pull", lambda a: len(a.get("entry") or []), lambda: self.inner.search(url))

    def read(self, resource_type: str, resource_id: str) -> dict | None:
        return self._do("read", lambda a: int(a is not None), lambda: self.inner.read(resource_type, resource_id))


class SyncRunner:
    """Runs sync rounds for one signed-in session.

    ``connect()`` returns a context manager giving a Gateway (a fresh connection per
    round). ``on_progress(Progress)`` and ``on_status(RunnerStatus)`` are called from the
    runner's thread; a GUI marshals them to its own thread.
    """

    def __init__(self, session: Session, connect: Callable[[], ContextManager[Gateway]], *,
                 interval: float = 300.0, backoff: float = 5.0, backoff_max: float = 900.0,
                 on_progress: Callable[[Progress], None] | None = None,
                 on_status: Callable[[RunnerStatus], None] | None = None,
                 round_fn: Callable[..., SyncReport] = run_round, clock: Callable[[], float] = time.monotonic):
        self.session, self.connect, self.round_fn, self.clock = session, connect, round_fn, clock
        self.interval, self.backoff, self.backoff_max = interval, backoff, backoff_max
        self.on_progress, self.on_status = on_progress or (lambda p: None), on_status or (lambda s: None)
        self.failures = 0
        self.state = "idle"
        self.last_report: SyncReport | None = None
        self._next_at: float | None = None
        self._cancel, self._wake, self._stop = threading.Event(), threading.Event(), threading.Event()
        self._lock = threading.Lock()  # one round at a time
        self._thread: threading.Thread | None = None

    # -- one round ----------------------------------------------------------------------
    def delay(self) -> float:
        """Seconds until the next round: the interval, or the back-off after failures."""
        if self.failures == 0:
            return self.interval
        return min(self.backoff_max, self.backoff * 2 ** (self.failures - 1))

    def run_once(self) -> SyncReport:
        """One round now, in the calling thread (never raises for a server problem)."""
        with self._lock:
            self._cancel.clear()
            self.state = "running"
            self._emit()
            try:
                with self.connect() as gateway:
                    report = self.round_fn(self.session, _Watched(gateway, self._cancel, self.on_progress))
            except SyncError as exc:  # connecting failed (a token endpoint, a bad address)
                report = SyncReport(failed=str(exc))
            self.last_report = report
            self.failures = self.failures + 1 if report.failed else 0
            self._next_at = self.clock() + self.delay()
            self.state = "stopped" if self._stop.is_set() else "waiting" if self.failures else "idle"
            self._emit()
            return report

    def cancel(self) -> None:
        """Stop the running round at the next safe point (between Bundles or pages)."""
        self._cancel.set()

    # -- in the background ----------------------------------------------------------------
    def start(self) -> None:
        """Run rounds in a daemon thread: one at once, then every interval (or back-off)."""
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="outpost-sync", daemon=True)
        self._thread.start()

    def sync_now(self) -> None:
        """Ask for a round as soon as possible (a button, or the network came back);
        a back-off wait is cut short."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Cancel any round and end the thread."""
        self._stop.set()
        self._cancel.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
        self.state = "stopped"
        self._emit()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            self.run_once()
            self._wake.wait(self.delay())

    # -- status ---------------------------------------------------------------------------
    def status(self) -> RunnerStatus:
        base = store_status(self.session)
        error = base.last_error
        if self.last_report is not None:
            error = self.last_report.failed  # the latest round's truth, even one that never reached the store
        wait = None if self._next_at is None or self.state == "running" else max(0.0, self._next_at - self.clock())
        return RunnerStatus(**(asdict(base) | {"last_error": error}), state=self.state,
                            failures=self.failures, next_round_in=wait)

    def _emit(self) -> None:
        try:
            self.on_status(self.status())
        except Exception:  # a listener's mistake must not stop sync
            pass
