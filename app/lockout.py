"""Locking an account after repeated failed sign-ins, with exponential back-off.

A failed sign-in cannot be written into the encrypted store: with a wrong password it
stays locked. So the counters live in a small state file beside the store (no PHI: user
names, times, workstation names), and the failures wait there until the next successful
sign-in appends them to the audit trail with their original time and workstation.

Five failures lock the account for a minute; each further failure doubles the lock (2, 4,
8 … minutes, at most an hour). A successful sign-in or an administrator clears it. Names
that are not accounts are counted and "locked" exactly the same way, so trying names
cannot tell real accounts from others — but they are kept under a salted hash, never as
typed (people type passwords into the user-name field), and lock nothing real.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Protocol

from app.audit import Action, AuditEntry
from app.errors import AccountLocked
from app.model import utcnow
from app.uow import UnitOfWork

UNKNOWN_USER = "(unknown user name)"
MAX_PENDING = 500  # failures waiting for the next sign-in; older ones are counted, not kept


class SignInStateFile(Protocol):
    """The state file's whole content as a dict (implemented in ``db/signin_state.py``)."""
    def read(self) -> dict[str, Any]: ...
    def write(self, data: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class LockoutPolicy:
    threshold: int = 5
    first_lock: timedelta = timedelta(minutes=1)
    longest_lock: timedelta = timedelta(hours=1)

    def lock_for(self, failures: int) -> timedelta | None:
        """How long ``failures`` consecutive failures lock an account (None: not locked)."""
        if failures < self.threshold:
            return None
        doublings = min(failures - self.threshold, 16)
        return min(self.first_lock * 2 ** doublings, self.longest_lock)


@dataclass(frozen=True)
class PendingFailure:
    id: str
    at: datetime
    username: str
    workstation: str
    reason: str


def locked_message(username: str, until: datetime) -> str:
    when = until.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    return (f"the account {username} is locked after repeated failed sign-ins until {when}; "
            "try again then, or ask an administrator to unlock it")


class Lockouts:
    """Failure counters and lock times per user name, over a :class:`SignInStateFile`."""

    def __init__(self, state: SignInStateFile, *, is_user: Callable[[str], bool],
                 policy: LockoutPolicy = LockoutPolicy(), clock: Callable[[], datetime] = utcnow):
        self.state, self.is_user, self.policy, self.clock = state, is_user, policy, clock

    # -- before and after an attempt ---------------------------------------------
    def check(self, username: str, *, workstation: str) -> None:
        """Raise AccountLocked (and note the attempt) while ``username`` is locked."""
        data = self._read()
        until = self._until(data, username)
        if until is None:
            return
        self._note(data, username, workstation, "attempt while the account was locked")
        self.state.write(data)
        raise AccountLocked(locked_message(username, until))

    def failed(self, username: str, *, workstation: str, reason: str = "wrong password",
               audited: bool = False) -> datetime | None:
        """Count a failure; returns the time the account is now locked until, if it is.

        ``audited`` means the failure is already in the audit trail (the store was open).
        """
        data = self._read()
        entry = data["accounts"].setdefault(self._key(data, username), {"failures": 0})
        entry["failures"] += 1
        span = self.policy.lock_for(entry["failures"])
        until = self.clock() + span if span else None
        if until:
            entry["locked_until"] = until.isoformat()
        if not audited:
            why = reason if not until else f"{reason}; locked for {_minutes(span)}"
            self._note(data, username, workstation, why)
        self.state.write(data)
        return until

    def succeeded(self, username: str) -> None:
        """Clear the user's counter after a successful sign-in."""
        self.unlock(username)

    def unlock(self, username: str) -> bool:
        """Clear the counter and any lock; whether there was one."""
        data = self._read()
        had = data["accounts"].pop(self._key(data, username), None)
        if had:
            self.state.write(data)
        return bool(had)

    def locked_until(self, username: str) -> datetime | None:
        return self._until(self._read(), username)

    def failures(self, username: str) -> int:
        data = self._read()
        return data["accounts"].get(self._key(data, username), {}).get("failures", 0)

    # -- failures waiting for the audit trail ------------------------------------
    def pending(self) -> list[PendingFailure]:
        data = self._read()
        out = [PendingFailure(id=p["id"], at=datetime.fromisoformat(p["at"]), username=p["username"],
                              workstation=p["workstation"], reason=p["reason"])
               for p in data["pending"]]
        if data.get("dropped"):
            out.append(PendingFailure(id="dropped", at=self.clock(), username=UNKNOWN_USER,
                                      workstation="", reason=f"{data['dropped']} older failed "
                                      "sign-ins were not kept (too many before the next sign-in)"))
        return out

    def forget(self, ids: list[str]) -> None:
        data = self._read()
        gone = set(ids)
        data["pending"] = [p for p in data["pending"] if p["id"] not in gone]
        if "dropped" in gone:
            data.pop("dropped", None)
        self.state.write(data)

    # -- internals ------------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        data = self.state.read() or {}
        data.setdefault("accounts", {})
        data.setdefault("pending", [])
        return data

    def _key(self, data: dict[str, Any], username: str) -> str:
        if self.is_user(username):
            return "user:" + username
        salt = data.setdefault("salt", secrets.token_hex(16))
        return "other:" + hashlib.sha256(f"{salt}:{username.lower()}".encode()).hexdigest()[:32]

    def _until(self, data: dict[str, Any], username: str) -> datetime | None:
        raw = data["accounts"].get(self._key(data, username), {}).get("locked_until")
        until = datetime.fromisoformat(raw) if raw else None
        return until if until and self.clock() < until else None

    def _note(self, data: dict[str, Any], username: str, workstation: str, reason: str) -> None:
        name = username if self.is_user(username) else UNKNOWN_USER
        data["pending"].append({"id": secrets.token_hex(8), "at": self.clock().isoformat(),
                                "username": name, "workstation": workstation, "reason": reason})
        extra = len(data["pending"]) - MAX_PENDING
        if extra > 0:
            del data["pending"][:extra]
            data["dropped"] = data.get("dropped", 0) + extra


def _minutes(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def flush_to_audit(lockouts: Lockouts, uow_factory: Callable[[], UnitOfWork]) -> int:
    """Append the failures noted while the store was locked to the audit trail; how many."""
    waiting = lockouts.pending()
    if not waiting:
        return 0
    with uow_factory() as uow:
        for p in waiting:
            uow.audit.append(AuditEntry(action=Action.SIGN_IN_FAILED, at=p.at, username=p.username,
                                        outcome="failure", workstation=p.workstation,
                                        detail={"reason": p.reason,
                                                "recorded": "at the next successful sign-in"}))
        uow.commit()
    lockouts.forget([p.id for p in waiting])
    return len(waiting)
