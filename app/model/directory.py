"""The clinic's directory: practitioners, organizations, locations, and user accounts."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.model.common import Address, ContactPoint, HumanName, Identifier, Record


@dataclass(kw_only=True)
class Practitioner(Record):
    RESOURCE_TYPE = "Practitioner"
    name: HumanName
    npi: str | None = None
    dea: str | None = None
    qualification: str | None = None  # e.g. MD, DO, NP, RN
    specialty: str | None = None
    telecom: list[ContactPoint] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    status: str = "active"


@dataclass(kw_only=True)
class Organization(Record):
    RESOURCE_TYPE = "Organization"
    name: str
    clinic_code: str | None = None
    identifiers: list[Identifier] = field(default_factory=list)
    address: Address | None = None
    telecom: list[ContactPoint] = field(default_factory=list)
    status: str = "active"


@dataclass(kw_only=True)
class Location(Record):
    RESOURCE_TYPE = "Location"
    name: str
    organization_id: str | None = None
    address: Address | None = None
    telecom: list[ContactPoint] = field(default_factory=list)
    status: str = "active"


@dataclass(kw_only=True)
class User:
    """A workstation account. Not synced: IT provisions accounts on each workstation."""
    username: str
    role: str  # admin | physician | nurse | front_desk | billing
    display_name: str
    password_hash: str = ""
    practitioner_id: str | None = None
    mfa_secret: str | None = None
    mfa_last_step: int | None = None  # the last TOTP time-step accepted (replays are refused)
    mfa_backup_codes: list[str] = field(default_factory=list)  # salted hashes of unused codes
    disabled: bool = False
    failed_attempts: int = 0
    locked_until: datetime | None = None
    extra_permissions: list[str] = field(default_factory=list)
    created_at: datetime | None = None
