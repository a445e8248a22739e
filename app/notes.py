"""Encounter notes (SOAP): drafted and autosaved, signed by a physician, then only addended."""
from __future__ import annotations

from app import records
from app.audit import Action
from app.errors import Conflict, NotFound, ValidationError
from app.model import ENTERED_IN_ERROR, Addendum, ClinicalNote, Encounter
from app.permissions import Permission
from app.session import Session

SECTIONS = ("subjective", "objective", "assessment", "plan")
SIGNED_ONLY_ADDENDA = "a signed note can only be addended"

#: Starter text per visit type, per section. A section still holding only its starter
#: text counts as empty when the note is signed.
TEMPLATES: dict[str, dict[str, str]] = {
    "office-visit": {"subjective": "Chief complaint:\nHistory of present illness:\n",
                     "objective": "Vitals reviewed.\nExam:\n"},
    "new-patient": {"subjective": "Chief complaint:\nHistory of present illness:\nPast medical history:\n"
                                  "Medications:\nAllergies:\nFamily history:\nSocial history:\n"
                                  "Review of systems:\n",
                    "objective": "Vitals reviewed.\nGeneral:\nHEENT:\nCardiovascular:\nRespiratory:\n"
                                 "Abdomen:\nExtremities:\nNeuro:\n"},
    "follow-up": {"subjective": "Follow-up of:\nInterval history:\nMedication adherence:\n",
                  "objective": "Vitals reviewed.\nExam:\n"},
    "annual-physical": {"subjective": "Interval history:\nReview of systems:\n",
                        "objective": "Vitals reviewed.\nComplete exam:\n",
                        "plan": "Health maintenance:\nScreening:\nImmunizations:\n"},
    "telehealth": {"subjective": "Visit by video; patient identity confirmed; consent obtained.\n"
                                 "Chief complaint:\n",
                   "objective": "Observed by video:\n"},
    "urgent": {"subjective": "Chief complaint:\nOnset:\n", "objective": "Vitals reviewed.\nFocused exam:\n"},
    "procedure": {"subjective": "Indication:\nConsent obtained.\n",
                  "objective": "Procedure:\nFindings:\nComplications: none\n"},
    "immunization-only": {"subjective": "Here for immunization. Screening questions reviewed.\n",
                          "objective": "Vaccine given; observed 15 minutes.\n"},
    "nurse-visit": {"subjective": "Reason for nurse visit:\n", "objective": "Vitals:\n"},
}


def _starters(section: str) -> set[str]:
    return {t[section].strip() for t in TEMPLATES.values() if section in t}


def _blank(section: str, text: str) -> bool:
    return not text.strip() or text.strip() in _starters(section)


def _author(session: Session) -> str:
    return session.user.practitioner_id or session.username


def start(session: Session, *, encounter_id: str, title: str | None = None,
          note_type: str = "progress-note", sensitive: bool = False) -> ClinicalNote:
    """Start a draft note for an encounter, its sections filled from the visit type's template.

    ``sensitive`` labels the note PSY (behavioural health): hidden from users without
    the sensitive permission. Raises NotFound for an unknown encounter.
    """
    session.require(Permission.NOTE_WRITE, record_type=ClinicalNote.RESOURCE_TYPE)
    with session.uow() as uow:
        encounter = uow.records(Encounter).find(encounter_id)
    if encounter is None or encounter.status == ENTERED_IN_ERROR:
        raise NotFound("encounter", encounter_id)
    template = TEMPLATES.get(encounter.visit_type, {})
    note = ClinicalNote(patient_id=encounter.patient_id, encounter_id=encounter.id, note_type=note_type,
                        title=title or f"{encounter.visit_type.replace('-', ' ').capitalize()} note",
                        author_id=_author(session), security_labels=["PSY"] if sensitive else [],
                        **{s: template.get(s, "") for s in SECTIONS})
    return records.create(session, note, Permission.NOTE_WRITE)


def save_draft(session: Session, note_id: str, *, version: int, title: str | None = None,
               **sections: str) -> ClinicalNote:
    """Save the draft's sections (autosave; call as often as you like).

    ``version`` is the version the editor loaded; pass the returned note's version to the
    next save. Raises Conflict if the note was saved elsewhere since, and ValidationError
    for an unknown section or a signed note.
    """
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValidationError({name: "is not a note section" for name in sorted(unknown)})

    def _save(note: ClinicalNote) -> None:
        if note.status != "draft":
            raise ValidationError({"note": SIGNED_ONLY_ADDENDA})
        if note.version != version:
            raise Conflict("this note was saved from another window or workstation since you opened "
                           "it; reopen it to see that version")
        for name, text in sections.items():
            setattr(note, name, text or "")
        if title is not None:
            note.title = title

    return records.change(session, ClinicalNote, note_id, Permission.NOTE_WRITE, _save,
                          detail={"autosave": True})


def sign(session: Session, note_id: str) -> ClinicalNote:
    """Sign a draft note (physicians: NOTE_SIGN). Raises ValidationError when the assessment
    and plan are both empty or the note is not a draft."""
    def _sign(note: ClinicalNote) -> None:
        if note.status != "draft":
            raise ValidationError({"note": f"is already {note.status}"})
        if _blank("assessment", note.assessment) and _blank("plan", note.plan):
            raise ValidationError({"assessment and plan": "write an assessment or a plan before signing"})
        note.status, note.signed_by, note.signed_at = "signed", _author(session), session.clock()

    return records.change(session, ClinicalNote, note_id, Permission.NOTE_SIGN, _sign,
                          detail={"signed": True})


def addend(session: Session, note_id: str, *, text: str) -> ClinicalNote:
    """Add an addendum to a signed note. Raises ValidationError for a draft or empty text."""
    if not (text or "").strip():
        raise ValidationError({"addendum": "is empty"})

    def _add(note: ClinicalNote) -> None:
        if note.status not in ("signed", "amended"):
            raise ValidationError({"note": "is a draft; edit it instead of adding an addendum"})
        note.addenda.append(Addendum(text=text.strip(), author_id=_author(session), at=session.clock()))
        note.status = "amended"

    return records.change(session, ClinicalNote, note_id, Permission.NOTE_WRITE, _add,
                          detail={"addendum": True})


def retract(session: Session, note_id: str, *, reason: str) -> ClinicalNote:
    return records.retract(session, ClinicalNote, note_id, Permission.NOTE_WRITE, reason=reason)


def get(session: Session, note_id: str) -> ClinicalNote:
    """One note, audited. Raises NotFound, and PermissionDenied for notes the user may not read."""
    session.require(Permission.NOTE_READ, record_type=ClinicalNote.RESOURCE_TYPE)
    with session.uow() as uow:
        note = uow.records(ClinicalNote).get(note_id)
    if not session.may_see(note.security_labels):  # raises, and audits the denial
        session.require(Permission.SENSITIVE_READ, patient_id=note.patient_id,
                        record_type=ClinicalNote.RESOURCE_TYPE)
    with session.uow() as uow:
        uow.audit.append(session.entry(Action.READ, patient_id=note.patient_id,
                                       record_type=ClinicalNote.RESOURCE_TYPE, record_id=note.id))
        uow.commit()
    return note


def for_patient(session: Session, patient_id: str, *, status: str | None = None) -> list[ClinicalNote]:
    """The patient's notes (optionally of one status), sensitive ones only for users who may see them."""
    where = {"status": status} if status else {}
    rows = records.list_for(session, ClinicalNote, patient_id, Permission.NOTE_READ, **where)
    return sorted(rows, key=lambda n: n.created_at, reverse=True)
