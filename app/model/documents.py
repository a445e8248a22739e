"""Clinical notes (SOAP), attached documents, and consents."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from app.model.common import Record


@dataclass(slots=True)
class Addendum:
    text: str
    author_id: str
    at: datetime


@dataclass(kw_only=True)
class ClinicalNote(Record):
    """An encounter note with SOAP sections (a FHIR DocumentReference).

    A signed note is never edited again; it only gains addenda.
    """
    RESOURCE_TYPE = "DocumentReference"
    patient_id: str
    encounter_id: str | None = None
    note_type: str = "progress-note"
    title: str = "Progress note"
    subjective: str = ""
    objective: str = ""
    assessment: str = ""
    plan: str = ""
    author_id: str | None = None
    signed_by: str | None = None
    signed_at: datetime | None = None
    addenda: list[Addendum] = field(default_factory=list)
    status: str = "draft"  # draft | signed | amended | entered-in-error


@dataclass(kw_only=True)
class Document(Record):
    """An attached file (scan, letter, image). The bytes live encrypted in the store."""
    RESOURCE_TYPE = "Binary-DocumentReference"
    patient_id: str
    title: str
    content_type: str
    size: int
    sha256: str
    category: str | None = None
    encounter_id: str | None = None
    author_id: str | None = None
    status: str = "current"  # current | superseded | entered-in-error


@dataclass(kw_only=True)
class Consent(Record):
    RESOURCE_TYPE = "Consent"
    patient_id: str
    category: str  # e.g. treatment, hipaa-notice, research, information-sharing
    date: date
    decision: str = "permit"  # permit | deny
    policy: str | None = None
    note: str | None = None
    status: str = "active"  # draft | active | inactive | rejected | entered-in-error
