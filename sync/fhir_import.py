"""Import FHIR R4 data from other systems: Bundles (transaction, batch, collection) and
NDJSON (the bulk-export format), through the same mapping sync uses.

Ids are kept: a UUID id (or ``urn:uuid`` fullUrl) becomes the record's id as it is, any
other id a name-based UUID of ``Type/id``, so importing the same file twice finds the
records it made and creates nothing new. References inside the file (``urn:uuid``
fullUrls, relative ``Type/id``, absolute URLs) are rewritten to those ids. A transaction
or collection Bundle is all or nothing; a batch Bundle and an NDJSON file go on past a
bad entry or line and report each one. A concept keeps every coding and its text, and a
panel (blood pressure) stays one Observation with its components, so an export gives back
what came in.
"""
from __future__ import annotations

import dataclasses
import gc
import json
import re
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

from app import model as m
from app.audit import Action
from app.errors import ValidationError
from app.permissions import Permission
from app.session import Session
from sync import mapping
from sync.engine import context
from sync.mapping import MapContext

#: Name space of the ids made for source ids that are not UUIDs.
ID_SPACE = uuid.UUID("0f1c7d3a-5b2e-4e8a-9d61-7c4b2a9e0f35")
BATCH = 2000  # lines per transaction of an NDJSON file (each commit waits for the disk)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$")
_DATE_KEYS = {"birthDate", "issued", "start", "end", "authoredOn", "recordedDate", "date",
              "recorded", "created", "lastUpdated", "dateTime", "occurrenceDateTime"}
Progress = Callable[[str, int, int], None]  # (file, bytes done, bytes in all)


class EntryError(ValueError):
    """One resource that cannot be imported; ``where`` is "entry 3" or "line 7"."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field, self.message = field_name, message


@dataclass
class FileResult:
    path: str
    format: str  # bundle | ndjson
    created: dict[str, int] = field(default_factory=dict)
    updated: int = 0
    unchanged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # resource types we do not keep
    errors: list[str] = field(default_factory=list)
    rejected: bool = False

    @property
    def resources(self) -> int:
        return sum(self.created.values()) + self.updated + self.unchanged

    def as_dict(self) -> dict:
        return {"path": self.path, "format": self.format, "created": dict(self.created),
                "updated": self.updated, "unchanged": self.unchanged, "skipped": dict(self.skipped),
                "errors": list(self.errors), "rejected": self.rejected}


# -- ids and references -----------------------------------------------------------
def local_id(resource_type: str, source_id: str) -> str:
    """The record id for a source resource id (UUIDs kept, others made from Type/id)."""
    if _UUID.match(source_id):
        return source_id.lower()
    return str(uuid.uuid5(ID_SPACE, f"{resource_type}/{source_id}"))


def _target(reference: str, full_urls: dict[str, str]) -> str:
    if reference in full_urls:
        return full_urls[reference]
    if reference.startswith("urn:uuid:"):
        raise EntryError("reference", f"{reference} is not an entry of this file")
    parts = reference.split("/_history/")[0].rstrip("/").split("/")
    if len(parts) < 2 or not parts[-2][:1].isupper():
        raise EntryError("reference", f"{reference!r} is not a Type/id reference")
    return f"{parts[-2]}/{local_id(parts[-2], parts[-1])}"


def _rewrite(node: Any, full_urls: dict[str, str], path: str = "") -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            where = f"{path}.{key}" if path else key
            if key == "reference" and isinstance(value, str) and not value.startswith("#"):
                try:
                    out[key] = _target(value, full_urls)
                except EntryError as exc:
                    raise EntryError(path or key, exc.message) from None
            else:
                out[key] = _rewrite(value, full_urls, where)
        return out
    if isinstance(node, list):
        return [_rewrite(v, full_urls, f"{path}[{i}]") for i, v in enumerate(node)]
    return node


class _Bad(Exception):
    pass


_OTHER, _REF, _DATE_KEY = 0, 1, 2


class _Kinds(dict):
    """What the fast walk does with a string under each key (learnt once per key name)."""

    def __missing__(self, key: str) -> int:
        kind = _REF if key == "reference" else _DATE_KEY if key in _DATE_KEYS or key.endswith("DateTime") else _OTHER
        self[key] = kind
        return kind


_KINDS = _Kinds()


def _fast(node: dict, full_urls: dict[str, str]) -> None:
    """:func:`_check` and :func:`_rewrite` in one walk that changes ``node`` in place and
    builds no paths (raises _Bad; the caller then walks again slowly to name the element).
    This walk is a large share of an import's time, so it looks at each key once."""
    kinds = _KINDS
    for key, value in node.items():
        vt = type(value)
        if vt is str:
            kind = kinds[key]
            if kind == _REF:
                if value[:1] != "#":
                    node[key] = full_urls[value] if value in full_urls else _plain_target(value)
            elif kind == _DATE_KEY and value not in _GOOD_DATES:
                _fast_date(value)
        elif vt is dict:
            _fast(value, full_urls)
        elif vt is list:
            if key == "coding":
                for c in value:
                    if type(c) is not dict or not c.get("system") or not c.get("code"):
                        raise _Bad
            for v in value:  # most lists hold elements (dicts) or plain strings
                if type(v) is dict:
                    _fast(v, full_urls)
                elif type(v) is list:
                    _fast_list(v, full_urls)


