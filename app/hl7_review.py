"""The HL7 review queue as a person sees it: each held message's patient, as the sender
described them, beside the patient(s) we might already have.

Reading the queue shows demographics, so each candidate shown is a read in the
audit trail. Decisions go through :func:`app.hl7_import.resolve`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app import hl7_import
from app import hl7_messages as h
from app.audit import Action
from app.model import HumanName, Patient
from app.permissions import Permission
from app.session import Session

KIND_WORDS = {"uncertain-match": "Uncertain match", "unknown-patient": "Unknown patient",
              "unmatched-result": "Result without its order"}


@dataclass
class Incoming:
    """The patient as the sending system described them (PID), as far as it could be read."""
    name: HumanName | None = None
    birth_date: date | None = None
    sex: str | None = None
    identifiers: list[str] = field(default_factory=list)  # "H100 (GENHOSP)"
    address: str = ""
    phone: str = ""
    sender: str = ""  # "LAB at QUEST"


@dataclass
class ReviewItem:
    id: str
    kind: str
    message_type: str
    control_id: str
    reason: str
    created_at: str
    incoming: Incoming
    candidates: list[Patient]
    patient_id: str | None = None

    @property
    def kind_words(self) -> str:
        return KIND_WORDS.get(self.kind, self.kind)

    @property
    def needs_patient(self) -> bool:
        """Whether the decision is which patient it is (else the person only closes it)."""
        return self.kind in ("uncertain-match", "unknown-patient")


def incoming(text: str) -> Incoming:
    """What the message's PID says; fields that cannot be read are left empty (never raises)."""
    out = Incoming()
    try:
        msg = h.parse(h.RawMessage(1, 0, text))
        msh = msg.segment("MSH")
        app, facility = h.get(msg, msh, 3), h.get(msg, msh, 4)
        out.sender = " at ".join(x for x in (app, facility) if x)
        pid = h.one(msg, "PID")
    except Exception:  # noqa: BLE001 - a held message may be odd; show what we can
        return out
    family = h.get(msg, pid, 5, 1)
    given = [g for g in (h.get(msg, pid, 5, 2), h.get(msg, pid, 5, 3)) if g]
    out.name = HumanName(family=family, given=given) if family or given else None
    try:
        out.birth_date = h.day(h.get(msg, pid, 7), "PID-7")
    except h.FieldError:
        out.birth_date = None
    sex = h.get(msg, pid, 8).upper()
    out.sex = hl7_import.SEX.get(sex) if sex else None
    for authority, value, _ in hl7_import._identifiers(msg, pid):
        out.identifiers.append(f"{value} ({authority})" if authority else value)
    parts = [h.get(msg, pid, 11, c) for c in (1, 2, 3, 4, 5)]
    out.address = ", ".join(p for p in parts if p)
    out.phone = h.get(msg, pid, 13, 1) or h.get(msg, pid, 13, 12)
    return out


def queue(session: Session) -> list[ReviewItem]:
    """The open review items, oldest first, each with the candidate patients' records.

    Raises PermissionDenied without the import permission."""
    items = hl7_import.reviews(session, "open")
    out = []
    with session.uow() as uow:
        for item in items:
            candidates = [p for p in (uow.patients.find(pid) for pid in item["candidates"] or [])
                          if p is not None]
            for p in candidates:
                uow.audit.append(session.entry(Action.READ, patient_id=p.id, record_type="Patient",
                                               record_id=p.id, detail={"why": "HL7 review queue"}))
            out.append(ReviewItem(id=item["id"], kind=item["kind"], message_type=item["message_type"],
                                  control_id=item["control_id"], reason=item["reason"],
                                  created_at=item["created_at"], incoming=incoming(item["message"]),
                                  candidates=candidates, patient_id=item["patient_id"]))
        uow.commit()
    return out


def same_patient(session: Session, review_id: str, patient_id: str) -> hl7_import.Outcome | None:
    """The held message is for this patient: take it for them (links the sender's id)."""
    return hl7_import.resolve(session, review_id, patient_id=patient_id)


def register_new(session: Session, review_id: str) -> hl7_import.Outcome | None:
    """Nobody we know: register a new patient from the message and take it for them."""
    return hl7_import.resolve(session, review_id, new_patient=True)


def reject(session: Session, review_id: str) -> None:
    """Close the item without taking the message (audited)."""
    session.require(Permission.IMPORT)
    hl7_import.resolve(session, review_id)


__all__ = ["Incoming", "ReviewItem", "incoming", "queue", "same_patient", "register_new", "reject"]
