"""Where the product logs, and the rule that keeps PHI out of the log files.

Logs go to ``logs/outpost.log`` in the clinic's data folder, rotated (2 MB × 5). Log files
are not encrypted, so the formatter lets through only what cannot identify a patient:

* the message template (a constant in the code) with dates, phone numbers, e-mail
  addresses and quoted text scrubbed, in case someone formatted a value into it;
* arguments that are numbers, UUIDs, enum values or :class:`app.logsafe.Safe` strings —
  anything else becomes ``[redacted]``;
* for exceptions, the traceback's files, lines and functions and the exception's class,
  but never its message (messages quote input).

Third-party libraries log only warnings and errors (SQLAlchemy's SQL echo would carry
query parameters; an HTTP client's would carry URLs with search terms).
"""
from __future__ import annotations

import enum
import logging
import os
import re
import traceback
import uuid
from logging.handlers import RotatingFileHandler
from pathlib import Path

from app.logsafe import Safe

LOG_DIR, LOG_FILE = "logs", "outpost.log"
OWN_LOGGERS = ("outpost", "app", "db", "ui", "sync")
REDACTED = "[redacted]"
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_SCRUB = (
    re.compile(r"'[^']*'|\"[^\"]*\""),  # quoted literals (SQL, reprs)
    re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"),  # dates
    re.compile(r"\+?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b"),  # phone numbers
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),  # e-mail addresses
)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def safe_value(value: object) -> object:
    """``value`` when it cannot identify a patient, else ``[redacted]``."""
    if value is None or isinstance(value, (bool, int, float, uuid.UUID, Safe)):
        return value
    if isinstance(value, enum.Enum):
        return Safe(str(value.value))
    if isinstance(value, str) and _UUID.match(value):
        return value
    return REDACTED


def scrub(text: str) -> str:
    for pattern in _SCRUB:
        text = pattern.sub(REDACTED, text)
    return text


def safe_exception(exc_info) -> str:
    """A traceback with places and the exception's class only (no messages, no locals)."""
    _, exc, _ = exc_info
    parts, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        frames = "".join(f'  File "{f.filename}", line {f.lineno}, in {f.name}\n'
                         for f in traceback.extract_tb(exc.__traceback__))
        kind = type(exc)
        parts.append(f"Traceback (most recent call last):\n{frames}"
                     f"{kind.__module__}.{kind.__qualname__}: (message withheld: may hold PHI)")
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "\n\nwhich was caused by:\n".join(reversed(parts))


class PhiSafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        safe = logging.makeLogRecord(dict(record.__dict__))
        safe.msg = scrub(str(record.msg))
        if isinstance(record.args, dict):
            safe.args = {k: safe_value(v) for k, v in record.args.items()}
        elif record.args:
            safe.args = tuple(safe_value(v) for v in record.args)
        safe.exc_info = safe.exc_text = safe.stack_info = None
        try:
            text = super().format(safe)
        except (TypeError, ValueError):  # a template that does not fit its arguments
            text = f"{self.formatTime(safe)} {record.levelname} {record.name}: {safe.msg}"
        if record.exc_info and record.exc_info[0] is not None:
            text += "\n" + safe_exception(record.exc_info)
        return text


class OwnOrSerious(logging.Filter):
    """Our own loggers at any level; third-party ones only from WARNING up."""

    def filter(self, record: logging.LogRecord) -> bool:
        own = record.name == "root" or record.name.split(".")[0] in OWN_LOGGERS
        return own or record.levelno >= logging.WARNING


def log_dir(data_dir: Path) -> Path:
    return Path(data_dir) / LOG_DIR


def configure(data_dir: Path, *, level: int = logging.INFO) -> logging.Handler:
    """Send the product's logs to the data folder's rotating log file; returns the handler
    (tests remove it again with :func:`remove`)."""
    folder = log_dir(data_dir)
    root = logging.getLogger()
    for existing in root.handlers:  # configured already (the client signs in more than once)
        if getattr(existing, "baseFilename", None) == str((folder / LOG_FILE).resolve()):
            return existing
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    handler = RotatingFileHandler(folder / LOG_FILE, maxBytes=2_000_000, backupCount=5,
                                  encoding="utf-8")
    handler.setFormatter(PhiSafeFormatter(_FORMAT))
    handler.addFilter(OwnOrSerious())
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    return handler


def remove(handler: logging.Handler) -> None:
    logging.getLogger().removeHandler(handler)
    handler.close()
