"""Building blocks every resource mapping shares: codings, references, names, dates,
numbers and Outpost's own extensions.

Canonical system URLs come from :mod:`app.terminology`; codes from a system we do not
know by name keep their URL as the system, so nothing is lost on the way back.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Iterable

from app import codec
from app.model import Address, Coding, ContactPoint, HumanName, Identifier
from app.terminology import SYSTEM_URLS, system_for_url

OUTPOST = "https://outpost-ehr.org/fhir"
EXT = f"{OUTPOST}/StructureDefinition/"
CLINIC_TAG_SYSTEM = f"{OUTPOST}/CodeSystem/clinic"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
LOCAL_SYSTEMS = {"text"}  # free text: a CodeableConcept with text only


@dataclass(frozen=True)
class MapContext:
    """What a mapping needs to know about the clinic the data belongs to."""
    clinic_code: str
    organization_id: str | None = None

    @property
    def mrn_system(self) -> str:
        return f"{OUTPOST}/clinic/{self.clinic_code}/mrn"


# -- systems and codings -------------------------------------------------------
def system_url(short: str) -> str:
    if short in SYSTEM_URLS:
        return SYSTEM_URLS[short]
    return short if ":" in short else f"{OUTPOST}/CodeSystem/{short}"


def system_short(url: str) -> str:
    known = system_for_url(url)
    if known:
        return known
    prefix = f"{OUTPOST}/CodeSystem/"
    return url[len(prefix):] if url.startswith(prefix) else url


def coding_out(c: Coding) -> dict:
    out = {"system": system_url(c.system), "code": c.code}
    if c.display:
        out["display"] = c.display
    return out


def concept_out(c: Coding) -> dict:
    """A CodeableConcept: every coding and the text as received, else the coding with its
    display as the text."""
    if c.system in LOCAL_SYSTEMS:
        return {"text": c.text or c.display or c.code}
    out: dict[str, Any] = {"coding": [coding_out(c), *map(coding_out, c.more or ())]}
    text = c.display if c.text is None else c.text
    if text:
        out["text"] = text
    return out


def _coding_in(coding: dict) -> Coding:
    return Coding(system_short(coding.get("system", "")), coding["code"], coding.get("display") or "")


def concept_in(cc: dict | None) -> Coding:
    """A CodeableConcept: its first coding, with the further codings and the text kept
    (text-only concepts become system "text"). The display falls back to the text."""
    cc = cc or {}
    codings = [c for c in cc.get("coding") or [] if c.get("code")]
    text = cc.get("text")
    if not codings:
        text = text or ""
        return Coding("text", text, text)
    head = codings[0]
    display = head.get("display") or text or ""
    return Coding(system_short(head.get("system", "")), head["code"], display,
                  more=[_coding_in(c) for c in codings[1:]] or None,
                  text=None if (text or "") == display else (text or ""))


def code_concept(system: str, code: str | None, display: str | None = None) -> dict | None:
    if code is None:
        return None
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return {"coding": [coding]}


def code_of(cc: dict | None, default: str | None = None) -> str | None:
    for coding in (cc or {}).get("coding") or []:
        if coding.get("code"):
            return coding["code"]
    return default


def first(items: list | None) -> Any:
    return items[0] if items else None


# -- references ----------------------------------------------------------------
def ref(resource_type: str, record_id: str | None) -> dict | None:
    return {"reference": f"{resource_type}/{record_id}"} if record_id else None


def ref_id(reference: dict | None) -> str | None:
    """The id in a literal reference (relative or absolute, history suffix ignored)."""
    value = (reference or {}).get("reference")
    if not value:
        return None
    parts = value.split("/_history/")[0].rstrip("/").split("/")
    return parts[-1]


# -- dates and numbers ---------------------------------------------------------
def when(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.isoformat()


def to_datetime(text: str | None) -> datetime | None:
    if not text:
        return None
    if len(text) == 10:
        return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def to_date(text: str | None) -> date | None:
    if not text:
        return None
    return date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(f"{text}-01-01"[:10])


def number(value: Decimal | None) -> int | Decimal | None:
    """A FHIR decimal: kept as a Decimal (``sync.jsonio`` writes it with its own digits)."""
    if value is None:
        return None
    return int(value) if "." not in str(value) and "E" not in str(value).upper() else value


def decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# -- data types ----------------------------------------------------------------
def name_out(n: HumanName) -> dict:
    out: dict[str, Any] = {"use": n.use, "family": n.family, "given": list(n.given)}
    if n.prefix:
        out["prefix"] = [n.prefix]
    if n.suffix:
        out["suffix"] = [n.suffix]
    return prune(out)


def name_in(d: dict) -> HumanName:
    return HumanName(family=d.get("family", ""), given=list(d.get("given") or []),
                     prefix=first(d.get("prefix")), suffix=first(d.get("suffix")),
                     use=d.get("use", "official"))


def telecom_out(items: Iterable[ContactPoint]) -> list[dict]:
    return [prune({"system": t.system, "value": t.value, "use": t.use}) for t in items]


def telecom_in(items: list | None) -> list[ContactPoint]:
    return [ContactPoint(system=t.get("system", "other"), value=t.get("value", ""), use=t.get("use"))
            for t in items or [] if t.get("value")]


def address_out(a: Address) -> dict:
    return prune({"use": a.use, "line": list(a.lines), "city": a.city, "state": a.state,
                  "postalCode": a.postal_code, "country": a.country})


def address_in(d: dict) -> Address:
    return Address(lines=list(d.get("line") or []), city=d.get("city"), state=d.get("state"),
                   postal_code=d.get("postalCode"), country=d.get("country"), use=d.get("use"))


def identifiers_out(items: Iterable[Identifier]) -> list[dict]:
    return [prune({"system": system_url(i.system), "value": i.value,
                   "type": code_concept(V2_0203, i.type)}) for i in items]


def identifiers_in(items: list | None) -> list[Identifier]:
    return [Identifier(system=system_short(i.get("system", "")), value=i.get("value", ""),
                       type=code_of(i.get("type"))) for i in items or []]


# -- Outpost extensions ----------------------------------------------------------
def ext(name: str, value: Any) -> dict | None:
    """A simple extension carrying a domain field that FHIR has no element for."""
    if value is None or value == [] or value == "":
        return None
    url = EXT + name
    if isinstance(value, bool):
        return {"url": url, "valueBoolean": value}
    if isinstance(value, int):
        return {"url": url, "valueInteger": value}
    if isinstance(value, Decimal):
        return {"url": url, "valueDecimal": number(value)}
    if isinstance(value, datetime):
        return {"url": url, "valueDateTime": when(value)}
    if isinstance(value, date):
        return {"url": url, "valueDate": value.isoformat()}
    if isinstance(value, dict) and "reference" in value:
        return {"url": url, "valueReference": value}
    if dataclasses.is_dataclass(value):
        return struct_ext(name, value)
    return {"url": url, "valueString": str(value)}


def struct_ext(name: str, obj: Any) -> dict:
    """A complex extension: one sub-extension per set field of a small dataclass."""
    parts = [ext(key, value) for key, value in codec.to_dict(obj).items()]
    return {"url": EXT + name, "extension": [p for p in parts if p]}


def struct_in(cls: type, extension: dict) -> Any:
    values = {}
    for part in extension.get("extension") or []:
        key = part["url"].removeprefix(EXT)
        values[key] = next(v for k, v in part.items() if k.startswith("value"))
    return codec.from_dict(cls, values)


def ext_value(resource: dict, name: str, default: Any = None) -> Any:
    for e in resource.get("extension") or []:
        if e.get("url") == EXT + name:
            return next((v for k, v in e.items() if k.startswith("value")), default)
    return default


def ext_all(resource: dict, name: str) -> list[dict]:
    return [e for e in resource.get("extension") or [] if e.get("url") == EXT + name]


def extensions(*items: dict | None) -> list[dict]:
    return [e for e in items if e]


# -- shaping ---------------------------------------------------------------------
def prune(d: dict) -> dict:
    """Drop empty values (FHIR forbids empty elements)."""
    return {k: v for k, v in d.items() if v is not None and v != [] and v != {} and v != ""}


def base(record, ctx: MapContext, resource_type: str | None = None) -> dict:
    """The id, resource type and meta (clinic tag and security labels) of a resource."""
    meta: dict[str, Any] = {"tag": [{"system": CLINIC_TAG_SYSTEM, "code": ctx.clinic_code}]}
    if record.security_labels:
        meta["security"] = [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": label}
                            for label in record.security_labels]
    return {"resourceType": resource_type or record.RESOURCE_TYPE, "id": record.id, "meta": meta}


def common_in(resource: dict) -> dict:
    """Keyword arguments every record takes from a resource (id, server version, labels)."""
    meta = resource.get("meta") or {}
    return {"id": resource["id"], "server_version": meta.get("versionId"),
            "security_labels": [s["code"] for s in meta.get("security") or [] if s.get("code")]}
