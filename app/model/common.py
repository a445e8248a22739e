"""Building blocks shared by every record: the syncable base and FHIR-like data types."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import ClassVar

ENTERED_IN_ERROR = "entered-in-error"


def new_id() -> str:
    """A client-made UUID; it is also the record's FHIR id on every server."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class Coding:
    """A code from a terminology (system is a short name: icd10cm, loinc, rxnorm, cvx, ...).

    A concept received from another system may carry more than one coding (a second LOINC
    code, a local code beside SNOMED CT) and a text of its own: ``more`` keeps the further
    codings and ``text`` the text as received ("" for none; None means the display is the
    text), so the concept goes back out as it came in. Neither counts in comparisons: two
    codings are equal when their system, code and display are."""
    system: str
    code: str
    display: str = ""
    more: list[Coding] | None = field(default=None, compare=False, repr=False)
    text: str | None = field(default=None, compare=False, repr=False)


@dataclass(slots=True)
class HumanName:
    family: str
    given: list[str] = field(default_factory=list)
    prefix: str | None = None
    suffix: str | None = None
    use: str = "official"

    @property
    def text(self) -> str:
        return " ".join([*self.given, self.family]).strip()


@dataclass(slots=True)
class Identifier:
    system: str
    value: str
    type: str | None = None  # e.g. MR, SS, DL, MB (member)


@dataclass(slots=True)
class ContactPoint:
    system: str  # phone | email | sms
    value: str
    use: str | None = None  # home | work | mobile


@dataclass(slots=True)
class Address:
    lines: list[str] = field(default_factory=list)
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    use: str | None = "home"


@dataclass(kw_only=True)
class Record:
    """A syncable record.

    ``id`` is made on this workstation and never changes; ``version`` is the local
    optimistic-lock counter; ``server_version`` is the server's versionId of the copy
    this record was last reconciled with (the last server copy itself lives in the store).
    Clinical records are never deleted: their status becomes ``entered-in-error``.
    """
    RESOURCE_TYPE: ClassVar[str] = ""
    id: str = field(default_factory=new_id)
    version: int = 0
    server_version: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    security_labels: list[str] = field(default_factory=list)
