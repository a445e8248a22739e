"""The latest-value summary behind the dashboard's measures (db/observation_latest.py): a store
backfilled by migration 0007 and one kept up to date on every write agree with each other and
with a recount from the observation records; editing and retracting an observation move it."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import text

from app import codec, dashboard, demo, observations, problems, records
from app.model import Observation
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
    best: dict[tuple[str, str], Observation] = {}
    for o in found:
        if o.status == "entered-in-error":
            continue
        held = best.get((o.patient_id, o.code.code))
        if held is None or (utc_text(o.effective), o.id) > (utc_text(held.effective), held.id):
            best[(o.patient_id, o.code.code)] = o
    return {(p, c, utc_text(o.effective), None if o.value is None else str(o.value), o.id)
            for (p, c), o in best.items()}


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
    assert _summary(clinic.store) == _recount(clinic.store)
