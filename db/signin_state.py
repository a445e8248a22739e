"""``signin_state.json`` beside the store: failed sign-in counters and lock times.

It has to live outside the encrypted store (which a wrong password cannot open). It holds
no PHI — user names, times, workstation names — and is written like ``keyslots.json``:
owner-only, to a temporary file first, then renamed over the old one.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

FILE_NAME = "signin_state.json"
FORMAT = 1
log = logging.getLogger("outpost.signin_state")


class SignInStateFile:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / FILE_NAME

    def read(self) -> dict[str, Any]:
        """The content; empty when there is no file, or when it is damaged (then logged)."""
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            log.warning("the sign-in state file was unreadable; starting it afresh")
            return {}
        return raw if isinstance(raw, dict) else {}

    def write(self, data: dict[str, Any]) -> None:
        body = dict(data, format=FORMAT)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8") as fh:
            json.dump(body, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)


def lockouts(data_dir: Path, *, clock=None):
    """The :class:`app.lockout.Lockouts` of the store in ``data_dir`` (its user names come
    from the key slots, which hold no PHI and are readable before sign-in)."""
    from app.lockout import Lockouts
    from app.model import utcnow
    from db.keyslots import KeySlots
    try:
        names = {s.name for s in KeySlots.load(Path(data_dir)).slots if s.kind == "user"}
    except Exception:  # noqa: BLE001 - a missing/damaged key file is reported by the unlock itself
        names = set()
    return Lockouts(SignInStateFile(data_dir), is_user=names.__contains__, clock=clock or utcnow)
