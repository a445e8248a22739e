"""The clinic letterhead on every printed document: name, address, phone and an optional logo.

Set once by an administrator; kept in the clinic settings (not PHI). Until it is set, the
clinic's name from set-up is used alone.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field

from app.audit import Action
from app.errors import ValidationError
from app.permissions import Permission
from app.session import Session

SETTING = "letterhead"
MAX_LOGO_BYTES = 512 * 1024
_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}


@dataclass(frozen=True)
class Letterhead:
    name: str
    address_lines: list[str] = field(default_factory=list)
    phone: str = ""
    fax: str = ""
    email: str = ""
    logo: bytes | None = None  # PNG or JPEG

    @property
    def contact_line(self) -> str:
        parts = [f"Tel {self.phone}" if self.phone else "", f"Fax {self.fax}" if self.fax else "",
                 self.email]
        return " · ".join(p for p in parts if p)


def logo_kind(data: bytes) -> str | None:
    """"png" or "jpeg" from the file's first bytes, None for anything else."""
    return next((kind for magic, kind in _IMAGE_MAGIC.items() if data.startswith(magic)), None)


def load(uow) -> Letterhead:
    """The letterhead from the settings (the clinic's name alone until one is set)."""
    raw = uow.settings.get(SETTING) or {}
    clinic = uow.settings.get("clinic") or {}
    logo = base64.b64decode(raw["logo"]) if raw.get("logo") else None
    return Letterhead(name=raw.get("name") or clinic.get("name") or "Clinic",
                      address_lines=list(raw.get("address_lines") or []), phone=raw.get("phone", ""),
                      fax=raw.get("fax", ""), email=raw.get("email", ""), logo=logo)


def current(session: Session) -> Letterhead:
    with session.uow() as uow:
        return load(uow)


def set_letterhead(session: Session, *, name: str, address_lines: list[str] | None = None,
                   phone: str = "", fax: str = "", email: str = "",
                   logo: bytes | None = None, keep_logo: bool = True) -> Letterhead:
    """Set the clinic letterhead (administrators). ``logo`` is PNG or JPEG bytes, at most 512 KB;
    with ``logo=None`` the stored logo is kept unless ``keep_logo`` is False.

    Raises PermissionDenied without the clinic settings permission, ValidationError for a
    blank name, too many address lines or a logo that is not a small PNG/JPEG.
    """
    session.require(Permission.CONFIG_ADMIN)
    lines = [line.strip() for line in (address_lines or []) if line.strip()]
    problems: dict[str, str] = {}
    if not name.strip():
        problems["name"] = "required"
    if len(lines) > 4:
        problems["address"] = "at most 4 lines"
    if logo is not None:
        if len(logo) > MAX_LOGO_BYTES:
            problems["logo"] = f"larger than {MAX_LOGO_BYTES // 1024} KB"
        elif logo_kind(logo) is None:
            problems["logo"] = "not a PNG or JPEG image"
    if problems:
        raise ValidationError(problems)
    with session.uow() as uow:
        old = uow.settings.get(SETTING) or {}
        stored_logo = (base64.b64encode(logo).decode() if logo is not None
                       else old.get("logo") if keep_logo else None)
        value = {"name": name.strip(), "address_lines": lines, "phone": phone.strip(),
                 "fax": fax.strip(), "email": email.strip(), "logo": stored_logo}
        uow.settings.set(SETTING, value)
        uow.audit.append(session.entry(Action.CONFIG, record_type="Organization", detail={
            "change": "letterhead set", "logo": bool(stored_logo)}))
        uow.commit()
        return load(uow)
