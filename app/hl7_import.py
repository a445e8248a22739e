"""Take HL7 v2 messages in: ADT (register or update a patient), ORU^R01 (results),
VXU^V04 (immunizations) and SIU^S12–S15 (appointments).

Each message is one unit of work: it is written whole, or (rejected) not at all, and
answered with an ACK (AA, AE or AR) with the reason. Patients are matched by an
identifier the sender used before or our MRN, then by name and birth date; a match we
are not sure of is never merged: the message waits in the review queue.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable

from app import hl7_messages as h
from app.audit import Action
from app.errors import ValidationError
from app.model import (Address, Appointment, Coding, ContactPoint, DiagnosticReport, HumanName,
                       Identifier, Immunization, Observation, Patient, ServiceRequest, new_id)
from app.permissions import Permission
from app.search_terms import fold
from app.session import Session
from app.uow import UnitOfWork

ID_SPACE = uuid.UUID("7d4f2a10-3c5b-4e9a-8b1f-6a2e9c0d5b47")
SEX = {"M": "male", "F": "female", "O": "other", "U": "unknown", "A": "other", "N": "unknown"}
CODE_SYSTEMS = {"LN": "loinc", "CVX": "cvx", "I10": "icd10cm", "I10C": "icd10cm", "SCT": "snomed",
                "SNM": "snomed", "RXNORM": "rxnorm", "NDC": "ndc", "MVX": "mvx", "L": "local",
                "99ZZZ": "local", "": "local"}
RESULT_STATUS = {"F": "final", "C": "amended", "P": "preliminary", "X": "entered-in-error",
                 "I": "preliminary", "R": "preliminary", "S": "preliminary", "A": "amended"}


class Held(Exception):
    """The message is kept for a person (uncertain or unknown patient)."""

    def __init__(self, kind: str, reason: str, candidates: list[str]):
        super().__init__(reason)
        self.kind, self.reason, self.candidates = kind, reason, candidates


@dataclass
class Outcome:
    label: str  # "message 2, line 7"
    control_id: str
    message_type: str
    ack_code: str  # AA | AE | AR
    reason: str
    ack: str  # the ACK message text (segments joined with \r)
    patient_id: str | None = None
    created: dict[str, int] = field(default_factory=dict)
    review: bool = False

    def as_dict(self) -> dict:
        return {"message": self.label, "control_id": self.control_id, "type": self.message_type,
                "ack": self.ack_code, "reason": self.reason, "patient_id": self.patient_id,
                "created": dict(self.created), "review": self.review}


# -- patient matching ----------------------------------------------------------------
def _identifiers(msg, pid) -> list[tuple[str, str, str]]:
    out = []
    for r in range(1, h.repetitions(pid, 3) + 1):
        value = h.get(msg, pid, 3, 1, r)
        if value:
            out.append((h.get(msg, pid, 3, 4, r) or "", value, h.get(msg, pid, 3, 5, r) or ""))
    return out


def _demographics(msg, pid) -> dict:
    family = h.required(msg, pid, 5, 1, "family name")
    given = [g for g in (h.get(msg, pid, 5, 2), h.get(msg, pid, 5, 3)) if g]
    birth = h.day(h.required(msg, pid, 7, name="birth date"), "PID-7")
    sex_code = h.get(msg, pid, 8).upper()
    if sex_code and sex_code not in SEX:
        raise h.FieldError("PID-8", f"{sex_code!r} is not an administrative sex (HL7 table 0001)", code="103")
    if not _identifiers(msg, pid):
        raise h.FieldError("PID-3", "required field missing (patient identifier)", code="101")
    address = [Address(lines=[x for x in (h.get(msg, pid, 11, 1), h.get(msg, pid, 11, 2)) if x],
                       city=h.get(msg, pid, 11, 3) or None, state=h.get(msg, pid, 11, 4) or None,
                       postal_code=h.get(msg, pid, 11, 5) or None, country=h.get(msg, pid, 11, 6) or None)
               ] if h.get(msg, pid, 11, 1) or h.get(msg, pid, 11, 3) else []
    phone = h.get(msg, pid, 13, 1) or h.get(msg, pid, 13, 12)
    return {"name": HumanName(family=family, given=given), "birth_date": birth,
            "sex": SEX.get(sex_code, "unknown"), "addresses": address,
            "telecom": [ContactPoint("phone", phone, "home")] if phone else []}


def _ours(authority: str, clinic_code: str) -> bool:
    return authority.upper() in ("", "OUTPOST", clinic_code.upper())


def match(uow: UnitOfWork, msg, pid, clinic_code: str, people: dict) -> Patient | None:
    """The patient a PID names, None when there is none; Held when we are not sure."""
    ids = _identifiers(msg, pid)
    for authority, value, _ in ids:
        if authority and not _ours(authority, clinic_code):
            known = uow.interfaces.patient_for(authority, value)
            if known:
                return uow.patients.get(known)
    for authority, value, id_type in ids:
        if _ours(authority, clinic_code) and id_type in ("", "MR"):
            p = uow.patients.by_mrn(value)
            if p is not None:
                if p.birth_date == people["birth_date"] and fold(p.name.family) == fold(people["name"].family):
                    return p
                raise Held("uncertain-match", f"MRN {value} belongs to a patient with another name or "
                           "birth date", [p.id])
    same = uow.patients.similar(people["name"].family, people["birth_date"])
    given = fold(people["name"].given[0]) if people["name"].given else ""
    exact = [p for p in same if fold(p.name.family) == fold(people["name"].family)
             and given and p.name.given and fold(p.name.given[0]) == given]
    if len(exact) == 1 and not any(a and not _ours(a, clinic_code) and
                                   uow.interfaces.patient_for(a, v) for a, v, _ in ids):
        return exact[0]
    if exact or same:
        raise Held("uncertain-match", "a patient with a similar name and the same birth date exists",
                   [p.id for p in (exact or same)])
    return None


def _link(uow: UnitOfWork, msg, pid, patient: Patient, clinic_code: str) -> None:
    for authority, value, id_type in _identifiers(msg, pid):
        if authority and not _ours(authority, clinic_code):
            uow.interfaces.link(authority, value, patient.id)
            if not any(i.system == authority and i.value == value for i in patient.identifiers):
                # Another system's MRN is an identifier to us, not our MRN: it is kept untyped
                # so that FHIR (where the MR-typed identifier is the MRN) does not confuse them.
                patient.identifiers.append(Identifier(system=authority, value=value,
                                                      type=None if id_type in ("", "MR") else id_type))


# -- message handlers ---------------------------------------------------------------------
def _coding(msg, seg, f: int, location: str) -> Coding:
    code = h.required(msg, seg, f, 1)
    system_code = h.get(msg, seg, f, 3).upper()
    if system_code not in CODE_SYSTEMS:
        raise h.FieldError(f"{location}.3", f"unknown code system {system_code!r}", code="103")
    return Coding(CODE_SYSTEMS[system_code], code, h.get(msg, seg, f, 2))


class _Handler:
    def __init__(self, session: Session, uow: UnitOfWork, msg, head: h.Header, clinic_code: str,
                 patient_id: str | None = None, new_patient: bool = False):
        self.session, self.uow, self.msg, self.head, self.clinic_code = session, uow, msg, head, clinic_code
        self.forced = patient_id  # a person chose the patient (review queue)
        self.new_patient = new_patient  # a person said: nobody we know (review queue)
        self.created: dict[str, int] = {}
        self.notes: list[str] = []
        self.current: Patient | None = None

    def made_id(self, *parts) -> str:
        """The id of a record this message makes: the same when the sender sends it again."""
        return str(uuid.uuid5(ID_SPACE, "|".join([self.head.sending_app, self.head.sending_facility,
                                                  self.head.control_id, *map(str, parts)])))

    def not_taken_before(self, cls, first_id: str) -> None:
        if self.uow.records(cls).find(first_id) is not None:
            raise _Duplicate()

    def add(self, record) -> None:
        self.uow.records(type(record)).add(record)
        self.created[record.RESOURCE_TYPE] = self.created.get(record.RESOURCE_TYPE, 0) + 1

    def patient(self, *, register: bool) -> Patient:
        pid = h.one(self.msg, "PID")
        people = _demographics(self.msg, pid)
        if self.new_patient:
            found, register = None, True
        else:
            found = (self.uow.patients.get(self.forced) if self.forced
                     else match(self.uow, self.msg, pid, self.clinic_code, people))
        if found is None and not register:
            raise Held("unknown-patient", "no patient matches this message", [])
        self.current = found
        if found is None:
            p = Patient(mrn=self.uow.patients.next_mrn(), **people)
            _link(self.uow, self.msg, pid, p, self.clinic_code)
            self.add(p)
            self.current = p
            self.notes.append(f"registered patient {p.mrn}")
            return p
        if register:  # ADT: the sender's demographics replace ours
            found.name, found.sex = people["name"], people["sex"]
            found.addresses = people["addresses"] or found.addresses
            found.telecom = people["telecom"] or found.telecom
            _link(self.uow, self.msg, pid, found, self.clinic_code)
            self.uow.patients.update(found)
            self.notes.append(f"updated patient {found.mrn}")
        else:
            before = len(found.identifiers)
            _link(self.uow, self.msg, pid, found, self.clinic_code)
            if len(found.identifiers) != before:
                self.uow.patients.update(found)
        return found

    # ADT^A01/A04/A08
    def adt(self) -> Patient:
        return self.patient(register=True)

    # ORU^R01
    def oru(self) -> Patient:
        patient = self.patient(register=False)
        obrs = h.segments(self.msg, "OBR")
        if not obrs:
            raise h.FieldError("OBR", "required segment missing", code="100")
        unmatched = []
        self.not_taken_before(DiagnosticReport, self.made_id("OBR", 1))
        for n, (obr, obxs) in enumerate(self._groups(), start=1):
            code = _coding(self.msg, obr, 4, "OBR-4")
            issued = (h.timestamp(h.get(self.msg, obr, 22), "OBR-22")
                      or h.timestamp(h.get(self.msg, obr, 7), "OBR-7"))
            if issued is None:
                raise h.FieldError("OBR-7", "required field missing (observation time)", code="101")
            order = self._order(patient, h.get(self.msg, obr, 2), code)
            report = DiagnosticReport(id=self.made_id("OBR", n), patient_id=patient.id, code=code, issued=issued,
                                      service_request_id=order.id if order else None,
                                      performer=self.head.sending_facility or self.head.sending_app or None,
                                      status=RESULT_STATUS.get(h.get(self.msg, obr, 25).upper(), "final"))
            for i, obx in enumerate(obxs, start=1):
                obs = self._observation(obx, patient, issued, order, report)
                obs.id = self.made_id("OBR", n, "OBX", i)
                report.result_ids.append(obs.id)
                self.add(obs)
            self.add(report)
            if order is not None and report.status == "final" and order.status == "active":
                order.status = "completed"
                self.uow.records(ServiceRequest).update(order)
            if order is None:
                unmatched.append(code.code)
        if unmatched:
            raise _Filed(f"no matching order for {', '.join(unmatched)}; filed to the patient for review")
        return patient

    def _groups(self):
        groups, current = [], None
        for seg in self.msg:
            name = str(seg[0])
            if name == "OBR":
                current = (seg, [])
                groups.append(current)
            elif name == "OBX":
                if current is None:
                    raise h.FieldError("OBX", "an OBX before any OBR", code="100")
                current[1].append(seg)
        return groups

    def _order(self, patient: Patient, placer: str, code: Coding) -> ServiceRequest | None:
        repo = self.uow.records(ServiceRequest)
        if placer:
            order = repo.find(placer)
            if order is not None and order.patient_id == patient.id:
                return order
        candidates = [o for o in repo.for_patient(patient.id, where={"status": "active"})
                      if o.code.code == code.code]
        return candidates[0] if len(candidates) == 1 else None

    def _observation(self, obx, patient, issued, order, report) -> Observation:
        m = self.msg
        kind = h.get(m, obx, 2).upper()
        code = _coding(m, obx, 3, "OBX-3")
        raw = h.get(m, obx, 5)
        value, text = None, None
        if kind in ("NM", "SN"):
            number = raw if kind == "NM" else (h.get(m, obx, 5, 2) or raw)
            try:
                value = Decimal(number)
            except InvalidOperation:
                raise h.FieldError("OBX-5", f"{raw!r} is not a number (OBX-2 says {kind})", code="102") from None
        elif kind in ("CE", "CWE"):
            text = h.get(m, obx, 5, 2) or raw
        else:
            text = raw
        low, high = None, None
        ref = h.get(m, obx, 7)
        if "-" in ref.strip("-"):
            a, _, b = ref.partition("-")
            try:
                low, high = Decimal(a.strip()), Decimal(b.strip())
            except InvalidOperation:
                pass
        status = RESULT_STATUS.get(h.get(m, obx, 11).upper(), "final")
        return Observation(patient_id=patient.id, code=code, category="laboratory",
                           effective=h.timestamp(h.get(m, obx, 14), "OBX-14") or issued,
                           value=value, value_text=text, unit=h.get(m, obx, 6) or None,
                           ref_low=low, ref_high=high, interpretation=h.get(m, obx, 8) or None,
                           service_request_id=order.id if order else None, report_id=report.id,
                           status=status)

    # VXU^V04
    def vxu(self) -> Patient:
        patient = self.patient(register=False)
        rxas = h.segments(self.msg, "RXA")
        if not rxas:
            raise h.FieldError("RXA", "required segment missing", code="100")
        rxrs = h.segments(self.msg, "RXR")
        self.not_taken_before(Immunization, self.made_id("RXA", 0))
        for n, rxa in enumerate(rxas):
            when = h.day(h.required(self.msg, rxa, 3, name="administration date"), "RXA-3")
            vaccine = _coding(self.msg, rxa, 5, "RXA-5")
            rxr = rxrs[n] if n < len(rxrs) else None
            completion = h.get(self.msg, rxa, 20).upper()
            self.add(Immunization(
                id=self.made_id("RXA", n), patient_id=patient.id, vaccine=vaccine, occurrence=when,
                lot_number=h.get(self.msg, rxa, 15) or None,
                expiration_date=h.day(h.get(self.msg, rxa, 16), "RXA-16"),
                manufacturer=h.get(self.msg, rxa, 17, 2) or h.get(self.msg, rxa, 17) or None,
                route=h.get(self.msg, rxr, 1) or None if rxr else None,
                site=(h.get(self.msg, rxr, 2, 2) or h.get(self.msg, rxr, 2) or None) if rxr else None,
                status="not-done" if completion in ("RE", "NA") else "completed"))
        return patient

    # SIU^S12-S15
    def siu(self) -> Patient:
        patient = self.patient(register=False)
        sch = h.one(self.msg, "SCH")
        key = h.get(self.msg, sch, 1) or h.get(self.msg, sch, 2)
        if not key:
            raise h.FieldError("SCH-1", "required field missing (appointment id)", code="101")
        appt_id = str(uuid.uuid5(ID_SPACE, f"{self.head.sending_facility}|{self.head.sending_app}|{key}"))
        start = h.timestamp(h.get(self.msg, sch, 11, 4), "SCH-11.4")
        end = h.timestamp(h.get(self.msg, sch, 11, 5), "SCH-11.5")
        ais = next(iter(h.segments(self.msg, "AIS")), None)
        if start is None and ais is not None:
            start = h.timestamp(h.get(self.msg, ais, 4), "AIS-4")
        if start is None:
            raise h.FieldError("SCH-11.4", "required field missing (start time; or AIS-4)", code="101")
        if end is None:
            minutes = h.get(self.msg, sch, 9) or (h.get(self.msg, ais, 7) if ais is not None else "")
            end = start + timedelta(minutes=int(minutes) if minutes.isdigit() else 20)
        if end <= start:
            raise h.FieldError("SCH-11.5", "the end is not after the start", code="102")
        repo = self.uow.records(Appointment)
        existing = repo.find(appt_id)
        reason = h.get(self.msg, sch, 7, 2) or h.get(self.msg, sch, 7) or None
        if existing is None:
            if self.head.trigger == "S15":
                raise h.FieldError("SCH-1", f"no appointment {key} to cancel", code="204")
            self.add(Appointment(id=appt_id, patient_id=patient.id, start=start, end=end, reason=reason,
                                 status="cancelled" if self.head.trigger == "S15" else "booked"))
            return patient
        existing.start, existing.end = start, end
        existing.reason = reason or existing.reason
        if self.head.trigger == "S15":
            existing.status = "cancelled"
        repo.update(existing)
        self.created["Appointment updated"] = self.created.get("Appointment updated", 0) + 1
        return patient


class _Filed(Exception):
    """Written, but a person should look (a result without its order)."""


class _Duplicate(Exception):
    """The sender sent this message again (same control id): it was taken the first time."""


HANDLERS = {"ADT": _Handler.adt, "ORU": _Handler.oru, "VXU": _Handler.vxu, "SIU": _Handler.siu}


def take(session: Session, raw: h.RawMessage, clinic_code: str, *, patient_id: str | None = None,
         new_patient: bool = False) -> Outcome:
    """Process one message in its own unit of work; never raises for a bad message.

    ``patient_id``: the patient a person chose for a held message (see :func:`resolve`);
    ``new_patient``: a person decided it is nobody we know (register from its PID)."""
    text = raw.text
    try:
        msg = h.parse(raw)
        head = h.header(msg)
    except h.FieldError as exc:
        return _refused(session, raw, exc, "unknown", "")
    handler_fn = HANDLERS[head.message_type]
    review = False
    try:
        with session.uow() as uow:
            handler = _Handler(session, uow, msg, head, clinic_code, patient_id, new_patient)
            try:
                patient = handler_fn(handler)
                reason = "; ".join(handler.notes) or "accepted"
            except _Duplicate:
                patient = handler.current
                reason = "already taken (the same message was sent before); nothing new written"
            except _Filed as filed:
                patient, reason, review = handler.current, str(filed), True
                uow.interfaces.add_review({"id": new_id(), "kind": "unmatched-result",
                                           "message_type": head.kind, "control_id": head.control_id,
                                           "patient_id": patient.id, "candidates": [patient.id],
                                           "reason": reason, "message": text})
            uow.audit.append(session.entry(Action.IMPORT, patient_id=patient.id, record_type="HL7v2",
                                           record_id=head.control_id,
                                           detail={"type": head.kind, "ack": "AA", "created": handler.created}))
            uow.commit()
            created = handler.created
    except Held as held:
        with session.uow() as uow:
            uow.interfaces.add_review({"id": new_id(), "kind": held.kind, "message_type": head.kind,
                                       "control_id": head.control_id, "patient_id": None,
                                       "candidates": held.candidates, "reason": held.reason, "message": text})
            uow.audit.append(session.entry(Action.IMPORT, record_type="HL7v2", record_id=head.control_id,
                                           detail={"type": head.kind, "ack": "AA", "held": held.kind}))
            uow.commit()
        reason = f"held for review: {held.reason}"
        return Outcome(raw.label, head.control_id, head.kind, "AA", reason,
                       h.ack(text, "AA", reason), review=True)
    except h.FieldError as exc:
        return _refused(session, raw, exc, head.kind, head.control_id)
    return Outcome(raw.label, head.control_id, head.kind, "AA", reason, h.ack(text, "AA", reason),
                   patient_id=patient.id, created=created, review=review)


def _refused(session: Session, raw: h.RawMessage, exc: h.FieldError, kind: str, control_id: str) -> Outcome:
    reason = f"{exc.location}: {exc.reason}"
    if not control_id:  # the header could not be read: name the message as best we can
        fields = raw.text.split("\r", 1)[0].split(raw.text[3:4] or "|")
        control_id = fields[9][:64] if len(fields) > 9 else ""
        kind = fields[8][:16] if len(fields) > 8 and fields[8] else kind
    with session.uow() as uow:
        uow.audit.append(session.entry(Action.IMPORT, outcome="failure", record_type="HL7v2",
                                       record_id=control_id or None,
                                       detail={"type": kind, "ack": exc.ack, "field": exc.location}))
        uow.commit()
    return Outcome(raw.label, control_id, kind, exc.ack, reason,
                   h.ack(raw.text, exc.ack, reason, location=exc.location, error_code=exc.code))


def _clinic_code(session: Session) -> str:
    with session.uow() as uow:
        clinic = uow.settings.get("clinic") or {}
    return clinic.get("clinic_code", "")


Progress = Callable[[str, int, int], None]  # (file, messages done, messages in the file)


def import_messages(session: Session, data: bytes | str, *, name: str = "",
                    progress: Progress | None = None, stop: Callable[[], bool] | None = None) -> list[Outcome]:
    """Every message in ``data`` (MLLP-framed or MSH/blank-line separated), one outcome each.

    ``progress(name, done, total)`` is called after each message; when ``stop()`` turns
    true the messages not yet taken are left alone (each message taken is complete, so
    stopping between two leaves nothing half-written) and the outcomes so far returned.
    Raises PermissionDenied without the import permission."""
    session.require(Permission.IMPORT)
    code = _clinic_code(session)
    messages = h.split(data)
    outcomes: list[Outcome] = []
    for raw in messages:
        if stop is not None and stop():
            break
        outcomes.append(take(session, raw, code))
        if progress is not None:
            progress(name, len(outcomes), len(messages))
    return outcomes


def import_files(session: Session, paths: list[Path | str], *, progress: Progress | None = None,
                 stop: Callable[[], bool] | None = None) -> dict[str, list[Outcome]]:
    """Each file's outcomes; ValidationError naming a file that does not exist.

    ``progress`` and ``stop`` as for :func:`import_messages` (files after a stop are not read)."""
    session.require(Permission.IMPORT)
    files = [Path(p) for p in paths]
    for p in files:
        if not p.is_file():
            raise ValidationError({str(p): "no such file"})
    out: dict[str, list[Outcome]] = {}
    for p in files:
        if stop is not None and stop():
            break
        out[str(p)] = import_messages(session, p.read_bytes(), name=p.name, progress=progress, stop=stop)
    return out


def reviews(session: Session, status: str | None = "open") -> list[dict]:
    """The review queue (messages a person has to look at)."""
    session.require(Permission.IMPORT)
    with session.uow() as uow:
        return uow.interfaces.reviews(status)


def resolve(session: Session, review_id: str, *, patient_id: str | None = None,
            new_patient: bool = False) -> Outcome | None:
    """Close a review item. With ``patient_id`` a held message is taken again for that
    patient (the person's choice); with ``new_patient`` it registers a new patient from
    the message; returns its outcome. Neither: the item is closed and the message not
    taken (rejected). ValidationError for an unknown or closed item."""
    session.require(Permission.IMPORT)
    with session.uow() as uow:
        item = next((i for i in uow.interfaces.reviews("open") if i["id"] == review_id), None)
        if item is None:
            raise ValidationError({"review": f"{review_id} is not an open review item"})
        if patient_id:
            uow.patients.get(patient_id)
    outcome = None
    if (patient_id or new_patient) and item["kind"] in ("uncertain-match", "unknown-patient"):
        outcome = take(session, h.RawMessage(1, 0, item["message"]), _clinic_code(session),
                       patient_id=None if new_patient else patient_id, new_patient=new_patient)
        if outcome.ack_code != "AA":
            return outcome  # still open: the message itself is wrong
        patient_id = outcome.patient_id
    with session.uow() as uow:
        uow.interfaces.resolve_review(review_id)
        uow.audit.append(session.entry(Action.UPDATE, patient_id=patient_id or item["patient_id"],
                                       record_type="HL7v2-review", record_id=review_id,
                                       detail={"kind": item["kind"], "control_id": item["control_id"],
                                               "decision": "new patient" if new_patient else
                                               "same patient" if patient_id else "closed"}))
        uow.commit()
    return outcome


__all__ = ["Outcome", "resolve", "import_messages", "import_files", "reviews", "match", "take"]