def _fast_list(items: list, full_urls: dict[str, str]) -> None:
    for v in items:
        if type(v) is dict:
            _fast(v, full_urls)
        elif type(v) is list:
            _fast_list(v, full_urls)


@lru_cache(maxsize=1 << 16)
def _plain_target(reference: str) -> str:
    """:func:`_target` for a reference that is not a fullUrl of the file (raises _Bad)."""
    try:
        return _target(reference, {})
    except EntryError:
        raise _Bad from None


_GOOD_DATES: set[str] = set()


def _fast_date(value: str) -> None:
    try:
        _check_date("", value)
    except EntryError:
        raise _Bad from None
    if len(_GOOD_DATES) < 1 << 16:  # the same dates recur (a visit's labs share their time)
        _GOOD_DATES.add(value)


# -- checks ---------------------------------------------------------------------------
def _check(node: Any, path: str = "") -> None:
    """Codings need a system and a code; dates must be FHIR dates."""
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else key
            if key == "coding" and isinstance(value, list):
                for i, c in enumerate(value):
                    if not isinstance(c, dict) or not c.get("system"):
                        raise EntryError(f"{where}[{i}].system", "a code without its code system")
                    if not c.get("code"):
                        raise EntryError(f"{where}[{i}].code", "missing")
            elif isinstance(value, str) and (key in _DATE_KEYS or key.endswith("DateTime")):
                _check_date(where, value)
            else:
                _check(value, where)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _check(v, f"{path}[{i}]")


def _check_date(where: str, value: str) -> None:
    ok = bool(_DATE.match(value))
    if ok:
        try:
            if len(value) >= 10:
                (datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value
                 else date.fromisoformat(value[:10]))
        except ValueError:
            ok = False
    if not ok:
        raise EntryError(where, f"{value!r} is not a valid FHIR date")


def prepare(resource: Any, full_urls: dict[str, str]) -> list[m.Record] | None:
    """The records for one source resource (None for a type we do not keep); EntryError.
    The resource (freshly parsed) is changed in place: its references are rewritten.

    A panel Observation (blood pressure) stays one record with its components."""
    if not isinstance(resource, dict):
        raise EntryError("resource", "not a JSON object")
    rtype = resource.get("resourceType")
    if not isinstance(rtype, str) or not rtype:
        raise EntryError("resourceType", "missing")
    source_id = resource.get("id")
    if "id" in resource and (not isinstance(source_id, str) or not _FHIR_ID.match(source_id)):
        raise EntryError("id", f"{source_id!r} is not a FHIR id (1-64 letters, digits, '-' or '.')")
    try:
        _fast(resource, full_urls)
        r = resource
    except _Bad:  # walk again, slowly, to name the element that is wrong (what the fast walk
        _check(resource)  # rewrote already resolves to itself)
        r = _rewrite(resource, full_urls)
    if source_id:
        r["id"] = local_id(rtype, source_id)
    elif "id" not in r:
        raise EntryError("id", "missing (and no urn:uuid fullUrl to take it from)")
    (r.get("meta") or {}).pop("versionId", None)
    try:
        cls = mapping.record_type_for(r)
    except KeyError:
        return None
    if cls is m.Patient:
        _check_names(r.get("name"))
    elif cls is m.Observation:
        _check_components(r.get("component"))
    try:
        record = mapping.MAPPERS[cls][1](r)
    except KeyError as exc:
        raise EntryError(str(exc.args[0]) if exc.args else "resource", "missing") from None
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise EntryError(rtype, f"cannot be read ({exc})") from None
    record.server_version = None
    if getattr(record, "patient_id", "") is None and type(record) in _NEEDS_PATIENT:
        raise EntryError("subject", "missing (no patient reference)")
    _require(record, rtype)
    return [record]


