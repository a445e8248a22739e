"""The clinic's security policy: which roles need two-step sign-in, and when screens lock.

The policy lives in the encrypted store's settings, so it is the same for every user of a
workstation and only an administrator can change it (the change is audited).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Callable

from app.audit import Action
from app.errors import ValidationError
from app.permissions import ROLES, Permission
from app.session import Session
from app.uow import UnitOfWork

SETTINGS_KEY = "security_policy"
MAX_IDLE_MINUTES = 60


@dataclass(frozen=True)
class SecurityPolicy:
    #: Roles whose users must sign in with a one-time code as well as the password.
    mfa_required_roles: tuple[str, ...] = ("admin", "physician")
    #: When False, a user of such a role who has not enrolled yet may still sign in but is
    #: told to enrol at every sign-in; when True they are refused until an admin enrols them.
    mfa_enforce: bool = False
    #: Minutes without keyboard or mouse input before the client locks its screen.
    idle_lock_minutes: float = 10.0
    extra: dict[str, Any] = field(default_factory=dict)

    def mfa_required_for(self, role: str) -> bool:
        return role in self.mfa_required_roles


def load(uow_factory: Callable[[], UnitOfWork]) -> SecurityPolicy:
    """The clinic's policy (the defaults where nothing was set). Not PHI; no permission needed."""
    with uow_factory() as uow:
        raw = uow.settings.get(SETTINGS_KEY) or {}
    known = {f.name for f in fields(SecurityPolicy)}
    values = {k: v for k, v in raw.items() if k in known}
    if "mfa_required_roles" in values:
        values["mfa_required_roles"] = tuple(values["mfa_required_roles"])
    return SecurityPolicy(**values)


def change(session: Session, **changes: Any) -> SecurityPolicy:
    """Change the policy (admins only; audited as a configuration change).

    Raises ValidationError for unknown roles, an idle time outside 1–60 minutes, or
    enforcing two-step sign-in while the acting administrator has not enrolled.
    """
    session.require(Permission.CONFIG_ADMIN)
    current = load(session.uow_factory)
    unknown = set(changes) - {f.name for f in fields(SecurityPolicy)}
    if unknown:
        raise ValidationError({name: "not a policy setting" for name in sorted(unknown)})
    if "mfa_required_roles" in changes:
        changes["mfa_required_roles"] = tuple(changes["mfa_required_roles"])
    policy = replace(current, **changes)
    _check(policy, session)
    with session.uow() as uow:
        uow.settings.set(SETTINGS_KEY, asdict(policy))
        uow.audit.append(session.entry(Action.CONFIG, record_type="SecurityPolicy",
                                       detail={"change": "security policy changed",
                                               "settings": sorted(changes)}))
        uow.commit()
    return policy


def _check(policy: SecurityPolicy, session: Session) -> None:
    problems = {}
    bad_roles = [r for r in policy.mfa_required_roles if r not in ROLES]
    if bad_roles:
        problems["mfa_required_roles"] = f"unknown roles: {', '.join(bad_roles)}"
    if not 1 <= float(policy.idle_lock_minutes) <= MAX_IDLE_MINUTES:
        problems["idle_lock_minutes"] = f"must be between 1 and {MAX_IDLE_MINUTES} minutes"
    if (policy.mfa_enforce and policy.mfa_required_for(session.user.role)
            and not session.user.mfa_secret):
        problems["mfa_enforce"] = "enrol yourself in two-step sign-in first, or you would be locked out"
    if problems:
        raise ValidationError(problems)
