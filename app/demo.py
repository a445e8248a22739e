"""The synthetic demo clinic: its staff, a second site, and patients with years of history.

``outpost demo`` calls :func:`populate` after creating the demo users; the benchmarks
use it to build large stores and :func:`add_heavy_patient` for one very long chart.
Generation is deterministic: the same seed (and the same day) gives the same people
and the same clinical content, and the same record ids. Records go in through the
store's bulk path, in batches, committed per chunk of patients so memory stays flat;
one audit entry summarises the whole generation.
"""
from __future__ import annotations

import random
import time
from collections import Counter
from datetime import date, timedelta

from app.audit import Action
from app.demo_codes import CHRONIC, PANELS
from app.demo_history import History, Staff
from app.demo_names import STATE
from app.demo_orders import lab_order
from app.demo_people import Ids, make_patient
from app.demo_users import DEMO_USERS
from app.demo_visits import Visit
from app.errors import Conflict, ValidationError
from app.model import (Address, DiagnosticReport, Encounter, HumanName, Identifier, Location, Observation,
                       Practitioner, Record)
from app.permissions import Permission
from app.session import Session
from app.uow import UnitOfWork

BATCH = 5_000  # records per bulk insert
_SPECIALTY = {"MD": "Family medicine", "DO": "Internal medicine", "RN": "Nursing"}


class _Writer:
    """Collects records by type and inserts them in batches through the store's bulk path."""

    def __init__(self, uow: UnitOfWork, counts: Counter):
        self.uow, self.counts, self.pending, self.size = uow, counts, {}, 0

    def add(self, records: list[Record]) -> None:
        for record in records:
            self.pending.setdefault(type(record), []).append(record)
        self.size += len(records)
        if self.size >= BATCH:
            self.flush()

    def flush(self) -> None:
        for cls, rows in self.pending.items():
            self.uow.records(cls).add_many(rows)
            self.counts[cls.RESOURCE_TYPE] += len(rows)
        self.pending, self.size = {}, 0


def _npi(rng: random.Random) -> str:
    """A random NPI with a valid check digit (Luhn over the 80840 prefix)."""
    body = [1] + [rng.randint(0, 9) for _ in range(8)]
    total = 24  # the prefix 80840 contributes 24
    for i, digit in enumerate(reversed(body)):
        d = digit * 2 if i % 2 == 0 else digit
        total += d - 9 if d > 9 else d
    return "".join(map(str, body)) + str((10 - total % 10) % 10)


def _staff(uow: UnitOfWork, ids: Ids, rng: random.Random, counts: Counter) -> tuple[Staff, str | None]:
    """Practitioners for the demo users who have a qualification (linked to their accounts) and
    the satellite site; both are made once per store and reused by later calls."""
    clinic = uow.settings.get("clinic") or {}
    known = uow.settings.get("demo_staff") or {}
    practitioners = dict(known.get("practitioners", {}))
    for username, role, display, qualification in DEMO_USERS:
        if qualification is None or username in practitioners:
            continue
        parts = display.replace("Dr. ", "").split(",")[0].split()
        doc = Practitioner(id=ids(), name=HumanName(family=parts[-1], given=parts[:-1],
                                                     prefix="Dr." if role == "physician" else None,
                                                     suffix=qualification),
                           npi=_npi(rng), qualification=qualification, specialty=_SPECIALTY[qualification],
                           identifiers=[Identifier("urn:outpost:staff", username)])
        uow.records(Practitioner).add(doc)
        counts["Practitioner"] += 1
        practitioners[username] = doc.id
        user = uow.users.get(username)
        if user is not None and not user.practitioner_id:
            user.practitioner_id = doc.id
            uow.users.update(user)
    satellite = known.get("satellite")
    if satellite is None:
        site = Location(id=ids(), name="Hill Road satellite", organization_id=clinic.get("organization_id"),
                        address=Address(lines=["412 Hill Road"], city="Hill Road", state=STATE,
                                        postal_code="97310", country="US", use="work"))
        uow.records(Location).add(site)
        counts["Location"] += 1
        satellite = site.id
    uow.settings.set("demo_staff", {"practitioners": practitioners, "satellite": satellite,
                                    "seeds": known.get("seeds", [])})
    physicians = tuple(practitioners[u] for u, role, _, q in DEMO_USERS if role == "physician" and q)
    nurse = next((practitioners[u] for u, role, _, q in DEMO_USERS if role == "nurse" and q), None)
    locations = tuple(x for x in (clinic.get("default_location_id"), satellite) if x)
    return Staff(physicians, nurse, locations), clinic.get("organization_id")


def _claim_seed(uow: UnitOfWork, seed: int, kind: str = "patients") -> None:
    """Refuse a seed already used in this store: the same seed makes the same record ids."""
    staff = uow.settings.get("demo_staff") or {}
    key = seed if kind == "patients" else f"{kind}:{seed}"
    if key in staff.get("seeds", []):
        raise Conflict(f"this store already holds the demo {kind} made with seed {seed}; "
                       "use another seed")
    uow.settings.set("demo_staff", {**staff, "seeds": [*staff.get("seeds", []), key]})


