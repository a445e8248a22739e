"""Claims: what a payer is billed for one visit, as a FHIR ``Claim`` or an X12 837P file.

:func:`gather` collects a visit's claim (patient, primary coverage, charges, rendering
practitioner); :func:`fhir_claim` is a pure mapping to FHIR R4; app.billing_x12 writes the
837P. The clinic's claim settings (billing provider, clearinghouse ids, payer ids) are kept
by :func:`set_claim_settings`.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.audit import Action
from app.billing_coverage import coverage_on
from app.billing_types import HCPCS_LEVEL_II
from app.errors import NotFound, ValidationError
from app.model import ENTERED_IN_ERROR, Charge, Coverage, Encounter, Patient, Practitioner
from app.permissions import Permission
from app.session import Session

SETTINGS_KEY = "claims"
PLACE_OF_SERVICE = {"AMB": "11", "VR": "02", "HH": "12"}
_ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
_HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
_CLINIC_CODES = "urn:outpost:fee-schedule"


@dataclass
class ClaimSettings:
    """The clinic as a billing provider, and how it reaches its clearinghouse and payers."""
    billing_name: str
    billing_npi: str
    tax_id: str  # employer identification number, 9 digits
    address_line: str
    city: str
    state: str
    postal_code: str  # ZIP+4, 9 digits (837P requires it for the billing provider)
    phone: str
    submitter_id: str
    receiver_id: str
    receiver_name: str = "CLEARINGHOUSE"
    contact_name: str = "BILLING OFFICE"
    taxonomy: str | None = None
    payer_ids: dict[str, str] = field(default_factory=dict)  # payer name -> payer id
    filing_codes: dict[str, str] = field(default_factory=dict)  # payer name -> SBR09 (default CI)
    production: bool = False  # ISA15: P when True, T (test) otherwise


def npi_valid(npi: str) -> bool:
    """Whether a National Provider Identifier has a valid check digit (Luhn over 80840 + NPI)."""
    if not re.fullmatch(r"\d{10}", npi or ""):
        return False
    total = 24  # the prefix 80840 contributes 24
    for i, ch in enumerate(reversed(npi[:9])):
        d = int(ch) * 2 if i % 2 == 0 else int(ch)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10 == int(npi[9])


def _check_settings(s: ClaimSettings) -> None:
    problems: dict[str, str] = {}
    if not npi_valid(s.billing_npi):
        problems["billing NPI"] = "is not a valid NPI (10 digits with a check digit)"
    if not re.fullmatch(r"\d{9}", s.tax_id or ""):
        problems["tax id"] = "the EIN is 9 digits"
    if not re.fullmatch(r"\d{9}", s.postal_code or ""):
        problems["postal code"] = "the billing provider's ZIP+4 is 9 digits"
    if not re.fullmatch(r"[A-Z]{2}", s.state or ""):
        problems["state"] = "two capital letters"
    for name in ("billing_name", "address_line", "city", "submitter_id", "receiver_id"):
        if not (getattr(s, name) or "").strip():
            problems[name.replace("_", " ")] = "is required"
    if problems:
        raise ValidationError(problems)


def set_claim_settings(session: Session, settings: ClaimSettings) -> ClaimSettings:
    """Store the claim settings (billing staff); ValidationError names each bad field."""
    session.require(Permission.BILLING_WRITE, record_type="ClaimSettings")
    _check_settings(settings)
    with session.uow() as uow:
        uow.settings.set(SETTINGS_KEY, asdict(settings))
        uow.audit.append(session.entry(Action.CONFIG, record_type="ClaimSettings",
                                       detail={"billing NPI": settings.billing_npi}))
        uow.commit()
    return settings


def claim_settings(uow) -> ClaimSettings | None:
    raw = uow.settings.get(SETTINGS_KEY)
    return ClaimSettings(**raw) if raw else None


@dataclass
class ClaimData:
    """Everything one visit's claim says."""
    encounter: Encounter
    patient: Patient
    coverage: Coverage | None
    charges: list[Charge]
    rendering: Practitioner | None
    claim_codes: dict[str, str] = field(default_factory=dict)  # fee code -> code sent to the payer

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.charges), Decimal("0.00"))

    @property
    def diagnoses(self) -> list[str]:
        """The visit's ICD-10-CM codes in pointer order (first seen first), at most 12."""
        seen: list[str] = []
        for c in self.charges:
            seen += [d for d in c.diagnosis_codes if d not in seen]
        return seen[:12]

    @property
    def place_of_service(self) -> str:
        return PLACE_OF_SERVICE.get(self.encounter.class_code, "11")

    @property
    def control_number(self) -> str:
        """The patient control number (CLM01): the visit's id, short and stable."""
        return self.encounter.id.replace("-", "")[:20].upper()


def gather(session: Session, encounter_id: str, *, audit_action: Action = Action.READ) -> ClaimData:
    """The claim of one visit. Raises NotFound and ValidationError (nothing billable)."""
    session.require(Permission.BILLING_READ, record_type="Claim")
    with session.uow() as uow:
        visit = uow.records(Encounter).find(encounter_id)
        if visit is None or visit.status == ENTERED_IN_ERROR:
            raise NotFound("encounter", encounter_id)
        patient = uow.patients.get(visit.patient_id)
        charges = [c for c in uow.records(Charge).for_patient(patient.id, desc=False)
                   if c.encounter_id == visit.id and c.status in ("billable", "billed")]
        doc = uow.records(Practitioner).find(visit.practitioner_id) if visit.practitioner_id else None
        codes = {e.code: e.claim_code for e in uow.fees.all(active_only=False) if e.claim_code}
        uow.audit.append(session.entry(audit_action, patient_id=patient.id, record_type="Claim",
                                       record_id=visit.id, detail={"charges": len(charges)}))
        uow.commit()
    if not charges:
        raise ValidationError({"charges": "this visit has no billable charges"})
    day = charges[0].service_date or visit.start.date()
    return ClaimData(visit, patient, coverage_on(patient, day), charges, doc, codes)


