"""Sync in the desktop client against a real FHIR server: set up in Administration, rounds in
the background and on demand with progress, a failure that says why with its back-off, the
round again when the server is back, cancel, the sync panel, and sign-out stopping the runner."""
from __future__ import annotations

import json
import threading
import uuid
from datetime import date
from pathlib import Path

import pytest
import shiboken6

from app import sync_settings
from app.sync_settings import TOKEN as BEARER
from db.secret_store import secret_store
from sync.runner import store_status
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD
from tests.fhir_server import TOKEN
from tests.ui._patients import register
from ui import wiring
from ui.qt import admin_dialogs as ask
from ui.qt.main_window import MainWindow
from ui.qt.sync_control import NOT_SET_UP, SyncControl

SHOTS = Path("/tmp/h6")


@pytest.fixture
def open_main(sessions, store_dir, settings, memory_keyring):
    """Main windows signed in for real (``open_main(user)``); closed after the test."""
    made: list[MainWindow] = []

    def make(user: str = "dr.test", password: str = USER_PASSWORD) -> MainWindow:
        window = MainWindow(wiring.sign_in(store_dir, user, password), settings)
        window.resize(1100, 560)
        window.show()
        made.append(window)
        return window

    yield make
    for window in made:
        if shiboken6.isValid(window):
            window.close()


@pytest.fixture
def told(monkeypatch) -> list[str]:
    said: list[str] = []
    monkeypatch.setattr(ask, "tell", lambda parent, words: said.append(words))
    return said


def _set_up(clinic, url: str) -> None:
    sync_settings.save(clinic.session, secret_store(clinic.store), server_url=url, auth=BEARER, secret=TOKEN)


def _shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def _idle(qtbot, control: SyncControl, timeout: int = 30_000) -> None:
    """Wait for the round under way (and any asked for) to end."""
    qtbot.waitUntil(lambda: control.status is not None and getattr(control.status, "state", None) in
                    ("idle", "waiting"), timeout=timeout)


def _texts(control: SyncControl) -> list[str]:
    seen: list[str] = []
    control.changed.connect(lambda: seen.append(control.indicator.text()))
    return seen


def test_without_sync_settings_the_indicator_says_not_set_up_and_nothing_runs(qtbot, open_main, sessions):
    register(sessions["physician"], "Rosa", "Diaz", date(1970, 1, 2))
    main = open_main()
    control = main.sync_control
    qtbot.waitUntil(lambda: control.configured is False, timeout=5000)

    assert control.runner is None
    waiting = store_status(sessions["physician"]).pending
    assert waiting >= 1
    assert main.status_texts()[3] == f"{NOT_SET_UP} · {waiting} changes waiting"
    assert "Administration" in control.indicator.toolTip()
    main.sync_control.sync_now_action.trigger()
    assert "not set up" in main.statusBar().currentMessage()
    qtbot.waitUntil(lambda: main.location_label.text() == "Location: Main site", timeout=5000)
    qtbot.wait(100)  # the status bar lays the texts out
    _shot(main, "not_set_up")


def test_an_administrator_saves_the_server_and_the_secret_goes_to_the_secret_store_only(
        qtbot, open_main, clinic, fhir_server, told, settings, tmp_path, memory_keyring):
    main = open_main("admin", ADMIN_PASSWORD)
    main.show_admin()
    view = main.admin.sync_server
    main.admin.tabs.setCurrentWidget(view)
    view.url.setText(fhir_server.url)
    view.token.setText(TOKEN)
    _shot(main, "admin_sync_server")

    view.save_button.click()
    qtbot.waitUntil(lambda: bool(told), timeout=5000)

    saved = sync_settings.load(clinic.session, secret_store(clinic.store))
    assert (saved.server_url, saved.auth, saved.client_id) == (fhir_server.url, BEARER, None)
    assert told == ["Saved the sync settings; the secret is kept in the OS keyring."]
    assert any(TOKEN in value for value in memory_keyring.secrets.values())
    settings.sync()
    on_disk = b"".join(p.read_bytes() for p in tmp_path.rglob("*.ini"))
    assert TOKEN.encode() not in on_disk  # never in the client's settings file
    qtbot.waitUntil(lambda: main.sync_control.runner is not None, timeout=5000)  # picked up at once
    _idle(qtbot, main.sync_control)
    assert main.status_texts()[3].startswith("Online — synced ")


def test_a_bad_address_is_refused_when_saving_not_at_the_first_round(qtbot, open_main, clinic, shown_errors):
    main = open_main("admin", ADMIN_PASSWORD)
    main.show_admin()
    view = main.admin.sync_server
    view.url.setText("http://fhir.example.org/r4")
    view.token.setText(TOKEN)

    view.save_button.click()
    qtbot.waitUntil(lambda: bool(shown_errors), timeout=5000)

    assert "server address" in shown_errors[0] and "https" in shown_errors[0]
    assert sync_settings.load(clinic.session, secret_store(clinic.store)) is None


