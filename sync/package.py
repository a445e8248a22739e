"""Sneakernet: sync packages carried on a USB stick between a workstation with no network
and one that has it.

Two kinds. ``changes``: a disconnected workstation's pending edits (each with the server
copy it was based on); imported on a connected workstation they become that store's own
local edits, merged three ways with what it holds (an overlap becomes a conflict record a
person resolves: sync/package_conflicts.py), and go out with its next sync round.
``server-data``: the server's copies held by a connected workstation; imported on the
disconnected one they are applied exactly as a pull would (so its edits the server now
has stop being pending). Importing a package twice changes nothing the second time.

A package file is JSON: a plain header (kind, clinic, who made it, when) and the content
gzip-compressed and encrypted with AES-256-GCM under a key derived (scrypt) from the
clinic's package passphrase, the header bound in as associated data; the whole is signed
with the exporting store's own Ed25519 key (kept in its encrypted settings), whose
fingerprint the importer audits. A wrong passphrase, a changed byte or another clinic's
package is refused before anything is stored.
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app import model as m
from app.audit import Action
from app.errors import ValidationError
from app.model import utcnow
from app.permissions import Permission
from app.session import Session
from sync import jsonio, mapping, package_conflicts
from sync.engine import context
from sync.incoming import CONFLICT, MERGED, SAME, SKIPPED, apply_incoming, view
from sync.merge import three_way

FORMAT, CHANGES, SERVER_DATA = "outpost-sync-package", "changes", "server-data"
SIGNING_KEY = "sync-package-signing-key"
SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}
MIN_PASSPHRASE = 12


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _key(passphrase: str, salt: bytes) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValidationError({"passphrase": f"at least {MIN_PASSPHRASE} characters"})
    return hashlib.scrypt(passphrase.encode(), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **SCRYPT)


def _canonical(d: dict) -> bytes:
    return json.dumps(d, sort_keys=True, separators=(",", ":")).encode()


def _signer(session: Session) -> Ed25519PrivateKey:
    with session.uow() as uow:
        raw = uow.settings.get(SIGNING_KEY)
        if raw is None:
            key = Ed25519PrivateKey.generate()
            uow.settings.set(SIGNING_KEY, key.private_bytes_raw().hex())
            uow.commit()
            return key
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(raw))


def fingerprint(public: bytes) -> str:
    return hashlib.sha256(public).hexdigest()[:16]


def seal(session: Session, kind: str, content: dict, passphrase: str) -> bytes:
    """The package file's bytes for ``content``."""
    ctx = context(session)
    salt, nonce = os.urandom(16), os.urandom(12)
    signer = _signer(session)
    public = signer.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    header = {"format": FORMAT, "version": 1, "kind": kind, "clinic_code": ctx.clinic_code,
              "package_id": m.new_id(), "created_at": utcnow().isoformat(), "made_by": session.username,
              "workstation": session.workstation, "kdf": {"name": "scrypt", **SCRYPT, "salt": _b64(salt)},
              "cipher": "AES-256-GCM", "nonce": _b64(nonce), "signer": _b64(public)}
    plain = gzip.compress(jsonio.dumps(content).encode(), 6)
    body = header | {"ciphertext": _b64(AESGCM(_key(passphrase, salt)).encrypt(nonce, plain, _canonical(header)))}
    body["signature"] = _b64(signer.sign(_canonical(body)))
    return json.dumps(body, indent=0).encode()


@dataclass
class Opened:
    header: dict
    content: dict


def unseal(session: Session, data: bytes, passphrase: str) -> Opened:
    """The package's header and content; ValidationError naming what is wrong with it."""
    try:
        body = json.loads(data)
        signature = base64.b64decode(body.pop("signature"))
        ciphertext = base64.b64decode(body["ciphertext"])
        header = {k: v for k, v in body.items() if k != "ciphertext"}
        if header.get("format") != FORMAT or header.get("version") != 1:
            raise ValueError("not an Outpost sync package")
        Ed25519PublicKey.from_public_bytes(base64.b64decode(header["signer"])).verify(signature, _canonical(body))
    except InvalidSignature:
        raise ValidationError({"package": "the signature does not match: the file was changed"}) from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationError({"package": f"not a readable sync package ({exc})"}) from None
    clinic = context(session).clinic_code
    if header["clinic_code"] != clinic:
        raise ValidationError({"package": f"it belongs to clinic {header['clinic_code']}, not {clinic}"})
    kdf = header["kdf"]
    try:
        plain = AESGCM(_key(passphrase, base64.b64decode(kdf["salt"]))).decrypt(
            base64.b64decode(header["nonce"]), ciphertext, _canonical(header))
    except InvalidTag:
        raise ValidationError({"passphrase": "wrong for this package"}) from None
    return Opened(header, jsonio.loads(gzip.decompress(plain)))


