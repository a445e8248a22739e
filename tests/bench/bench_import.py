"""Import throughput: FHIR NDJSON (resources per second) and HL7 v2 (messages per second).

The FHIR side imports ``patients`` synthetic US Core patients with their histories,
made by carebundle, as bulk-export NDJSON through the real importer (checks, reference
rewriting, mapping, bulk writes with outbox, audit) into an encrypted store, then
imports the same files again (the idempotent path: everything found, nothing written).
The HL7 side sends ADT^A04 registrations followed by an ORU^R01 for each patient.
Target: >= 2,000 resources/s for 1,000 patients on this machine. ``ratio_to_baseline`` is the
import rate over a plain JSON parse-and-write loop on the same lines, measured around the
import, and ``resources_per_cpu_s`` the rate per second of this process's own CPU time
(what other engineers' work on the shared cores changes least), so figures from a loaded
machine can be compared.
"""
from __future__ import annotations

import json
import time

import carebundle

from app import hl7_import
from sync import fhir_import
from tests.bench.common import clinic, scratch

SIZES = {False: {"patients": 1_000, "hl7_patients": 1_000}, True: {"patients": 40, "hl7_patients": 100}}
TARGET_RESOURCES_PER_S = 2_000.0


def _hl7(n: int) -> str:
    out = []
    for i in range(n):
        pid = (f"PID|1||B{i:06d}^^^BENCHHOSP^MR||Family{i}^Given{i % 97}||19{50 + i % 50:02d}0{1 + i % 9}1{i % 10}"
               f"|{'MF'[i % 2]}|||{i} Main St^^Springfield^IL^62701||555-{i % 10000:04d}")
        out.append("\r".join([f"MSH|^~\\&|HIS|BENCHHOSP|OUTPOST|CLINIC|20240101120000||ADT^A04|A{i}|P|2.5.1",
                              "EVN|A04", pid]))
        out.append("\r".join([f"MSH|^~\\&|LAB|QUEST|OUTPOST|CLINIC|20240102120000||ORU^R01|R{i}|P|2.5.1", pid,
                              "OBR|1||F{i}|2345-7^Glucose^LN|||20240102080000",
                              f"OBX|1|NM|2345-7^Glucose^LN||{80 + i % 60}|mg/dL|70-99||||F"]))
    return "\n".join(out)


def _baseline_per_s(files) -> float:
    """A plain loop over the same lines (parse each resource and write it back as JSON, no
    checks, no mapping, no store): a yardstick of how fast this machine is right now, so a
    run on a loaded machine can be compared with one on an idle machine by the ratio."""
    lines = [line for path in files for line in path.read_text(encoding="utf-8").splitlines() if line]
    started = time.perf_counter()
    for line in lines:
        json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return len(lines) / (time.perf_counter() - started)


def run(quick: bool = False) -> dict:
    size = SIZES[quick]
    with scratch() as folder:
        started = time.perf_counter()
        models = carebundle.generate_cohort(count=size["patients"], seed=2026)
        files = []
        for rtype, lines in carebundle.to_ndjson(models).items():
            path = folder / f"{rtype}.ndjson"
            path.write_text(lines, encoding="utf-8")
            files.append(path)
        generate_s = time.perf_counter() - started
        baseline = _baseline_per_s(files)
        with clinic(folder / "store") as opened:
            started, cpu_started = time.perf_counter(), time.process_time()
            results = fhir_import.import_files(opened.session, files)
            first_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
            baseline = (baseline + _baseline_per_s(files)) / 2  # before and after: the load moves
            resources = sum(r.resources for r in results)
            errors = sum(len(r.errors) for r in results)
            started = time.perf_counter()
            again = fhir_import.import_files(opened.session, files)
            again_s = time.perf_counter() - started
            created_again = sum(sum(r.created.values()) for r in again)

            text = _hl7(size["hl7_patients"])
            started = time.perf_counter()
            outcomes = hl7_import.import_messages(opened.session, text)
            hl7_s = time.perf_counter() - started
    rate = resources / first_s if first_s else 0.0
    return {"patients": size["patients"], "resources": resources, "errors": errors,
            "generate_s": round(generate_s, 2), "import_s": round(first_s, 2),
            "resources_per_s": round(rate, 1), "import_cpu_s": round(cpu_s, 2),
            "resources_per_cpu_s": round(resources / cpu_s, 1) if cpu_s else 0.0,
            "baseline_per_s": round(baseline, 1),
            "ratio_to_baseline": round(rate / baseline, 3) if baseline else 0.0, "reimport_s": round(again_s, 2),
            "reimport_resources_per_s": round(resources / again_s, 1) if again_s else 0.0,
            "reimport_created": created_again,
            "hl7_messages": len(outcomes), "hl7_accepted": sum(o.ack_code == "AA" for o in outcomes),
            "hl7_s": round(hl7_s, 2), "hl7_messages_per_s": round(len(outcomes) / hl7_s, 1) if hl7_s else 0.0,
            "target_resources_per_s": TARGET_RESOURCES_PER_S, "meets_target": rate >= TARGET_RESOURCES_PER_S}
