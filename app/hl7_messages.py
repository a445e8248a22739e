"""HL7 v2 messages: splitting a file or stream into messages, parsing them with
python-hl7, reading fields safely, checking the header, and building the ACK.

Pure functions, no store: :mod:`app.hl7_import` decides what a message means.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import hl7

VERSIONS = ("2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8", "2.8.1", "2.8.2")
SUPPORTED = {("ADT", "A01"), ("ADT", "A04"), ("ADT", "A08"), ("ORU", "R01"), ("VXU", "V04"),
             ("SIU", "S12"), ("SIU", "S13"), ("SIU", "S14"), ("SIU", "S15")}
_KNOWN_SEGMENTS = re.compile(r"^[A-Z][A-Z0-9]{2}$")
_TS = re.compile(r"^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d{1,4})?([+-]\d{4})?$")
MLLP_START, MLLP_END = b"\x0b", b"\x1c\r"


class FieldError(ValueError):
    """A message that cannot be taken: ``location`` names the field (e.g. PID-7), ``code``
    the HL7 table 0357 error code, ``ack`` AE (application error) or AR (rejected)."""

    def __init__(self, location: str, reason: str, *, code: str = "207", ack: str = "AE"):
        super().__init__(f"{location}: {reason}")
        self.location, self.reason, self.code, self.ack = location, reason, code, ack


@dataclass(frozen=True)
class RawMessage:
    number: int  # 1-based place in the file
    line: int  # the line its MSH is on (1-based; 0 for MLLP frames)
    text: str  # segments joined with \r

    @property
    def label(self) -> str:
        where = f", line {self.line}" if self.line else ""
        return f"message {self.number}{where}"


# -- splitting -------------------------------------------------------------------------
def split(data: bytes | str) -> list[RawMessage]:
    """The messages in a file: MLLP frames, or MSH-started runs of segments (blank lines,
    \\r, \\n or \\r\\n between segments)."""
    if isinstance(data, bytes):
        if MLLP_START in data:
            frames = [f.split(b"\x1c")[0] for f in data.split(MLLP_START)[1:]]
            return [RawMessage(i, 0, _segments_text(f.decode("utf-8", errors="replace")))
                    for i, f in enumerate(frames, start=1) if f.strip()]
        data = data.decode("utf-8", errors="replace")
    messages: list[RawMessage] = []
    current: list[str] = []
    start = 0
    lines = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        line = line.strip("\ufeff")
        if not line.strip():
            if current:
                messages.append(RawMessage(len(messages) + 1, start, "\r".join(current)))
                current = []
            continue
        if line.startswith("MSH") and current:
            messages.append(RawMessage(len(messages) + 1, start, "\r".join(current)))
            current = []
        if not current:
            start = number
        current.append(line.rstrip())
    if current:
        messages.append(RawMessage(len(messages) + 1, start, "\r".join(current)))
    return messages


def _segments_text(text: str) -> str:
    parts = text.replace("\r\n", "\r").replace("\n", "\r").split("\r")
    return "\r".join(p.rstrip() for p in parts if p.strip())


def frame(message: str) -> bytes:
    """A message in MLLP framing (for the listener's answers)."""
    return MLLP_START + message.encode("utf-8") + MLLP_END


# -- parsing and reading ---------------------------------------------------------------
def parse(raw: RawMessage) -> hl7.Message:
    """The parsed message; FieldError (AR) for a bad header or segment."""
    text = raw.text
    if not text.startswith("MSH"):
        raise FieldError("MSH", f"the message must start with an MSH segment, not {text[:3]!r}",
                         code="100", ack="AR")
    check_encoding(text)
    for i, segment in enumerate(text.split("\r"), start=1):
        if not _KNOWN_SEGMENTS.match(segment[:3]) or (len(segment) > 3 and segment[3] != text[3]):
            raise FieldError(f"segment {i}", f"{segment[:12]!r} is not an HL7 segment", code="100", ack="AR")
    try:
        return hl7.parse(text)
    except (hl7.ParseException, IndexError, ValueError) as exc:
        raise FieldError("MSH", f"cannot be parsed ({exc})", code="100", ack="AR") from None


def check_encoding(text: str) -> None:
    """MSH-1 and MSH-2: a field separator and four (five from v2.7) distinct encoding
    characters, none a letter, digit or space."""
    if len(text) < 8:
        raise FieldError("MSH-2", "the header is too short to hold the encoding characters",
                         code="100", ack="AR")
    sep = text[3]
    end = text.find(sep, 4)
    chars = text[4:end if end > 0 else len(text)]
    bad = (sep.isalnum() or sep.isspace() or len(chars) not in (4, 5) or len(set(chars)) != len(chars)
           or sep in chars or any(c.isalnum() or c.isspace() for c in chars))
    if bad:
        raise FieldError("MSH-2", f"wrong encoding characters {chars!r} (expected e.g. ^~\\&)",
                         code="100", ack="AR")


def _pick(node, index: int):
    if isinstance(node, str):
        return node if index == 1 else ""
    return node[index - 1] if len(node) >= index else ""


def get(message: hl7.Message, segment, field: int, component: int = 1, repetition: int = 1) -> str:
    """One component of a field as text ('' when absent), escapes undone."""
    try:
        node = segment(field)
    except (IndexError, KeyError):
        return ""
    node = _pick(_pick(_pick(node, repetition), component), 1)
    return message.unescape(str(node)).strip() if str(node) else ""


def repetitions(segment, field: int) -> int:
    try:
        node = segment(field)
    except (IndexError, KeyError):
        return 0
    if isinstance(node, str):
        return 1 if node else 0
    return len(node)


def segments(message: hl7.Message, name: str) -> list:
    return [s for s in message if str(s[0]) == name]


def one(message: hl7.Message, name: str):
    """The first segment of that name; FieldError when the message has none."""
    found = segments(message, name)
    if not found:
        raise FieldError(name, "required segment missing", code="100")
    return found[0]


def required(message: hl7.Message, segment, field: int, component: int = 1, name: str = "") -> str:
    value = get(message, segment, field, component)
    if not value:
        label = f"{segment[0]}-{field}" + (f".{component}" if component > 1 else "")
        raise FieldError(label, f"required field missing{f' ({name})' if name else ''}", code="101")
    return value


def timestamp(value: str, location: str) -> datetime | None:
    """An HL7 TS/DTM (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]) as an aware datetime
    (UTC when no offset is given); FieldError naming ``location`` when it is not one."""
    if not value:
        return None
    m = _TS.match(value)
    if not m:
        raise FieldError(location, f"{value!r} is not an HL7 date/time", code="102")
    year, month, day, hour, minute, second, frac, offset = m.groups()
    try:
        tz = timezone.utc
        if offset:
            sign = 1 if offset[0] == "+" else -1
            tz = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
        return datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                        int(second or 0), int(float(frac or 0) * 1_000_000), tzinfo=tz)
    except ValueError:
        raise FieldError(location, f"{value!r} is not a valid date", code="102") from None


