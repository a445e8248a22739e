"""The print service the command line and the desktop client call.

Every print checks the print permission and the permission to read what is printed,
then is audited as a disclosure (Action.PRINT with the patient's id; detail ``what`` and
``kind``, so app.disclosures lists it).
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.audit import Action
from app.errors import ValidationError
from app.permissions import Permission
from app.printing import (chart_pdf, immunization_record, invoice, lab_report, prescription,
                          visit_summary)
from app.printing import letterhead as letterheads
from app.printing.layout import render
from app.printing.sources import GATHER, ID_MEANING, Printable
from app.session import Session

DOCUMENTS = {"visit-summary": visit_summary, "prescription": prescription, "invoice": invoice,
             "chart": chart_pdf, "immunization-record": immunization_record, "lab-report": lab_report}
KINDS = tuple(DOCUMENTS)
#: What else, beyond printing, a user must be allowed to read for each kind.
READ_PERMISSION = {"visit-summary": Permission.CHART_READ, "prescription": Permission.CHART_READ,
                   "invoice": Permission.BILLING_READ, "chart": Permission.CHART_READ,
                   "immunization-record": Permission.CHART_READ, "lab-report": Permission.CHART_READ}
_LISTS_WITH_LABELS = ("problems", "allergies", "medications", "home_medications", "immunizations",
                      "encounters", "notes", "labs", "vitals", "diagnoses", "prescriptions", "orders",
                      "results")


@dataclass(frozen=True)
class PrintedDocument:
    kind: str
    patient_id: str
    record_type: str | None
    record_id: str | None
    pdf: bytes
    withheld: int  # sensitive records left out because the user may not see them


def _withhold(session: Session, doc: Printable) -> int:
    hidden = 0
    for key in _LISTS_WITH_LABELS:
        rows = doc.records.get(key)
        if isinstance(rows, list):
            kept = [x for x in rows if session.may_see(getattr(x, "security_labels", []))]
            hidden += len(rows) - len(kept)
            doc.records[key] = kept
    if doc.records.get("notes") is not None and not session.can(Permission.NOTE_READ) \
            and not session.in_emergency:
        hidden += len(doc.records["notes"])
        doc.records["notes"] = []
    return hidden


def print_document(session: Session, kind: str, ident: str, *, recipient: str = "patient",
                   purpose: str = "") -> PrintedDocument:
    """Render document ``kind`` for ``ident`` (see app.printing.sources for what the id is)
    and audit the print as a disclosure. Returns the PDF bytes.

    Raises ValidationError for an unknown kind or blank id, PermissionDenied (audited) without
    the print permission or the permission to read that kind, NotFound for an id that names
    nothing printable as ``kind``.
    """
    if kind not in DOCUMENTS:
        raise ValidationError({"kind": f"{kind!r} is not one of {', '.join(KINDS)}"})
    if not (ident or "").strip():
        raise ValidationError({"id": f"required: {ID_MEANING[kind]}"})
    session.require(Permission.PRINT)
    session.require(READ_PERMISSION[kind])
    with session.uow() as uow:
        doc = GATHER[kind](uow, ident.strip())
        head = letterheads.load(uow)
    if not session.may_see(doc.patient.security_labels):
        session.require(Permission.SENSITIVE_READ, patient_id=doc.patient.id)
    withheld = _withhold(session, doc)
    module = DOCUMENTS[kind]
    pdf = render(title=module.TITLE, letterhead=head, patient=doc.patient, story=module.story(doc),
                 printed_at=session.clock(), printed_by=session.user.display_name or session.username)
    with session.uow() as uow:
        uow.audit.append(session.entry(
            Action.PRINT, patient_id=doc.patient.id, record_type=doc.record_type, record_id=doc.record_id,
            detail={"what": module.TITLE, "kind": kind, "recipient": recipient, "purpose": purpose,
                    "disclosure": True, "bytes": len(pdf), "withheld": withheld}))
        uow.commit()
    return PrintedDocument(kind, doc.patient.id, doc.record_type, doc.record_id, pdf, withheld)


def print_to_file(session: Session, kind: str, ident: str, out: str | os.PathLike, **kwargs) -> PrintedDocument:
    """:func:`print_document`, written to ``out`` whole or not at all (written aside, then moved)."""
    target = Path(out)
    if target.is_dir():
        raise ValidationError({"out": f"{target} is a folder; give a file name ending in .pdf"})
    if not target.parent.is_dir():
        raise ValidationError({"out": f"the folder {target.parent} does not exist"})
    printed = print_document(session, kind, ident, **kwargs)
    fd, temp = tempfile.mkstemp(prefix=".outpost-print-", suffix=".pdf", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(printed.pdf)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return printed
