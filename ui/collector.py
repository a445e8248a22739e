"""Keep the client's start-up objects out of the garbage collector's way.

A full garbage collection walks every container object alive, from whichever thread
triggers it, and holds every other thread meanwhile — the UI thread included. The client
imports about 117,000 such objects (the Qt bindings, SQLAlchemy, Alembic, the app's own
modules) that live until it quits; walking them was about 50 ms of every full collection
on the development machine, enough to push a chart's scrolling past the 100 ms budget.
:func:`freeze_start_up_objects` moves them into CPython's permanent generation, which
collections skip. Objects made later (charts, their rows) are collected as usual.
"""
from __future__ import annotations

import gc


def freeze_start_up_objects() -> bool:
    """Collect once, then freeze what survived; True when the freeze has happened.

    ``gc.freeze()`` is unsafe while a collection is under way: a collection that runs a
    finalizer can let another thread run mid-way, and freezing then corrupts the
    collector's lists (CI once crashed in the collector that way). So the freeze runs
    inside the collector's own "stop" callback of a full collection: CPython keeps its
    "collecting" flag set across the callbacks, so no other collection can be running or
    start then, and what is frozen is exactly what that collection found alive. Should
    another thread be collecting when this is called, the freeze happens at the end of the
    next full collection instead.
    """
    state = {"frozen": False}

    def freeze_after_full_collection(phase: str, info: dict) -> None:
        if phase == "stop" and info["generation"] == 2 and not state["frozen"]:
            state["frozen"] = True
            gc.freeze()

    gc.callbacks.append(freeze_after_full_collection)
    gc.collect()
    if state["frozen"]:
        # removed here, not from inside the callback: the collector walks its callback list
        # by position, and removing an entry mid-walk would skip the next one
        gc.callbacks.remove(freeze_after_full_collection)
    return state["frozen"]
