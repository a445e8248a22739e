"""What the sync indicator says, from the runner's status: pure functions that never raise."""
from __future__ import annotations

from datetime import datetime, timezone

from sync.runner import Progress, RunnerStatus, StoreStatus
from ui.qt import sync_text as say

AT = datetime(2026, 12, 4, 9, 12, tzinfo=timezone.utc)


def _status(**kw) -> RunnerStatus:
    base = dict(pending=3, conflicts=0, rejected=0, last_sync=AT, last_outcome="success", last_error=None,
                state="idle", failures=0, next_round_in=300.0)
    return RunnerStatus(**(base | kw))


def test_a_failed_round_names_the_reason_and_the_next_try():
    s = _status(last_outcome="failure", state="waiting", failures=2,
                last_error="sync network error: search Patient: the server cannot be reached (refused)")
    assert say.status_text(s, waiting=95) == ("Offline — the sync server cannot be reached · next try in 2 min · "
                                              "3 changes waiting")
    assert say.failure_sentence(s.last_error) == (
        "The sync server cannot be reached: check the network connection; changes stay on this computer "
        "until it is back. (search Patient: the server cannot be reached (refused))")


def test_counts_of_conflicts_and_refused_records_follow_the_changes_waiting():
    s = _status(pending=0, conflicts=1, rejected=2)
    assert say.status_text(s).endswith("No changes waiting · 1 conflict to resolve · 2 records refused by the server")
    assert say.is_alert(s) and not say.is_alert(_status())


def test_progress_counts_records_and_bytes():
    assert say.progress_text(Progress("push", 2, 120, 1_400_000)) == "Syncing — sending · 120 records · 1.4 MB"
    assert say.progress_text(Progress("pull", 1, 1, 850)) == "Syncing — receiving · 1 record · 850 B"


def test_without_settings_it_says_not_set_up_and_a_cancel_is_not_called_offline():
    store = StoreStatus(pending=1, conflicts=0, rejected=0, last_sync=None, last_outcome=None, last_error=None)
    assert say.status_text(store, configured=False) == "Sync not set up · 1 change waiting"
    cancelled = _status(last_outcome="failure", state="waiting", last_error="sync cancelled error: stopped")
    assert say.status_text(cancelled, waiting=4.2) == "Sync cancelled · next try in 5 s · 3 changes waiting"


def test_waits_round_up_and_formatters_never_raise():
    assert [say.wait_text(s) for s in (0, 58.2, 59.1, 61, 3600, 3601)] == [
        "in 0 s", "in 59 s", "in 1 min", "in 2 min", "in 1 h", "in 2 h"]
    assert say.status_text(object()) == "—" and say.bytes_text(None) == "—"
