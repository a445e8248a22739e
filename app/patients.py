"""Registering, finding and editing patients."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.audit import Action
from app.errors import ConfirmationRequired, NotFound, ValidationError
from app.model import ENTERED_IN_ERROR, Patient
from app.permissions import Permission
from app.search_terms import parse_query
from app.session import Session

SEXES = ("male", "female", "other", "unknown")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PatientSummary:
    """One row of a search result: enough to pick the right person, nothing more."""
    id: str
    mrn: str
    name: str
    birth_date: date
    sex: str
    phone: str | None

    @classmethod
    def of(cls, p: Patient) -> "PatientSummary":
        return cls(p.id, p.mrn, p.name.text, p.birth_date, p.sex, p.phone)


def validate(patient: Patient, *, today: date) -> None:
    """Raise ValidationError naming every field that cannot be stored."""
    problems = {}
    if not patient.name.family.strip():
        problems["family name"] = "is required"
    if not any(g.strip() for g in patient.name.given):
        problems["given name"] = "is required"
    if patient.birth_date > today:
        problems["birth date"] = f"{patient.birth_date.isoformat()} is in the future"
    elif patient.birth_date.year < today.year - 125:
        problems["birth date"] = f"{patient.birth_date.isoformat()} is more than 125 years ago"
    if patient.sex not in SEXES:
        problems["sex"] = f"must be one of {', '.join(SEXES)}"
    if patient.deceased_date and patient.deceased_date < patient.birth_date:
        problems["date of death"] = "is before the birth date"
    for contact in patient.telecom:
        if contact.system == "phone" and len(re.sub(r"\D", "", contact.value)) < 7:
            problems["phone"] = f"{contact.value!r} is not a phone number"
        if contact.system == "email" and not _EMAIL.match(contact.value):
            problems["email"] = f"{contact.value!r} is not an e-mail address"
    if patient.mrn and not re.fullmatch(r"[A-Za-z0-9-]{3,32}", patient.mrn):
        problems["MRN"] = "use 3–32 letters, digits or dashes"
    if problems:
        raise ValidationError(problems)


def register(session: Session, patient: Patient, *, confirm_duplicate: bool = False) -> Patient:
    """Store a new patient, assigning the next clinic MRN when none is given.

    Raises ConfirmationRequired when a patient with a similar family name and the same
    birth date exists (a possible duplicate) unless ``confirm_duplicate``.
    """
    session.require(Permission.PATIENT_WRITE)
    validate(patient, today=session.clock().date())
    with session.uow() as uow:
        if patient.mrn and uow.patients.by_mrn(patient.mrn):
            raise ValidationError({"MRN": f"{patient.mrn} already belongs to another patient"})
        if not confirm_duplicate:
            twins = uow.patients.similar(patient.name.family, patient.birth_date)
            if twins:
                names = ", ".join(f"{t.name.text} (MRN {t.mrn})" for t in twins[:3])
                raise ConfirmationRequired({"possible duplicate": f"{names} has the same birth date "
                                            "and a similar name"})
        patient.mrn = patient.mrn or uow.patients.next_mrn()
        uow.patients.add(patient)
        uow.audit.append(session.entry(Action.CREATE, patient_id=patient.id, record_type="Patient",
                                       record_id=patient.id))
        uow.commit()
    return patient


def update(session: Session, patient: Patient) -> Patient:
    """Save edited demographics (Conflict if someone else saved the patient meanwhile)."""
    session.require(Permission.PATIENT_WRITE, patient_id=patient.id)
    validate(patient, today=session.clock().date())
    with session.uow() as uow:
        other = uow.patients.by_mrn(patient.mrn)
        if other and other.id != patient.id:
            raise ValidationError({"MRN": f"{patient.mrn} already belongs to another patient"})
        uow.patients.update(patient)
        uow.audit.append(session.entry(Action.UPDATE, patient_id=patient.id, record_type="Patient",
                                       record_id=patient.id))
        uow.commit()
    return patient


def get(session: Session, patient_id: str) -> Patient:
    session.require(Permission.PATIENT_READ, patient_id=patient_id)
    with session.uow() as uow:
        patient = uow.patients.find(patient_id)
        if patient is None or patient.status == ENTERED_IN_ERROR:
            raise NotFound("patient", patient_id)
        uow.audit.append(session.entry(Action.READ, patient_id=patient_id, record_type="Patient",
                                       record_id=patient_id))
        uow.commit()
    return patient


def search(session: Session, text: str, *, limit: int = 50) -> list[PatientSummary]:
    """Patients matching a name (any order, prefixes, diacritics ignored), MRN, birth date or phone."""
    session.require(Permission.PATIENT_READ)
    query = parse_query(text)
    if query.empty:
        return []
    with session.uow() as uow:
        found = uow.patients.search(query.fts, birth_date=query.birth_date, limit=limit)
        uow.audit.append(session.entry(Action.QUERY, record_type="Patient",
                                       detail={"results": len(found)}))
        uow.commit()
    found.sort(key=lambda p: (p.name.family.lower(), " ".join(p.name.given).lower(), p.birth_date))
    return [PatientSummary.of(p) for p in found]


def mark_entered_in_error(session: Session, patient_id: str, *, reason: str) -> None:
    """Retire a patient registered by mistake (never deleted; hidden from search)."""
    session.require(Permission.PATIENT_WRITE, patient_id=patient_id)
    if not reason.strip():
        raise ValidationError({"reason": "say why the registration was a mistake"})
    with session.uow() as uow:
        patient = uow.patients.get(patient_id)
        patient.status = ENTERED_IN_ERROR
        uow.patients.update(patient)
        uow.audit.append(session.entry(Action.DELETE, patient_id=patient_id, record_type="Patient",
                                       record_id=patient_id, detail={"reason": reason}))
        uow.commit()
