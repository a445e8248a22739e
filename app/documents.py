"""Attached files (scans, letters, images): a Document record plus its bytes, encrypted in the store."""
from __future__ import annotations

import hashlib

from app import records
from app.audit import Action
from app.errors import NotFound, StoreCorrupt, ValidationError
from app.model import ENTERED_IN_ERROR, Document
from app.permissions import Permission
from app.session import Session

MAX_BYTES = 25 * 1024 * 1024
#: Accepted content types and the leading bytes a real file of that type starts with.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "text/plain": (),
}
CATEGORIES = ("clinical", "imaging", "lab", "letter", "referral", "consent-form", "identification",
              "insurance-card", "other")


def _validate(content: bytes, title: str, content_type: str, category: str | None) -> None:
    problems = {}
    if not (title or "").strip():
        problems["title"] = "is required"
    if content_type not in SIGNATURES:
        problems["content type"] = f"{content_type!r} is not accepted; use PDF, PNG, JPEG, TIFF or plain text"
    if not content:
        problems["file"] = "is empty"
    elif len(content) > MAX_BYTES:
        problems["file"] = f"is {len(content) / 1024 / 1024:.1f} MB; the limit is 25 MB"
    elif content_type in SIGNATURES and not _looks_like(content, content_type):
        problems["file"] = f"is not a {content_type} file (its contents do not match)"
    if category is not None and category not in CATEGORIES:
        problems["category"] = f"must be one of {', '.join(CATEGORIES)}"
    if problems:
        raise ValidationError(problems)


def _looks_like(content: bytes, content_type: str) -> bool:
    if content_type == "text/plain":
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return b"\x00" not in content
    return content.startswith(SIGNATURES[content_type])


def attach(session: Session, *, patient_id: str, content: bytes, title: str, content_type: str,
           category: str | None = None, encounter_id: str | None = None) -> Document:
    """Store a file for a patient: the Document record and its bytes commit together.

    Raises ValidationError for an empty or oversized file, an unaccepted type, or
    contents that do not match the type.
    """
    content_type = (content_type or "").split(";")[0].strip().lower()
    _validate(content, title, content_type, category)
    doc = Document(patient_id=patient_id, title=title.strip(), content_type=content_type,
                   size=len(content), sha256=hashlib.sha256(content).hexdigest(), category=category,
                   encounter_id=encounter_id, author_id=session.user.practitioner_id or session.username)

    def _store_bytes(uow, record: Document) -> None:
        # runs inside records.create's unit of work, so the bytes and the record are all-or-nothing
        uow.blobs.put(record.id, content)

    return records.create(session, doc, Permission.DOCUMENT_WRITE, check=_store_bytes)


def read(session: Session, document_id: str) -> tuple[Document, bytes]:
    """A document and its bytes (audited). Raises NotFound, PermissionDenied, and
    StoreCorrupt when the bytes no longer match their recorded SHA-256."""
    session.require(Permission.CHART_READ, record_type=Document.RESOURCE_TYPE)
    with session.uow() as uow:
        doc = uow.records(Document).get(document_id)
        if doc.status == ENTERED_IN_ERROR:
            raise NotFound("document", document_id)
        content = uow.blobs.get(document_id)
    if not session.may_see(doc.security_labels):  # raises, and audits the denial
        session.require(Permission.SENSITIVE_READ, patient_id=doc.patient_id,
                        record_type=Document.RESOURCE_TYPE)
    if hashlib.sha256(content).hexdigest() != doc.sha256:
        raise StoreCorrupt(f"the stored file for document {doc.title!r} is damaged (checksum mismatch)")
    with session.uow() as uow:
        uow.audit.append(session.entry(Action.READ, patient_id=doc.patient_id,
                                       record_type=Document.RESOURCE_TYPE, record_id=doc.id,
                                       detail={"bytes": len(content)}))
        uow.commit()
    return doc, content


def for_patient(session: Session, patient_id: str) -> list[Document]:
    """The patient's documents (records only, not their bytes), newest first."""
    rows = records.list_for(session, Document, patient_id, Permission.CHART_READ)
    return sorted(rows, key=lambda d: d.created_at, reverse=True)


def retract(session: Session, document_id: str, *, reason: str) -> Document:
    """Mark a document entered-in-error (e.g. filed to the wrong patient); the bytes stay."""
    return records.retract(session, Document, document_id, Permission.DOCUMENT_WRITE, reason=reason)
