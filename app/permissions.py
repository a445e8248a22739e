"""The permission matrix: the one place that says which role may do what.

Services call :meth:`app.session.Session.require`; hiding a button in the client is
only a convenience on top of that.
"""
from __future__ import annotations

from enum import Enum


class Permission(str, Enum):
    PATIENT_READ = "read_demographics"
    PATIENT_WRITE = "register_or_edit_patients"
    CHART_READ = "read_clinical_records"
    NOTE_READ = "read_notes"
    NOTE_WRITE = "write_notes"
    NOTE_SIGN = "sign_notes"
    VITALS_WRITE = "record_vitals"
    CLINICAL_WRITE = "edit_problems_allergies_and_medications"
    PRESCRIBE = "write_prescriptions"
    PRESCRIPTION_SIGN = "sign_prescriptions"
    IMMUNIZATION_WRITE = "record_immunizations"
    ORDER_WRITE = "place_orders"
    RESULT_WRITE = "record_results"
    DOCUMENT_WRITE = "attach_documents"
    SCHEDULE_READ = "view_the_schedule"
    SCHEDULE_WRITE = "book_appointments"
    BILLING_READ = "view_billing"
    BILLING_WRITE = "post_charges_and_payments"
    SENSITIVE_READ = "read_sensitive_records"
    PRINT = "print_documents"
    EXPORT = "export_records"
    IMPORT = "import_records"
    SYNC = "synchronise_with_the_server"
    USER_ADMIN = "manage_users"
    AUDIT_READ = "read_the_audit_report"
    CONFIG_ADMIN = "change_clinic_settings"


P = Permission
_CLINICAL_READ = {P.PATIENT_READ, P.CHART_READ, P.SCHEDULE_READ}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "admin": frozenset({P.PATIENT_READ, P.PATIENT_WRITE, P.SCHEDULE_READ, P.SCHEDULE_WRITE,
                        P.USER_ADMIN, P.AUDIT_READ, P.CONFIG_ADMIN, P.SYNC, P.IMPORT, P.EXPORT,
                        P.PRINT}),
    "physician": frozenset(_CLINICAL_READ | {
        P.PATIENT_WRITE, P.NOTE_READ, P.NOTE_WRITE, P.NOTE_SIGN, P.VITALS_WRITE, P.CLINICAL_WRITE,
        P.PRESCRIBE, P.PRESCRIPTION_SIGN, P.IMMUNIZATION_WRITE, P.ORDER_WRITE, P.RESULT_WRITE,
        P.DOCUMENT_WRITE, P.SCHEDULE_WRITE, P.BILLING_READ, P.SENSITIVE_READ, P.PRINT, P.EXPORT,
        P.SYNC}),
    "nurse": frozenset(_CLINICAL_READ | {
        P.PATIENT_WRITE, P.NOTE_READ, P.NOTE_WRITE, P.VITALS_WRITE, P.CLINICAL_WRITE, P.PRESCRIBE,
        P.IMMUNIZATION_WRITE, P.RESULT_WRITE, P.DOCUMENT_WRITE, P.SCHEDULE_WRITE, P.PRINT,
        P.SYNC}),
    "front_desk": frozenset({P.PATIENT_READ, P.PATIENT_WRITE, P.SCHEDULE_READ, P.SCHEDULE_WRITE,
                             P.DOCUMENT_WRITE, P.BILLING_READ, P.PRINT, P.SYNC}),
    "billing": frozenset({P.PATIENT_READ, P.BILLING_READ, P.BILLING_WRITE, P.SCHEDULE_READ,
                          P.PRINT, P.SYNC}),
}

ROLES = tuple(ROLE_PERMISSIONS)

#: Security label (FHIR v3-ActCode) that marks a record as sensitive (behavioural health etc.).
SENSITIVE_LABELS = frozenset({"PSY", "ETH", "HIV", "SUD", "R"})


def allowed(role: str, permission: Permission, extra: frozenset[str] | set[str] = frozenset()) -> bool:
    """Whether a role (plus per-user extra grants) holds a permission."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset()) or permission.value in extra