def _require(record: m.Record, rtype: str) -> None:
    for name in _REQUIRED[type(record)]:
        if getattr(record, name) is None:
            raise EntryError(name, f"missing (a {rtype} needs it)")


def _check_names(names: Any) -> None:
    """A name needs a family or a given name, and no given name may be blank."""
    if names is not None and not isinstance(names, list):
        raise EntryError("name", "must be a list of names")
    for i, name in enumerate(names or []):
        if not isinstance(name, dict):
            raise EntryError(f"name[{i}]", "not a HumanName")
        given = name.get("given") or []
        if not isinstance(given, list):
            raise EntryError(f"name[{i}].given", "must be a list of names")
        for j, part in enumerate(given):
            if not isinstance(part, str) or not part.strip():
                raise EntryError(f"name[{i}].given[{j}]", "an empty given name")
        family = name.get("family")
        if family is not None and (not isinstance(family, str) or not family.strip()):
            raise EntryError(f"name[{i}].family", "an empty family name")
        if not given and not family:
            raise EntryError(f"name[{i}]", "neither a family nor a given name")


def _check_components(components: Any) -> None:
    """Each component of a panel (blood pressure) needs its code and a value."""
    if components is not None and not isinstance(components, list):
        raise EntryError("component", "must be a list")
    for i, comp in enumerate(components or []):
        if not isinstance(comp, dict):
            raise EntryError(f"component[{i}]", "not a component")
        if not any(isinstance(c, dict) and c.get("code") for c in (comp.get("code") or {}).get("coding") or []):
            raise EntryError(f"component[{i}].code", "missing")
        if "valueQuantity" not in comp and "valueString" not in comp and "dataAbsentReason" not in comp:
            raise EntryError(f"component[{i}].value[x]", "missing (a number or a text)")
        if "valueQuantity" in comp and not isinstance((comp["valueQuantity"] or {}).get("value"), (int, float)):
            raise EntryError(f"component[{i}].valueQuantity.value", "missing or not a number")


def _required(cls: type) -> tuple[str, ...]:
    """The fields a record cannot be stored without (not optional in the domain model)."""
    skip = {"id", "version", "server_version", "created_at", "updated_at"}
    return tuple(f.name for f in dataclasses.fields(cls)
                 if f.name not in skip and "None" not in str(f.type) and "list" not in str(f.type))


_REQUIRED = {cls: _required(cls) for cls in mapping.MAPPERS}
_NEEDS_PATIENT = {cls for cls in mapping.MAPPERS
                  if "patient_id" in getattr(cls, "__dataclass_fields__", {})
                  and cls.__dataclass_fields__["patient_id"].default is not None}


def _coded(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if "Coding" in str(f.type) or "Component" in str(f.type))


_CODED = {cls: _coded(cls) for cls in mapping.MAPPERS}


def _extras(record: m.Record) -> list:
    """The further codings and texts of a record's concepts (components' too)."""
    out = []
    for name in _CODED[type(record)]:
        value = getattr(record, name)
        for c in value if isinstance(value, list) else (value,):
            c = getattr(c, "code", c) if not isinstance(c, m.Coding) else c
            if isinstance(c, m.Coding):
                out.append((c.more, c.text))
    return out


