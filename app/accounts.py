"""User accounts and sign-in: passwords (Argon2id), two-step sign-in, changes and resets.

Lockout after repeated failures is in :mod:`app.lockout` (its counters must live outside
the store); two-step codes are checked by :mod:`app.mfa`.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Callable, Protocol

from app import mfa, security_policy
from app.audit import Action, AuditEntry
from app.errors import (AccountLocked, MfaEnrolmentRequired, MfaRequired, SignInFailed,
                        ValidationError)
from app.model import User, utcnow
from app.passwords import check_policy, hash_password, verify_password
from app.permissions import ROLES, Permission
from app.session import Session
from app.uow import UnitOfWork


class KeySlotPort(Protocol):
    """What account administration needs from the store's key hierarchy."""
    def set_user_password(self, username: str, password: str) -> None: ...
    def remove_user_slot(self, username: str) -> None: ...


class LockoutPort(Protocol):
    """What an administrator's unlock needs from :class:`app.lockout.Lockouts`."""
    def unlock(self, username: str) -> bool: ...


def new_user(*, username: str, role: str, display_name: str, password: str,
             practitioner_id: str | None = None) -> User:
    """A validated, hashed user record (not yet stored)."""
    problems = {}
    if not username or not username.replace(".", "").replace("_", "").replace("-", "").isalnum():
        problems["username"] = "use letters, digits, dots, dashes or underscores"
    if role not in ROLES:
        problems["role"] = f"must be one of {', '.join(ROLES)}"
    if problems:
        raise ValidationError(problems)
    check_policy(password, username=username)
    return User(username=username, role=role, display_name=display_name or username,
                password_hash=hash_password(password), practitioner_id=practitioner_id,
                created_at=utcnow())


def add_user(session: Session, keys: KeySlotPort, *, username: str, role: str, display_name: str,
             password: str, practitioner_id: str | None = None) -> User:
    """Create a user and their key slot. Admins only."""
    session.require(Permission.USER_ADMIN)
    user = new_user(username=username, role=role, display_name=display_name, password=password,
                    practitioner_id=practitioner_id)
    with session.uow() as uow:
        if uow.users.get(username) is not None:
            raise ValidationError({"username": f"{username} already exists"})
        uow.users.add(user)
        uow.audit.append(session.entry(Action.CONFIG, record_type="User", record_id=username,
                                       detail={"change": "user added", "role": role}))
        keys.set_user_password(username, password)
        uow.commit()
    return user


def list_users(session: Session) -> list[User]:
    session.require(Permission.USER_ADMIN)
    with session.uow() as uow:
        return uow.users.all()


def disable_user(session: Session, keys: KeySlotPort, username: str) -> None:
    session.require(Permission.USER_ADMIN)
    with session.uow() as uow:
        user = uow.users.get(username)
        if user is None:
            raise ValidationError({"username": f"no user named {username}"})
        user.disabled = True
        uow.users.update(user)
        uow.audit.append(session.entry(Action.CONFIG, record_type="User", record_id=username,
                                       detail={"change": "user disabled"}))
        keys.remove_user_slot(username)
        uow.commit()


def start_session(uow_factory: Callable[[], UnitOfWork], *, username: str, password: str,
                  workstation: str, location_id: str | None = None, totp: str | None = None,
                  clock: Callable[[], datetime] = utcnow, mfa_for_everyone: bool = False) -> Session:
    """The session for a user whose key slot has already opened the store.

    Checks the account is enabled, the password matches its Argon2id hash and, when the
    user has enrolled in two-step sign-in, the one-time or backup code ``totp``; records
    the sign-in in the audit trail. A user whose role the clinic's policy requires to use
    two-step sign-in but who has not enrolled is told to (``session.extra
    ["mfa_enrolment_due"]``) or, when the policy enforces it, refused.

    ``mfa_for_everyone`` (the workstation's managed configuration says ``mfa = "required"``)
    adds every role to those the policy requires two-step sign-in for.

    Raises SignInFailed (wrong password or code), MfaRequired (no code given),
    MfaEnrolmentRequired, or AccountLocked (disabled account).
    """
    policy = security_policy.load(uow_factory)
    if mfa_for_everyone:
        policy = replace(policy, mfa_required_roles=ROLES)
    with uow_factory() as uow:
        user = uow.users.get(username)
        if user is None or not verify_password(user.password_hash, password):
            raise SignInFailed()
        if user.disabled:
            uow.audit.append(_bare_entry(user, Action.SIGN_IN_FAILED, workstation, "account disabled",
                                         clock()))
            uow.commit()
            raise AccountLocked(f"the account {username} is disabled; ask an administrator")
        session = Session(user=user, uow_factory=uow_factory, workstation=workstation,
                          location_id=location_id, clock=clock)
        detail = _second_step(uow, session, totp, policy)
        uow.audit.append(session.entry(Action.SIGN_IN, detail=detail))
        uow.commit()
    return session


