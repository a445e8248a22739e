"""A draft note survives killing the client's process (SIGKILL, no chance to clean up) and
comes back when the user reopens the chart."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from app import notes
from tests.conftest import ROLE_USERS, USER_PASSWORD
from tests.ui._draft_child import TYPED
from ui import wiring
from ui.qt.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


def _type_then_kill(store_dir: Path, patient_id: str, settings_file: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen([sys.executable, str(ROOT / "tests/ui/_draft_child.py"), str(store_dir),
                              ROLE_USERS["physician"], USER_PASSWORD, patient_id, str(settings_file)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            lines.append(line.strip())
            if line.startswith("saved"):
                break
    finally:
        child.send_signal(signal.SIGKILL)  # no close event, no hide event, no atexit
        child.wait()
    saved = [l for l in lines if l.startswith("saved")]
    assert "typed" in lines, f"the client never typed the note: {lines} {child.stderr.read()[-2000:]}"
    assert saved, f"the client never autosaved the draft: {lines} {child.stderr.read()[-2000:]}"
    assert child.returncode == -signal.SIGKILL
    return saved[0].split()[1]


def test_a_draft_typed_in_the_real_client_survives_sigkill_and_reopens_with_the_chart(
        qtbot, clinic, sessions, charted, store_dir, tmp_path):
    clinic.store.close()  # the child process is the only client while it runs
    note_id = _type_then_kill(store_dir, charted.id, tmp_path / "child.ini")

    opened = wiring.sign_in(store_dir, ROLE_USERS["physician"], USER_PASSWORD)
    window = MainWindow(opened, QSettings(str(tmp_path / "after.ini"), QSettings.Format.IniFormat))
    window.show()  # deletes itself on close (WA_DeleteOnClose), so qtbot does not own it
    try:
        _reopen_and_check(qtbot, window, opened, charted.id, note_id)
    finally:
        window.close()


def _reopen_and_check(qtbot, window, opened, patient_id, note_id):
    drafts = notes.for_patient(opened.session, patient_id, status="draft")
    assert [(d.id, d.subjective) for d in drafts] == [(note_id, TYPED)]

    window.open_patient(patient_id)
    qtbot.waitUntil(lambda: "Encounters and notes" in window.chart.tab_titles(), timeout=10000)
    tab = window.chart.show_tab("Encounters and notes")
    qtbot.waitUntil(lambda: tab.editor is not None, timeout=10000)  # the draft opens by itself
    assert tab.editor.note.id == note_id
    assert tab.editor.sections["subjective"].toPlainText() == TYPED
    assert tab.editor.note.status == "draft"
