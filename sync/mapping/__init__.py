"""Domain records ⇄ FHIR R4 / US Core JSON, for every type that syncs.

``to_fhir(record, ctx)`` gives the resource; ``from_fhir(resource)`` the record (a
DocumentReference becomes a ClinicalNote or a Document by its category). Both are pure.
"""
from __future__ import annotations

from typing import Callable

from app import model as m
from sync.mapping import billing, clinical, directory, documents, medications, orders, patient, scheduling
from sync.mapping.common import EXT, MapContext

Mapper = tuple[Callable[[m.Record, MapContext], dict], Callable[[dict], m.Record]]

MAPPERS: dict[type, Mapper] = {
    m.Patient: (patient.to_fhir, patient.from_fhir),
    m.Practitioner: (directory.practitioner_to_fhir, directory.practitioner_from_fhir),
    m.Organization: (directory.organization_to_fhir, directory.organization_from_fhir),
    m.Location: (directory.location_to_fhir, directory.location_from_fhir),
    m.Encounter: (clinical.encounter_to_fhir, clinical.encounter_from_fhir),
    m.Observation: (clinical.observation_to_fhir, clinical.observation_from_fhir),
    m.Condition: (clinical.condition_to_fhir, clinical.condition_from_fhir),
    m.AllergyIntolerance: (clinical.allergy_to_fhir, clinical.allergy_from_fhir),
    m.MedicationRequest: (medications.request_to_fhir, medications.request_from_fhir),
    m.MedicationStatement: (medications.statement_to_fhir, medications.statement_from_fhir),
    m.Immunization: (medications.immunization_to_fhir, medications.immunization_from_fhir),
    m.ServiceRequest: (orders.request_to_fhir, orders.request_from_fhir),
    m.DiagnosticReport: (orders.report_to_fhir, orders.report_from_fhir),
    m.ClinicalNote: (documents.note_to_fhir, documents.note_from_fhir),
    m.Document: (documents.document_to_fhir, documents.document_from_fhir),
    m.Consent: (documents.consent_to_fhir, documents.consent_from_fhir),
    m.Appointment: (scheduling.to_fhir, scheduling.from_fhir),
    m.Charge: (billing.charge_to_fhir, billing.charge_from_fhir),
    m.Invoice: (billing.invoice_to_fhir, billing.invoice_from_fhir),
    m.Payment: (billing.payment_to_fhir, billing.payment_from_fhir),
}

#: The FHIR resource type each record type travels as.
WIRE_TYPE: dict[type, str] = {cls: ("DocumentReference" if cls is m.Document else cls.RESOURCE_TYPE)
                              for cls in MAPPERS}
#: Record types by the RESOURCE_TYPE the outbox names them with.
BY_OUTBOX_TYPE: dict[str, type] = {cls.RESOURCE_TYPE: cls for cls in MAPPERS}
_BY_WIRE: dict[str, type] = {wire: cls for cls, wire in WIRE_TYPE.items() if cls is not m.Document}
#: Wire types to pull, in the order that keeps references resolvable.
PULL_ORDER = ("Organization", "Location", "Practitioner", "Patient", "Appointment", "Encounter",
              "Condition", "AllergyIntolerance", "MedicationStatement", "MedicationRequest",
              "Immunization", "ServiceRequest", "Observation", "DiagnosticReport",
              "DocumentReference", "Consent", "ChargeItem", "Invoice", "PaymentReconciliation")
#: Extensions this product writes; any other extension on a server copy is someone else's.
OWNED_EXTENSIONS = frozenset(patient.OWNED_EXTENSIONS)


def is_owned_extension(url: str) -> bool:
    return url in OWNED_EXTENSIONS or url.startswith(EXT)


def to_fhir(record: m.Record, ctx: MapContext) -> dict:
    """The FHIR resource for a record (a new dict; the record is not changed)."""
    return MAPPERS[type(record)][0](record, ctx)


def record_type_for(resource: dict) -> type:
    """The record type a resource maps to; KeyError when it is not one we sync."""
    rtype = resource["resourceType"]
    if rtype == "DocumentReference":
        return m.ClinicalNote if documents.is_note(resource) else m.Document
    try:
        return _BY_WIRE[rtype]
    except (KeyError, TypeError):
        raise KeyError(rtype) from None


def from_fhir(resource: dict) -> m.Record:
    """The domain record for a resource; KeyError for a type we do not sync."""
    return MAPPERS[record_type_for(resource)][1](resource)


__all__ = ["MapContext", "MAPPERS", "WIRE_TYPE", "BY_OUTBOX_TYPE", "PULL_ORDER", "to_fhir",
           "from_fhir", "record_type_for", "is_owned_extension"]
