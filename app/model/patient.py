"""The patient: demographics per USCDI, contacts and insurance coverage."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.model.common import Address, Coding, ContactPoint, HumanName, Identifier, Record


@dataclass(slots=True)
class PatientContact:
    name: str
    relationship: str | None = None  # e.g. spouse, parent, emergency
    phone: str | None = None


@dataclass(slots=True)
class Coverage:
    payer: str
    member_id: str
    group: str | None = None
    plan: str | None = None
    relationship: str = "self"
    start: date | None = None
    end: date | None = None
    priority: int = 1


@dataclass(kw_only=True)
class Patient(Record):
    RESOURCE_TYPE = "Patient"
    mrn: str
    name: HumanName
    birth_date: date
    sex: str = "unknown"  # administrative gender: male | female | other | unknown
    sex_at_birth: str | None = None
    gender_identity: str | None = None
    other_names: list[HumanName] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    telecom: list[ContactPoint] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    language: str | None = None  # BCP-47, e.g. en, es, vi
    race: list[Coding] = field(default_factory=list)  # CDC race & ethnicity (OMB categories)
    ethnicity: list[Coding] = field(default_factory=list)
    contacts: list[PatientContact] = field(default_factory=list)
    coverages: list[Coverage] = field(default_factory=list)
    deceased: bool = False
    deceased_date: date | None = None
    organization_id: str | None = None
    status: str = "active"  # active | inactive | entered-in-error

    @property
    def phone(self) -> str | None:
        return next((t.value for t in self.telecom if t.system == "phone"), None)
