"""The demo clinic's accounts (documented in the README; for demonstrations only)."""
from __future__ import annotations

DEMO_PASSWORD = "demo-clinic-2026"
DEMO_CLINIC = "Riverbend Family Clinic (demo)"

#: username, role, display name, practitioner qualification (None: not a practitioner)
DEMO_USERS = (
    ("admin", "admin", "Clinic Administrator", None),
    ("dr.okafor", "physician", "Dr. Amara Okafor", "MD"),
    ("dr.lindqvist", "physician", "Dr. Erik Lindqvist", "DO"),
    ("nurse.kim", "nurse", "Jin Kim, RN", "RN"),
    ("desk.garcia", "front_desk", "Lucía García", None),
    ("billing.patel", "billing", "Ravi Patel", None),
)
