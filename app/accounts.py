"""User accounts and sign-in (the parts the foundation needs; MFA and lockout build on it)."""
from __future__ import annotations

from typing import Callable, Protocol

from app.audit import Action, AuditEntry
from app.errors import AccountLocked, SignInFailed, ValidationError
from app.model import User, utcnow
from app.passwords import check_policy, hash_password, verify_password
from app.permissions import ROLES, Permission
from app.session import Session
from app.uow import UnitOfWork


class KeySlotPort(Protocol):
    """What account administration needs from the store's key hierarchy."""
    def set_user_password(self, username: str, password: str) -> None: ...
    def remove_user_slot(self, username: str) -> None: ...


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
                  workstation: str, location_id: str | None = None) -> Session:
    """The session for a user whose key slot has already opened the store.

    Checks the account is enabled and the password matches its Argon2id hash, and
    records the sign-in in the audit trail.
    """
    with uow_factory() as uow:
        user = uow.users.get(username)
        if user is None or not verify_password(user.password_hash, password):
            raise SignInFailed()
        if user.disabled:
            uow.audit.append(_bare_entry(user, Action.SIGN_IN_FAILED, workstation, "account disabled"))
            uow.commit()
            raise AccountLocked(f"the account {username} is disabled; ask an administrator")
        session = Session(user=user, uow_factory=uow_factory, workstation=workstation,
                          location_id=location_id)
        uow.audit.append(session.entry(Action.SIGN_IN))
        uow.commit()
    return session


def end_session(session: Session) -> None:
    with session.uow() as uow:
        uow.audit.append(session.entry(Action.SIGN_OUT))
        uow.commit()


def _bare_entry(user: User, action: Action, workstation: str, why: str):
    return AuditEntry(action=action, at=utcnow(), username=user.username, role=user.role,
                      outcome="failure", workstation=workstation, detail={"reason": why})
