"""Practitioner, Organization and Location ⇄ FHIR R4 (US Core directory profiles)."""
from __future__ import annotations

from app.model import Location, Organization, Practitioner
from sync.mapping.common import (CLINIC_TAG_SYSTEM, MapContext, address_in, address_out, base,
                                 common_in, ext, ext_value, extensions, first, identifiers_in,
                                 identifiers_out, name_in, name_out, prune, ref, ref_id,
                                 telecom_in, telecom_out)

NPI = "http://hl7.org/fhir/sid/us-npi"
DEA = "urn:oid:2.16.840.1.113883.4.814"
QUALIFICATION = "http://terminology.hl7.org/CodeSystem/v2-0360"


def practitioner_to_fhir(p: Practitioner, ctx: MapContext) -> dict:
    ids = [{"system": NPI, "value": p.npi} if p.npi else None,
           {"system": DEA, "value": p.dea} if p.dea else None]
    return prune(base(p, ctx) | {
        "extension": extensions(ext("specialty", p.specialty), ext("record-status", p.status)),
        "identifier": [i for i in ids if i] + identifiers_out(p.identifiers),
        "active": p.status == "active",
        "name": [name_out(p.name)],
        "telecom": telecom_out(p.telecom),
        "qualification": [{"code": {"coding": [{"system": QUALIFICATION, "code": p.qualification}]}}]
        if p.qualification else None,
    })


def practitioner_from_fhir(r: dict) -> Practitioner:
    ids = r.get("identifier") or []
    npi = next((i["value"] for i in ids if i.get("system") == NPI), None)
    dea = next((i["value"] for i in ids if i.get("system") == DEA), None)
    qual = first(r.get("qualification"))
    return Practitioner(
        **common_in(r), name=name_in(first(r.get("name")) or {"family": ""}), npi=npi, dea=dea,
        qualification=((qual or {}).get("code", {}).get("coding") or [{}])[0].get("code") if qual else None,
        specialty=ext_value(r, "specialty"), telecom=telecom_in(r.get("telecom")),
        identifiers=identifiers_in([i for i in ids if i.get("system") not in (NPI, DEA)]),
        status=ext_value(r, "record-status") or ("active" if r.get("active", True) else "inactive"))


def organization_to_fhir(o: Organization, ctx: MapContext) -> dict:
    code = {"system": CLINIC_TAG_SYSTEM, "value": o.clinic_code} if o.clinic_code else None
    return prune(base(o, ctx) | {
        "extension": extensions(ext("record-status", o.status)),
        "identifier": ([code] if code else []) + identifiers_out(o.identifiers),
        "active": o.status == "active",
        "name": o.name,
        "telecom": telecom_out(o.telecom),
        "address": [address_out(o.address)] if o.address else None,
    })


def organization_from_fhir(r: dict) -> Organization:
    ids = r.get("identifier") or []
    code = next((i["value"] for i in ids if i.get("system") == CLINIC_TAG_SYSTEM), None)
    return Organization(
        **common_in(r), name=r.get("name", ""), clinic_code=code,
        identifiers=identifiers_in([i for i in ids if i.get("system") != CLINIC_TAG_SYSTEM]),
        address=address_in(r["address"][0]) if r.get("address") else None,
        telecom=telecom_in(r.get("telecom")),
        status=ext_value(r, "record-status") or ("active" if r.get("active", True) else "inactive"))


def location_to_fhir(loc: Location, ctx: MapContext) -> dict:
    return prune(base(loc, ctx) | {
        "extension": extensions(ext("record-status", loc.status)),
        "status": loc.status if loc.status in ("active", "suspended", "inactive") else "inactive",
        "name": loc.name,
        "telecom": telecom_out(loc.telecom),
        "address": address_out(loc.address) if loc.address else None,
        "managingOrganization": ref("Organization", loc.organization_id),
    })


def location_from_fhir(r: dict) -> Location:
    return Location(
        **common_in(r), name=r.get("name", ""), organization_id=ref_id(r.get("managingOrganization")),
        address=address_in(r["address"]) if r.get("address") else None,
        telecom=telecom_in(r.get("telecom")),
        status=ext_value(r, "record-status") or r.get("status", "active"))