def product_coding(code: str, claim_codes: dict[str, str]) -> dict[str, str]:
    """The coding a payer sees for a fee code: HCPCS as is, a clinic code through its claim code."""
    sent = claim_codes.get(code) or code
    system = _HCPCS if re.fullmatch(HCPCS_LEVEL_II, sent) or sent != code else _CLINIC_CODES
    return {"system": system, "code": sent}


def fhir_claim(data: ClaimData, *, created: datetime, provider_npi: str | None = None) -> dict[str, Any]:
    """A FHIR R4 ``Claim`` (professional) for a visit. Pure; amounts are Decimal — write the
    result with :func:`claim_json`, which keeps them exact."""
    diagnoses = data.diagnoses
    items = []
    for n, c in enumerate(data.charges, 1):
        pointers = [diagnoses.index(d) + 1 for d in c.diagnosis_codes if d in diagnoses][:4]
        items.append({"sequence": n, "diagnosisSequence": pointers,
                      "productOrService": {"coding": [product_coding(c.code, data.claim_codes)],
                                           "text": c.description},
                      "servicedDate": (c.service_date or data.encounter.start.date()).isoformat(),
                      "locationCodeableConcept": {"coding": [{
                          "system": "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set",
                          "code": data.place_of_service}]},
                      "quantity": {"value": c.units},
                      "unitPrice": {"value": c.unit_price, "currency": "USD"},
                      "net": {"value": c.amount, "currency": "USD"}})
    claim: dict[str, Any] = {
        "resourceType": "Claim", "id": data.encounter.id, "status": "active",
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claim-type",
                             "code": "professional"}]},
        "use": "claim", "patient": {"reference": f"Patient/{data.patient.id}"},
        "created": created.isoformat(),
        "provider": ({"identifier": {"system": "http://hl7.org/fhir/sid/us-npi", "value": provider_npi}}
                     if provider_npi else {"reference": f"Practitioner/{data.rendering.id}"}
                     if data.rendering else {"display": "clinic"}),
        "priority": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/processpriority",
                                 "code": "normal"}]},
        "diagnosis": [{"sequence": n, "diagnosisCodeableConcept": {"coding": [{"system": _ICD10, "code": d}]}}
                      for n, d in enumerate(diagnoses, 1)],
        "item": items, "total": {"value": data.total, "currency": "USD"},
        "encounter": [{"reference": f"Encounter/{data.encounter.id}"}],
    }
    if data.coverage:
        cov = data.coverage
        claim["contained"] = [{"resourceType": "Coverage", "id": "coverage", "status": "active",
                               "subscriberId": cov.member_id, "beneficiary": claim["patient"],
                               "payor": [{"display": cov.payer}],
                               "relationship": {"coding": [{
                                   "system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship",
                                   "code": cov.relationship}]}}]
        claim["insurance"] = [{"sequence": 1, "focal": True, "coverage": {"reference": "#coverage"}}]
    else:
        claim["insurance"] = []  # self-pay: a payer needs a coverage before it accepts the claim
    if data.rendering:
        claim["careTeam"] = [{"sequence": 1, "provider": {"reference": f"Practitioner/{data.rendering.id}"},
                              "role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/claimcareteamrole",
                                                   "code": "primary"}]}}]
    return claim


_DECIMAL = re.compile(r'"__decimal__(-?[0-9.]+)"')


def claim_json(claim: dict[str, Any], indent: int | None = 2) -> str:
    """JSON text of a FHIR resource whose amounts are Decimal: written as exact JSON numbers."""
    def encode(value):
        if isinstance(value, Decimal):
            return f"__decimal__{value:f}"
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        raise TypeError(type(value).__name__)
    return _DECIMAL.sub(r"\1", json.dumps(claim, default=encode, ensure_ascii=False, indent=indent))


def claim_for_encounter(session: Session, encounter_id: str) -> dict[str, Any]:
    """The FHIR Claim of one billable visit (audited). Raises NotFound and ValidationError."""
    data = gather(session, encounter_id)
    with session.uow() as uow:
        settings = claim_settings(uow)
    return fhir_claim(data, created=session.clock(), provider_npi=settings.billing_npi if settings else None)


def export_837p(session: Session, encounter_ids: list[str]) -> str:
    """An X12 837P (005010X222A1) file claiming these visits, audited as an export per patient.

    Raises ValidationError when claim settings are missing or a visit cannot be claimed
    (no coverage, a payer without id, a charge without a claim code), naming each problem.
    """
    from app import billing_x12
    session.require(Permission.BILLING_WRITE, record_type="Claim")
    if not encounter_ids:
        raise ValidationError({"encounters": "choose at least one visit to claim"})
    claims = [gather(session, eid, audit_action=Action.EXPORT) for eid in encounter_ids]
    with session.uow() as uow:
        settings = claim_settings(uow)
        if settings is None:
            raise ValidationError({"claim settings": "enter the billing provider and clearinghouse first"})
        control = int(uow.settings.get("x12_control", 0)) + 1
        uow.settings.set("x12_control", control)
        uow.commit()
    return billing_x12.build_837p(claims, settings, control=control, now=session.clock())
