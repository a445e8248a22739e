"""The ``sync`` benchmark: push and pull N resources against a loopback sekmet FHIR server,
each against a plain-httpx baseline doing the same HTTP work, and one incremental round.

* push: our client (outbox → mapping → transaction Bundles → reconcile, one local
  transaction per Bundle) onto a fresh server, against httpx posting the very same
  Bundles onto another fresh server;
* pull: a second workstation pulling everything (paged searches, applied page by page
  with checkpoints), against httpx paging the same searches and parsing the JSON;
* incremental: one full ``run_round`` (push, audit trail, pull) after 20 patients changed.

Targets: push and pull ≤ 1.5 × the baseline; the incremental round ≤ 2 s.
"""
from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import httpx

from app import model as m
from app import patients as patient_service
from sync import bundles
from sync.engine import context, run_round
from sync.gateway import GatewayOptions, HttpGateway
from sync.mapping import PULL_ORDER
from sync.pull import next_link, pull, search_url
from sync.push import prepare, push
from tests.bench.common import clinic, scratch, user_session
from tests.fhir_server import TOKEN, FhirServer

BUNDLE, PAGE = 200, 500
VITALS = (("8867-4", "Heart rate", "/min"), ("8310-5", "Body temperature", "Cel"),
          ("29463-7", "Body weight", "kg"), ("8302-2", "Body height", "cm"))


def _fill(opened, total: int, organization_id: str) -> None:
    """``total`` records: one patient to every four observations."""
    people = max(1, total // 5)
    t0 = datetime(2025, 1, 6, 9, tzinfo=timezone.utc)
    made = [m.Patient(mrn=f"B{n:06d}", name=m.HumanName(f"Family{n % 997}", [f"Given{n % 389}"]),
                      birth_date=date(1940 + n % 60, 1 + n % 12, 1 + n % 28), sex=("male", "female")[n % 2],
                      telecom=[m.ContactPoint("phone", f"555-{n % 10000:04d}", "mobile")],
                      organization_id=organization_id) for n in range(people)]
    obs = []
    for n in range(total - people):
        code, text, unit = VITALS[n % 4]
        obs.append(m.Observation(patient_id=made[n % people].id, code=m.Coding("loinc", code, text),
                                 effective=t0 + timedelta(minutes=n), value=Decimal(60 + n % 40), unit=unit))
    with opened.store.uow() as uow:
        uow.records(m.Patient).add_many(made)
        uow.records(m.Observation).add_many(obs)
        uow.commit()


def _options() -> GatewayOptions:
    return GatewayOptions(token=TOKEN, timeout=120)


def _baseline_push(server: FhirServer, bodies: list[bytes]) -> float:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/fhir+json",
               "Accept": "application/fhir+json", "Prefer": "return=representation"}
    with httpx.Client(headers=headers, timeout=120) as client:
        started = time.perf_counter()
        for body in bodies:
            response = client.post(server.url, content=body)
            response.raise_for_status()
            response.json()
        return time.perf_counter() - started


def _baseline_pull(server: FhirServer, urls: list[str]) -> tuple[float, int]:
    headers = {"Authorization": f"Bearer {TOKEN}", "Accept": "application/fhir+json"}
    count = 0
    with httpx.Client(headers=headers, timeout=120) as client:
        started = time.perf_counter()
        for url in urls:
            while url:
                response = client.get(url if url.startswith("http") else f"{server.url}/{url}")
                response.raise_for_status()
                page = response.json()
                count += len(page.get("entry") or [])
                url = next_link(page)
        return time.perf_counter() - started, count


def run(quick: bool) -> dict:
    total = 300 if quick else 10_000
    with scratch() as folder:
        base_server = FhirServer(folder / "server-baseline").start()
        ours_server = FhirServer(folder / "server-ours").start()
        try:
            with clinic(folder / "a") as a:
                doctor = user_session(a, "dr.bench", "physician")
                ctx = context(doctor)
                _fill(a, total, ctx.organization_id)
                with a.store.uow() as uow:
                    items = prepare(uow, ctx)
                planned = bundles.plan(items, BUNDLE)
                bodies = [json.dumps(bundles.transaction(base_server.url, b), default=str).encode()
                          for b in planned]
                baseline_push_s = _baseline_push(base_server, bodies)
                with HttpGateway(ours_server.url, _options()) as gw:
                    started = time.perf_counter()
                    pushed = push(doctor, gw, ctx, max_entries=BUNDLE)
                    push_s = time.perf_counter() - started
                    run_round(doctor, gw, bundle_size=BUNDLE)  # send the audit trail, settle
                code = ctx.clinic_code
                from ui import wiring
                b, _ = wiring.create_clinic(folder / "b", clinic_name="Benchmark clinic", admin_username="admin",
                                            admin_password="demo-clinic-2026", clinic_code=code)
                try:
                    reader = user_session(b, "dr.reader", "physician")
                    ctx_b = context(reader)
                    urls = [search_url(t, ctx_b, None, PAGE) for t in PULL_ORDER]
                    baseline_pull_s, paged = _baseline_pull(ours_server, urls)
                    with HttpGateway(ours_server.url, _options()) as gw:
                        started = time.perf_counter()
                        pulled = pull(reader, gw, ctx_b, page_size=PAGE)
                        pull_s = time.perf_counter() - started
                finally:
                    b.store.close()
                with a.store.uow() as uow:
                    changed = [p.id for p in uow.records(m.Patient).all()][:20]
                for pid in changed:
                    record = patient_service.get(doctor, pid)
                    record.telecom.append(m.ContactPoint("email", f"p{record.mrn.lower()}@example.org"))
                    patient_service.update(doctor, record)
                with HttpGateway(ours_server.url, _options()) as gw:
                    started = time.perf_counter()
                    inc = run_round(doctor, gw, bundle_size=BUNDLE)
                    inc_s = time.perf_counter() - started
        finally:
            base_server.stop()
            ours_server.stop()
    return {
        "resources": total, "bundle_size": BUNDLE, "page_size": PAGE,
        "push_s": round(push_s, 3), "push_baseline_s": round(baseline_push_s, 3),
        "push_ratio": round(push_s / baseline_push_s, 2), "pushed": pushed.pushed,
        "push_errors": len(pushed.errors),
        "pull_s": round(pull_s, 3), "pull_baseline_s": round(baseline_pull_s, 3),
        "pull_ratio": round(pull_s / baseline_pull_s, 2), "pulled": pulled.pulled, "paged": paged,
        "push_per_s": round(total / push_s), "pull_per_s": round(pulled.pulled / pull_s) if pull_s else 0,
        "incremental_changes": len(changed), "incremental_s": round(inc_s, 2),
        "incremental_pushed": inc.pushed, "incremental_failed": inc.failed,
        "targets": {"push_ratio": 1.5, "pull_ratio": 1.5, "incremental_s": 2.0},
    }