def test_sync_now_shows_progress_then_online_and_no_changes_waiting(qtbot, open_main, clinic, sessions,
                                                                      fhir_server):
    _set_up(clinic, fhir_server.url)
    main = open_main()
    control = main.sync_control
    qtbot.waitUntil(lambda: control.runner is not None, timeout=5000)
    _idle(qtbot, control)  # the round at sign-in
    for n in range(3):
        register(sessions["physician"], "Rosa", f"Diaz{n}", date(1970, 1, 2 + n))
    control.refresh()
    qtbot.waitUntil(lambda: control.status.pending >= 3, timeout=5000)
    seen = _texts(control)

    main.sync_control.sync_now_action.trigger()
    qtbot.waitUntil(lambda: control.status.state == "running", timeout=5000)
    _idle(qtbot, control)

    progress = [t for t in seen if t.startswith("Syncing — ")]
    assert progress and any("sending" in t for t in progress) and any("receiving" in t for t in progress)
    assert all(" records · " in t or " record · " in t for t in progress)
    assert progress[-1].split(" · ")[-1].endswith(("KB", "MB"))  # bytes, counted
    assert control.status.pending == 0 and control.status.last_outcome == "success"
    text = main.status_texts()[3]
    assert text.startswith("Online — synced ") and text.endswith("No changes waiting")
    assert [s.toString() for s in control.sync_now_action.shortcuts()] == ["F5", "Ctrl+Shift+Y"]
    _shot(main, "online")


def test_a_stopped_server_is_named_with_the_back_off_and_the_return_syncs_at_once(
        qtbot, open_main, clinic, sessions, own_fhir_server):
    _set_up(clinic, own_fhir_server.url)
    main = open_main()
    control = main.sync_control
    control.probe.timer.setInterval(300)
    qtbot.waitUntil(lambda: control.runner is not None, timeout=5000)
    _idle(qtbot, control)
    own_fhir_server.stop()
    register(sessions["physician"], "Rosa", "Diaz", date(1970, 1, 2))

    control.sync_now()
    qtbot.waitUntil(lambda: control.status.last_outcome == "failure", timeout=30_000)

    text = main.status_texts()[3]
    assert text.startswith("Offline — the sync server cannot be reached · next try in ")
    assert text.endswith("1 change waiting")
    assert "next try in 30 s" in text or "next try in 29 s" in text
    assert control.indicator.toolTip().startswith("The sync server cannot be reached: check the network")
    assert control.status.failures == 1 and control.status.state == "waiting"
    _shot(main, "offline_backoff")

    own_fhir_server.start()  # the server is back: the probe notices long before the back-off ends
    qtbot.waitUntil(lambda: control.status.last_outcome == "success", timeout=20_000)
    assert control.status.pending == 0 and control.status.failures == 0


def test_cancelling_mid_round_stops_cleanly_and_the_next_round_finishes(qtbot, open_main, clinic, sessions,
                                                                         fhir_server):
    _set_up(clinic, fhir_server.url)
    main = open_main()
    control = main.sync_control
    qtbot.waitUntil(lambda: control.runner is not None, timeout=5000)
    _idle(qtbot, control)
    register(sessions["physician"], "Rosa", "Diaz", date(1970, 1, 2))
    runner, asked = control.runner, threading.Event()
    reported = runner.on_progress

    def held(progress) -> None:  # the round waits after its first exchange until Cancel was pressed
        reported(progress)
        asked.wait(10)
    runner.on_progress = held

    def press_cancel() -> None:
        if control.progress is not None and not asked.is_set():
            assert control.cancel_action.isEnabled()
            assert main.status_texts()[3].startswith("Syncing — ")
            qtbot.wait(100)  # the status bar lays the new text out
            _shot(main, "progress")
            control.cancel_action.trigger()
            asked.set()
    control.changed.connect(press_cancel)

    control.sync_now()
    qtbot.waitUntil(lambda: control.status.last_outcome == "failure", timeout=30_000)

    assert asked.is_set() and control.status.state == "waiting"
    assert main.status_texts()[3].startswith("Sync cancelled · next try in ")
    assert not control.cancel_action.isEnabled()
    rounds = sync_settings.recent_rounds(clinic.session)
    assert not rounds[0].ok and "cancelled" in rounds[0].failed and rounds[1].ok
    runner.on_progress = reported
    control.changed.disconnect(press_cancel)
    control.sync_now()
    qtbot.waitUntil(lambda: control.status.last_outcome == "success", timeout=30_000)
    assert control.status.pending == 0


