"""The automatic lock: after the idle time the chart is hidden, only the same user's password
brings it back, and "sign in as someone else" ends the session cleanly."""
from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from tests.conftest import USER_PASSWORD
from ui import wiring
from ui.qt import ops
from ui.qt.main_window import MainWindow

SHORT_IDLE_MS = 300


@pytest.fixture
def main(qtbot, sessions, store_dir, settings, charted):
    """The physician's main window with the patient's chart open and a short idle time."""
    window = MainWindow(wiring.sign_in(store_dir, "dr.test", USER_PASSWORD), settings)
    window.show()
    window.open_patient(charted.id)
    qtbot.waitUntil(lambda: window.chart.summary is not None, timeout=5000)
    ops.wait_idle()  # the clinic's idle-time policy arrives from the background first
    qtbot.wait(50)
    window.auto_lock.watcher.set_timeout(SHORT_IDLE_MS)
    yield window
    if shiboken6.isValid(window):
        window.close()


def _visible_texts(window) -> str:
    return " ".join(label.text() for label in window.findChildren(QLabel) if label.isVisible())


def test_the_lock_screen_appears_after_the_idle_time_and_hides_the_chart(qtbot, main):
    assert "Maria Lopez" in _visible_texts(main)
    qtbot.waitUntil(lambda: main.auto_lock.locked, timeout=5000)
    assert main.auto_lock.screen.isVisible()
    assert not main.centralWidget().isVisible(), "the chart is hidden, not merely covered"
    assert "Maria Lopez" not in _visible_texts(main)
    assert not main.find_action.isEnabled() and not main.menuBar().isEnabled()


def test_keyboard_use_keeps_the_screen_unlocked(qtbot, main):
    for _ in range(6):
        qtbot.wait(SHORT_IDLE_MS // 2)
        qtbot.keyClick(main.centralWidget(), Qt.Key.Key_Shift)
    assert not main.auto_lock.locked


def test_a_wrong_password_keeps_it_locked_and_the_right_one_brings_the_chart_back(qtbot, main, clinic):
    qtbot.waitUntil(lambda: main.auto_lock.locked, timeout=5000)
    screen = main.auto_lock.screen
    screen.password.setText("not-my-password")
    screen.try_unlock()
    qtbot.waitUntil(lambda: screen.error.isVisible(), timeout=5000)
    assert main.auto_lock.locked and screen.error.text() == "Wrong password."

    screen.password.setText(USER_PASSWORD)
    screen.try_unlock()
    qtbot.waitUntil(lambda: not main.auto_lock.locked, timeout=5000)
    assert main.centralWidget().isVisible() and "Maria Lopez" in _visible_texts(main)
    assert main.find_action.isEnabled()
    with clinic.store.uow() as uow:
        reasons = [e.detail.get("reason") for e in uow.audit.iter_all() if e.username == "dr.test"]
    assert "wrong password at the lock screen" in reasons and reasons[-1] == "screen unlock"


def test_another_user_at_the_lock_screen_ends_the_first_session_after_keeping_drafts(qtbot, main, clinic):
    kept: list[str] = []
    main.auto_lock.before_session_end.append(lambda: kept.append("draft saved"))
    signed_out: list[bool] = []
    main.signed_out.connect(lambda: signed_out.append(True))
    main.auto_lock.lock()

    qtbot.mouseClick(main.auto_lock.screen.switch_button, Qt.MouseButton.LeftButton)

    assert kept == ["draft saved"] and signed_out == [True]
    with clinic.store.uow() as uow:
        last = [e.action for e in uow.audit.iter_all() if e.username == "dr.test"][-1]
    assert last == "sign-out"


def test_five_wrong_passwords_at_the_lock_screen_sign_the_user_out(qtbot, main):
    signed_out: list[bool] = []
    main.signed_out.connect(lambda: signed_out.append(True))
    main.auto_lock.lock()
    screen = main.auto_lock.screen
    for attempt in range(5):
        if signed_out:
            break
        screen.password.setText(f"guess-{attempt}")
        screen.try_unlock()
        qtbot.waitUntil(lambda: bool(signed_out) or screen.unlock_button.isEnabled(), timeout=5000)
    qtbot.waitUntil(lambda: signed_out == [True], timeout=5000)


def test_an_idle_time_locked_in_the_managed_configuration_wins_over_the_clinics(
        qtbot, sessions, store_dir, settings, tmp_path, monkeypatch):
    managed = tmp_path / "config.toml"
    managed.write_text('idle_lock_minutes = 3\nlocked = ["idle_lock_minutes"]\n')
    monkeypatch.setenv("OUTPOST_CONFIG", str(managed))
    window = MainWindow(wiring.sign_in(store_dir, "dr.test", USER_PASSWORD), settings)
    try:
        qtbot.waitUntil(lambda: window.auto_lock.watcher.timeout_ms == 3 * 60_000, timeout=5000)
        managed.write_text("idle_lock_minutes = 3\n")  # not locked: the clinic's 10 minutes apply
        from ui.qt.lock_screen import idle_minutes
        assert idle_minutes(window.session) == 10
    finally:
        window.close()
