"""Sign-in on a real store: two-step codes, lockout with back-off, password policy, password
change and reset (key slots re-wrapped, nothing re-encrypted), from services and the CLI."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pyotp
import pytest

from app import accounts, mfa
from app.errors import AccountLocked, MfaRequired, SignInFailed, ValidationError
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD
from db import signin_state
from ui import wiring

NEW_PASSWORD = "a-much-better-passphrase"


class Clock:
    """A settable clock for lockout and TOTP tests."""

    def __init__(self):
        self.now = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


def _code(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def _actions(clinic, action: str) -> list:
    with clinic.store.uow() as uow:
        return uow.audit.query(action=action)


@pytest.fixture
def nurse(clinic):
    accounts.add_user(clinic.session, clinic.store, username="nurse.kim", role="nurse",
                      display_name="Kim", password=USER_PASSWORD)
    return "nurse.kim"


def test_an_enrolled_user_needs_a_current_code_and_a_code_cannot_be_replayed(clinic, store_dir, nurse):
    enrolment = mfa.enrol(clinic.session, nurse)
    clinic.store.close()
    clock = Clock()
    with pytest.raises(MfaRequired):
        wiring.sign_in(store_dir, nurse, USER_PASSWORD, clock=clock)
    with pytest.raises(SignInFailed, match="not correct"):
        wiring.sign_in(store_dir, nurse, USER_PASSWORD, totp="000000", clock=clock)
    code = _code(enrolment.secret, clock.now)
    opened = wiring.sign_in(store_dir, nurse, USER_PASSWORD, totp=code, clock=clock)
    opened.close()
    with pytest.raises(SignInFailed, match="already used"):
        wiring.sign_in(store_dir, nurse, USER_PASSWORD, totp=code, clock=clock)
    clock.now += timedelta(seconds=30)
    wiring.sign_in(store_dir, nurse, USER_PASSWORD, totp=_code(enrolment.secret, clock.now),
                   clock=clock).close()


def test_a_backup_code_signs_in_once_and_is_then_spent(clinic, store_dir, nurse):
    enrolment = mfa.enrol(clinic.session, nurse)
    clinic.store.close()
    backup = enrolment.backup_codes[0]
    opened = wiring.sign_in(store_dir, nurse, USER_PASSWORD, totp=backup.lower())
    assert opened.session.extra["backup_codes_left"] == len(enrolment.backup_codes) - 1
    opened.close()
    with pytest.raises(SignInFailed, match="not correct"):
        wiring.sign_in(store_dir, nurse, USER_PASSWORD, totp=backup)


def test_the_qr_code_carries_the_otpauth_uri_as_a_png_and_an_svg(clinic, nurse):
    enrolment = mfa.enrol(clinic.session, nurse)
    assert enrolment.uri.startswith("otpauth://totp/") and f"secret={enrolment.secret}" in enrolment.uri
    assert enrolment.qr_png().startswith(b"\x89PNG\r\n\x1a\n")
    assert "<svg" in enrolment.qr_svg()


def test_someone_else_may_not_enrol_a_user_but_an_administrator_may(clinic, sessions):
    from app.errors import PermissionDenied
    with pytest.raises(PermissionDenied):
        mfa.enrol(sessions["nurse"], "dr.test")
    assert mfa.enrol(sessions["nurse"], "nurse.test").backup_codes  # one's own account: allowed
    assert mfa.enrol(clinic.session, "dr.test").secret


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(clinic, store_dir, nurse):
    clinic.store.close()
    clock = Clock()
    for attempt in range(4):
        with pytest.raises(SignInFailed) as failed:
            wiring.sign_in(store_dir, nurse, f"wrong-guess-{attempt}", clock=clock)
        assert not isinstance(failed.value, AccountLocked)
    with pytest.raises(AccountLocked, match="locked"):
        wiring.sign_in(store_dir, nurse, "wrong-guess-5", clock=clock)
    with pytest.raises(AccountLocked):
        wiring.sign_in(store_dir, nurse, USER_PASSWORD, clock=clock)
    clock.now += timedelta(minutes=2)  # the first lock lasts a minute
    opened = wiring.sign_in(store_dir, nurse, USER_PASSWORD, clock=clock)
    with opened.store.uow() as uow:
        failures = [e for e in uow.audit.query(action="sign-in-failed") if e.username == nurse]
        locks = [e for e in failures if "locked for 1 minute" in e.detail.get("reason", "")]
    opened.close()
    assert len(failures) >= 5, "failed sign-ins reach the audit trail at the next sign-in"
    assert locks, "the lockout itself is audited"


def test_the_lock_doubles_with_each_further_failure_up_to_an_hour():
    from app.lockout import LockoutPolicy
    policy = LockoutPolicy()
    spans = [policy.lock_for(n) for n in range(1, 14)]
    assert spans[:4] == [None] * 4
    assert spans[4:8] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert spans[-1] == timedelta(hours=1)


def test_an_administrator_can_lift_a_lockout(clinic, store_dir, nurse):
    clinic.store.close()
    for attempt in range(5):
        with pytest.raises((SignInFailed, AccountLocked)):
            wiring.sign_in(store_dir, nurse, f"wrong-guess-{attempt}")
    with pytest.raises(AccountLocked):
        wiring.sign_in(store_dir, nurse, USER_PASSWORD)
    admin = wiring.sign_in(store_dir, "admin", ADMIN_PASSWORD)
    try:
        assert accounts.unlock_account(admin.session, signin_state.lockouts(store_dir), nurse) is True
    finally:
        admin.close()
    wiring.sign_in(store_dir, nurse, USER_PASSWORD).close()


@pytest.mark.parametrize("password, problem", [
    ("short-one", "at least 12"), ("password1234", "commonly used"), ("aaaaaaaaaaaaaaaa", "commonly used"),
    ("nurse.kim-is-my-name", "user name")])
def test_the_password_policy_refuses_weak_passwords_and_says_why(clinic, password, problem):
    with pytest.raises(ValidationError, match=problem):
        accounts.add_user(clinic.session, clinic.store, username="nurse.kim", role="nurse",
                          display_name="Kim", password=password)


def test_changing_a_password_rewraps_the_key_slot_and_the_old_one_stops_working(clinic, store_dir, nurse):
    opened = wiring.sign_in(store_dir, nurse, USER_PASSWORD)
    accounts.change_password(opened.session, opened.store, current_password=USER_PASSWORD,
                             new_password=NEW_PASSWORD)
    opened.close()
    clinic.store.close()
    with pytest.raises(SignInFailed):
        wiring.sign_in(store_dir, nurse, USER_PASSWORD)
    wiring.sign_in(store_dir, nurse, NEW_PASSWORD).close()


def test_an_administrator_resets_a_forgotten_password(clinic, store_dir, nurse):
    accounts.reset_password(clinic.session, clinic.store, username=nurse, new_password=NEW_PASSWORD)
    clinic.store.close()
    wiring.sign_in(store_dir, nurse, NEW_PASSWORD).close()
    with pytest.raises(SignInFailed):
        wiring.sign_in(store_dir, nurse, USER_PASSWORD)


def _outpost(store_dir, *args, password=ADMIN_PASSWORD, totp=None):
    env = dict(os.environ, OUTPOST_PASSWORD=password)
    env.pop("OUTPOST_TOTP", None)
    if totp:
        env["OUTPOST_TOTP"] = totp
    return subprocess.run([sys.executable, "-m", "ui.cli", "--data-dir", str(store_dir), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_the_command_line_asks_an_enrolled_user_for_outpost_totp(clinic, store_dir):
    enrolment = mfa.enrol(clinic.session, "admin")
    clinic.store.close()
    refused = _outpost(store_dir, "--user", "admin", "user", "list")
    assert refused.returncode == 1
    assert "OUTPOST_TOTP" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    code = pyotp.TOTP(enrolment.secret).now()
    done = _outpost(store_dir, "--user", "admin", "--json", "user", "list", totp=code)
    assert done.returncode == 0, done.stderr
    assert "admin" in done.stdout


def test_a_wrong_password_on_the_command_line_is_one_line_and_exit_1(clinic, store_dir):
    clinic.store.close()
    result = _outpost(store_dir, "--user", "admin", "user", "list", password="not-the-password")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "sign-in failed" in result.stderr


def test_a_managed_configuration_requiring_two_step_sign_in_applies_to_every_role(
        clinic, store_dir, nurse, tmp_path, monkeypatch):
    clinic.store.close()
    opened = wiring.sign_in(store_dir, nurse, USER_PASSWORD)
    assert "mfa_enrolment_due" not in opened.session.extra  # the clinic requires it of admins and physicians
    opened.close()
    managed = tmp_path / "config.toml"
    managed.write_text('mfa = "required"\n')
    monkeypatch.setenv("OUTPOST_CONFIG", str(managed))
    opened = wiring.sign_in(store_dir, nurse, USER_PASSWORD)
    assert opened.session.extra.get("mfa_enrolment_due") is True
    opened.close()
