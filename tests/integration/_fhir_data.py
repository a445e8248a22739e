"""Synthetic FHIR data made at test time with carebundle (US Core R4), written as
transaction Bundles and as NDJSON, and helpers to compare what came back."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import carebundle


def cohort(count: int, seed: int) -> list[dict]:
    """``count`` patients' transaction Bundles (JSON objects)."""
    return [json.loads(carebundle.to_json(b)) for b in carebundle.generate_cohort(count=count, seed=seed)]


def write_bundles(folder: Path, bundles: list[dict]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, b in enumerate(bundles):
        path = folder / f"bundle-{i}.json"
        path.write_text(json.dumps(b), encoding="utf-8")
        paths.append(path)
    return paths


def write_ndjson(folder: Path, bundles: list[dict], seed: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    models = carebundle.generate_cohort(count=len(bundles), seed=seed)
    paths = []
    for rtype, lines in carebundle.to_ndjson(models).items():
        path = folder / f"{rtype}.ndjson"
        path.write_text(lines, encoding="utf-8")
        paths.append(path)
    return paths


def resources(bundles: list[dict]) -> list[dict]:
    """The bundles' resources with the ids their fullUrls give them."""
    out = []
    for b in bundles:
        for e in b["entry"]:
            out.append({**e["resource"], "id": e["fullUrl"].removeprefix("urn:uuid:")})
    return out


def read_ndjson(folder: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(folder.glob("*.ndjson"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def counts(items: list[dict]) -> Counter:
    return Counter(r["resourceType"] for r in items)


def stored_counts(items: list[dict]) -> Counter:
    """What the store keeps per type: one record per resource (a blood pressure panel is one
    Observation with its components)."""
    return counts(items)


def codes(r: dict) -> set[tuple[str, str]]:
    """The (system, code) of the first coding of each main coded element."""
    out = set()
    for key in ("code", "medicationCodeableConcept", "vaccineCode", "class"):
        value = r.get(key) or {}
        coding = (value.get("coding") or [None])[0] if "coding" in value else (value or None)
        if coding and coding.get("code"):
            out.add((coding["system"], coding["code"]))
    return out


_CONCEPTS = ("code", "medicationCodeableConcept", "vaccineCode", "reasonCode", "component")


def concepts(r: dict) -> list:
    """Every coding (system, code, display) and the text of each clinical concept, in order
    (the resource's code, medication, vaccine, reasons, and each component's code)."""
    out = []
    for key in _CONCEPTS:
        value = r.get(key)
        for cc in value if isinstance(value, list) else [value] if value else []:
            cc = cc.get("code", {}) if key == "component" else cc
            out.append(([(c.get("system"), c.get("code"), c.get("display")) for c in cc.get("coding") or []],
                        cc.get("text")))
    return out


def _instant(text: str | None):
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text else text


def values(r: dict) -> dict:
    """The values a resource carries that must survive: quantities, components, dates,
    the patient it is about."""
    q = r.get("valueQuantity") or {}
    out = {"value": Decimal(str(q["value"])) if "value" in q else None, "unit": (q.get("code"), q.get("unit")),
           "subject": ((r.get("subject") or r.get("patient") or {}).get("reference") or "").split("/")[-1]
           .removeprefix("urn:uuid:"),
           "effective": _instant(r.get("effectiveDateTime")), "issued": _instant(r.get("issued")), "onset": _instant(r.get("onsetDateTime")),
           "birthDate": r.get("birthDate"), "gender": r.get("gender"), "status": r.get("status")}
    out["components"] = sorted(
        (c["code"]["coding"][0]["code"], Decimal(str(c["valueQuantity"]["value"])), c["valueQuantity"].get("unit"),
         c["valueQuantity"].get("code")) for c in r.get("component") or [] if "valueQuantity" in c)
    return out


def identifiers(r: dict) -> set[tuple[str, str]]:
    return {(i.get("system", ""), i["value"]) for i in r.get("identifier") or []}
