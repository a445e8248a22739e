"""One fully filled record of every synced type (for mapping and pipeline tests)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from app import model as m
from sync.mapping import MapContext

CTX = MapContext(clinic_code="CTEST01", organization_id="00000000-0000-4000-8000-00000000000a")
T0 = datetime(2024, 3, 5, 14, 30, tzinfo=timezone.utc)
PID = "00000000-0000-4000-8000-000000000001"
DOC = "00000000-0000-4000-8000-000000000002"
LOC = "00000000-0000-4000-8000-000000000003"
ENC = "00000000-0000-4000-8000-000000000004"
ORDER = "00000000-0000-4000-8000-000000000005"
REPORT = "00000000-0000-4000-8000-000000000006"
OBS = "00000000-0000-4000-8000-000000000007"
INV = "00000000-0000-4000-8000-000000000008"
CHG = "00000000-0000-4000-8000-000000000009"


def patient() -> m.Patient:
    return m.Patient(
        id=PID, mrn="100234", name=m.HumanName("García", ["Ana", "María"], prefix="Ms", suffix="Jr"),
        birth_date=date(1980, 2, 29), sex="female", sex_at_birth="F", gender_identity="woman",
        other_names=[m.HumanName("López", ["Ana"], use="maiden")],
        identifiers=[m.Identifier("http://hl7.org/fhir/sid/us-ssn", "123-45-6789", "SS")],
        telecom=[m.ContactPoint("phone", "555-0100", "mobile"), m.ContactPoint("email", "ana@example.org")],
        addresses=[m.Address(["1 Main St", "Apt 2"], "Springfield", "IL", "62701", "US")],
        language="es", race=[m.Coding("urn:oid:2.16.840.1.113883.6.238", "2106-3", "White")],
        ethnicity=[m.Coding("urn:oid:2.16.840.1.113883.6.238", "2135-2", "Hispanic or Latino")],
        contacts=[m.PatientContact("Luis García", "spouse", "555-0101")],
        coverages=[m.Coverage(payer="Acme Health", member_id="M123", group="G9", start=date(2024, 1, 1),
                              priority=1)],
        organization_id=CTX.organization_id, security_labels=["R"])


def records() -> list[m.Record]:
    """A record of every synced type, all referring to the same patient."""
    code = m.Coding("loinc", "8867-4", "Heart rate")
    return [
        patient(),
        m.Practitioner(id=DOC, name=m.HumanName("House", ["Greg"]), npi="1234567893", dea="AB1234563",
                       qualification="MD", specialty="internal medicine",
                       telecom=[m.ContactPoint("phone", "555-0199", "work")]),
        m.Organization(id=CTX.organization_id, name="Test Clinic", clinic_code=CTX.clinic_code,
                       address=m.Address(["2 Clinic Rd"], "Springfield", "IL", "62701", "US"),
                       telecom=[m.ContactPoint("phone", "555-0000", "work")]),
        m.Location(id=LOC, name="Main site", organization_id=CTX.organization_id,
                   address=m.Address(["2 Clinic Rd"], "Springfield", "IL")),
        m.Encounter(id=ENC, patient_id=PID, start=T0, end=T0.replace(hour=15), status="finished",
                    practitioner_id=DOC, location_id=LOC,
                    reasons=[m.Coding("icd10cm", "E11.9", "Type 2 diabetes mellitus without complications")]),
        m.Observation(id=OBS, patient_id=PID, code=code, effective=T0, value=Decimal("72"), unit="/min",
                      ref_low=Decimal("60"), ref_high=Decimal("100"), interpretation="N", encounter_id=ENC,
                      performer_id=DOC, note="resting", report_id=REPORT, service_request_id=ORDER),
        m.Observation(patient_id=PID, code=m.Coding("loinc", "5778-6", "Color of Urine"), effective=T0,
                      category="laboratory", value_text="yellow", status="preliminary"),
        m.Condition(patient_id=PID, code=m.Coding("icd10cm", "E11.9", "Type 2 diabetes"),
                    onset_date=date(2019, 5, 1), recorded_date=date(2019, 6, 1), encounter_id=ENC,
                    recorder_id=DOC, note="diet controlled"),
        m.Condition(patient_id=PID, code=m.Coding("icd10cm", "I10", "Hypertension"),
                    clinical_status="resolved", status="entered-in-error", abatement_date=date(2020, 1, 1)),
        m.AllergyIntolerance(patient_id=PID, substance=m.Coding("rxnorm", "7980", "Penicillin G"),
                             criticality="high", reaction="hives", severity="moderate",
                             onset_date=date(2001, 1, 1), recorder_id=DOC, note="as a child"),
        m.AllergyIntolerance(patient_id=PID, substance=m.Coding("text", "peanuts", "peanuts"),
                             category="food"),
        m.MedicationRequest(patient_id=PID, medication=m.Coding("rxnorm", "860975", "metformin 500 MG"),
                            dose=Decimal("1"), dose_unit="tablet", route="oral", frequency="twice daily",
                            sig="1 tablet by mouth twice daily", quantity=Decimal("60"), quantity_unit="tablet",
                            refills=3, days_supply=30, prn=False, authored_on=T0, prescriber_id=DOC,
                            encounter_id=ENC, signed_by=DOC, signed_at=T0, status="active"),
        m.MedicationStatement(patient_id=PID, medication=m.Coding("rxnorm", "1191", "aspirin"),
                              dosage="81 mg daily", effective_start=date(2020, 1, 1),
                              information_source="patient", note="OTC"),
        m.Immunization(patient_id=PID, vaccine=m.Coding("cvx", "140", "Influenza, seasonal"),
                       occurrence=date(2023, 10, 1), lot_number="L123", expiration_date=date(2024, 6, 30),
                       manufacturer="Sanofi", site="left deltoid", route="IM", dose_number=1,
                       performer_id=DOC, encounter_id=ENC),
        m.ServiceRequest(id=ORDER, patient_id=PID, code=m.Coding("loinc", "4548-4", "Hemoglobin A1c"),
                         priority="urgent", authored_on=T0, requester_id=DOC, encounter_id=ENC,
                         reasons=[m.Coding("icd10cm", "E11.9", "Type 2 diabetes")], note="fasting"),
        m.DiagnosticReport(id=REPORT, patient_id=PID, code=m.Coding("loinc", "4548-4", "Hemoglobin A1c"),
                           issued=T0, service_request_id=ORDER, encounter_id=ENC, result_ids=[OBS],
                           performer="Quest", conclusion="high"),
        m.ClinicalNote(patient_id=PID, encounter_id=ENC, subjective="feels well", objective="BP ok",
                       assessment="stable", plan="follow up", author_id=DOC, signed_by=DOC, signed_at=T0,
                       addenda=[m.Addendum("lab added", DOC, T0)], status="signed"),
        m.Document(patient_id=PID, title="Referral letter", content_type="application/pdf", size=1234,
                   sha256="ab" * 32, category="letter", encounter_id=ENC, author_id=DOC),
        m.Appointment(patient_id=PID, start=T0, end=T0.replace(minute=50), practitioner_id=DOC,
                      location_id=LOC, appointment_type="telehealth", telehealth_url="https://v.example/1",
                      reason="follow-up of diabetes", note="bring meter"),
        m.Consent(patient_id=PID, category="hipaa-notice", date=date(2024, 1, 2), policy="NPP v3",
                  note="signed on paper"),
        m.Charge(id=CHG, patient_id=PID, code="99213", description="Office visit, established",
                 unit_price=Decimal("125.50"), units=2, encounter_id=ENC, diagnosis_codes=["E11.9"],
                 service_date=date(2024, 3, 5), invoice_id=INV, status="billed"),
        m.Invoice(id=INV, patient_id=PID, number="INV-0001", issued=date(2024, 3, 6), charge_ids=[CHG],
                  total=Decimal("251.00")),
        m.Payment(patient_id=PID, amount=Decimal("40.00"), received_at=T0, method="card",
                  reference="txn-9", invoice_id=INV),
    ]
