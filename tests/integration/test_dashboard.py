"""The dashboard on a demo clinic agrees with counts made directly from the records (SQL plus
decoding each record, not the report port), and drills down to the right patients."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import text

from app import codec, dashboard, demo
from app.audit import Action
from app.errors import PermissionDenied, ValidationError
from app.model import Appointment, Charge, Condition, Encounter, Immunization, Observation, Patient, Payment

TODAY = date(2026, 3, 2)
START, END = date(2025, 3, 1), date(2026, 3, 1)
AS_OF = END - timedelta(days=1)
TABLES = {Patient: "patients", Encounter: "encounters", Appointment: "appointments", Charge: "charges",
          Payment: "payments", Condition: "conditions", Observation: "observations",
          Immunization: "immunizations"}


@pytest.fixture(scope="module")
def demo_clinic(tmp_path_factory):
    from tests.conftest import ADMIN_PASSWORD  # the shared fixtures' administrator password
    from ui import wiring
    opened, _ = wiring.create_clinic(tmp_path_factory.mktemp("dash") / "clinic", clinic_name="Dash",
                                     admin_username="admin", admin_password=ADMIN_PASSWORD)
    demo.populate(opened.session, patients=120, seed=3, today=TODAY)
    yield opened
    opened.store.close()


@pytest.fixture(scope="module")
def physician(demo_clinic):
    from app import accounts
    accounts.add_user(demo_clinic.session, demo_clinic.store, username="doc", role="physician",
                      display_name="Doc", password="a long enough password 1")
    return accounts.start_session(demo_clinic.store.uow, username="doc",
                                  password="a long enough password 1", workstation="t")


@pytest.fixture(scope="module")
def board(physician):
    return dashboard.dashboard(physician, start=START, end=END)


def _all(opened, cls, where: str = "1") -> list:
    with opened.store.uow(readonly=True) as uow:
        rows = uow.conn.execute(text(f"SELECT data FROM {TABLES[cls]} WHERE {where}")).scalars().all()
    return [codec.loads(cls, raw) for raw in rows]


def _local_day(moment: datetime) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone().date()


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _latest(observations: list[Observation], patient_id: str, code: str, since: datetime):
    found = [o for o in observations if o.patient_id == patient_id and o.code.code == code
             and o.effective >= since and o.status != "entered-in-error"]
    return max(found, key=lambda o: o.effective).value if found else None


def test_visits_by_day_week_provider_and_location_match_the_encounters(demo_clinic, board):
    visits = [e for e in _all(demo_clinic, Encounter) if e.status not in ("entered-in-error", "cancelled")
              and START <= _local_day(e.start) < END]
    assert board.visits == len(visits) > 50
    assert board.visits_by_day == dict(sorted(Counter(_local_day(e.start) for e in visits).items()))
    assert board.visits_by_provider == dict(Counter(e.practitioner_id for e in visits))
    assert board.visits_by_location == dict(Counter(e.location_id for e in visits))
    assert sum(board.visits_by_week.values()) == board.visits
    assert all(monday.weekday() == 0 for monday in board.visits_by_week)
    assert board.new_patients == sum(e.visit_type == "new-patient" for e in visits)


def test_the_no_show_rate_matches_the_appointments(demo_clinic, board):
    start = datetime.combine(START, time()).astimezone()
    end = datetime.combine(END, time()).astimezone()
    booked = [a for a in _all(demo_clinic, Appointment) if start <= a.start < end]
    statuses = Counter(a.status for a in booked)
    assert board.appointments == dict(statuses)
    due = sum(statuses[s] for s in ("fulfilled", "arrived", "checked-in", "noshow"))
    assert due and board.no_show_rate == (Decimal(statuses["noshow"]) * 100 / due).quantize(Decimal("0.1"))


def test_one_providers_or_sites_visits_and_no_shows_match_theirs_alone(demo_clinic, physician, board):
    visits = [e for e in _all(demo_clinic, Encounter) if e.status not in ("entered-in-error", "cancelled")
              and START <= _local_day(e.start) < END]
    who = Counter(e.practitioner_id for e in visits).most_common(1)[0][0]
    where = Counter(e.location_id for e in visits).most_common(1)[0][0]
    start = datetime.combine(START, time()).astimezone()
    end = datetime.combine(END, time()).astimezone()
    booked = [a for a in _all(demo_clinic, Appointment) if start <= a.start < end]
    cases = (({"practitioner_id": who}, lambda r: r.practitioner_id == who),
             ({"location_id": where}, lambda r: r.location_id == where),
             ({"practitioner_id": who, "location_id": where},
              lambda r: r.practitioner_id == who and r.location_id == where))
    for only, theirs in cases:
        narrowed = dashboard.dashboard(physician, start=START, end=END, **only)
        mine = [e for e in visits if theirs(e)]
        assert narrowed.filtered and 0 < narrowed.visits == len(mine) < board.visits, only
        assert narrowed.visits_by_day == dict(sorted(Counter(_local_day(e.start) for e in mine).items()))
        assert narrowed.new_patients == sum(e.visit_type == "new-patient" for e in mine)
        assert narrowed.appointments == dict(Counter(a.status for a in booked if theirs(a))) != {}, only
        assert sum(narrowed.appointments.values()) < sum(board.appointments.values())
        # the population measures stay the whole clinic's
        assert narrowed.measures == board.measures
    assert not board.filtered
    with demo_clinic.store.uow() as uow:
        details = [e.detail for e in uow.audit.query(username="doc", action=Action.QUERY.value)
                   if e.record_type == "Measure" and e.detail.get("report") == "dashboard"]
    assert {"provider": who, "location": where} in [
        {k: d[k] for k in ("provider", "location") if k in d} for d in details]


def test_revenue_and_the_outstanding_balance_match_the_charges_and_payments(demo_clinic, physician):
    from app import accounts
    accounts.add_user(demo_clinic.session, demo_clinic.store, username="biller", role="billing",
                      display_name="Biller", password="a long enough password 2")
    biller = accounts.start_session(demo_clinic.store.uow, username="biller",
                                    password="a long enough password 2", workstation="t")
    money = dashboard.dashboard(biller, start=START, end=END).money
    charges = [c for c in _all(demo_clinic, Charge) if c.status in ("billable", "billed")]
    payments = [p for p in _all(demo_clinic, Payment) if p.status == "active"]
    charged = sum((c.amount for c in charges if START <= (c.service_date or START) < END), Decimal("0"))
    assert money.charged == charged > 0
    assert money.outstanding == sum((c.amount for c in charges), Decimal("0")) - sum(
        (p.amount for p in payments), Decimal("0"))
    in_period = [p for p in payments if START <= _local_day(p.received_at) < END]
    assert money.paid == sum((p.amount for p in in_period if p.method != "adjustment"), Decimal("0")) > 0
    assert money.adjusted == sum((p.amount for p in in_period if p.method == "adjustment"), Decimal("0"))
    assert money.unapplied == sum((p.amount for p in payments if p.invoice_id is None), Decimal("0"))
    assert dashboard.dashboard(biller, start=START, end=END).measures == {}  # no chart access


def test_the_diabetes_measure_matches_a_count_from_the_chart(demo_clinic, board, physician):
    births = {p.id: p.birth_date for p in _all(demo_clinic, Patient, "status = 'active'")}
    diabetic = {c.patient_id for c in _all(demo_clinic, Condition, "code >= 'E10' AND code < 'E14'")
                if c.status != "entered-in-error" and c.clinical_status in ("active", "recurrence", "relapse")
                and 18 <= _age(births[c.patient_id], AS_OF) <= 75}
    labs = _all(demo_clinic, Observation, "code = '4548-4'")
    since = datetime.combine(AS_OF - timedelta(days=365), time()).astimezone()
    poor = {p for p in diabetic if (v := _latest(labs, p, "4548-4", since)) is None or v > 9}
    m = board.measures["diabetes-a1c-poor"]
    assert (m.denominator, m.numerator) == (len(diabetic), len(poor)) and m.denominator > 0
    listed = dashboard.patients_for(physician, "diabetes-a1c-poor", as_of=AS_OF)
    assert {p.id for p in listed} == poor
    others = dashboard.patients_for(physician, "diabetes-a1c-poor", as_of=AS_OF, numerator=False)
    assert {p.id for p in others} == diabetic - poor


def test_the_hypertension_measure_matches_a_count_from_the_chart(demo_clinic, board):
    births = {p.id: p.birth_date for p in _all(demo_clinic, Patient, "status = 'active'")}
    hypertensive = {c.patient_id for c in _all(demo_clinic, Condition, "code >= 'I10' AND code < 'I17'")
                    if c.status != "entered-in-error"
                    and c.clinical_status in ("active", "recurrence", "relapse")
                    and 18 <= _age(births[c.patient_id], AS_OF) <= 85}
    bp = _all(demo_clinic, Observation, "code IN ('8480-6', '8462-4')")
    since = datetime.combine(AS_OF - timedelta(days=365), time()).astimezone()
    controlled = set()
    for p in hypertensive:
        sys_, dia = _latest(bp, p, "8480-6", since), _latest(bp, p, "8462-4", since)
        if sys_ is not None and dia is not None and sys_ < 140 and dia < 90:
            controlled.add(p)
    m = board.measures["hypertension-controlled"]
    assert (m.denominator, m.numerator) == (len(hypertensive), len(controlled)) and m.denominator > 0


def test_the_adult_immunization_and_screening_measures_match_the_chart(demo_clinic, board):
    births = {p.id: p.birth_date for p in _all(demo_clinic, Patient, "status = 'active'")}
    shots = [i for i in _all(demo_clinic, Immunization) if i.status == "completed"]

    def had(p, codes, since):
        return any(i.patient_id == p and i.vaccine.code in codes and i.occurrence >= since for i in shots)
    adults = {p for p, born in births.items() if _age(born, AS_OF) >= 19}
    ok = {p for p in adults if had(p, dashboard.FLU, AS_OF - timedelta(days=365))
          and had(p, dashboard.TD, AS_OF - timedelta(days=3652))
          and (_age(births[p], AS_OF) < 50 or had(p, dashboard.ZOSTER, date(1900, 1, 1)))
          and (_age(births[p], AS_OF) < 65 or had(p, dashboard.PNEUMOCOCCAL, date(1900, 1, 1)))}
    m = board.measures["adult-immunization"]
    assert (m.denominator, m.numerator) == (len(adults), len(ok))
    codes, low, high, days = dashboard.SCREENINGS["screening-lipids"]
    since = datetime.combine(AS_OF - timedelta(days=days), time()).astimezone()
    eligible = {p for p, born in births.items() if low <= _age(born, AS_OF) <= high}
    done = {o.patient_id for o in _all(demo_clinic, Observation)
            if o.code.code in codes and o.effective >= since and o.status != "entered-in-error"}
    m = board.measures["screening-lipids"]
    assert (m.denominator, m.numerator) == (len(eligible), len(eligible - done)) and m.denominator > 0


def test_the_dashboard_and_its_drill_down_are_audited_and_guarded(demo_clinic, physician):
    with demo_clinic.store.uow() as uow:
        queries = [e for e in uow.audit.query(username="doc", action=Action.QUERY.value)
                   if e.record_type == "Measure"]
    assert {e.detail["report"] for e in queries} >= {"dashboard", "measure patients"}
    with pytest.raises(ValidationError, match="unknown"):
        dashboard.patients_for(physician, "no-such-measure", as_of=AS_OF)
    with pytest.raises(ValidationError, match="after the start"):
        dashboard.dashboard(physician, start=END, end=START)
    from app import accounts
    accounts.add_user(demo_clinic.session, demo_clinic.store, username="desk", role="front_desk",
                      display_name="Desk", password="a long enough password 3")
    desk = accounts.start_session(demo_clinic.store.uow, username="desk",
                                  password="a long enough password 3", workstation="t")
    with pytest.raises(PermissionDenied):
        dashboard.patients_for(desk, "diabetes-a1c-poor", as_of=AS_OF)