def day(value: str, location: str) -> date | None:
    moment = timestamp(value, location)
    return moment.date() if moment else None


@dataclass(frozen=True)
class Header:
    message_type: str  # e.g. ADT
    trigger: str  # e.g. A04
    control_id: str
    version: str
    sending_app: str
    sending_facility: str

    @property
    def kind(self) -> str:
        return f"{self.message_type}^{self.trigger}"


def header(message: hl7.Message) -> Header:
    """MSH read and checked: a supported type, trigger and version; FieldError (AR) if not."""
    msh = message.segment("MSH")
    control_id = get(message, msh, 10)
    if not control_id:
        raise FieldError("MSH-10", "required field missing (message control id)", code="101", ack="AR")
    mtype, trigger = get(message, msh, 9, 1), get(message, msh, 9, 2)
    if not mtype:
        raise FieldError("MSH-9", "required field missing (message type)", code="101", ack="AR")
    version = get(message, msh, 12)
    if version not in VERSIONS:
        raise FieldError("MSH-12", f"version {version or '(none)'} is not supported (2.3 to 2.8)",
                         code="203", ack="AR")
    if (mtype, trigger) not in SUPPORTED:
        raise FieldError("MSH-9", f"{mtype}^{trigger} is not a message type this interface takes",
                         code="200", ack="AR")
    return Header(mtype, trigger, control_id, version, get(message, msh, 3), get(message, msh, 4))


# -- acknowledgements --------------------------------------------------------------------
def _esc(text: str) -> str:
    return (text.replace("\\", "\\E\\").replace("|", "\\F\\").replace("^", "\\S\\")
            .replace("&", "\\T\\").replace("~", "\\R\\").replace("\r", " ").replace("\n", " "))


def ack(raw_text: str, code: str, reason: str, *, location: str = "", error_code: str = "",
        receiving_app: str = "OUTPOST", receiving_facility: str = "") -> str:
    """The ACK for a message (best effort on a header that could not be read)."""
    fields = raw_text.split("\r", 1)[0].split("|") if raw_text.startswith("MSH|") else ["MSH"]
    msh = lambda n: fields[n - 1] if len(fields) >= n else ""  # noqa: E731 - MSH-n
    trigger = msh(9).split("^")[1] if "^" in msh(9) else ""
    version = msh(12) if msh(12) in VERSIONS else "2.5.1"
    control = msh(10)
    now = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    out = [f"MSH|^~\\&|{receiving_app}|{_esc(receiving_facility)}|{msh(3)}|{msh(4)}|{now}||"
           f"ACK^{trigger}^ACK|ACK{control or now}|P|{version}",
           f"MSA|{code}|{control}|{_esc(reason)[:200]}"]
    if code != "AA":
        seg, _, rest = location.partition("-")
        position = f"{seg}^1^{rest.split('.')[0]}" if rest[:1].isdigit() else seg
        out.append(f"ERR||{position}|{error_code or '207'}^{_esc(reason)[:80]}^HL70357|E")
    return "\r".join(out)


__all__ = ["FieldError", "RawMessage", "Header", "split", "frame", "parse", "check_encoding", "get",
           "repetitions", "segments", "one", "required", "timestamp", "day", "header", "ack",
           "VERSIONS", "SUPPORTED"]
