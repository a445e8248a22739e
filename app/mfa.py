"""Two-step sign-in: TOTP (RFC 6238, any authenticator app; works offline) and backup codes.

The TOTP secret lives in the user's record inside the encrypted store. A code is
accepted for the current 30-second step and one step either side (clock drift), and
never twice: the last accepted step is remembered, so a code seen over a shoulder or
replayed from a log cannot be used again. Backup codes are one-time and stored hashed.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno

from app.audit import Action
from app.errors import ValidationError
from app.model import User
from app.permissions import Permission
from app.session import Session

ISSUER = "Outpost EHR"
STEP_SECONDS = 30
BACKUP_CODES = 10
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread from paper


@dataclass(frozen=True)
class Enrolment:
    """What the user needs once, at enrolment: shown or printed, never stored in clear."""
    username: str
    secret: str
    uri: str
    backup_codes: tuple[str, ...]

    def qr_png(self, scale: int = 6) -> bytes:
        return qr_png(self.uri, scale=scale)

    def qr_svg(self, scale: int = 6) -> str:
        return qr_svg(self.uri, scale=scale)


def qr_png(uri: str, *, scale: int = 6) -> bytes:
    """The provisioning URI as a QR code (PNG bytes) for an authenticator app to scan."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg(uri: str, *, scale: int = 6) -> str:
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", scale=scale, border=4, xmldecl=False)
    return out.getvalue().decode()


def enrol(session: Session, username: str) -> Enrolment:
    """Give ``username`` a new TOTP secret and ten backup codes (replacing any old ones).

    A user may enrol themselves; enrolling someone else needs user administration.
    Audited as a configuration change (without the secret). Raises ValidationError
    for an unknown user, PermissionDenied for someone else's account.
    """
    if username != session.username:
        session.require(Permission.USER_ADMIN)
    secret = pyotp.random_base32()
    codes = tuple(_new_backup_code() for _ in range(BACKUP_CODES))
    with session.uow() as uow:
        user = uow.users.get(username)
        if user is None:
            raise ValidationError({"username": f"no user named {username}"})
        user.mfa_secret, user.mfa_last_step = secret, None
        user.mfa_backup_codes = [hash_backup_code(c) for c in codes]
        uow.users.update(user)
        uow.audit.append(session.entry(Action.CONFIG, record_type="User", record_id=username,
                                       detail={"change": "two-step sign-in enrolled"}))
        uow.commit()
    if username == session.username:
        session.user = user
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)
    return Enrolment(username=username, secret=secret, uri=uri, backup_codes=codes)


def remove(session: Session, username: str) -> None:
    """Turn two-step sign-in off for a user (admins only; audited)."""
    session.require(Permission.USER_ADMIN)
    with session.uow() as uow:
        user = uow.users.get(username)
        if user is None:
            raise ValidationError({"username": f"no user named {username}"})
        user.mfa_secret, user.mfa_last_step, user.mfa_backup_codes = None, None, []
        uow.users.update(user)
        uow.audit.append(session.entry(Action.CONFIG, record_type="User", record_id=username,
                                       detail={"change": "two-step sign-in removed"}))
        uow.commit()


# -- checking a code ------------------------------------------------------------
@dataclass(frozen=True)
class CodeCheck:
    """The outcome of :func:`check_code`: ``ok``, why not (``reason``), and how (``method``)."""
    ok: bool
    reason: str = ""
    method: str = ""


def check_code(user: User, code: str, now: datetime) -> CodeCheck:
    """Check a TOTP or backup code against ``user`` and, when it is accepted, consume it.

    Mutates ``user`` (last step / remaining backup codes); the caller stores it.
    """
    code = "".join(code.split()).replace("-", "").upper()
    if not user.mfa_secret or not code:
        return CodeCheck(False, "no code")
    if code.isdigit() and len(code) == 6:
        return _check_totp(user, code, now)
    digest = _match_backup_code(user, code)
    if digest is None:
        return CodeCheck(False, "the one-time code is not correct")
    user.mfa_backup_codes = [d for d in user.mfa_backup_codes if d != digest]
    return CodeCheck(True, method="backup code")


def _check_totp(user: User, code: str, now: datetime) -> CodeCheck:
    totp = pyotp.TOTP(user.mfa_secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            if user.mfa_last_step is not None and step <= user.mfa_last_step:
                return CodeCheck(False, "this one-time code was already used; wait for the next one")
            user.mfa_last_step = step
            return CodeCheck(True, method="totp")
    return CodeCheck(False, "the one-time code is not correct")


# -- backup codes -----------------------------------------------------------------
def _new_backup_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def hash_backup_code(code: str) -> str:
    """``salt$sha256`` of a normalised code (the codes are random, so a fast hash is enough)."""
    salt = secrets.token_hex(8)
    return f"{salt}${_digest(salt, code)}"


def _digest(salt: str, code: str) -> str:
    normal = code.replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(f"{salt}:{normal}".encode()).hexdigest()


def _match_backup_code(user: User, code: str) -> str | None:
    for stored in user.mfa_backup_codes:
        salt, _, digest = stored.partition("$")
        if hmac.compare_digest(_digest(salt, code), digest):
            return stored
    return None