def populate(session: Session, *, patients: int, seed: int, histories: bool = True,
             today: date | None = None) -> dict[str, int]:
    """Fill the signed-in store with a synthetic clinic; returns how many records of each type.

    Raises PermissionDenied unless the user may import records, ValidationError for a
    negative count, and Conflict when this store already holds the patients of ``seed``.
    """
    session.require(Permission.IMPORT)
    if patients < 0:
        raise ValidationError({"patients": "must be zero or more"})
    started = time.perf_counter()
    today = today or session.clock().date()
    rng, ids, counts = random.Random(seed), Ids(f"outpost-demo:{seed}"), Counter()
    with session.uow() as uow:
        _claim_seed(uow, seed)
        staff, organization_id = _staff(uow, ids, rng, counts)
        next_mrn = int(uow.patients.next_mrn())
        uow.commit()
    chunk = 250 if histories else 10_000
    done = 0
    while True:
        n = min(chunk, patients - done)
        with session.uow() as uow:
            writer = _Writer(uow, counts)
            for _ in range(n):
                patient = make_patient(rng, ids, mrn=str(next_mrn), today=today, organization_id=organization_id)
                next_mrn += 1
                writer.add([patient])
                if histories:
                    writer.add(History(rng, ids, patient, staff, today).build())
            writer.flush()
            done += n
            if done >= patients:
                uow.audit.append(session.entry(Action.IMPORT, record_type="demo", detail={
                    "generator": "demo clinic", "seed": seed, "patients": patients, "histories": histories,
                    "records": dict(sorted(counts.items())),
                    "seconds": round(time.perf_counter() - started, 1)}))
            uow.commit()
        if done >= patients:
            return dict(sorted(counts.items()))


def add_heavy_patient(session: Session, *, encounters: int = 1000, observations: int = 20000,
                      seed: int = 7, today: date | None = None) -> str:
    """One patient with a very long chart (for the chart benchmark); returns the patient id.

    Vital signs at every encounter plus lab panels spread across the encounters add up
    to exactly ``observations``; problems, medicines and allergies are realistic in number.
    Raises PermissionDenied unless the user may import records and Conflict when this
    store already holds the heavy patient of ``seed``.
    """
    session.require(Permission.IMPORT)
    today = today or session.clock().date()
    rng, ids, counts = random.Random(seed), Ids(f"outpost-heavy:{seed}"), Counter()
    with session.uow() as uow:
        _claim_seed(uow, seed, "heavy patient")
        staff, organization_id = _staff(uow, ids, rng, counts)
        patient = make_patient(rng, ids, mrn=uow.patients.next_mrn(), today=today, organization_id=organization_id)
        patient.birth_date = patient.birth_date.replace(year=today.year - 72, day=1)
        history = History(rng, ids, patient, staff, today)
        history.problems = [c for c in CHRONIC if c.key in _HEAVY_PROBLEMS]
        history.body.problems = {c.key for c in history.problems}
        days = 20 * 365
        visits = [Visit(today - timedelta(days=days - n * days // max(encounters, 1)),
                        "follow-up" if n else "new-patient") for n in range(encounters)]
        writer = _Writer(uow, counts)
        writer.add([patient])
        writer.add(_exactly(rng, ids, history, history.build(visits), observations))
        writer.flush()
        uow.audit.append(session.entry(Action.IMPORT, patient_id=patient.id, record_type="demo",
                                       detail={"generator": "heavy demo patient", "seed": seed,
                                               "records": dict(sorted(counts.items()))}))
        uow.commit()
    return patient.id


_HEAVY_PROBLEMS = ("htn", "dm", "lipids", "ckd", "afib", "hf", "knee_oa", "gerd", "depression", "osa", "obesity")
_FILLER_PANELS = ("bmp", "a1c", "lipids", "cbc", "uacr")


def _exactly(rng: random.Random, ids: Ids, history: History, records: list[Record],
             target: int) -> list[Record]:
    """``records`` with exactly ``target`` observations: extra lab panels spread over the
    encounters when there are too few, the latest observations left out when too many."""
    observations = [r for r in records if isinstance(r, Observation)]
    if len(observations) >= target:
        dropped = {o.id for o in observations[target:]}
        for r in records:
            if isinstance(r, DiagnosticReport):
                r.result_ids = [i for i in r.result_ids if i not in dropped]
        return [r for r in records if not (isinstance(r, Observation) and r.id in dropped)]
    encounters = [r for r in records if isinstance(r, Encounter)]
    missing, n, extra = target - len(observations), 0, []
    while missing > 0 and encounters:
        enc = encounters[n % len(encounters)]
        panel = _FILLER_PANELS[(n // len(encounters)) % len(_FILLER_PANELS)]
        codes = PANELS[panel][2][:missing]
        extra += lab_order(rng, ids, history.body, history.p.id, panel, when=enc.start,
                           requester=enc.practitioner_id, encounter_id=enc.id, reasons=enc.reasons[:1],
                           results=codes)
        missing -= len(codes)
        n += 1
    return records + extra
