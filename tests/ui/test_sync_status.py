"""The status-bar sync indicator reads what the store knows: pending changes, conflicts
waiting, and how and when the last round ended."""
from __future__ import annotations

import json
import uuid
from datetime import date

from app.audit import Action
from tests.ui._patients import register
from ui.qt import ops
from ui.qt.sync_status import NOT_YET, SyncIndicator


def _indicator(qtbot, session) -> SyncIndicator:
    label = SyncIndicator(session)
    qtbot.addWidget(label)
    qtbot.waitUntil(lambda: label.status is not None, timeout=5000)
    return label


def _pending(session) -> int:
    with session.uow() as uow:
        return uow.sync.outbox_count()


def test_before_any_round_it_says_offline_and_counts_the_changes_waiting(qtbot, sessions):
    doctor = sessions["physician"]
    register(doctor, "Rosa", "Diaz", date(1970, 1, 2))
    label = _indicator(qtbot, doctor)
    waiting = _pending(doctor)
    assert waiting >= 1
    assert label.text() == f"{NOT_YET} · {waiting} change{'s' if waiting != 1 else ''} waiting"
    register(doctor, "Luis", "Diaz", date(1972, 3, 4))
    label.refresh()
    qtbot.waitUntil(lambda: label.status.pending == waiting + 1, timeout=5000)


def test_after_a_round_and_a_conflict_it_says_when_and_what_waits_for_a_person(qtbot, sessions, clinic):
    doctor = sessions["physician"]
    patient = register(doctor, "Rosa", "Diaz", date(1970, 1, 2))
    with clinic.store.uow() as uow:
        uow.audit.append(doctor.entry(Action.SYNC, outcome="failure",
                                      detail={"server": "https://fhir.example.org"}))
        uow.audit.append(doctor.entry(Action.SYNC, detail={"server": "https://fhir.example.org"}))
        uow.sync.add_conflict({"id": str(uuid.uuid4()), "resource_type": "Patient",
                               "resource_id": patient.id, "patient_id": patient.id,
                               "fields": ["telecom"], "base": json.dumps({"telecom": []}),
                               "mine": json.dumps({"telecom": [1]}), "theirs": json.dumps({"telecom": [2]}),
                               "theirs_version": "2", "upto_seq": 1})
        uow.commit()
    label = _indicator(qtbot, doctor)
    assert label.status.last_ok is True and label.status.conflicts == 1
    assert label.text().startswith("Online — synced ")
    assert label.text().endswith("1 conflict to resolve")
    ops.wait_idle()
