"""Break the glass from the main window (a reason, a time limit, flagged in the audit trail,
then on the administrator's review list) and sync conflicts resolved mine, theirs or per field."""
from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
import shiboken6

from tests.conftest import USER_PASSWORD
from tests.ui._patients import register
from ui import wiring
from ui.qt import admin_dialogs as ask
from ui.qt import ops
from ui.qt.admin_view import AdminView
from ui.qt.main_window import MainWindow


def _settle(qtbot) -> None:
    qtbot.waitUntil(lambda: not ops.busy(), timeout=5000)
    qtbot.wait(10)


@pytest.fixture
def said(monkeypatch):
    state = {"edit": None, "told": [], "text": "checked: a true emergency"}

    def run_dialog(dialog):
        if state["edit"]:
            state.pop("edit")(dialog)
            state["edit"] = None
        return True
    monkeypatch.setattr(ask, "run_dialog", run_dialog)
    monkeypatch.setattr(ask, "tell", lambda parent, words: state["told"].append(words))
    monkeypatch.setattr(ask, "ask_text", lambda *a, **k: state["text"])
    return state


def test_breaking_the_glass_is_time_limited_flagged_and_reviewed_by_an_admin(
        qtbot, sessions, clinic, store_dir, settings, charted, said):
    main = MainWindow(wiring.sign_in(store_dir, "desk.test", USER_PASSWORD), settings)
    main.show()
    try:
        main.open_patient(charted.id)
        _settle(qtbot)

        def fill(form):
            form.reason.setPlainText("Patient collapsed at the desk; need allergies")
            form.minutes.setValue(15)
        said["edit"] = fill
        main.emergency_action.trigger()
        _settle(qtbot)
        assert main.session.in_emergency
        assert said["told"] and said["told"][0].startswith("Emergency access is open until ")
        left = main.session.emergency_until - main.session.clock()
        assert 14 * 60 < left.total_seconds() <= 15 * 60
    finally:
        if shiboken6.isValid(main):
            main.close()

    admin = AdminView(clinic)
    qtbot.addWidget(admin)
    _settle(qtbot)
    reviews = admin.emergency.model.rows()
    assert [(r.username, r.reason, r.patient_id) for r in reviews] == [
        ("desk.test", "Patient collapsed at the desk; need allergies", charted.id)]
    assert not admin.emergency.empty.isVisible()
    admin.emergency.review()
    _settle(qtbot)
    assert admin.emergency.model.rows() == []
    admin.emergency.show_all.setChecked(True)
    _settle(qtbot)
    [done] = admin.emergency.model.rows()
    assert done.reviewed_by == "admin" and done.review_note == "checked: a true emergency"


def _conflict(clinic, patient) -> str:
    conflict_id = str(uuid.uuid4())
    with clinic.store.uow() as uow:
        uow.sync.add_conflict({
            "id": conflict_id, "resource_type": "Patient", "resource_id": patient.id,
            "patient_id": patient.id, "fields": ["birthDate", "gender"],
            "base": json.dumps({"birthDate": "1970-01-02", "gender": "female"}),
            "mine": json.dumps({"birthDate": "1970-01-03", "gender": "female"}),
            "theirs": json.dumps({"birthDate": "1970-01-04", "gender": "unknown"}),
            "theirs_version": "3", "upto_seq": 1})
        uow.commit()
    return conflict_id


@pytest.mark.parametrize("choice, expected", [
    ("mine", {"birthDate": "mine", "gender": "mine"}),
    ("theirs", {"birthDate": "theirs", "gender": "theirs"}),
    ("fields", {"birthDate": "theirs", "gender": "mine"}),
])
def test_a_sync_conflict_shows_both_versions_and_records_the_decision(
        qtbot, sessions, clinic, said, choice, expected):
    patient = register(sessions["physician"], "Rosa", "Diaz", date(1970, 1, 2))
    conflict_id = _conflict(clinic, patient)
    admin = AdminView(clinic)
    qtbot.addWidget(admin)
    _settle(qtbot)
    view = admin.conflicts
    assert view.fields.horizontalHeaderItem(3).text() == "Theirs (server)"
    rows = {view.fields.item(r, 0).text(): [view.fields.item(r, c).text() for c in (1, 2, 3)]
            for r in range(view.fields.rowCount())}
    assert rows == {"birthDate": ["1970-01-02", "1970-01-03", "1970-01-04"],
                    "gender": ["female", "female", "unknown"]}
    if choice == "fields":
        for r in range(view.fields.rowCount()):
            if view.fields.item(r, 0).text() == "birthDate":
                keep = view.fields.cellWidget(r, 4)
                keep.setCurrentIndex(keep.findData("theirs"))
    view.resolve(choice)
    _settle(qtbot)
    assert view.conflicts == [] and view.listing.count() == 0 and view.fields.rowCount() == 0
    with clinic.store.uow() as uow:
        row = uow.sync.conflict(conflict_id)
    assert row["status"] == "decided" and row["decision"] == expected
