"""Electronic health information export (ONC §170.315(b)(10)): one patient or the whole
clinic as FHIR R4 NDJSON, one file per resource type, the attached files' bytes and a
README.md describing the format.

Every patient's export is audited as a disclosure (Action.EXPORT with the patient's id,
see app/disclosures.py). The files are written to a temporary folder beside the target
and moved into place at the end, so a failure leaves nothing half-written.
"""
from __future__ import annotations

import json
import mimetypes
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from app import model as m
from app.audit import Action
from app.errors import NotFound, ValidationError
from app.permissions import Permission
from app.session import Session
from sync import jsonio, mapping
from sync.engine import context

PATIENT_TYPES = [cls for cls in mapping.MAPPERS
                 if cls is not m.Patient and "patient_id" in getattr(cls, "__dataclass_fields__", {})]
DIRECTORY_TYPES = [m.Organization, m.Location, m.Practitioner]


@dataclass
class ExportResult:
    out: str
    patients: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    attachments: int = 0

    def as_dict(self) -> dict:
        return {"out": self.out, "patients": self.patients, "resources": dict(self.counts),
                "attachments": self.attachments}


class _Files:
    def __init__(self, folder: Path):
        self.folder, self.handles, self.counts = folder, {}, {}

    def write(self, resource: dict) -> None:
        rtype = resource["resourceType"]
        handle = self.handles.get(rtype)
        if handle is None:
            handle = self.handles[rtype] = (self.folder / f"{rtype}.ndjson").open("w", encoding="utf-8")
        handle.write(jsonio.dumps(resource).replace("\n", " ") + "\n")
        self.counts[rtype] = self.counts.get(rtype, 0) + 1

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


def _attachment_name(doc: m.Document) -> str:
    return f"{doc.id}{mimetypes.guess_extension(doc.content_type) or '.bin'}"


def export_ehi(session: Session, out: Path | str, *, patient_id: str | None = None,
               recipient: str = "the patient or their representative", purpose: str = "EHI export",
               progress: Callable[[int, int], None] | None = None) -> ExportResult:
    """Write the export into ``out`` (a new or empty folder).

    Raises PermissionDenied without the export permission, NotFound for an unknown
    patient, ValidationError when ``out`` is a file or a folder that is not empty.
    """
    session.require(Permission.EXPORT, patient_id=patient_id)
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValidationError({"--out": f"{out} must be a new or empty folder"})
    ctx = context(session)
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".ehi-", dir=out.parent))
    result = ExportResult(str(out))
    try:
        (work / "attachments").mkdir()
        files = _Files(work)
        try:
            _write_all(session, ctx, files, work, result, patient_id, recipient, purpose, progress)
        finally:
            files.close()
        result.counts = dict(sorted(files.counts.items()))
        (work / "README.md").write_text(readme(result, patient_id), encoding="utf-8")
        if out.exists():
            out.rmdir()
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return result


def _write_all(session, ctx, files, work, result, patient_id, recipient, purpose, progress) -> None:
    with session.uow() as uow:
        if patient_id:
            patient = uow.patients.find(patient_id)
            if patient is None:
                raise NotFound("patient", patient_id)
            people = [patient]
        else:
            people = uow.patients.for_patient(None, include_errors=True)
        directory_ids: set[str] = set()
        for n, patient in enumerate(people, start=1):
            files.write(mapping.to_fhir(patient, ctx))
            kinds = 0
            for cls in PATIENT_TYPES:
                for record in uow.records(cls).for_patient(patient.id, include_errors=True):
                    resource = mapping.to_fhir(record, ctx)
                    if isinstance(record, m.Document):
                        name = _attachment_name(record)
                        (work / "attachments" / name).write_bytes(uow.blobs.get(record.id))
                        resource["content"][0]["attachment"]["url"] = f"attachments/{name}"
                        result.attachments += 1
                    _collect_refs(resource, directory_ids)
                    files.write(resource)
                    kinds += 1
            uow.audit.append(session.entry(
                Action.EXPORT, patient_id=patient.id, record_type="Patient", record_id=patient.id,
                detail={"what": "electronic health information (FHIR R4 NDJSON)", "recipient": recipient,
                        "purpose": purpose, "disclosure": True, "records": kinds + 1}))
            if progress:
                progress(n, len(people))
        for cls in DIRECTORY_TYPES:
            for record in uow.records(cls).for_patient(None, include_errors=True):
                if patient_id is None or record.id in directory_ids:
                    files.write(mapping.to_fhir(record, ctx))
        result.patients = len(people)
        uow.commit()


def _collect_refs(node, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                found.add(value.rsplit("/", 1)[-1])
            else:
                _collect_refs(value, found)
    elif isinstance(node, list):
        for v in node:
            _collect_refs(v, found)


def readme(result: ExportResult, patient_id: str | None) -> str:
    """The README.md that travels with an export (what each file holds and how to read it)."""
    scope = f"one patient (id {patient_id})" if patient_id else f"the whole clinic ({result.patients} patients)"
    rows = "\n".join(f"| `{t}.ndjson` | {n} | FHIR R4 `{t}` resources |" for t, n in result.counts.items())
    made = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return f"""# Electronic health information export

Made by Outpost EHR on {made} for {scope}, as required by ONC §170.315(b)(10).

## Format
- Every `*.ndjson` file is newline-delimited JSON (the FHIR Bulk Data format): one complete
  FHIR R4 resource per line, UTF-8, one file per resource type. Resources follow US Core
  where it applies; codes carry their code systems (ICD-10-CM, LOINC, RxNorm, CVX, SNOMED CT
  as recorded) and references read `ResourceType/id` between the files.
- Records that were entered in error are included and say so (`status`, or the
  `record-status` extension); nothing is left out because it was corrected.
- Extensions under `https://outpost-ehr.org/fhir/StructureDefinition/` carry Outpost fields
  FHIR has no element for (e.g. note sections, signatures, coverage).
- `attachments/` holds the attached files' bytes. Each `DocumentReference` of a document
  names its file in `content[0].attachment.url` (`attachments/<id>.<ext>`), with its
  `contentType`, `size` and the SHA-256 of the bytes in the `sha256` extension.

## Files
| file | resources | holds |
|---|---|---|
{rows}

{result.attachments} attachment file(s).

Any FHIR R4 reader can load these files (for example, a FHIR server's `$import`, or
`json.loads` on each line).
"""


__all__ = ["export_ehi", "ExportResult", "readme"]
