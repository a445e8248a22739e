"""The latest-value summary behind the dashboard's measures (db/observation_latest.py): a store
backfilled by migration 0007 and one kept up to date on every write agree with each other and
with a recount from the observation records; editing and retracting an observation move it."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import text

from app import codec, dashboard, demo, observations, problems, records
from app.model import Coding, Observation, ObservationComponent
from app.permissions import Permission
from db import migrate
from db.observation_latest import rebuild, utc_text
from db.repositories import ObservationRepository, RecordRepository
from tests.conftest import ADMIN_PASSWORD
from tests.integration._clinical import register
from ui import wiring

TODAY = date(2026, 3, 2)
START, END = date(2025, 3, 1), date(2026, 3, 1)


def _summary(store) -> set[tuple]:
    with store.uow(readonly=True) as uow:
        return set(map(tuple, uow.conn.execute(text(
            "SELECT patient_id, code, effective, value, record_id FROM latest_observations")).all()))


def _recount(store) -> set[tuple]:
    """The latest live observation per patient and test, from the decoded records."""
    with store.uow(readonly=True) as uow:
        found = [codec.loads(Observation, raw) for raw in
                 uow.conn.execute(text("SELECT data FROM observations")).scalars()]
    best: dict[tuple[str, str], tuple] = {}
    for o in found:
        if o.status == "entered-in-error":
            continue
        for code, value, _ in o.values():  # a panel's components count as their own tests
            held = best.get((o.patient_id, code))
            if held is None or (utc_text(o.effective), o.id) > (held[2], held[4]):
                best[(o.patient_id, code)] = (o.patient_id, code, utc_text(o.effective),
                                              None if value is None else str(value), o.id)
    return set(best.values())


def _measures(opened) -> dict[str, tuple[int, int]]:
    board = dashboard.dashboard(opened.session, start=START, end=END)
    return {k: (m.numerator, m.denominator) for k, m in board.measures.items()}


@pytest.fixture
def doctor_store(tmp_path):
    """A clinic store signed in by a physician (the dashboard's measures need chart access)."""
    def make(folder):
        opened, _ = wiring.create_clinic(folder, clinic_name="Latest", admin_username="admin",
                                         admin_password=ADMIN_PASSWORD)
        demo.populate(opened.session, patients=60, seed=11, today=TODAY)
        from app import accounts
        accounts.add_user(opened.session, opened.store, username="doc", role="physician",
                          display_name="Doc", password="a long enough password 1")
        opened.store.close()
        return folder
    return make


def test_a_backfilled_store_and_a_live_one_give_the_same_latest_values_and_measures(
        doctor_store, tmp_path, monkeypatch):
    with monkeypatch.context() as m:  # the previous build: schema 0006, no summary to keep
        real_upgrade = migrate.command.upgrade
        m.setattr(migrate.command, "upgrade", lambda cfg, revision: real_upgrade(cfg, "0006"))
        m.setattr(migrate, "pending", lambda engine: migrate.current(engine) != "0006")
        m.setattr(ObservationRepository, "_indexed", RecordRepository._indexed)
        m.setattr(ObservationRepository, "_indexed_many", lambda self, records: None)
        old = doctor_store(tmp_path / "old")
    live = doctor_store(tmp_path / "live")

    backfilled = wiring.sign_in(old, "doc", "a long enough password 1")  # migrates 0006 -> head
    kept = wiring.sign_in(live, "doc", "a long enough password 1")
    try:
        assert backfilled.store.last_backup is not None and "from-0006" in backfilled.store.last_backup.name
        summary = _summary(backfilled.store)
        assert summary == _recount(backfilled.store) == _summary(kept.store) == _recount(kept.store)
        assert len({code for _, code, *_ in summary}) > 3  # vitals and labs of many kinds
        measures = _measures(backfilled)
        assert measures == _measures(kept)
        assert measures["diabetes-a1c-poor"][1] > 0 and measures["hypertension-controlled"][1] > 0
    finally:
        backfilled.close()
        kept.close()


def _a1c(session, patient_id: str, value: str, days_ago: int) -> Observation:
    when = datetime.combine(END - timedelta(days=days_ago), datetime.min.time(), timezone.utc)
    return observations.record_result(session, patient_id=patient_id, code="4548-4", value=value,
                                      effective=when.replace(hour=9))


def test_editing_and_retracting_an_observation_moves_the_latest_value(clinic, sessions):
    doc = sessions["physician"]
    patient = register(doc, "Quispe", "Rosa", date(1970, 4, 2))
    problems.add(doc, patient_id=patient.id, code="E11.9")
    older = _a1c(doc, patient.id, "9.6", days_ago=60)
    newer = _a1c(doc, patient.id, "10.4", days_ago=10)
    since = datetime.combine(END - timedelta(days=366), datetime.min.time()).astimezone()

    def latest() -> Decimal | None:
        with clinic.store.uow(readonly=True) as uow:
            return uow.reports.latest_values(dashboard.DIABETES, dashboard.HBA1C, since)[patient.id]

    def poor() -> int:
        board = dashboard.dashboard(doc, start=START, end=END)
        return board.measures["diabetes-a1c-poor"].numerator

    assert (latest(), poor()) == (Decimal("10.4"), 1)
    records.change(doc, Observation, newer.id, Permission.RESULT_WRITE,
                   lambda o: setattr(o, "value", Decimal("7.1")))
    assert (latest(), poor()) == (Decimal("7.1"), 0)
    # the newer one charted on the wrong day: moved before the older one, which is now the latest
    records.change(doc, Observation, newer.id, Permission.RESULT_WRITE,
                   lambda o: setattr(o, "effective", o.effective - timedelta(days=80)))
    assert (latest(), poor()) == (Decimal("9.6"), 1)
    records.retract(doc, Observation, older.id, Permission.RESULT_WRITE, reason="wrong patient")
    assert (latest(), poor()) == (Decimal("7.1"), 0)
    records.retract(doc, Observation, newer.id, Permission.RESULT_WRITE, reason="wrong patient")
    assert (latest(), poor()) == (None, 1)  # no HbA1c left in the year: counted as poorly controlled
    assert _summary(clinic.store) == _recount(clinic.store)
    with clinic.store.uow() as uow:  # and recomputing from the records changes nothing
        rebuild(uow.conn)
        uow.commit()
    assert _summary(clinic.store) == _recount(clinic.store)


def test_the_latest_value_compares_times_across_utc_offsets(clinic, sessions):
    """09:00 at UTC-05:00 is after 10:00 UTC, although its text sorts first."""
    doc = sessions["physician"]
    patient = register(doc, "Okafor", "Chidi", date(1965, 1, 9))
    problems.add(doc, patient_id=patient.id, code="E11.9")
    day = datetime(2026, 2, 20, tzinfo=timezone.utc)
    observations.record_result(doc, patient_id=patient.id, code="4548-4", value="10.2",
                               effective=day.replace(hour=10))
    observations.record_result(doc, patient_id=patient.id, code="4548-4", value="6.8",
                               effective=day.replace(hour=9, tzinfo=timezone(timedelta(hours=-5))))
    since = datetime(2025, 3, 1, tzinfo=timezone.utc)
    with clinic.store.uow(readonly=True) as uow:
        assert uow.reports.latest_values(dashboard.DIABETES, dashboard.HBA1C, since) == {
            patient.id: Decimal("6.8")}
    with clinic.store.uow() as uow:  # a later result without a number (a lab's "see note")
        uow.records(Observation).add(Observation(
            patient_id=patient.id, code=Coding("http://loinc.org", "4548-4"), category="laboratory",
            effective=day.replace(hour=18), value_text="haemolysed sample, see note"))
        uow.commit()
    with clinic.store.uow(readonly=True) as uow:
        assert uow.reports.latest_values(dashboard.DIABETES, dashboard.HBA1C, since) == {patient.id: None}
    assert _summary(clinic.store) == _recount(clinic.store)


def test_a_blood_pressure_panel_counts_for_systolic_and_diastolic(clinic, sessions):
    """An imported or pulled blood pressure is one Observation (85354-9) with two components."""
    doc = sessions["physician"]
    patient = register(doc, "Lindqvist", "Maja", date(1958, 6, 1))
    problems.add(doc, patient_id=patient.id, code="I10")
    loinc = "http://loinc.org"
    panel = Observation(patient_id=patient.id, code=Coding(loinc, "85354-9"),
                        effective=datetime(2026, 1, 12, 9, tzinfo=timezone.utc), components=[
                            ObservationComponent(Coding(loinc, "8480-6"), Decimal("128")),
                            ObservationComponent(Coding(loinc, "8462-4"), Decimal("82"))])
    with clinic.store.uow() as uow:  # the write path of FHIR import and sync pull
        uow.records(Observation).add(panel)
        uow.commit()

    def controlled() -> tuple[int, int]:
        m = dashboard.dashboard(doc, start=START, end=END).measures["hypertension-controlled"]
        return m.numerator, m.denominator

    assert controlled() == (1, 1)
    high = observations.record_vital(doc, patient_id=patient.id, code="8480-6", value="152",
                                     effective=datetime(2026, 2, 2, 9, tzinfo=timezone.utc))
    assert controlled() == (0, 1)  # the later systolic alone is the latest systolic
    records.retract(doc, Observation, high.id, Permission.VITALS_WRITE, reason="wrong patient")
    assert controlled() == (1, 1)  # back to the panel's
    records.retract(doc, Observation, panel.id, Permission.VITALS_WRITE, reason="wrong patient")
    assert controlled() == (0, 1)
    assert _summary(clinic.store) == _recount(clinic.store) == set()
