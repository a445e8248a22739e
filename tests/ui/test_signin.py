"""Signing in through the real sign-in window, on a real encrypted store."""
from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtCore import Qt

from app.audit import Action
from tests.conftest import USER_PASSWORD
from ui.qt.launch import Shell
from ui.qt.main_window import SYNC_NOT_YET


@pytest.fixture
def shells():
    """Shells made by a test; their windows (which delete themselves) are closed after it."""
    made: list[Shell] = []
    yield made
    for shell in made:
        shell.shut_down()


@pytest.fixture
def open_shell(shells):
    def make(qtbot, folder, settings) -> Shell:
        shell = Shell(folder, settings)
        shell.show_sign_in()
        shells.append(shell)
        return shell
    return make


def _main_window(qtbot, shell):
    qtbot.waitUntil(lambda: shell.main_window is not None, timeout=10_000)
    return shell.main_window


def test_a_wrong_password_shows_the_error_line_and_stays_on_sign_in(
        qtbot, open_shell, sessions, store_dir, settings):
    shell = open_shell(qtbot, store_dir, settings)
    window = shell.sign_in_window
    window.user.setText("dr.test")
    window.password.setText("not the password")

    qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.error.isVisible() and window.button.isEnabled(), timeout=10_000)

    assert window.error.text() == "Wrong user name or password."
    assert window.password.text() == ""  # cleared for the next try
    assert window.isVisible()
    assert shell.main_window is None


def test_the_password_field_is_masked(qtbot, open_shell, sessions, store_dir, settings):
    window = open_shell(qtbot, store_dir, settings).sign_in_window

    assert window.password.echoMode() == window.password.EchoMode.Password


def test_the_right_password_and_enter_open_the_main_window_with_the_user_in_the_status_bar(
        qtbot, open_shell, sessions, store_dir, settings):
    shell = open_shell(qtbot, store_dir, settings)
    sign_in = shell.sign_in_window
    qtbot.keyClicks(sign_in.user, "dr.test")
    qtbot.keyClicks(sign_in.password, USER_PASSWORD)

    qtbot.keyClick(sign_in.password, Qt.Key.Key_Return)
    main = _main_window(qtbot, shell)
    qtbot.waitUntil(lambda: main.location_label.text() == "Location: Main site", timeout=5000)

    assert main.user_label.text() == "dr.test (Physician)"
    assert main.status_texts()[2] == "Workstation: " + main.session.workstation
    assert main.status_texts()[3].startswith(SYNC_NOT_YET)
    assert main.windowTitle() == "Test Clinic — Outpost EHR"
    assert shell.sign_in_window is None


def test_an_account_with_two_step_sign_in_is_asked_for_its_code_and_then_signed_in(
        qtbot, open_shell, clinic, sessions, store_dir, settings):
    import pyotp

    from app import mfa
    secret = mfa.enrol(clinic.session, "dr.test").secret
    shell = open_shell(qtbot, store_dir, settings)
    window = shell.sign_in_window
    window.user.setText("dr.test")
    window.password.setText(USER_PASSWORD)

    window.submit()
    qtbot.waitUntil(lambda: window.needs_code and window.button.isEnabled(), timeout=10_000)

    assert window.error.text() == ("A one-time code from your authenticator app (or a backup code) "
                                   "is needed.")
    assert window.password.text() == USER_PASSWORD  # it was right: not asked again
    window.code.setText(pyotp.TOTP(secret).now())
    qtbot.keyClick(window.code, Qt.Key.Key_Return)
    main = _main_window(qtbot, shell)
    assert main.user_label.text() == "dr.test (Physician)"


def test_signing_out_closes_the_session_and_returns_to_sign_in(qtbot, open_shell, clinic, sessions,
                                                               store_dir, settings):
    shell = open_shell(qtbot, store_dir, settings)
    shell.sign_in_window.user.setText("dr.test")
    shell.sign_in_window.password.setText(USER_PASSWORD)
    shell.sign_in_window.submit()
    main = _main_window(qtbot, shell)

    main.sign_out_action.trigger()

    assert shell.sign_in_window is not None and shell.sign_in_window.isVisible()
    assert not shiboken6.isValid(main) or not main.isVisible()
    with clinic.store.uow() as uow:
        actions = [e.action for e in uow.audit.iter_all() if e.username == "dr.test"]
    assert actions[-1] == Action.SIGN_OUT


def test_a_folder_without_a_store_says_how_to_create_one(qtbot, open_shell, tmp_path, settings):
    window = open_shell(qtbot, tmp_path / "empty", settings).sign_in_window

    text = window.store_status.text()
    assert "There is no clinic store in" in text
    assert "outpost init" in text and "outpost demo" in text
    assert not window.form.isVisibleTo(window)
    window.submit()  # nothing to sign in to: nothing happens, nothing crashes


def test_an_empty_user_name_is_asked_for_before_any_unlock(qtbot, open_shell, sessions, store_dir,
                                                           settings):
    window = open_shell(qtbot, store_dir, settings).sign_in_window

    window.submit()

    assert window.error.text() == "Enter your user name."
    assert window.button.isEnabled()


def test_launch_shows_sign_in_and_returns_the_exit_code_when_the_client_quits(qtbot, sessions, store_dir,
                                                                             monkeypatch):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ui.qt import launch
    seen = []
    monkeypatch.setattr(launch, "_start_logging", lambda folder: None)  # keep the test's log handlers

    def look_then_quit():
        seen.extend(w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible())
        QApplication.instance().exit(3)

    QTimer.singleShot(200, look_then_quit)

    assert launch.launch(data_dir=store_dir) == 3
    assert "Sign in — Outpost EHR" in seen
