"""Table models: cached rows from a service, described by a list of columns.

A model holds the rows a service returned (never a database handle), answers
``data()`` through pure formatters, and never raises: a cell that cannot be shown
shows "—". Sorting and filtering go through a QSortFilterProxyModel, which sorts on
``SORT_ROLE`` (a machine-comparable key) rather than on the displayed text.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Generic, Sequence, TypeVar

from PySide6.QtCore import (QAbstractTableModel, QModelIndex, QPersistentModelIndex,
                            QSortFilterProxyModel, Qt)
from PySide6.QtGui import QBrush, QFont

from app import formatting as fmt
from app.patients import PatientSummary
from ui.qt.style import ABNORMAL_COLOUR

R = TypeVar("R")
ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
ABNORMAL_ROLE = Qt.ItemDataRole.UserRole + 3
log = logging.getLogger("outpost.ui.models")
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[R]):
    title: str
    text: Callable[[R], str]
    sort_key: Callable[[R], Any] | None = None  # default: the shown text, case-folded
    flagged: bool = False  # this cell is drawn bold red when the row is abnormal
    align_right: bool = False


class RowsModel(QAbstractTableModel, Generic[R]):
    """A read-only table of ``rows`` shown through ``columns``."""

    def __init__(self, columns: Sequence[Column[R]], *, row_id: Callable[[R], str] | None = None,
                 abnormal: Callable[[R], bool] | None = None, parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[R] = []
        self._row_id = row_id
        self._abnormal = abnormal

    # -- contents -----------------------------------------------------------
    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[R]:
        return list(self._rows)

    def row_at(self, row: int) -> R | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    # -- Qt's interface (never raises) --------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.columns)):
            return self.columns[section].title
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in _ANSWERED:  # most of a view's questions (size hints, icons, check marks):
            return None            # answered here, before any Python work, as views ask often
        try:
            return self._data(index, role)
        except Exception:  # noqa: BLE001 - a model must not take the view down
            log.exception("could not show a cell")
            return fmt.MISSING if role == Qt.ItemDataRole.DisplayRole else None

    def _data(self, index: _Index, role: int):
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None or not 0 <= index.column() < len(self.columns):
            return None
        column = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.text(row)
        if role == ID_ROLE:
            return self._row_id(row) if self._row_id else None
        if role == SORT_ROLE:
            return _sortable(column.sort_key(row) if column.sort_key else column.text(row).casefold())
        if role == ABNORMAL_ROLE:
            return self._is_abnormal(row)
        if column.flagged and self._is_abnormal(row):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(ABNORMAL_COLOUR)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _is_abnormal(self, row: R) -> bool:
        return bool(self._abnormal and self._abnormal(row))


#: The roles RowsModel (and its subclasses) answer; any other role is None at once.
_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, ID_ROLE, SORT_ROLE, ABNORMAL_ROLE,
          Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.TextAlignmentRole)
_ANSWERED = frozenset(_ROLES) | frozenset(int(getattr(r, "value", r)) for r in _ROLES)


def _sortable(key: Any) -> Any:
    """Keys Qt can compare: dates as ISO text, None last."""
    if key is None:
        return "\uffff"
    if isinstance(key, date):
        return key.isoformat()
    return key


def sorted_proxy(model: QAbstractTableModel, parent=None) -> QSortFilterProxyModel:
    """A proxy that sorts on SORT_ROLE and filters case-insensitively on every column."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    return proxy


# -- the patient search results ---------------------------------------------
def patient_columns(rank: Callable[[PatientSummary], int]) -> list[Column[PatientSummary]]:
    """Search-result columns; the name sorts by ``rank`` (the service's family-name order)."""
    return [
        Column("MRN", lambda p: fmt.text(p.mrn)),
        Column("Name", lambda p: fmt.text(p.name), sort_key=rank),
        *_PATIENT_DETAILS,
    ]


_PATIENT_DETAILS: list[Column[PatientSummary]] = [
    Column("Birth date", lambda p: fmt.date_text(p.birth_date), sort_key=lambda p: p.birth_date),
    Column("Age", lambda p: fmt.age_text(p.birth_date), sort_key=lambda p: _minus_iso(p.birth_date),
           align_right=True),
    Column("Sex", lambda p: fmt.sex_text(p.sex)),
    Column("Phone", lambda p: fmt.phone_text(p.phone)),
]


def _minus_iso(birth: date | None) -> str | None:
    """Sorting by age ascending is sorting by birth date descending."""
    if birth is None:
        return None
    return f"{9999 - birth.year:04d}{12 - birth.month:02d}{31 - birth.day:02d}"


class PatientTableModel(RowsModel[PatientSummary]):
    """Search results: one row per patient, the patient id under ID_ROLE."""

    def __init__(self, parent=None):
        self._rank: dict[str, int] = {}
        super().__init__(patient_columns(lambda p: self._rank.get(p.id, 0)), row_id=lambda p: p.id,
                         parent=parent)

    def set_rows(self, rows: Sequence[PatientSummary]) -> None:
        self._rank = {p.id: i for i, p in enumerate(rows)}
        super().set_rows(rows)
