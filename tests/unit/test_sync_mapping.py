"""Every synced record type maps to valid FHIR R4 (checked by an independent validator,
the fhir.resources R4B models) and back to the same record."""
from __future__ import annotations

import pytest
from fhir.resources.R4B import get_fhir_model_class

from app import codec
from app.audit import Action, AuditEntry
from sync import jsonio, mapping
from sync.mapping import audit as audit_mapping
from sync.mapping.common import CLINIC_TAG_SYSTEM
from tests.unit.sync_samples import CTX, T0, records

BOOKKEEPING = {"version", "server_version", "created_at", "updated_at"}


def _domain(record) -> dict:
    return {k: v for k, v in codec.to_dict(record).items() if k not in BOOKKEEPING}


def _valid(resource: dict) -> None:
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)


@pytest.mark.parametrize("record", records(), ids=lambda r: f"{type(r).__name__}-{r.id[-4:]}")
def test_each_record_maps_to_a_valid_fhir_resource_and_back_unchanged(record):
    resource = jsonio.loads(jsonio.dumps(mapping.to_fhir(record, CTX)))  # as on the wire
    _valid(resource)
    assert resource["id"] == record.id
    assert {"system": CLINIC_TAG_SYSTEM, "code": CTX.clinic_code} in resource["meta"]["tag"]
    back = mapping.from_fhir(resource)
    assert type(back) is type(record)
    assert _domain(back) == _domain(record)


def test_every_synced_type_has_a_round_trip_sample():
    assert {type(r) for r in records()} == set(mapping.MAPPERS)


def test_codes_travel_with_their_canonical_system_urls():
    by_type = {}
    for record in records():  # the first record of each type
        by_type.setdefault(type(record).__name__, mapping.to_fhir(record, CTX))
    assert by_type["Condition"]["code"]["coding"][0]["system"] == "http://hl7.org/fhir/sid/icd-10-cm"
    assert by_type["Observation"]["code"]["coding"][0]["system"] == "http://loinc.org"
    assert by_type["Observation"]["valueQuantity"]["system"] == "http://unitsofmeasure.org"
    assert by_type["MedicationRequest"]["medicationCodeableConcept"]["coding"][0]["system"] == \
        "http://www.nlm.nih.gov/research/umls/rxnorm"
    assert by_type["Immunization"]["vaccineCode"]["coding"][0]["system"] == "http://hl7.org/fhir/sid/cvx"


def test_a_note_and_an_attached_document_come_back_as_their_own_types():
    notes = [r for r in records() if type(r).__name__ in ("ClinicalNote", "Document")]
    wire = [mapping.to_fhir(r, CTX) for r in notes]
    assert {w["resourceType"] for w in wire} == {"DocumentReference"}
    assert [type(mapping.from_fhir(w)) for w in wire] == [type(r) for r in notes]


def test_codes_from_a_system_we_do_not_know_keep_their_url():
    resource = mapping.to_fhir(records()[7], CTX)  # a Condition
    resource["code"]["coding"][0]["system"] = "http://snomed.info/sct"
    back = mapping.from_fhir(resource)
    assert back.code.system == "http://snomed.info/sct"
    assert mapping.to_fhir(back, CTX)["code"]["coding"][0]["system"] == "http://snomed.info/sct"


def test_an_audit_entry_becomes_a_valid_audit_event_with_a_stable_id():
    entry = AuditEntry(action=Action.UPDATE, at=T0, username="dr.a", role="physician", seq=7,
                       patient_id=records()[0].id, record_type="Observation", record_id=records()[5].id,
                       workstation="ws-1", hash="f" * 64)
    event = audit_mapping.to_fhir(entry, CTX, store_id="store-1")
    _valid(event)
    assert event["action"] == "U" and event["entity"][0]["what"]["reference"].startswith("Patient/")
    assert event["id"] == audit_mapping.to_fhir(entry, CTX, store_id="store-1")["id"]
    assert event["id"] != audit_mapping.to_fhir(entry, CTX, store_id="store-2")["id"]