# -- writing ----------------------------------------------------------------------
class _Writer:
    """Adds or updates records in one unit of work; counts what happened."""

    def __init__(self, session: Session, uow, ctx: MapContext, result: FileResult):
        self.session, self.uow, self.ctx, self.result = session, uow, ctx, result
        self.patients: set[str] = set()

    def known_patients(self, patient_ids: set[str]) -> set[str]:
        missing = patient_ids - self.patients
        self.patients |= set(self.uow.patients.find_many(missing)) if missing else set()
        return patient_ids & self.patients

    def write(self, records: list[m.Record]) -> None:
        new: dict[type, list[m.Record]] = {}
        found: dict[str, m.Record] = {}
        for cls in {type(r) for r in records}:
            found |= self.uow.records(cls).find_many(r.id for r in records if type(r) is cls)
        for record in records:
            repo = self.uow.records(type(record))
            existing = found.get(record.id)
            if existing is not None and type(existing) is not type(record):
                existing = None
            if existing is None:
                if isinstance(record, m.Patient):
                    self._free_mrn(record)
                new.setdefault(type(record), []).append(record)
                continue
            if isinstance(record, m.Patient):
                record.mrn = existing.mrn
            record.version, record.created_at = existing.version, existing.created_at
            if self._same(existing, record):
                self.result.unchanged += 1
                continue
            repo.update(record)
            self.result.updated += 1
        for cls in sorted(new, key=lambda c: c is not m.Patient):
            self.uow.records(cls).add_many(new[cls])
            name = mapping.WIRE_TYPE[cls]
            self.result.created[name] = self.result.created.get(name, 0) + len(new[cls])
        for p in new.get(m.Patient, []):
            self.patients.add(p.id)
            self.uow.audit.append(self.session.entry(Action.IMPORT, patient_id=p.id, record_type="Patient",
                                                     record_id=p.id, detail={"file": Path(self.result.path).name}))

    def _same(self, existing: m.Record, record: m.Record) -> bool:
        """Whether the file says nothing new about a stored record. Equal domain records
        (with the same further codings and texts, which Coding equality leaves out) settle
        most re-imports at a twentieth of the cost of mapping both to FHIR; otherwise the
        FHIR forms decide, since they ignore what the clinic keeps beyond FHIR."""
        record.server_version, record.updated_at = existing.server_version, existing.updated_at
        try:
            if existing == record and _extras(existing) == _extras(record):
                return True
        finally:
            record.server_version = None
        return mapping.to_fhir(existing, self.ctx) == mapping.to_fhir(record, self.ctx)

    def _free_mrn(self, p: m.Patient) -> None:
        taken = self.uow.patients.by_mrn(p.mrn)
        if taken is not None and taken.id != p.id:
            p.mrn = self.uow.patients.next_mrn()


def _ordered(records: list[tuple[str, m.Record]]) -> list[tuple[str, m.Record]]:
    order = {t: i for i, t in enumerate(mapping.PULL_ORDER)}
    return sorted(records, key=lambda item: order.get(mapping.WIRE_TYPE[type(item[1])], 99))


def _check_patients(writer: _Writer, items: list[tuple[str, m.Record]], errors: list[str]) -> list:
    pending = {r.id for _, r in items if isinstance(r, m.Patient)}
    wanted = {getattr(r, "patient_id", None) for _, r in items} - pending - {None}
    known = pending | writer.known_patients(wanted)
    kept = []
    for where, record in items:
        pid = getattr(record, "patient_id", None)
        if pid and pid not in known:
            errors.append(f"{where} ({mapping.WIRE_TYPE[type(record)]}): subject: Patient/{pid} "
                          "is neither in the file nor in the store")
            continue
        kept.append((where, record))
    return kept


# -- files --------------------------------------------------------------------------
def _is_ndjson(path: Path) -> bool:
    return path.suffix.lower() in (".ndjson", ".jsonl")


def _bundle(session: Session, path: Path, ctx: MapContext, result: FileResult) -> None:
    name = path.name
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ValidationError({name: f"not UTF-8 text ({exc.reason} at byte {exc.start})"}) from None
    except json.JSONDecodeError as exc:
        raise ValidationError({name: f"not valid JSON, or truncated, at line {exc.lineno} column "
                                     f"{exc.colno}: {exc.msg}"}) from None
    if not isinstance(doc, dict) or doc.get("resourceType") != "Bundle":
        raise ValidationError({name: "resourceType: expected a Bundle (or use .ndjson for NDJSON)"})
    if doc.get("type") not in ("transaction", "batch", "collection", "searchset", "transaction-response"):
        raise ValidationError({name: f"type: a {doc.get('type')!r} Bundle cannot be imported"})
    entries = doc.get("entry") or []
    if not isinstance(entries, list):
        raise ValidationError({name: "entry: must be a list"})
    full_urls: dict[str, str] = {}
    for i, e in enumerate(entries):
        res = e.get("resource") if isinstance(e, dict) else None
        if isinstance(res, dict) and isinstance(e.get("fullUrl"), str):
            rtype, rid = res.get("resourceType"), res.get("id")
            if not rid and e["fullUrl"].startswith("urn:uuid:"):
                rid = e["fullUrl"][9:]
            if isinstance(rtype, str) and isinstance(rid, str) and rid:
                full_urls[e["fullUrl"]] = f"{rtype}/{local_id(rtype, rid)}"
    items, errors = [], []
    for i, e in enumerate(entries):
        try:
            if not isinstance(e, dict) or "resource" not in e:
                raise EntryError("resource", "missing")
            res = e["resource"]
            if isinstance(res, dict) and "id" not in res and str(e.get("fullUrl", "")).startswith("urn:uuid:"):
                res = {**res, "id": e["fullUrl"][9:]}
            records = prepare(res, full_urls)
        except EntryError as exc:
            rtype = e.get("resource", {}).get("resourceType") if isinstance(e, dict) and isinstance(
                e.get("resource"), dict) else None
            errors.append(f"entry {i}{f' ({rtype})' if rtype else ''}: {exc}")
            continue
        if records is None:
            rtype = res["resourceType"]
            result.skipped[rtype] = result.skipped.get(rtype, 0) + 1
        else:
            items.extend((f"entry {i}", record) for record in records)
    with session.uow() as uow:
        writer = _Writer(session, uow, ctx, result)
        items = _check_patients(writer, _ordered(items), errors)
        if errors and doc.get("type") == "batch":  # a batch's entries stand alone: keep the good ones
            result.errors = errors
        elif errors:
            result.errors, result.rejected = errors, True
            uow.audit.append(session.entry(Action.IMPORT, outcome="failure", record_type="Bundle",
                                           detail={"file": name, "errors": len(errors)}))
            uow.commit()  # the refusal is audited; nothing from the bundle is written
            return
        writer.write([r for _, r in items])
        uow.audit.append(session.entry(Action.IMPORT, record_type="Bundle",
                                       detail={"file": name, "created": result.created,
                                               "updated": result.updated, "unchanged": result.unchanged}))
        uow.commit()


