"""Administration: one page with a tab per task (users, audit report, emergency reviews,
sync server settings, sync conflicts). Shown only to roles that may use it; the services check again."""
from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.permissions import Permission
from ui import wiring
from ui.qt.admin_users import UsersView
from ui.qt.audit_view import AuditView
from ui.qt.admin_conflicts import ConflictsView
from ui.qt.admin_clinic import ClinicView
from ui.qt.admin_sync import SyncServerView
from ui.qt.emergency_access import EmergencyReviewView


class AdminView(QWidget):
    def __init__(self, opened: wiring.Opened, parent: QWidget | None = None):
        super().__init__(parent)
        session = opened.session
        self.tabs = QTabWidget()
        self.users = UsersView(opened) if session.can(Permission.USER_ADMIN) else None
        self.audit = AuditView(session) if session.can(Permission.AUDIT_READ) else None
        self.emergency = EmergencyReviewView(session) if session.can(Permission.AUDIT_READ) else None
        self.conflicts = ConflictsView(session) if session.can(Permission.SYNC) else None
        self.clinic = ClinicView(opened) if session.can(Permission.CONFIG_ADMIN) else None
        self.sync_server = SyncServerView(opened) if session.can(Permission.CONFIG_ADMIN) else None
        if self.users:
            self.tabs.addTab(self.users, "&Users and roles")
        if self.audit:
            self.tabs.addTab(self.audit, "&Audit report")
        if self.clinic:
            self.tabs.addTab(self.clinic, "C&linic and locations")
        if self.emergency:
            self.tabs.addTab(self.emergency, "&Emergency access")
        if self.sync_server:
            self.tabs.addTab(self.sync_server, "S&ync server")
        if self.conflicts:
            self.tabs.addTab(self.conflicts, "Sync &conflicts")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)


def may_administer(session) -> bool:
    return session.can(Permission.USER_ADMIN) or session.can(Permission.AUDIT_READ)