def _second_step(uow: UnitOfWork, session: Session, code: str | None,
                 policy: security_policy.SecurityPolicy) -> dict[str, Any]:
    """Check the one-time code where the user has enrolled; what the sign-in entry notes."""
    user = session.user
    if not user.mfa_secret:
        if not policy.mfa_required_for(user.role):
            return {}
        if policy.mfa_enforce:
            uow.audit.append(session.entry(Action.SIGN_IN_FAILED, outcome="failure",
                                           detail={"reason": "two-step sign-in not enrolled"}))
            uow.commit()
            raise MfaEnrolmentRequired("the clinic requires two-step sign-in for your role and you "
                                       "have not enrolled; ask an administrator to enrol you")
        session.extra["mfa_enrolment_due"] = True
        return {"mfa": "enrolment due"}
    if not code:
        raise MfaRequired()
    result = mfa.check_code(user, code, session.clock())
    if not result.ok:
        uow.audit.append(session.entry(Action.SIGN_IN_FAILED, outcome="failure",
                                       detail={"reason": result.reason}))
        uow.commit()
        raise SignInFailed(result.reason)
    uow.users.update(user)  # the accepted step or the used backup code
    if result.method == "backup code":
        session.extra["backup_codes_left"] = len(user.mfa_backup_codes)
        return {"mfa": result.method, "backup_codes_left": len(user.mfa_backup_codes)}
    return {"mfa": result.method}


def reauthenticate(session: Session, password: str) -> bool:
    """Whether ``password`` is the signed-in user's (the lock screen); audited either way."""
    with session.uow() as uow:
        user = uow.users.get(session.username)
        ok = bool(user and not user.disabled and verify_password(user.password_hash, password))
        action = Action.SIGN_IN if ok else Action.SIGN_IN_FAILED
        uow.audit.append(session.entry(action, outcome="success" if ok else "failure",
                                       detail={"reason": "screen unlock" if ok else
                                               "wrong password at the lock screen"}))
        uow.commit()
    return ok


def change_password(session: Session, keys: KeySlotPort, *, current_password: str,
                    new_password: str) -> None:
    """Change the signed-in user's own password: new Argon2id hash, key slot re-wrapped.

    Raises SignInFailed when ``current_password`` is wrong, ValidationError when the new
    one breaks the password policy or equals the old one.
    """
    with session.uow() as uow:
        user = uow.users.get(session.username)
        if user is None or not verify_password(user.password_hash, current_password):
            uow.audit.append(session.entry(Action.CONFIG, outcome="failure", record_type="User",
                                           record_id=session.username,
                                           detail={"change": "password change refused",
                                                   "reason": "wrong current password"}))
            uow.commit()
            raise SignInFailed("the current password is not correct")
        if new_password == current_password:
            raise ValidationError({"password": "the new password must differ from the current one"})
        _set_password(uow, session, keys, user, new_password, "password changed")
        uow.commit()
    session.user = user


def reset_password(session: Session, keys: KeySlotPort, *, username: str, new_password: str,
                   lockouts: LockoutPort | None = None) -> None:
    """An administrator sets a user's password (forgotten password); clears any lockout.

    Raises ValidationError for an unknown or disabled user or a password the policy refuses.
    """
    session.require(Permission.USER_ADMIN)
    with session.uow() as uow:
        user = uow.users.get(username)
        if user is None:
            raise ValidationError({"username": f"no user named {username}"})
        if user.disabled:
            raise ValidationError({"username": f"{username} is disabled"})
        _set_password(uow, session, keys, user, new_password, "password reset by an administrator")
        uow.commit()
    if lockouts is not None:
        lockouts.unlock(username)


def _set_password(uow: UnitOfWork, session: Session, keys: KeySlotPort, user: User,
                  password: str, change: str) -> None:
    check_policy(password, username=user.username)
    user.password_hash = hash_password(password)
    uow.users.update(user)
    uow.audit.append(session.entry(Action.CONFIG, record_type="User", record_id=user.username,
                                   detail={"change": change}))
    keys.set_user_password(user.username, password)  # re-wraps the slot; no data re-encrypted


def unlock_account(session: Session, lockouts: LockoutPort, username: str) -> bool:
    """An administrator lifts a lockout after failed sign-ins; whether one was in force."""
    session.require(Permission.USER_ADMIN)
    with session.uow() as uow:
        if uow.users.get(username) is None:
            raise ValidationError({"username": f"no user named {username}"})
        was_locked = lockouts.unlock(username)
        uow.audit.append(session.entry(Action.CONFIG, record_type="User", record_id=username,
                                       detail={"change": "account unlocked",
                                               "was_locked": was_locked}))
        uow.commit()
    return was_locked


def end_session(session: Session) -> None:
    with session.uow() as uow:
        uow.audit.append(session.entry(Action.SIGN_OUT))
        uow.commit()


def _bare_entry(user: User, action: Action, workstation: str, why: str, at: datetime):
    return AuditEntry(action=action, at=at, username=user.username, role=user.role,
                      outcome="failure", workstation=workstation, detail={"reason": why})
