"""The 837P claim file of a demo visit, checked by an independent validator (pyx12, the HIPAA
X12 validator from PyPI, with its 005010X222A1 map) rather than only by our own writer."""
from __future__ import annotations

import io
import json
from datetime import date

import pytest
import pyx12.params
import pyx12.x12n_document
from sqlalchemy import text

from app import billing_claims, billing_fees, codec, demo
from app.billing_claims import ClaimSettings
from app.billing_coverage import coverage_on
from app.demo_codes import FEES
from app.demo_names import MEDICARE, PAYERS
from app.model import Charge, Patient

TODAY = date(2026, 3, 2)
#: Claim codes the clinic would enter for its own fee codes (codes only, no CPT descriptors).
CLAIM_CODES = {"OV-NEW-30": "99203", "OV-EST-15": "99212", "OV-EST-25": "99214",
               "TH-EST-15": "99212", "PREV-ADULT": "99396", "PREV-CHILD": "99392", "NV-10": "99211",
               "VAX-ADMIN": "90471", "LAB-DRAW": "36415"}


def validate(x12: str) -> tuple[bool, list[dict], str]:
    """pyx12's verdict on an interchange: (valid, the errors it reports, its 999 acknowledgement)."""
    found, ack = io.StringIO(), io.StringIO()
    valid = pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(x12), ack, None,
                                               fd_json=found)
    return valid, _errors(json.loads(found.getvalue() or "{}")), ack.getvalue()


def _errors(node) -> list[dict]:
    """Every error entry anywhere in pyx12's nested JSON report."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "errors" and isinstance(value, list):
                out += [e for e in value if isinstance(e, dict)]
            else:
                out += _errors(value)
    elif isinstance(node, list):
        for item in node:
            out += _errors(item)
    return out


@pytest.fixture
def demo_claims(clinic, sessions):
    """A demo clinic whose billing office has entered its claim settings and claim codes."""
    demo.populate(clinic.session, patients=30, seed=5, today=TODAY)
    billing = sessions["billing"]
    payers = {name: f"PAYER{n:02d}" for n, (name, _, _) in enumerate(PAYERS)} | {MEDICARE[0]: "MCR01"}
    billing_claims.set_claim_settings(billing, ClaimSettings(
        billing_name="Riverbend Family Clinic", billing_npi="1234567893", tax_id="931234567",
        address_line="100 River Road", city="Portland", state="OR", postal_code="972011234",
        phone="(503) 555-0100", submitter_id="RIVERBEND01", receiver_id="CLEARHOUSE", taxonomy="207Q00000X",
        payer_ids=payers, filing_codes={MEDICARE[0]: "MB", "Oregon Health Plan (Medicaid)": "MC"}))
    for code, claim_code in CLAIM_CODES.items():
        billing_fees.set_fee(billing, code=code, description=FEES[code][0], price=FEES[code][1],
                             claim_code=claim_code)
    return billing


def _claimable_visits(clinic, limit: int) -> list[str]:
    """Demo visits with charges whose patient is the subscriber of an insurance plan."""
    with clinic.store.uow(readonly=True) as uow:
        patients = {p.id: p for p in (codec.loads(Patient, raw) for raw in uow.conn.execute(
            text("SELECT data FROM patients")).scalars())}
        charges = [codec.loads(Charge, raw) for raw in uow.conn.execute(
            text("SELECT data FROM charges WHERE status IN ('billable', 'billed') ORDER BY id")).scalars()]
    visits: list[str] = []
    for c in charges:
        cover = coverage_on(patients[c.patient_id], c.service_date) if c.service_date else None
        if c.encounter_id and c.encounter_id not in visits and cover and cover.relationship == "self":
            visits.append(c.encounter_id)
    return visits[:limit]


def test_an_837p_for_a_demo_visit_passes_the_pyx12_hipaa_validator(clinic, demo_claims):
    visit = _claimable_visits(clinic, 1)
    assert visit, "the demo clinic should have an insured, billed visit"
    x12 = billing_claims.export_837p(demo_claims, visit)
    valid, errors, ack = validate(x12)
    assert errors == [] and valid, errors
    assert "IK5*A" in ack  # the 999 acknowledgement accepts the transaction set


def test_an_837p_claiming_several_visits_passes_the_pyx12_hipaa_validator(clinic, demo_claims):
    visits = _claimable_visits(clinic, 5)
    assert len(visits) == 5
    x12 = billing_claims.export_837p(demo_claims, visits)
    valid, errors, _ = validate(x12)
    assert errors == [] and valid, errors
    assert x12.count("~CLM*") == 5


def test_the_validator_reports_a_broken_claim_file(clinic, demo_claims):
    x12 = billing_claims.export_837p(demo_claims, _claimable_visits(clinic, 1))
    broken = x12.replace("~DMG*D8*", "~DMG*D8*1", 1)  # a birth date of nine digits
    valid, errors, _ = validate(broken)
    assert not valid and errors
