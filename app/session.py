"""Who is working, where, and through which store: the context every service takes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from app.audit import Action, AuditEntry
from app.errors import PermissionDenied
from app.model import User, utcnow
from app.permissions import SENSITIVE_LABELS, Permission, allowed
from app.uow import UnitOfWork


@dataclass
class Session:
    """A signed-in user at a workstation.

    Services receive the session, check permissions through :meth:`require`, open units
    of work through :meth:`uow`, and stamp audit entries through :meth:`entry`.
    """
    user: User
    uow_factory: Callable[[], UnitOfWork]
    workstation: str = ""
    location_id: str | None = None
    clock: Callable[[], datetime] = utcnow
    emergency_until: datetime | None = None
    emergency_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def in_emergency(self) -> bool:
        return self.emergency_until is not None and self.clock() < self.emergency_until

    def uow(self) -> UnitOfWork:
        return self.uow_factory()

    def can(self, permission: Permission) -> bool:
        return allowed(self.user.role, permission, set(self.user.extra_permissions))

    def require(self, permission: Permission, *, patient_id: str | None = None,
                record_type: str | None = None) -> None:
        """Raise PermissionDenied (and audit the denial) unless the user holds ``permission``.

        During emergency access ("break the glass") every clinical read and write is
        allowed, and flagged in the audit trail.
        """
        if self.can(permission):
            return
        if self.in_emergency and permission not in (Permission.USER_ADMIN, Permission.AUDIT_READ,
                                                    Permission.CONFIG_ADMIN):
            return
        with self.uow() as uow:
            uow.audit.append(self.entry(Action.DENIED, outcome="denied", patient_id=patient_id,
                                        record_type=record_type,
                                        detail={"permission": permission.value}))
            uow.commit()
        raise PermissionDenied(self.username, permission.value)

    def may_see(self, security_labels: list[str]) -> bool:
        """Whether a record with these security labels is visible to this user."""
        if not SENSITIVE_LABELS.intersection(security_labels):
            return True
        return self.can(Permission.SENSITIVE_READ) or self.in_emergency

    def entry(self, action: Action, **fields: Any) -> AuditEntry:
        """An audit entry stamped with who, when and where."""
        return AuditEntry(action=action, at=self.clock(), username=self.username,
                          role=self.user.role, workstation=self.workstation,
                          location_id=self.location_id, emergency=self.in_emergency, **fields)
