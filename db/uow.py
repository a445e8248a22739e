"""The unit of work over the encrypted store: one connection, one transaction."""
from __future__ import annotations

from sqlalchemy import Engine

from app.model import Appointment, Observation, Patient
from db.accounts import AuditRepository, SettingsRepository, UserRepository
from db.amendments import AmendmentRepository
from db.blobs import BlobRepository
from db.fees import FeeScheduleRepository
from db.interfaces_repository import InterfaceRepository
from db.reports import ReportQueries
from db.repositories import RecordRepository, repository_for
from db.sync_repository import SyncRepository


class SqlUnitOfWork:
    """``with uow: ...; uow.commit()`` — anything not committed is rolled back on exit."""

    def __init__(self, engine: Engine, audit_key: bytes, *, readonly: bool = False):
        self.engine, self.audit_key, self.readonly = engine, audit_key, readonly
        self._repos: dict[type, RecordRepository] = {}

    def __enter__(self) -> "SqlUnitOfWork":
        self.conn = self.engine.connect()
        self.conn.info["readonly"] = self.readonly
        self.tx = self.conn.begin()
        self.patients = self.records(Patient)
        self.observations = self.records(Observation)
        self.appointments = self.records(Appointment)
        self.blobs = BlobRepository(self.conn)
        self.users = UserRepository(self.conn)
        self.settings = SettingsRepository(self.conn)
        self.audit = AuditRepository(self.conn, self.audit_key)
        self.sync = SyncRepository(self.conn)
        self.amendments = AmendmentRepository(self.conn)
        self.fees = FeeScheduleRepository(self.conn)
        self.reports = ReportQueries(self.conn)
        self.interfaces = InterfaceRepository(self.conn)
        return self

    def records(self, cls):
        repo = self._repos.get(cls)
        if repo is None:
            repo = self._repos[cls] = repository_for(self.conn, cls)
        return repo

    def commit(self) -> None:
        self.tx.commit()

    def __exit__(self, *exc: object) -> None:
        try:
            if self.tx.is_active:
                self.tx.rollback()
        finally:
            self.conn.info.pop("readonly", None)
            self.conn.close()
            self._repos.clear()
