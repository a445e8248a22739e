"""The ports the services use to reach the store (implemented in ``db/``, faked in tests).

A unit of work is a transaction: everything done through it is rolled back unless
``commit()`` is called before the ``with`` block ends.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, Iterable, Protocol, TypeVar

from app.audit import AuditEntry, ChainBreak
from app.model import Appointment, Observation, Patient, Record, User

if TYPE_CHECKING:  # app.amendments imports this module (through app.session)
    from decimal import Decimal

    from app.amendments import AmendmentRequest
    from app.billing_types import FeeEntry, MoneyTotals
    from app.dashboard_types import CodeRange, VisitCount

R = TypeVar("R", bound=Record)


class Records(Protocol, Generic[R]):
    def get(self, record_id: str) -> R: ...  # raises NotFound
    def find(self, record_id: str) -> R | None: ...
    def find_many(self, record_ids: Iterable[str]) -> dict[str, R]: ...  # those that exist, by id
    def add(self, record: R) -> R: ...  # writes the outbox entry too
    def update(self, record: R) -> R: ...  # optimistic lock on record.version; raises Conflict
    def add_many(self, records: Iterable[R]) -> int: ...
    def for_patient(self, patient_id: str, *, order_by: str | None = None, desc: bool = True,
                    limit: int | None = None, include_errors: bool = False,
                    where: dict[str, Any] | None = None) -> list[R]: ...
    def count(self, where: dict[str, Any] | None = None) -> int: ...
    def all(self, *, include_errors: bool = False) -> list[R]: ...  # small directories only


class PatientRecords(Records[Patient], Protocol):
    def by_mrn(self, mrn: str) -> Patient | None: ...
    def search(self, fts_query: str | None, *, birth_date: date | None, limit: int) -> list[Patient]: ...
    def similar(self, family: str, birth_date: date) -> list[Patient]: ...
    def next_mrn(self) -> str: ...


class ObservationRecords(Records[Observation], Protocol):
    def latest(self, patient_id: str, codes: Iterable[str]) -> dict[str, Observation]: ...
    def series(self, patient_id: str, code: str, *, since: datetime | None = None,
               limit: int | None = None) -> list[Observation]: ...


class AppointmentRecords(Records[Appointment], Protocol):
    def between(self, start: datetime, end: datetime, *, practitioner_id: str | None = None,
                location_id: str | None = None) -> list[Appointment]: ...


class Blobs(Protocol):
    """Attached files' bytes, stored encrypted with their Document record."""
    def put(self, blob_id: str, content: bytes) -> None: ...
    def get(self, blob_id: str) -> bytes: ...  # raises NotFound


class Users(Protocol):
    def get(self, username: str) -> User | None: ...
    def add(self, user: User) -> None: ...
    def update(self, user: User) -> None: ...
    def all(self) -> list[User]: ...


class AuditLog(Protocol):
    def append(self, entry: AuditEntry) -> AuditEntry: ...
    def query(self, *, since: datetime | None = None, until: datetime | None = None,
              username: str | None = None, patient_id: str | None = None,
              action: str | None = None, limit: int | None = None) -> list[AuditEntry]: ...
    def verify(self) -> ChainBreak | None: ...


class Settings(Protocol):
    def get(self, key: str, default: Any = None) -> Any: ...
    def set(self, key: str, value: Any) -> None: ...


class Amendments(Protocol):
    """Patients' amendment requests (app.amendments)."""
    def get(self, amendment_id: str) -> "AmendmentRequest": ...  # raises NotFound
    def add(self, item: "AmendmentRequest") -> "AmendmentRequest": ...
    def update(self, item: "AmendmentRequest") -> "AmendmentRequest": ...  # raises Conflict
    def for_patient(self, patient_id: str) -> list["AmendmentRequest"]: ...


class Interfaces(Protocol):
    """The HL7 interface's review queue and other systems' patient identifiers (app.hl7_import)."""
    def add_review(self, item: dict[str, Any]) -> None: ...
    def reviews(self, status: str | None = "open") -> list[dict[str, Any]]: ...
    def resolve_review(self, review_id: str) -> bool: ...
    def patient_for(self, authority: str, value: str) -> str | None: ...
    def link(self, authority: str, value: str, patient_id: str) -> None: ...


class SyncState(Protocol):
    """What sync keeps in the store that services read: conflicts waiting for a person."""
    def conflicts(self, status: str | None = "open") -> list[dict[str, Any]]: ...
    def open_conflict(self, resource_type: str, resource_id: str,
                      theirs_version: str | None) -> bool: ...
    def conflict(self, conflict_id: str) -> dict[str, Any] | None: ...
    def decide(self, conflict_id: str, decision: dict[str, str], *, username: str, at: str) -> None: ...
    def outbox_count(self) -> int: ...


class FeeSchedule(Protocol):
    """The clinic's fee schedule (app.billing_fees)."""
    def get(self, code: str) -> "FeeEntry | None": ...
    def all(self, *, active_only: bool = True) -> list["FeeEntry"]: ...
    def put(self, entry: "FeeEntry") -> None: ...  # adds or replaces by code


class Reports(Protocol):
    """Clinic-wide aggregates the store computes with SQL (app.dashboard, app.billing_aging).

    Days are clinic-local dates; periods are [start, end)."""
    # practitioner_id / location_id: only that provider's or site's (None: the whole clinic)
    def visits(self, start: date, end: date, *, practitioner_id: str | None = None,
               location_id: str | None = None) -> list["VisitCount"]: ...
    def appointment_statuses(self, start: datetime, end: datetime, *, practitioner_id: str | None = None,
                             location_id: str | None = None) -> dict[str, int]: ...
    def money(self, start: date, end: date) -> "MoneyTotals": ...
    def aging(self, as_of: date, edges: tuple[int, ...], *,
              patient_id: str | None = None) -> list[tuple[int, int, int]]: ...  # (band, invoices, cents)
    def owing_patients(self, as_of: date, min_days: int) -> list[tuple[str, int]]: ...  # (patient, cents)
    def births(self) -> dict[str, date]: ...  # every active patient's birth date
    def with_condition(self, ranges: tuple["CodeRange", ...]) -> set[str]: ...
    def latest_values(self, ranges: tuple["CodeRange", ...], loinc: str,
                      since: datetime) -> dict[str, "Decimal | None"]: ...
    def with_vaccine(self, cvx: tuple[str, ...], since: date) -> set[str]: ...
    def with_result(self, loinc: tuple[str, ...], since: datetime) -> set[str]: ...


class UnitOfWork(Protocol):
    patients: PatientRecords
    observations: ObservationRecords
    appointments: AppointmentRecords
    blobs: Blobs
    users: Users
    audit: AuditLog
    settings: Settings
    amendments: Amendments
    sync: SyncState
    fees: FeeSchedule
    reports: Reports
    interfaces: Interfaces

    def records(self, cls: type[R]) -> Records[R]: ...
    def commit(self) -> None: ...
    def __enter__(self) -> "UnitOfWork": ...
    def __exit__(self, *exc: object) -> None: ...
