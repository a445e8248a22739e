"""Administration screens against a real store: users and roles, two-step enrolment with a
QR code and printable backup codes, and the audit report (filters, CSV, chain check)."""
from __future__ import annotations

import csv
from datetime import date

import pyotp
import pytest
from sqlalchemy import text

from app.errors import OutpostError
from tests.conftest import USER_PASSWORD
from tests.ui._patients import register
from ui import wiring
from ui.qt import admin_dialogs as ask
from ui.qt import mfa_enrol, ops
from ui.qt.admin_view import AdminView

NEW_PASSWORD = "a-brand-new-passphrase-9"


@pytest.fixture
def said(monkeypatch):
    """The administrator's answers; what the screens told them is kept in ``told``."""
    state = {"edit": None, "text": NEW_PASSWORD, "confirm": True, "path": None, "told": [],
             "printed": [], "dialogs": []}

    def run_dialog(dialog):
        state["dialogs"].append(dialog)
        if state["edit"]:
            state.pop("edit")(dialog)
            state["edit"] = None
        return True
    monkeypatch.setattr(ask, "run_dialog", run_dialog)
    monkeypatch.setattr(ask, "ask_text", lambda *a, **k: state["text"])
    monkeypatch.setattr(ask, "ask_confirm", lambda parent, words: state["confirm"])
    monkeypatch.setattr(ask, "ask_save_path", lambda *a: state["path"])
    monkeypatch.setattr(ask, "tell", lambda parent, words: state["told"].append(words))
    monkeypatch.setattr(mfa_enrol, "print_text", lambda parent, words: state["printed"].append(words))
    return state


def _settle(qtbot) -> None:
    qtbot.waitUntil(lambda: not ops.busy(), timeout=5000)
    qtbot.wait(10)


@pytest.fixture
def admin(qtbot, clinic, sessions):
    view = AdminView(clinic)
    qtbot.addWidget(view)
    view.show()
    _settle(qtbot)
    return view


def test_an_admin_adds_a_user_who_can_then_sign_in_and_disabling_them_stops_that(
        qtbot, admin, clinic, store_dir, said):
    users = admin.users

    def fill(form):
        form.username.setText("nurse.kim")
        form.display_name.setText("Kim Lee")
        form.role.setCurrentIndex(form.role.findData("nurse"))
        form.password.setText(USER_PASSWORD)
    said["edit"] = fill
    users.add()
    _settle(qtbot)
    assert "nurse.kim" in [u.username for u in users.model.rows()]
    wiring.sign_in(store_dir, "nurse.kim", USER_PASSWORD).close()

    users.select("nurse.kim")
    users.disable()
    _settle(qtbot)
    [kim] = [u for u in users.model.rows() if u.username == "nurse.kim"]
    assert kim.disabled and users.model.index(users.model.rows().index(kim), 4).data() == "Disabled"
    with pytest.raises(OutpostError):
        wiring.sign_in(store_dir, "nurse.kim", USER_PASSWORD)


def test_a_reset_password_works_at_the_next_sign_in_and_unlock_lifts_a_lockout(
        qtbot, admin, store_dir, said):
    users = admin.users
    users.select("desk.test")
    users.reset()
    _settle(qtbot)
    assert said["told"] == ["The password for desk.test was reset."]
    wiring.sign_in(store_dir, "desk.test", NEW_PASSWORD).close()
    for _ in range(5):
        with pytest.raises(OutpostError):
            wiring.sign_in(store_dir, "desk.test", "wrong-guess-here")
    with pytest.raises(OutpostError, match="(?i)locked"):
        wiring.sign_in(store_dir, "desk.test", NEW_PASSWORD)
    users.unlock()
    _settle(qtbot)
    assert said["told"][-1] == "desk.test can sign in again."
    wiring.sign_in(store_dir, "desk.test", NEW_PASSWORD).close()


def test_two_step_enrolment_shows_a_scannable_qr_code_and_prints_the_backup_codes(
        qtbot, admin, clinic, said):
    users = admin.users
    users.select("dr.test")
    users.enrol()
    _settle(qtbot)
    dialog = users.mfa_dialog
    enrolment = dialog.enrolment
    assert not dialog.pixmap.isNull() and dialog.pixmap.width() >= 100
    assert dialog.qr.pixmap().toImage() == dialog.pixmap.toImage()
    with clinic.store.uow() as uow:
        stored = uow.users.get("dr.test")
    assert stored.mfa_secret == enrolment.secret
    assert pyotp.TOTP(stored.mfa_secret).verify(pyotp.TOTP(enrolment.secret).now())
    dialog.print_button.click()
    [sheet] = said["printed"]
    assert "dr.test" in sheet and all(code in sheet for code in enrolment.backup_codes)
    assert len(enrolment.backup_codes) == 10
    assert users.model.index(users.model.rows().index(
        next(u for u in users.model.rows() if u.username == "dr.test")), 3).data() == "On"


def test_the_audit_report_filters_exports_csv_and_names_a_tampered_entry(
        qtbot, admin, clinic, sessions, tmp_path, said):
    register(sessions["physician"], "Eve", "Stone", date(1990, 2, 3))
    audit = admin.audit
    audit.user.setText("dr.test")
    audit.search()
    _settle(qtbot)
    assert audit.entries and {e.username for e in audit.entries} == {"dr.test"}
    assert any(e.record_type == "Patient" and e.action == "create" for e in audit.entries)
    said["path"] = str(tmp_path / "report.csv")
    audit.export()
    _settle(qtbot)
    with open(said["path"], newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows and {r["username"] for r in rows} == {"dr.test"}
    assert audit.summary.text().endswith("written to report.csv")

    audit.verify()
    _settle(qtbot)
    assert audit.chain.text() == "The audit trail is intact."
    with clinic.store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET username = 'someone-else' WHERE seq = 3"))
    audit.verify()
    _settle(qtbot)
    assert audit.chain.text().startswith("The audit trail was altered at audit entry 3")


def test_the_clinic_tab_lists_the_sites_and_adds_one_but_refuses_a_duplicate_name(
        qtbot, admin, clinic, shown_errors, said):
    tab = admin.clinic
    assert tab.name.text() == "Test Clinic"
    assert [tab.locations.item(i).text() for i in range(tab.locations.count())] == ["Main site (main site)"]
    said["text"] = "North Valley Outreach"
    tab.add_location()
    _settle(qtbot)
    assert [tab.locations.item(i).text() for i in range(tab.locations.count())] == [
        "Main site (main site)", "North Valley Outreach"]
    said["text"] = "north valley outreach"
    tab.add_location()
    _settle(qtbot)
    assert "already a location called north valley outreach" in shown_errors[-1]
    assert tab.locations.count() == 2