def _lines(path: Path) -> Iterator[tuple[int, int, str]]:
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            yield number, f.tell(), raw.decode("utf-8", errors="strict") if raw.strip() else ""


def _ndjson(session: Session, path: Path, ctx: MapContext, result: FileResult,
            progress: Progress | None) -> None:
    name, total = path.name, path.stat().st_size
    batch: list[tuple[str, m.Record]] = []

    def flush() -> None:
        with session.uow() as uow:
            writer = _Writer(session, uow, ctx, result)
            kept = _check_patients(writer, _ordered(batch), result.errors)
            writer.write([r for _, r in kept])
            uow.commit()
        batch.clear()

    try:
        for number, done, text in _lines(path):
            if not text:
                continue
            try:
                try:
                    resource = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise EntryError("line", f"not valid JSON (truncated?) at column {exc.colno}: "
                                             f"{exc.msg}") from None
                records = prepare(resource, {})
            except EntryError as exc:
                result.errors.append(f"{name} line {number}: {exc}")
                continue
            if records is None:
                rtype = resource["resourceType"]
                result.skipped[rtype] = result.skipped.get(rtype, 0) + 1
            else:
                batch.extend((f"{name} line {number}", record) for record in records)
            if len(batch) >= BATCH:
                flush()
                if progress:
                    progress(name, done, total)
    except UnicodeDecodeError as exc:
        result.errors.append(f"{name}: not UTF-8 text ({exc.reason})")
    if batch:
        flush()
    if progress:
        progress(name, total, total)
    with session.uow() as uow:
        uow.audit.append(session.entry(Action.IMPORT, outcome="failure" if result.errors else "success",
                                       record_type="NDJSON",
                                       detail={"file": name, "created": result.created, "updated": result.updated,
                                               "unchanged": result.unchanged, "errors": len(result.errors)}))
        uow.commit()


def _first_type(path: Path) -> str:
    try:
        with path.open("rb") as f:
            return json.loads(f.readline() or b"{}").get("resourceType", "")
    except (ValueError, AttributeError):
        return ""


def import_files(session: Session, paths: list[Path | str], *, progress: Progress | None = None) -> list[FileResult]:
    """Import each file; returns one result per file (errors named by entry or line).

    Raises PermissionDenied without the import permission, ValidationError for a file
    that is missing or not a FHIR Bundle at all (nothing of that file is written).
    """
    session.require(Permission.IMPORT)
    ctx = context(session)
    files = [Path(p) for p in paths]
    for p in files:
        if not p.is_file():
            raise ValidationError({str(p): "no such file"})
    order = {t: i for i, t in enumerate(mapping.PULL_ORDER)}
    files.sort(key=lambda p: order.get(_first_type(p), 99) if _is_ndjson(p) else -1)
    results = []
    with _no_cycle_collection():
        for p in files:
            result = FileResult(str(p), "ndjson" if _is_ndjson(p) else "bundle")
            try:
                if result.format == "ndjson":
                    _ndjson(session, p, ctx, result, progress)
                else:
                    _bundle(session, p, ctx, result)
            except ValidationError as exc:
                result.errors, result.rejected = [str(exc)], True
            results.append(result)
    return results


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Parsing makes millions of short-lived dicts and lists, none in reference cycles, and
    each burst of them sets off the cycle collector, which walks every object the process
    holds (the terminology indexes too): off while the files are read, on again after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
