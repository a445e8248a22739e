"""The clinic and its locations: name and clinic code (as set up), the sites, adding a site.
Server settings come from the managed configuration file (see the README), not from here."""
from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from app import directory
from app import formatting as fmt
from ui import wiring
from ui.qt import admin_dialogs as ask
from ui.qt import ops


def _load(opened: wiring.Opened):
    return wiring.clinic(opened), directory.locations(opened.session)


class ClinicView(QWidget):
    def __init__(self, opened: wiring.Opened, parent: QWidget | None = None):
        super().__init__(parent)
        self.opened, self.info = opened, None
        self.name, self.code = QLabel(fmt.MISSING), QLabel(fmt.MISSING)
        self.locations = QListWidget()
        self.add_button = QPushButton("&Add location…")
        self.add_button.clicked.connect(self.add_location)
        form = QFormLayout()
        form.addRow("Clinic", self.name)
        form.addRow("Clinic code", self.code)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Locations"))
        layout.addWidget(self.locations, 1)
        layout.addWidget(self.add_button)
        self.reload()

    def reload(self) -> None:
        ops.run(self, lambda: _load(self.opened), on_success=self._show)

    def _show(self, loaded) -> None:
        self.info, sites = loaded
        self.name.setText(fmt.text(self.info.name if self.info else None))
        self.code.setText(fmt.text(self.info.clinic_code if self.info else None))
        self.locations.clear()
        default = self.info.default_location_id if self.info else None
        for site in sites:
            self.locations.addItem(f"{site.name} (main site)" if site.id == default else site.name)

    def add_location(self) -> None:
        name = ask.ask_text(self, "Add a location", "Name of the new location:")
        if name is not None:
            org = self.info.organization_id if self.info else None
            ops.run(self, lambda: directory.add_location(self.opened.session, name=name, organization_id=org),
                    on_success=lambda _: self.reload())
