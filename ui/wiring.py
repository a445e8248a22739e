"""The composition root: where the concrete store is chosen and a signed-in session made.

The command line and the desktop client both start here, so both reach the same
services with the same permission checks and audit trail.
"""
from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

import platformdirs

from app import accounts, config, lockout
from app.clinic import ClinicInfo, clinic_info, setup_clinic
from app.errors import AccountLocked, MfaEnrolmentRequired, MfaRequired, SignInFailed, ValidationError
from app.logsafe import Safe
from app.model import utcnow
from app.session import Session
from db import signin_state
from db.store import Store

APP_NAME = "Outpost"
log = logging.getLogger("outpost.signin")
MANAGED_CONFIG = (Path("/etc/outpost/config.toml"),
                  Path(os.environ.get("PROGRAMDATA", "C:/ProgramData")) / "Outpost" / "config.toml",
                  Path("/Library/Application Support/Outpost/config.toml"))


def managed_config() -> config.Config:
    """The system-wide configuration IT installed (OUTPOST_CONFIG names another file)."""
    override = os.environ.get("OUTPOST_CONFIG")
    return config.load((Path(override),) if override else MANAGED_CONFIG)


def _managed_mfa_required() -> bool:
    """Whether IT's managed configuration requires two-step sign-in for every user."""
    try:
        return managed_config().mfa == "required"
    except ValidationError as exc:
        log.warning("the managed configuration is not valid: %s", Safe(str(exc)))
        return False


def _managed_data_dir() -> Path | None:
    try:
        value = managed_config().data_dir
    except ValidationError as exc:
        log.warning("the managed configuration is not valid: %s", Safe(str(exc)))
        return None
    return Path(value) if value else None


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """--data-dir, else OUTPOST_DATA_DIR, else the managed config, else the platform's folder."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    if os.environ.get("OUTPOST_DATA_DIR"):
        return Path(os.environ["OUTPOST_DATA_DIR"]).expanduser().resolve()
    managed = _managed_data_dir()
    if managed:
        return managed
    site = Path(platformdirs.site_data_dir(APP_NAME, appauthor=False))
    if site.exists() or os.access(site.parent, os.W_OK):
        return site
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def store_exists(folder: Path) -> bool:
    """Whether ``folder`` holds a clinic store (its files; nothing is opened or read)."""
    return Store.exists(Path(folder))


def workstation() -> str:
    return os.environ.get("OUTPOST_WORKSTATION") or socket.gethostname()


@dataclass
class Opened:
    store: Store
    session: Session

    def close(self) -> None:
        try:
            accounts.end_session(self.session)
        finally:
            self.store.close()


def create_clinic(folder: Path, *, clinic_name: str, admin_username: str, admin_password: str,
                  clinic_code: str | None = None) -> tuple[Opened, str]:
    """A new store with its clinic and administrator; returns it open, and the recovery key."""
    accounts.new_user(username=admin_username, role="admin", display_name="Administrator",
                      password=admin_password)  # validate before anything is created
    store, recovery = Store.create(folder, admin_username=admin_username, admin_password=admin_password)
    try:
        session = setup_clinic(store.uow, clinic_name=clinic_name, clinic_code=clinic_code,
                               admin_username=admin_username, admin_password=admin_password,
                               workstation=workstation())
    except BaseException:
        store.close()
        raise
    return Opened(store, session), recovery


def sign_in(folder: Path, username: str, password: str, *, totp: str | None = None,
            clock: Callable[[], datetime] = utcnow) -> Opened:
    """Unlock the store with a user's password (and one-time code) and start their session.

    Failures are counted beside the store (app.lockout): five lock the account with
    back-off, and they reach the audit trail at the next successful sign-in. Raises
    AccountLocked while locked, SignInFailed for a wrong password or code, MfaRequired
    when the account needs a code and none was given.
    """
    folder, where = Path(folder), workstation()
    guard = signin_state.lockouts(folder, clock=clock)
    guard.check(username, workstation=where)
    try:
        store = Store.unlock(folder, username, password)
    except SignInFailed as exc:
        _count_failure(guard, username, where, "wrong password", audited=False, error=exc)
        raise
    try:
        lockout.flush_to_audit(guard, store.uow)
        info = clinic_info(store.uow)
        session = accounts.start_session(store.uow, username=username, password=password,
                                         workstation=where, totp=totp, clock=clock,
                                         location_id=info.default_location_id if info else None,
                                         mfa_for_everyone=_managed_mfa_required())
    except (MfaRequired, MfaEnrolmentRequired):
        store.close()
        raise
    except SignInFailed as exc:
        store.close()
        _count_failure(guard, username, where, str(exc), audited=True, error=exc)
        raise
    except BaseException:
        store.close()
        raise
    guard.succeeded(username)
    log.info("sign-in by %s at %s", Safe(username), Safe(where))
    return Opened(store, session)


def _count_failure(guard: lockout.Lockouts, username: str, where: str, reason: str, *,
                   audited: bool, error: SignInFailed) -> None:
    """Count a failed sign-in; raise AccountLocked instead of ``error`` when it locks."""
    until = guard.failed(username, workstation=where, reason=reason, audited=audited)
    log.warning("sign-in failed at %s%s", Safe(where), Safe("; account locked" if until else ""))
    if until is not None:
        raise AccountLocked(f"{error}; {lockout.locked_message(username, until)}") from error


def clinic(opened: Opened) -> ClinicInfo | None:
    return clinic_info(opened.store.uow)


__all__ = ["Opened", "create_clinic", "sign_in", "data_dir", "workstation", "store_exists",
           "SignInFailed"]
