"""Plain-Python domain records (dataclasses). Tables and mapping live in ``db/``."""
from app.model.common import (ENTERED_IN_ERROR, Address, Coding, ContactPoint, HumanName,
                              Identifier, Record,
                              new_id, utcnow)
from app.model.patient import Coverage, Patient, PatientContact
from app.model.directory import Location, Organization, Practitioner, User
from app.model.clinical import (AllergyIntolerance, Condition, DiagnosticReport, Encounter,
                                Immunization, MedicationRequest, MedicationStatement, Observation,
                                ObservationComponent,
                                ServiceRequest)
from app.model.documents import Addendum, ClinicalNote, Consent, Document
from app.model.scheduling import Appointment, ProviderSchedule
from app.model.billing import Charge, Invoice, Payment

#: Every syncable record type, by its FHIR resource type.
RECORD_TYPES: dict[str, type[Record]] = {
    cls.RESOURCE_TYPE: cls
    for cls in (Patient, Practitioner, Organization, Location, Encounter, Observation, Condition,
                AllergyIntolerance, MedicationRequest, MedicationStatement, Immunization,
                ServiceRequest, DiagnosticReport, ClinicalNote, Document, Appointment, Consent,
                Charge, Invoice, Payment)
}

__all__ = [name for name in dir() if not name.startswith("_")]
