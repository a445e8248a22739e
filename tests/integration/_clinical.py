"""Helpers shared by the clinical service tests: a registered patient, a visit, store counts."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from app import encounters, patients
from app.model import Encounter, HumanName, Patient, Practitioner, Record, User
from app.session import Session

ROLES = ("admin", "physician", "nurse", "front_desk", "billing")


def staff(clinic) -> dict[str, Session]:
    """A session per role on the clinic's store, without the password hashing of real
    sign-in (argon2 makes the ``sessions`` fixture take over a second). The physician has a
    Practitioner record, as in the ``sessions`` fixture."""
    out = {"admin": clinic.session}
    with clinic.store.uow() as uow:
        for role in ROLES[1:]:
            practitioner_id = None
            if role == "physician":
                doc = Practitioner(name=HumanName("Quick", ["Doctor"]), npi="1245319599", qualification="MD")
                uow.records(Practitioner).add(doc)
                practitioner_id = doc.id
            user = User(username=f"{role}.quick", role=role, display_name=role,
                        practitioner_id=practitioner_id)
            uow.users.add(user)
            out[role] = Session(user=user, uow_factory=clinic.store.uow, workstation="test-ws")
        uow.commit()
    return out


def register(session: Session, family: str = "Rivera", given: str = "Ana",
             birth: date = date(1980, 5, 17)) -> Patient:
    return patients.register(session, Patient(mrn="", name=HumanName(family, [given]), birth_date=birth,
                                              sex="female"), confirm_duplicate=True)


def visit(session: Session, patient: Patient, visit_type: str = "office-visit") -> Encounter:
    return encounters.start(session, patient_id=patient.id, visit_type=visit_type)


def outbox_rows(clinic, resource_type: str | None = None) -> int:
    sql, params = "SELECT count(*) FROM outbox", {}
    if resource_type:
        sql, params = sql + " WHERE resource_type = :t", {"t": resource_type}
    with clinic.store.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def table_rows(clinic, table: str) -> int:
    with clinic.store.engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def stored(clinic, cls: type[Record], record_id: str):
    """The record as the store holds it (entered-in-error ones included)."""
    with clinic.store.uow() as uow:
        return uow.records(cls).find(record_id)


def audit_actions(clinic, username: str, action: str) -> list:
    with clinic.store.uow() as uow:
        return uow.audit.query(username=username, action=action)


# -- fixtures for the quick service tests (import them into a test module) -----------
@pytest.fixture
def sessions(clinic):
    """Sessions per role without real sign-in (see :func:`staff`)."""
    return staff(clinic)


@pytest.fixture
def doc(sessions):
    return sessions["physician"]


@pytest.fixture
def patient(doc):
    return register(doc)
