"""Covering indexes for the clinic dashboard (app.dashboard through db/reports.py), so its
clinic-wide counts read index pages only, never the (encrypted, JSON-heavy) record rows:
patients' birth dates, active conditions by code, appointments' statuses by time, observations by code and time, and
report facts for visits and money by period.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_patients_status_birth_date_id", "patients", ["status", "birth_date", "id"]),
    ("ix_observations_code_effective_patient_id", "observations", ["code", "effective", "patient_id"]),
    ("ix_appointments_start_status", "appointments", ["start", "status"]),
    ("ix_report_facts_visits", "report_facts", ["resource_type", "day", "status", "who", "place", "code"]),
    ("ix_report_facts_period", "report_facts", ["resource_type", "status", "day", "code", "cents", "link_id"]),
    ("ix_report_facts_given", "report_facts", ["resource_type", "status", "code", "day", "patient_id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.create_index("ix_conditions_code_clinical", "conditions",
                    ["code", "status", sa.text("json_extract(data, '$.clinical_status')"), "patient_id"])


def downgrade() -> None:
    raise RuntimeError("downgrades are not supported: restore the backup taken before upgrading")
