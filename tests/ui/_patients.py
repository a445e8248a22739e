"""Registering test patients through the real service (shared by the client's tests)."""
from __future__ import annotations

from datetime import date

from app import patients
from app.model import ContactPoint, HumanName, Patient


def register(session, given: str, family: str, born: date, *, sex: str = "female",
             phone: str | None = None) -> Patient:
    """A registered patient (duplicates allowed: tests pick their own names)."""
    telecom = [ContactPoint("phone", phone)] if phone else []
    return patients.register(session, Patient(mrn="", name=HumanName(family, [given]), birth_date=born,
                                              sex=sex, telecom=telecom), confirm_duplicate=True)
