"""Every service module's representative operation, run as every role: allowed exactly when
``app.permissions.ROLE_PERMISSIONS`` says so, and every refusal audited."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Any, Callable

from app import (allergies, billing, consents, documents, immunizations, medications, notes, observations,
                 orders, problems, scheduling)
from app import billing_visits, directory, sync_settings
from app.errors import PermissionDenied
from app.orders import ResultValue
from app.permissions import ROLE_PERMISSIONS, Permission, allowed
from tests.integration._clinical import audit_actions, register, visit

PNG = b"\x89PNG\r\n\x1a\n" + bytes(16)


class MemorySecrets:
    """A secret store in memory (the sync settings' secret goes to one)."""
    where = "memory"

    def __init__(self):
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def put(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


class World:
    """One patient with a visit, and a physician who prepares whatever an operation acts on."""

    def __init__(self, sessions):
        self.doc = sessions["physician"]
        self.patient = register(self.doc)
        self.encounter = visit(self.doc, self.patient)
        self._slots = itertools.count()

    @property
    def pid(self) -> str:
        return self.patient.id

    def slot(self) -> datetime:
        day = self.doc.clock().date() + timedelta(days=30)
        return datetime.combine(day, time(8), tzinfo=timezone.utc) + timedelta(minutes=30 * next(self._slots))

    def draft_rx(self, session=None):
        return medications.prescribe(session or self.doc, patient_id=self.pid, rxnorm="314076", dose="1",
                                     dose_unit="tablet", route="oral", frequency="daily", quantity="30")

    def signable_note(self):
        note = notes.start(self.doc, encounter_id=self.encounter.id)
        return notes.save_draft(self.doc, note.id, version=note.version, assessment="Well")


@dataclass(frozen=True)
class Operation:
    name: str
    permission: Permission
    run: Callable[[Any, World, Any], Any]  # (session, world, prepared) -> result
    prepare: Callable[[World], Any] = lambda w: None


OPERATIONS = [
    Operation("add a problem", Permission.CLINICAL_WRITE,
              lambda s, w, _: problems.add(s, patient_id=w.pid, code="I10", confirm=True)),
    Operation("list problems", Permission.CHART_READ, lambda s, w, _: problems.active(s, w.pid)),
    Operation("record an allergy", Permission.CLINICAL_WRITE,
              lambda s, w, _: allergies.record(s, patient_id=w.pid, substance_text="latex", confirm=True)),
    Operation("record a home medication", Permission.CLINICAL_WRITE,
              lambda s, w, _: medications.record_statement(s, patient_id=w.pid, rxnorm="197361")),
    Operation("draft a prescription", Permission.PRESCRIBE, lambda s, w, _: w.draft_rx(s)),
    Operation("sign a prescription", Permission.PRESCRIPTION_SIGN,
              lambda s, w, rx: medications.sign(s, rx.id), lambda w: w.draft_rx()),
    Operation("record vitals", Permission.VITALS_WRITE,
              lambda s, w, _: observations.record_vital(s, patient_id=w.pid, code="8867-4", value="72")),
    Operation("record an immunization", Permission.IMMUNIZATION_WRITE,
              lambda s, w, _: immunizations.record(s, patient_id=w.pid, cvx="141")),
    Operation("place a lab order", Permission.ORDER_WRITE,
              lambda s, w, _: orders.place_lab_order(s, patient_id=w.pid, code="4548-4")),
    Operation("file lab results", Permission.RESULT_WRITE,
              lambda s, w, order: orders.file_results(s, order.id, results=[ResultValue("4548-4", "5.4")]),
              lambda w: orders.place_lab_order(w.doc, patient_id=w.pid, code="4548-4")),
    Operation("start a note", Permission.NOTE_WRITE,
              lambda s, w, _: notes.start(s, encounter_id=w.encounter.id)),
    Operation("sign a note", Permission.NOTE_SIGN, lambda s, w, note: notes.sign(s, note.id),
              lambda w: w.signable_note()),
    Operation("read notes", Permission.NOTE_READ, lambda s, w, _: notes.for_patient(s, w.pid)),
    Operation("attach a document", Permission.DOCUMENT_WRITE,
              lambda s, w, _: documents.attach(s, patient_id=w.pid, content=PNG, title="scan",
                                               content_type="image/png")),
    Operation("read a document", Permission.CHART_READ, lambda s, w, d: documents.read(s, d.id),
              lambda w: documents.attach(w.doc, patient_id=w.pid, content=PNG, title="scan",
                                         content_type="image/png")),
    Operation("book an appointment", Permission.SCHEDULE_WRITE,
              lambda s, w, start: scheduling.book(s, patient_id=w.pid, start=start, minutes=20,
                                                  practitioner_id=w.doc.user.practitioner_id),
              lambda w: w.slot()),
    Operation("view the day list", Permission.SCHEDULE_READ,
              lambda s, w, _: scheduling.day_list(s, w.doc.clock().date())),
    Operation("post a charge", Permission.BILLING_WRITE,
              lambda s, w, _: billing.post_charge(s, encounter_id=w.encounter.id, code="99213",
                                                  description="visit", unit_price="80", diagnosis_codes=["I10"])),
    Operation("see charges", Permission.BILLING_READ, lambda s, w, _: billing.charges(s, w.pid)),
    Operation("see the balance", Permission.BILLING_READ, lambda s, w, _: billing.balance(s, w.pid)),
    Operation("see visits to bill", Permission.BILLING_READ, lambda s, w, _: billing_visits.visits(s, w.pid)),
    Operation("list practitioners", Permission.SCHEDULE_READ, lambda s, w, _: directory.practitioners(s)),
    Operation("add a location", Permission.CONFIG_ADMIN,
              lambda s, w, n: directory.add_location(s, name=f"Site {n}"), lambda w: next(w._slots)),
    Operation("see what waits to sync", Permission.SYNC, lambda s, w, _: sync_settings.counts(s)),
    Operation("see the last sync rounds", Permission.SYNC, lambda s, w, _: sync_settings.recent_rounds(s)),
    Operation("save the sync server settings", Permission.CONFIG_ADMIN,
              lambda s, w, place: sync_settings.save(s, place, server_url="https://fhir.example.org/r4",
                                                     auth=sync_settings.TOKEN, secret="token"),
              lambda w: MemorySecrets()),
    Operation("record a consent", Permission.PATIENT_WRITE,
              lambda s, w, _: consents.record(s, patient_id=w.pid, category="treatment")),
]


def outcome(clinic, sessions, world: World, op: Operation, role: str) -> str:
    """Run ``op`` as ``role``: "allowed", or "denied" after checking the denial was audited."""
    session = sessions[role]
    prepared = op.prepare(world)
    denials = len(audit_actions(clinic, session.username, "permission-denied"))
    try:
        op.run(session, world, prepared)
    except PermissionDenied:
        audited = audit_actions(clinic, session.username, "permission-denied")
        assert len(audited) == denials + 1, f"{role} refused '{op.name}' without one audit entry"
        assert audited[-1].detail == {"permission": op.permission.value}
        return "denied"
    assert len(audit_actions(clinic, session.username, "permission-denied")) == denials
    return "allowed"


def test_each_role_may_do_exactly_what_the_permission_matrix_grants(clinic, sessions):
    # one store for the whole table: signing in five users costs over a second per store
    world = World(sessions)
    wrong = {}
    for op in OPERATIONS:
        for role in ROLE_PERMISSIONS:
            expected = "allowed" if allowed(role, op.permission) else "denied"
            actual = outcome(clinic, sessions, world, op, role)
            if actual != expected:
                wrong[f"{role}: {op.name}"] = f"{actual}, but the matrix says {expected}"
    assert wrong == {}


def test_every_role_is_allowed_something_and_refused_something():
    """Guards the table above: it exercises a mix of grants for every role."""
    for role in ROLE_PERMISSIONS:
        results = {allowed(role, op.permission) for op in OPERATIONS}
        assert results == {True, False}, role


def test_the_clinic_policy_holds_in_practice(clinic, sessions):
    by_name = {op.name: op for op in OPERATIONS}
    world = World(sessions)

    def can(role: str, name: str) -> bool:
        return outcome(clinic, sessions, world, by_name[name], role) == "allowed"

    assert not can("front_desk", "read notes")
    assert can("billing", "see charges") and not can("billing", "read notes")
    assert can("nurse", "record vitals") and can("nurse", "record an immunization")
    assert not can("nurse", "sign a prescription")
    signers = {role for role in ROLE_PERMISSIONS if can(role, "sign a note") and can(role, "sign a prescription")}
    assert signers == {"physician"}
