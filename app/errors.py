"""One error family for the whole product.

Boundaries (the store, the FHIR gateway, the HL7 parser) translate what they
catch into one of these; the CLI and the client show ``str(error)``, which is
always a sentence a clinician or an IT person can act on.
"""
from __future__ import annotations


class OutpostError(Exception):
    """Base of every error the product raises on purpose."""


class NotFound(OutpostError):
    def __init__(self, kind: str, ident: str):
        super().__init__(f"{kind} {ident} was not found")
        self.kind, self.ident = kind, ident


class PermissionDenied(OutpostError):
    def __init__(self, username: str, permission: str):
        super().__init__(f"user {username} is not allowed to {permission.replace('_', ' ')}")
        self.username, self.permission = username, permission


class ValidationError(OutpostError):
    """Input that cannot be stored. ``problems`` maps a field name to what is wrong."""

    def __init__(self, problems: dict[str, str]):
        self.problems = dict(problems)
        text = "; ".join(f"{field}: {why}" for field, why in self.problems.items())
        super().__init__(f"invalid input — {text}")


class ConfirmationRequired(OutpostError):
    """Plausible-but-unusual input: the caller must ask the user and retry with confirm=True."""

    def __init__(self, warnings: dict[str, str]):
        self.warnings = dict(warnings)
        text = "; ".join(f"{field}: {why}" for field, why in self.warnings.items())
        super().__init__(f"please confirm — {text}")


class Conflict(OutpostError):
    """Someone else changed the record since it was read (optimistic locking)."""


class SignInFailed(OutpostError):
    """Wrong user name or password (deliberately does not say which)."""

    def __init__(self, reason: str = "wrong user name or password"):
        super().__init__(f"sign-in failed: {reason}")


class MfaRequired(SignInFailed):
    """The password was right; the account also needs a one-time code (or a backup code)."""

    def __init__(self, reason: str = "a one-time code from your authenticator app (or a backup "
                 "code) is needed"):
        super().__init__(reason)


class MfaEnrolmentRequired(SignInFailed):
    """The clinic requires two-step sign-in for this role and the user has not enrolled."""


class AccountLocked(OutpostError):
    pass


class StoreError(OutpostError):
    """The clinic store cannot be opened or used."""


class StoreMissing(StoreError):
    pass


class StoreExists(StoreError):
    pass


class StoreCorrupt(StoreError):
    pass


class StoreTooNew(StoreError):
    pass


class MigrationFailed(StoreError):
    pass


class KeyringUnavailable(OutpostError):
    pass


class SyncError(OutpostError):
    """A sync step failed. ``kind`` is one of: network, auth, rejected, conflict, protocol."""

    def __init__(self, kind: str, message: str):
        super().__init__(f"sync {kind} error: {message}")
        self.kind = kind
