"""How patients are indexed and how a search box's text becomes a query.

Pure functions shared by the store (which indexes) and the search service (which
queries), so both sides normalise text the same way: lower case, diacritics removed,
and non-Latin names also indexed in Latin transliteration ("王芳" is found by "wang").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from unidecode import unidecode

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_DATE_FORMATS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})$"),
    re.compile(r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})$"),
)


def fold(text: str) -> str:
    """Lower case, Latin transliteration, diacritics removed."""
    return unidecode(text or "").lower()


def family_key(family: str) -> str:
    return "".join(_WORD.findall(fold(family)))


def words(text: str) -> list[str]:
    """Index words of a name: the folded form and, if different, the original lower-cased."""
    out = _WORD.findall(fold(text))
    for w in _WORD.findall((text or "").lower()):
        if w not in out:
            out.append(w)
    return out


def digits(text: str) -> str:
    return "".join(ch for ch in text or "" if ch.isdigit())


def patient_terms(*, names: list[str], mrn: str, birth_date: date, phones: list[str]) -> str:
    """The text stored in the full-text index for one patient."""
    terms: list[str] = []
    for name in names:
        terms.extend(words(name))
    terms.append(fold(mrn).replace("-", ""))
    terms.append("b" + birth_date.strftime("%Y%m%d"))
    for phone in phones:
        d = digits(phone)
        if len(d) >= 4:
            terms.extend({d, d[-10:], d[-7:], d[-4:]})
    return " ".join(dict.fromkeys(terms))


def parse_date(text: str) -> date | None:
    for pattern in _DATE_FORMATS:
        m = pattern.match(text.strip())
        if m:
            try:
                return date(int(m["y"]), int(m["m"]), int(m["d"]))
            except ValueError:
                return None
    return None


@dataclass(frozen=True)
class PatientQuery:
    """What a search box's text asks for: an FTS5 expression and/or an exact birth date."""
    fts: str | None
    birth_date: date | None

    @property
    def empty(self) -> bool:
        return self.fts is None and self.birth_date is None


def parse_query(text: str) -> PatientQuery:
    """Turn free text ("smi jo", "1980-01-02", "555-0143", "MRN 100234") into a query.

    Every word must match the start of some indexed term (AND of prefix terms). A
    date anywhere in the text narrows to that birth date.
    """
    birth, parts = None, []
    for token in (text or "").split():
        when = parse_date(token)
        if when is not None:
            birth = when
            continue
        if fold(token) == "mrn":
            continue
        d = digits(token)
        if d and len(d) >= 3 and len(d) >= len(token) - 4:  # phone-like or MRN-like
            parts.append(f'"{d}"*')
            continue
        for w in _WORD.findall(fold(token)):
            parts.append(f'"{w}"*')
    return PatientQuery(" AND ".join(parts) if parts else None, birth)
