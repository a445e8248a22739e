"""Patient ⇄ FHIR R4 Patient (US Core: race, ethnicity, birth sex, gender identity)."""
from __future__ import annotations

from app.model import Coding, Coverage, Patient, PatientContact
from sync.mapping.common import (V2_0203, MapContext, address_in, address_out, base, common_in,
                                 ext, ext_all, ext_value, extensions, identifiers_in,
                                 identifiers_out, name_in, name_out, prune, ref, ref_id,
                                 struct_ext, struct_in, system_short, system_url, telecom_in,
                                 telecom_out, to_date)

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
RACE, ETHNICITY = US_CORE + "us-core-race", US_CORE + "us-core-ethnicity"
BIRTH_SEX, GENDER_IDENTITY = US_CORE + "us-core-birthsex", US_CORE + "us-core-genderIdentity"
#: The extensions this mapping writes; others on a server copy belong to someone else.
OWNED_EXTENSIONS = {RACE, ETHNICITY, BIRTH_SEX, GENDER_IDENTITY}


def _omb(url: str, codings, label: str) -> dict | None:
    if not codings:
        return None
    parts = [{"url": "ombCategory", "valueCoding": {"system": system_url(c.system), "code": c.code,
                                                     **({"display": c.display} if c.display else {})}}
             for c in codings]
    text = ", ".join(c.display or c.code for c in codings)
    return {"url": url, "extension": [*parts, {"url": "text", "valueString": text or label}]}


def _omb_in(resource: dict, url: str):
    for e in resource.get("extension") or []:
        if e.get("url") == url:
            return [Coding(system_short(p["valueCoding"].get("system", "")), p["valueCoding"]["code"],
                           p["valueCoding"].get("display", ""))
                    for p in e.get("extension") or [] if p.get("url") in ("ombCategory", "detailed")]
    return []


def to_fhir(p: Patient, ctx: MapContext) -> dict:
    mrn = {"use": "usual", "type": {"coding": [{"system": V2_0203, "code": "MR"}]},
           "system": ctx.mrn_system, "value": p.mrn}
    status_ext = ext("record-status", p.status) if p.status == "entered-in-error" else None
    out = base(p, ctx) | {
        "extension": extensions(
            _omb(RACE, p.race, "race"), _omb(ETHNICITY, p.ethnicity, "ethnicity"),
            {"url": BIRTH_SEX, "valueCode": p.sex_at_birth} if p.sex_at_birth else None,
            ({"url": GENDER_IDENTITY, "valueCodeableConcept": {"text": p.gender_identity}}
             if p.gender_identity else None),
            *(struct_ext("coverage", c) for c in p.coverages), status_ext),
        "identifier": [mrn, *identifiers_out(p.identifiers)],
        "active": p.status == "active",
        "name": [name_out(p.name), *(name_out(n) for n in p.other_names)],
        "telecom": telecom_out(p.telecom),
        "gender": p.sex,
        "birthDate": p.birth_date.isoformat(),
        "address": [address_out(a) for a in p.addresses],
        "contact": [prune({"relationship": [{"text": c.relationship}] if c.relationship else None,
                           "name": {"text": c.name},
                           "telecom": [{"system": "phone", "value": c.phone}] if c.phone else None})
                    for c in p.contacts],
        "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": p.language}]},
                           "preferred": True}] if p.language else None,
        "managingOrganization": ref("Organization", p.organization_id),
    }
    if p.deceased:
        out["deceasedDateTime" if p.deceased_date else "deceasedBoolean"] = (
            p.deceased_date.isoformat() if p.deceased_date else True)
    return prune(out)


def _is_mrn(identifier: dict) -> bool:
    return any(c.get("code") == "MR" for c in (identifier.get("type") or {}).get("coding") or [])


def from_fhir(r: dict) -> Patient:
    ids = r.get("identifier") or []
    mrn = next((i.get("value") for i in ids if _is_mrn(i)), None) or r["id"][:8]
    names = r.get("name") or [{"family": ""}]
    official = next((n for n in names if n.get("use") == "official"), names[0])
    gender_identity = None
    for e in r.get("extension") or []:
        if e.get("url") == GENDER_IDENTITY:
            gender_identity = (e.get("valueCodeableConcept") or {}).get("text")
    status = ext_value(r, "record-status") or ("active" if r.get("active", True) else "inactive")
    language = next((c["language"]["coding"][0]["code"] for c in r.get("communication") or []
                     if (c.get("language") or {}).get("coding")), None)
    deceased_date = to_date(r.get("deceasedDateTime"))
    return Patient(
        **common_in(r), mrn=mrn, name=name_in(official),
        other_names=[name_in(n) for n in names if n is not official],
        birth_date=to_date(r.get("birthDate")), sex=r.get("gender", "unknown"),
        sex_at_birth=next((e.get("valueCode") for e in r.get("extension") or []
                           if e.get("url") == BIRTH_SEX), None),
        gender_identity=gender_identity,
        identifiers=identifiers_in([i for i in ids if not _is_mrn(i)]),
        telecom=telecom_in(r.get("telecom")), addresses=[address_in(a) for a in r.get("address") or []],
        language=language, race=_omb_in(r, RACE), ethnicity=_omb_in(r, ETHNICITY),
        contacts=[PatientContact(name=(c.get("name") or {}).get("text", ""),
                                 relationship=((c.get("relationship") or [{}])[0]).get("text"),
                                 phone=next((t.get("value") for t in c.get("telecom") or []), None))
                  for c in r.get("contact") or []],
        coverages=[struct_in(Coverage, e) for e in ext_all(r, "coverage")],
        deceased=bool(r.get("deceasedBoolean") or deceased_date), deceased_date=deceased_date,
        organization_id=ref_id(r.get("managingOrganization")), status=status)


__all__ = ["to_fhir", "from_fhir", "OWNED_EXTENSIONS"]