def _conflict(clinic, patient) -> None:
    """A conflict as a round leaves it: this clinic and the server changed the same phone."""
    with clinic.store.uow() as uow:
        uow.sync.add_conflict({"id": str(uuid.uuid4()), "resource_type": "Patient",
                               "resource_id": patient.id, "patient_id": patient.id, "fields": ["telecom"],
                               "base": json.dumps({"telecom": [{"system": "phone", "value": "555-0100"}]}),
                               "mine": json.dumps({"telecom": [{"system": "phone", "value": "555-0111"}]}),
                               "theirs": json.dumps({"telecom": [{"system": "phone", "value": "555-0199"}]}),
                               "theirs_version": "2", "upto_seq": 1})
        uow.commit()


def test_the_panel_shows_the_last_rounds_and_the_conflicts_with_both_versions(qtbot, open_main, clinic,
                                                                               sessions, fhir_server):
    _set_up(clinic, fhir_server.url)
    main = open_main()
    control = main.sync_control
    qtbot.waitUntil(lambda: control.runner is not None, timeout=5000)
    _idle(qtbot, control)
    _conflict(clinic, register(sessions["physician"], "Rosa", "Diaz", date(1970, 1, 2)))
    control.refresh()
    qtbot.waitUntil(lambda: control.status.conflicts == 1, timeout=5000)
    assert main.status_texts()[3].endswith("1 conflict to resolve")

    control.indicator.click()
    panel = control.panel
    qtbot.waitUntil(lambda: panel.rounds.rowCount() >= 1 and panel.conflicts.listing.count() == 1, timeout=5000)

    assert panel.isVisible() and panel.headline.text().startswith("Online — synced ")
    assert [panel.rounds.item(0, c).text() for c in (1, 2)] == ["dr.test", "Finished"]
    assert panel.sync_button.isEnabled() and not panel.cancel_button.isEnabled()
    row = [panel.conflicts.fields.item(0, c).text() for c in range(4)]
    assert row[0] == "telecom" and "555-0111" in row[2] and "555-0199" in row[3]
    qtbot.wait(200)  # the cell widgets take their places after the table's layout
    _shot(panel, "panel")


def test_signing_out_stops_the_runner_before_the_store_closes(qtbot, open_main, clinic, fhir_server):
    _set_up(clinic, fhir_server.url)
    main = open_main()
    control = main.sync_control
    qtbot.waitUntil(lambda: control.runner is not None, timeout=5000)
    runner = control.runner
    thread = runner._thread

    main.sign_out()

    assert runner.state == "stopped" and not thread.is_alive()
    assert control.runner is None


def test_an_oauth2_client_signs_in_with_its_secret_and_a_refused_one_says_so(qtbot, open_main, clinic,
                                                                            fhir_server):
    from tests.fhir_server import CLIENT_ID, CLIENT_SECRET
    place = secret_store(clinic.store)
    sync_settings.save(clinic.session, place, server_url=fhir_server.url, auth=sync_settings.CLIENT,
                       client_id=CLIENT_ID, secret="not-the-secret")
    main = open_main()
    control = main.sync_control
    qtbot.waitUntil(lambda: control.status is not None and control.status.last_outcome == "failure",
                    timeout=30_000)
    assert main.status_texts()[3].startswith("Offline — the sync server refused this clinic's credentials")
    assert "ask an administrator" in control.indicator.toolTip() and CLIENT_ID in control.indicator.toolTip()

    sync_settings.save(clinic.session, place, server_url=fhir_server.url, auth=sync_settings.CLIENT,
                       client_id=CLIENT_ID, secret=CLIENT_SECRET)
    control.sync_now()  # the next round reads the settings saved now
    qtbot.waitUntil(lambda: control.status.last_outcome == "success", timeout=30_000)
    assert sync_settings.load(clinic.session, place).auth == sync_settings.CLIENT


def test_removing_the_settings_stops_sync_and_says_not_set_up(qtbot, open_main, clinic, fhir_server, told,
                                                              monkeypatch):
    _set_up(clinic, fhir_server.url)
    monkeypatch.setattr(ask, "ask_confirm", lambda parent, words: True)
    main = open_main("admin", ADMIN_PASSWORD)
    control = main.sync_control
    qtbot.waitUntil(lambda: control.runner is not None, timeout=5000)
    _idle(qtbot, control)
    runner = control.runner
    main.show_admin()
    view = main.admin.sync_server
    qtbot.waitUntil(lambda: view.saved is not None, timeout=5000)
    assert view.url.text() == fhir_server.url and view.token.text() == ""  # the secret is never shown

    view.forget_button.click()
    qtbot.waitUntil(lambda: control.configured is False and runner.state == "stopped", timeout=30_000)

    assert control.runner is None and main.status_texts()[3].startswith(NOT_SET_UP)
    assert sync_settings.load(clinic.session, secret_store(clinic.store)) is None
