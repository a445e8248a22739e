"""Encounter notes (draft, autosave, sign, addend) and attached documents."""
from __future__ import annotations

import hashlib

import pytest

from app import chart, documents, notes
from app.errors import Conflict, PermissionDenied, ValidationError
from app.model import ENTERED_IN_ERROR, ClinicalNote, Document
from db.blobs import BlobRepository
from tests.integration._clinical import doc, patient, sessions  # noqa: F401 - fixtures
from tests.integration._clinical import (audit_actions, outbox_rows, register, staff, stored, table_rows,
                                         visit)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


# -- notes ---------------------------------------------------------------------------
def test_a_draft_note_starts_from_the_visit_types_template_and_shows_on_the_chart(clinic, doc, patient):
    encounter = visit(doc, patient, "new-patient")
    note = notes.start(doc, encounter_id=encounter.id)
    kept = stored(clinic, ClinicalNote, note.id)
    assert kept.subjective == notes.TEMPLATES["new-patient"]["subjective"]
    assert kept.objective == notes.TEMPLATES["new-patient"]["objective"]
    assert (kept.status, kept.patient_id, kept.encounter_id, kept.title) == (
        "draft", patient.id, encounter.id, "New patient note")
    assert [n.id for n in chart.open_chart(doc, patient.id).draft_notes] == [note.id]


def test_autosave_updates_the_draft_and_a_stale_version_is_a_conflict(clinic, sessions, doc, patient):
    note = notes.start(doc, encounter_id=visit(doc, patient).id)
    first = notes.save_draft(doc, note.id, version=note.version, subjective="Cough for 3 days")
    second = notes.save_draft(doc, note.id, version=first.version, assessment="Viral URI")
    assert second.version == note.version + 2
    with pytest.raises(Conflict):  # another window still holds the first version
        notes.save_draft(sessions["nurse"], note.id, version=first.version, plan="Fluids")
    kept = stored(clinic, ClinicalNote, note.id)
    assert (kept.subjective, kept.assessment, kept.plan) == ("Cough for 3 days", "Viral URI", "")
    with pytest.raises(ValidationError) as caught:
        notes.save_draft(doc, note.id, version=kept.version, diagnosis="flu")
    assert "diagnosis" in caught.value.problems


def test_a_note_without_assessment_or_plan_cannot_be_signed(doc, patient):
    note = notes.start(doc, encounter_id=visit(doc, patient, "annual-physical").id)
    with pytest.raises(ValidationError) as caught:  # the plan holds only the template's starter text
        notes.sign(doc, note.id)
    assert "assessment and plan" in caught.value.problems
    notes.save_draft(doc, note.id, version=note.version, plan="Return in one year")
    assert notes.sign(doc, note.id).status == "signed"


def test_only_a_physician_signs_and_a_signed_note_can_only_be_addended(clinic, sessions, doc, patient):
    nurse = sessions["nurse"]
    note = notes.start(nurse, encounter_id=visit(doc, patient).id)
    note = notes.save_draft(nurse, note.id, version=note.version, assessment="Hypertension, controlled")
    with pytest.raises(PermissionDenied):
        notes.sign(nurse, note.id)
    signed = notes.sign(doc, note.id)
    assert (signed.signed_by, signed.signed_at is not None) == (doc.user.practitioner_id, True)
    with pytest.raises(ValidationError) as caught:
        notes.save_draft(doc, note.id, version=signed.version, plan="changed my mind")
    assert caught.value.problems == {"note": "a signed note can only be addended"}
    amended = notes.addend(nurse, note.id, text="Patient called: BP log 128/80")
    assert amended.status == "amended"
    assert [(a.text, a.author_id) for a in stored(clinic, ClinicalNote, note.id).addenda] == [
        ("Patient called: BP log 128/80", nurse.username)]
    with pytest.raises(ValidationError):
        notes.addend(doc, notes.start(doc, encounter_id=visit(doc, patient).id).id, text="draft")


def test_front_desk_and_billing_cannot_read_notes(clinic, sessions, doc, patient):
    notes.start(doc, encounter_id=visit(doc, patient).id)
    for role in ("front_desk", "billing"):
        with pytest.raises(PermissionDenied):
            notes.for_patient(sessions[role], patient.id)
        assert audit_actions(clinic, sessions[role].username, "permission-denied")
    assert len(notes.for_patient(sessions["nurse"], patient.id)) == 1


