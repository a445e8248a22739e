"""ui.collector: start-up objects frozen out of the collector's reach, never mid-collection."""
from __future__ import annotations

import gc
import weakref

import pytest

from ui import collector


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    callbacks = list(gc.callbacks)
    yield
    gc.callbacks[:] = callbacks
    gc.unfreeze()  # the rest of the test run collects as usual


def _tracked_ids() -> set[int]:
    return {id(o) for o in gc.get_objects()}


def test_objects_alive_at_start_up_are_frozen_and_later_ones_are_not(unfrozen):
    before = [[n] for n in range(1000)]
    assert collector.freeze_start_up_objects() is True
    assert gc.get_freeze_count() >= len(before)
    tracked = _tracked_ids()
    assert not any(id(o) in tracked for o in before)  # frozen: in no generation any more
    later = [[n] for n in range(10)]
    tracked = _tracked_ids()
    assert all(id(o) in tracked for o in later)
    assert "freeze_after_full_collection" not in [cb.__name__ for cb in gc.callbacks]  # removed


def test_garbage_is_collected_not_frozen(unfrozen):
    class Node:
        pass
    a, b = Node(), Node()
    a.other, b.other = b, a  # a reference cycle: only the collector frees it
    gone = weakref.ref(a)
    del a, b
    collector.freeze_start_up_objects()
    assert gone() is None


def test_called_while_a_collection_is_under_way_it_freezes_when_that_collection_ends(unfrozen):
    answers = []

    def call_during_collection(phase, info):
        if phase == "start" and info["generation"] == 2 and not answers:
            # as if another thread were collecting: gc.collect() here returns at once
            answers.append(collector.freeze_start_up_objects())
            answers.append(gc.get_freeze_count())

    gc.callbacks.append(call_during_collection)
    gc.collect()
    assert answers[0] is False  # not frozen mid-collection
    assert answers[1] == 0
    assert gc.get_freeze_count() > 0  # frozen at the end of the collection that was running