# -- what goes in ----------------------------------------------------------------------------
def _blob(uow, record) -> str | None:
    if isinstance(record, m.Document):
        try:
            return _b64(uow.blobs.get(record.id))
        except Exception:  # the bytes never reached this store
            return None
    return None


def export_changes(session: Session, passphrase: str) -> tuple[bytes, int]:
    """A ``changes`` package of every pending edit; returns the bytes and how many."""
    session.require(Permission.SYNC)
    ctx = context(session)
    items = []
    with session.uow() as uow:
        for p in uow.sync.pending():
            cls = mapping.BY_OUTBOX_TYPE[p.resource_type]
            record = uow.records(cls).find(p.resource_id)
            state = uow.sync.server_state(p.resource_type, p.resource_id)
            if record is None or state is None:
                continue
            items.append({"type": p.resource_type, "mine": mapping.to_fhir(record, ctx),
                          "base": jsonio.loads(state.server_copy) if state.server_copy else None,
                          "blob": _blob(uow, record)})
    data = seal(session, CHANGES, {"items": items}, passphrase)
    _audit(session, Action.EXPORT, CHANGES, len(items))
    return data, len(items)


def export_server_data(session: Session, passphrase: str) -> tuple[bytes, int]:
    """A ``server-data`` package of every server copy this store holds."""
    session.require(Permission.SYNC)
    resources = []
    with session.uow() as uow:
        for cls in mapping.MAPPERS:
            repo = uow.records(cls)
            for record in repo.all(include_errors=True):
                state = uow.sync.server_state(cls.RESOURCE_TYPE, record.id)
                if state and state.server_copy:
                    resources.append({"resource": jsonio.loads(state.server_copy), "blob": _blob(uow, record)})
        decided = package_conflicts.decided(uow)
    data = seal(session, SERVER_DATA, {"resources": resources, "decided": decided}, passphrase)
    _audit(session, Action.EXPORT, SERVER_DATA, len(resources))
    return data, len(resources)


def _audit(session: Session, action: Action, kind: str, count: int, **more) -> None:
    with session.uow() as uow:
        uow.audit.append(session.entry(action, record_type="SyncPackage",
                                       detail={"package": kind, "count": count, **more}))
        uow.commit()


# -- what comes out --------------------------------------------------------------------------
@dataclass
class ImportResult:
    kind: str
    applied: int = 0  # records changed in this store
    unchanged: int = 0  # already here (a package imported before)
    merged: int = 0
    conflicts: list[str] = field(default_factory=list)  # records left for a person to reconcile
    signer: str = ""


def _apply_change(session: Session, uow, item: dict, ctx, result: ImportResult) -> None:
    """One edit from a ``changes`` package, merged three ways with what this store holds (the
    same merge a pull does): disjoint fields merge, overlapping ones become a conflict record."""
    cls = mapping.BY_OUTBOX_TYPE[item["type"]]
    repo = uow.records(cls)
    mine, base = item["mine"], item["base"]
    if uow.sync.conflict_with(item["type"], mine["id"], package_conflicts.marker(mine)):
        result.unchanged += 1  # this very edit already met one here (open or decided)
        return
    local = repo.find(mine["id"])
    if local is None:
        if base:
            repo.put_from_server(mapping.from_fhir(base), jsonio.dumps(base))
            local = repo.get(mine["id"])
        else:
            record = mapping.from_fhir(mine)
            record.server_version = None
            repo.add(record)
            if item.get("blob"):
                uow.blobs.put(record.id, base64.b64decode(item["blob"]))
            result.applied += 1
            return
    current = mapping.to_fhir(local, ctx)
    merge = three_way(base_view=view(base, ctx) if base else None, mine=mine, theirs=current,
                      theirs_view=current, owned=mapping.is_owned_extension)
    if merge.clean and not merge.mine_changed:
        result.unchanged += 1
        return
    patient_id = local.id if item["type"] == "Patient" else getattr(local, "patient_id", None)
    if merge.mine_changed:
        merged = mapping.from_fhir(merge.resource | {"id": mine["id"]})
        merged.version, merged.server_version, merged.created_at = local.version, local.server_version, local.created_at
        repo.update(merged)  # an outbox entry: it goes out with this workstation's next round
        if item.get("blob") and merge.clean:
            uow.blobs.put(mine["id"], base64.b64decode(item["blob"]))
        if base is None or current != view(base, ctx):  # this store had changes of its own too
            result.merged += 1
            uow.audit.append(session.entry(Action.SYNC, patient_id=patient_id, record_type=item["type"],
                                           record_id=mine["id"], detail={"merge": "automatic", "from": "package",
                                                                         "mine": merge.mine_changed}))
    if not merge.clean:
        package_conflicts.record(session, uow, record_type=item["type"], local=repo.get(mine["id"]), base=base,
                                 theirs=mine, merge=merge, ctx=ctx)
        result.conflicts.append(f"{item['type']} {mine['id']}: {', '.join(sorted(merge.conflicts))} "
                                "changed here too; waiting for a person to choose")
        return
    result.applied += 1


