"""Clinical records: encounters, observations, problems, allergies, medications,
immunizations, orders and reports."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from app.model.common import Coding, Record


@dataclass(kw_only=True)
class Encounter(Record):
    RESOURCE_TYPE = "Encounter"
    patient_id: str
    start: datetime
    end: datetime | None = None
    status: str = "in-progress"  # planned | in-progress | finished | cancelled | entered-in-error
    class_code: str = "AMB"  # AMB ambulatory | VR virtual | HH home
    visit_type: str = "office-visit"
    practitioner_id: str | None = None
    location_id: str | None = None
    appointment_id: str | None = None
    reasons: list[Coding] = field(default_factory=list)


#: Panels whose components are read one code at a time (flowsheet, trends, the chart's latest
#: vitals): blood pressure comes from other systems as one panel (85354-9 or 55284-4).
PANEL_CODES: dict[str, tuple[str, ...]] = {"8480-6": ("85354-9", "55284-4"),
                                           "8462-4": ("85354-9", "55284-4")}


@dataclass(slots=True)
class ObservationComponent:
    """One part of a panel Observation (blood pressure: systolic and diastolic)."""
    code: Coding
    value: Decimal | None = None
    unit: str | None = None
    unit_shown: str | None = None  # the unit as received, when it is not the UCUM code
    value_text: str | None = None
    interpretation: str | None = None
    ref_low: Decimal | None = None
    ref_high: Decimal | None = None
    absent_reason: str | None = None  # why there is no value (data-absent-reason code)


@dataclass(kw_only=True)
class Observation(Record):
    """A vital sign or a lab result, LOINC-coded, with a UCUM unit.

    A panel (blood pressure 85354-9) keeps its parts in ``components``, each with its own
    code and value, as one Observation; :meth:`values` gives every (code, value) it holds."""
    RESOURCE_TYPE = "Observation"
    patient_id: str
    code: Coding
    effective: datetime
    category: str = "vital-signs"  # vital-signs | laboratory
    value: Decimal | None = None
    unit: str | None = None
    unit_shown: str | None = None  # the unit as received ("mmHg"), when it is not the UCUM code
    value_text: str | None = None
    ref_low: Decimal | None = None
    ref_high: Decimal | None = None
    interpretation: str | None = None  # N | H | L | HH | LL | A
    encounter_id: str | None = None
    service_request_id: str | None = None
    report_id: str | None = None
    performer_id: str | None = None
    note: str | None = None
    status: str = "final"  # preliminary | final | amended | entered-in-error
    components: list[ObservationComponent] = field(default_factory=list)

    def values(self) -> list[tuple[str, Decimal | None, str | None]]:
        """(code, value, unit) of the Observation's own value and of each component, for
        readers that want one value per code (a panel's own code has no value)."""
        own = [(self.code.code, self.value, self.unit)] if self.value is not None or not self.components else []
        return own + [(c.code.code, c.value, c.unit) for c in self.components]

    def part(self, code: str) -> "Observation | None":
        """This Observation as one value of ``code``: itself when that is its own code, else a
        copy holding that component's value (same id and version, so correcting or retracting
        it acts on the panel). None when it holds no value for ``code``."""
        if self.code.code == code:
            return self
        found = next((c for c in self.components if c.code.code == code), None)
        if found is None:
            return None
        return replace(self, code=found.code, value=found.value, unit=found.unit, unit_shown=found.unit_shown,
                       value_text=found.value_text, interpretation=found.interpretation,
                       ref_low=found.ref_low, ref_high=found.ref_high, components=[])


@dataclass(kw_only=True)
class Condition(Record):
    """A problem-list entry or encounter diagnosis, ICD-10-CM coded."""
    RESOURCE_TYPE = "Condition"
    patient_id: str
    code: Coding
    clinical_status: str = "active"  # active | recurrence | relapse | inactive | remission | resolved
    verification_status: str = "confirmed"
    category: str = "problem-list-item"  # problem-list-item | encounter-diagnosis
    onset_date: date | None = None
    abatement_date: date | None = None
    recorded_date: date | None = None
    encounter_id: str | None = None
    recorder_id: str | None = None
    note: str | None = None
    status: str = "active"  # record status: active | entered-in-error


@dataclass(kw_only=True)
class AllergyIntolerance(Record):
    RESOURCE_TYPE = "AllergyIntolerance"
    patient_id: str
    substance: Coding  # rxnorm for drugs; system "text" for free text (e.g. peanuts)
    category: str = "medication"  # medication | food | environment | biologic
    type: str = "allergy"  # allergy | intolerance
    criticality: str | None = None  # low | high | unable-to-assess
    reaction: str | None = None
    severity: str | None = None  # mild | moderate | severe
    clinical_status: str = "active"
    verification_status: str = "confirmed"
    onset_date: date | None = None
    recorder_id: str | None = None
    note: str | None = None
    status: str = "active"


@dataclass(kw_only=True)
class MedicationRequest(Record):
    """A prescription."""
    RESOURCE_TYPE = "MedicationRequest"
    patient_id: str
    medication: Coding  # rxnorm
    dose: Decimal | None = None
    dose_unit: str | None = None  # e.g. tablet, mg, mL
    route: str | None = None
    frequency: str | None = None  # e.g. "twice daily"
    sig: str | None = None
    quantity: Decimal | None = None
    quantity_unit: str | None = None
    refills: int = 0
    days_supply: int | None = None
    prn: bool = False
    authored_on: datetime | None = None
    prescriber_id: str | None = None
    encounter_id: str | None = None
    signed_by: str | None = None
    signed_at: datetime | None = None
    note: str | None = None
    status: str = "draft"  # draft | active | on-hold | completed | stopped | cancelled | entered-in-error


@dataclass(kw_only=True)
class MedicationStatement(Record):
    """A medication the patient reports taking (home meds, outside prescriptions)."""
    RESOURCE_TYPE = "MedicationStatement"
    patient_id: str
    medication: Coding
    dosage: str | None = None
    effective_start: date | None = None
    effective_end: date | None = None
    information_source: str | None = None
    note: str | None = None
    status: str = "active"  # active | completed | stopped | not-taken | entered-in-error


@dataclass(kw_only=True)
class Immunization(Record):
    RESOURCE_TYPE = "Immunization"
    patient_id: str
    vaccine: Coding  # cvx
    occurrence: date
    lot_number: str | None = None
    expiration_date: date | None = None
    manufacturer: str | None = None
    site: str | None = None  # e.g. left deltoid
    route: str | None = None  # IM | SC | PO | IN
    dose_number: int | None = None
    performer_id: str | None = None
    encounter_id: str | None = None
    note: str | None = None
    status: str = "completed"  # completed | not-done | entered-in-error


@dataclass(kw_only=True)
class ServiceRequest(Record):
    """A lab or imaging order."""
    RESOURCE_TYPE = "ServiceRequest"
    patient_id: str
    code: Coding
    category: str = "laboratory"  # laboratory | imaging
    priority: str = "routine"  # routine | urgent | stat
    authored_on: datetime | None = None
    requester_id: str | None = None
    encounter_id: str | None = None
    reasons: list[Coding] = field(default_factory=list)
    note: str | None = None
    status: str = "active"  # draft | active | completed | revoked | entered-in-error


@dataclass(kw_only=True)
class DiagnosticReport(Record):
    RESOURCE_TYPE = "DiagnosticReport"
    patient_id: str
    code: Coding
    issued: datetime
    category: str = "laboratory"
    service_request_id: str | None = None
    encounter_id: str | None = None
    result_ids: list[str] = field(default_factory=list)
    performer: str | None = None
    conclusion: str | None = None
    status: str = "final"  # registered | partial | preliminary | final | amended | entered-in-error