def test_a_sensitive_note_is_hidden_from_a_nurse(sessions, doc, patient):
    encounter = visit(doc, patient)
    private = notes.start(doc, encounter_id=encounter.id, sensitive=True)
    plain = notes.start(doc, encounter_id=encounter.id)
    nurse = sessions["nurse"]
    assert [n.id for n in notes.for_patient(nurse, patient.id)] == [plain.id]
    assert {n.id for n in notes.for_patient(doc, patient.id)} == {plain.id, private.id}
    with pytest.raises(PermissionDenied):
        notes.get(nurse, private.id)
    assert notes.get(doc, private.id).security_labels == ["PSY"]


def test_a_note_entered_in_error_is_hidden_but_kept(clinic, doc, patient):
    note = notes.start(doc, encounter_id=visit(doc, patient).id)
    notes.retract(doc, note.id, reason="wrong encounter")
    assert notes.for_patient(doc, patient.id) == []
    assert stored(clinic, ClinicalNote, note.id).status == ENTERED_IN_ERROR


# -- documents -----------------------------------------------------------------------
def test_an_attached_file_is_stored_encrypted_with_its_checksum_and_read_back(clinic, doc, patient):
    before = outbox_rows(clinic)
    attached = documents.attach(doc, patient_id=patient.id, content=PDF, title="Referral letter",
                                content_type="application/pdf", category="referral")
    assert outbox_rows(clinic) - before == 1
    assert table_rows(clinic, "document_blobs") == 1
    kept = stored(clinic, Document, attached.id)
    assert (kept.size, kept.sha256, kept.content_type) == (len(PDF), hashlib.sha256(PDF).hexdigest(),
                                                           "application/pdf")
    record, content = documents.read(doc, attached.id)
    assert (record.title, content) == ("Referral letter", PDF)
    reads = [e for e in audit_actions(clinic, doc.username, "read") if e.record_id == attached.id]
    assert len(reads) == 1
    assert [d.id for d in documents.for_patient(doc, patient.id)] == [attached.id]


def test_only_accepted_file_types_and_sizes_are_attached(doc, patient):
    cases = [(PDF, "application/zip", "content type"), (PDF, "image/png", "file"), (b"", "text/plain", "file"),
             (b"%PDF-" + bytes(documents.MAX_BYTES), "application/pdf", "file"),
             (b"\xff\xfe\x00bad", "text/plain", "file")]
    for content, content_type, field in cases:
        with pytest.raises(ValidationError) as caught:
            documents.attach(doc, patient_id=patient.id, content=content, title="x", content_type=content_type)
        assert field in caught.value.problems, content_type
    with pytest.raises(ValidationError) as caught:
        documents.attach(doc, patient_id=patient.id, content=PNG, title=" ", content_type="image/png")
    assert "title" in caught.value.problems
    ok = documents.attach(doc, patient_id=patient.id, content="Téléphone: rappel".encode(), title="Memo",
                          content_type="text/plain; charset=utf-8")
    assert ok.content_type == "text/plain"


def test_a_document_and_its_bytes_are_stored_together_or_not_at_all(clinic, doc, patient, monkeypatch):
    def broken_put(self, blob_id, content):
        raise RuntimeError("disk full")

    monkeypatch.setattr(BlobRepository, "put", broken_put)
    before = outbox_rows(clinic)
    with pytest.raises(RuntimeError):
        documents.attach(doc, patient_id=patient.id, content=PNG, title="Rash photo", content_type="image/png")
    assert (table_rows(clinic, "documents"), table_rows(clinic, "document_blobs")) == (0, 0)
    assert outbox_rows(clinic) == before


def test_front_desk_can_attach_a_scan_but_not_read_clinical_documents(sessions, patient):
    desk = sessions["front_desk"]
    scan = documents.attach(desk, patient_id=patient.id, content=PNG, title="Insurance card",
                            content_type="image/png", category="insurance-card")
    with pytest.raises(PermissionDenied):
        documents.read(desk, scan.id)
    assert documents.read(sessions["nurse"], scan.id)[1] == PNG


def test_a_document_entered_in_error_is_hidden_but_its_record_and_bytes_are_kept(clinic, doc, patient):
    attached = documents.attach(doc, patient_id=patient.id, content=PNG, title="Wrong chart",
                                content_type="image/png")
    documents.retract(doc, attached.id, reason="belongs to another patient")
    assert documents.for_patient(doc, patient.id) == []
    assert stored(clinic, Document, attached.id).status == ENTERED_IN_ERROR
    assert table_rows(clinic, "document_blobs") == 1