def _decided_elsewhere(session: Session, uow, resource: dict, decided: set[str], made_by: str, ctx) -> bool:
    """Take the server's version of a record whose pending edit here a person on the
    connected workstation already weighed against theirs (a package conflict decided there)."""
    try:
        incoming = mapping.from_fhir(resource)
    except KeyError:
        return False
    kind = type(incoming).RESOURCE_TYPE
    pending = uow.sync.has_pending(kind, incoming.id)
    if not pending:
        return False
    repo = uow.records(type(incoming))
    if package_conflicts.marker(mapping.to_fhir(repo.get(incoming.id), ctx)) not in decided:
        return False
    repo.put_from_server(incoming, jsonio.dumps(resource))
    uow.sync.clear_outbox(kind, incoming.id, pending)
    local = repo.get(incoming.id)
    uow.audit.append(session.entry(Action.SYNC, record_type=kind, record_id=incoming.id,
                                   patient_id=local.id if kind == "Patient" else getattr(local, "patient_id", None),
                                   detail={"package_conflict_decided": "on the connected workstation",
                                           "by_package_of": made_by}))
    return True


def import_package(session: Session, data: bytes, passphrase: str) -> ImportResult:
    """Apply a package to this store in one transaction (all or nothing). ValidationError
    for a package that is damaged, another clinic's, or under another passphrase."""
    session.require(Permission.SYNC)
    opened = unseal(session, data, passphrase)
    ctx = context(session)
    result = ImportResult(opened.header["kind"], signer=fingerprint(base64.b64decode(opened.header["signer"])))
    with session.uow() as uow:
        if result.kind == CHANGES:
            for item in opened.content["items"]:
                _apply_change(session, uow, item, ctx, result)
        elif result.kind == SERVER_DATA:
            decided = set(opened.content.get("decided") or [])
            for entry in opened.content["resources"]:
                if decided and _decided_elsewhere(session, uow, entry["resource"], decided,
                                                  opened.header["made_by"], ctx):
                    result.applied += 1
                    continue
                outcome = apply_incoming(session, uow, entry["resource"], ctx)
                result.applied += outcome not in (SAME, SKIPPED, CONFLICT)
                result.unchanged += outcome in (SAME, SKIPPED)
                result.merged += outcome == MERGED
                if outcome == CONFLICT:
                    result.conflicts.append(f"{entry['resource']['resourceType']} {entry['resource']['id']}")
                rid = entry["resource"]["id"]
                if entry.get("blob") and outcome not in (SAME, SKIPPED):
                    uow.blobs.put(rid, base64.b64decode(entry["blob"]))
        else:
            raise ValidationError({"package": f"unknown kind {result.kind!r}"})
        uow.audit.append(session.entry(Action.IMPORT, record_type="SyncPackage", detail={
            "package": result.kind, "package_id": opened.header["package_id"], "signer": result.signer,
            "made_by": opened.header["made_by"], "applied": result.applied, "unchanged": result.unchanged,
            "conflicts": len(result.conflicts)}))
        uow.commit()
    return result


def write(path: str | os.PathLike, data: bytes) -> None:
    """Write a package file aside and move it into place (never half-written)."""
    target = Path(path)
    part = target.with_name(target.name + ".part")
    part.write_bytes(data)
    os.chmod(part, 0o600)
    os.replace(part, target)
