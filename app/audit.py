"""The audit trail's entries and the tamper-evident chain.

Each entry carries the digest of the one before it; the digest is an HMAC over a
canonical form of the entry, keyed with a key derived from the store's key. Any
edit, deletion or insertion breaks the chain at that entry.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

GENESIS = "0" * 64


class Action(str, Enum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"  # marking entered-in-error
    PRINT = "print"
    EXPORT = "export"
    IMPORT = "import"
    QUERY = "query"
    SIGN_IN = "sign-in"
    SIGN_OUT = "sign-out"
    SIGN_IN_FAILED = "sign-in-failed"
    DENIED = "permission-denied"
    EMERGENCY = "emergency-access"
    CONFIG = "configuration-change"
    SYNC = "sync"


@dataclass(kw_only=True)
class AuditEntry:
    action: Action
    at: datetime
    username: str
    role: str = ""
    outcome: str = "success"  # success | failure | denied
    patient_id: str | None = None
    record_type: str | None = None
    record_id: str | None = None
    workstation: str = ""
    location_id: str | None = None
    emergency: bool = False
    detail: dict[str, Any] = field(default_factory=dict)
    seq: int | None = None
    prev_hash: str = ""
    hash: str = ""

    def canonical(self) -> bytes:
        body = {
            "seq": self.seq, "action": Action(self.action).value, "at": self.at.isoformat(),
            "username": self.username, "role": self.role, "outcome": self.outcome,
            "patient_id": self.patient_id, "record_type": self.record_type,
            "record_id": self.record_id, "workstation": self.workstation,
            "location_id": self.location_id, "emergency": self.emergency, "detail": self.detail,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def seal(entry: AuditEntry, *, key: bytes, seq: int, prev_hash: str) -> AuditEntry:
    """Give ``entry`` its place in the chain (sequence number, previous digest, own digest)."""
    entry.seq, entry.prev_hash = seq, prev_hash
    entry.hash = hmac.new(key, entry.canonical(), hashlib.sha256).hexdigest()
    return entry


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"audit entry {self.seq}: {self.reason}"


def verify_chain(entries, *, key: bytes, head: tuple[int, str] | None) -> ChainBreak | None:
    """The first place where the chain is broken, or None when it is intact.

    ``entries`` is iterated in sequence order; ``head`` is the (seq, hash) of the last
    entry as recorded separately, which catches a deleted tail.
    """
    expected_seq, prev = 1, GENESIS
    for e in entries:
        if e.seq != expected_seq:
            if e.seq > expected_seq:
                return ChainBreak(expected_seq, f"missing (removed); next present entry is {e.seq}")
            return ChainBreak(e.seq, "out of order or duplicated (inserted)")
        if e.prev_hash != prev:
            return ChainBreak(e.seq, "does not follow the entry before it (inserted or replaced)")
        digest = hmac.new(key, e.canonical(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(digest, e.hash):
            return ChainBreak(e.seq, "content was altered")
        prev, expected_seq = e.hash, expected_seq + 1
    last_seq = expected_seq - 1
    if head is not None and (head[0] != last_seq or head[1] != prev):
        if head[0] > last_seq:
            return ChainBreak(last_seq + 1, f"missing (removed); the trail should end at entry {head[0]}")
        return ChainBreak(head[0] + 1 if head[0] < last_seq else last_seq,
                          "not recorded in the chain head (inserted)")
    return None
