"""Terminology shipped with the product: look up and search ICD-10-CM, LOINC, RxNorm and CVX.

ICD-10-CM comes from the ``simple_icd_10_cm`` package; LOINC, RxNorm and CVX subsets
are TSV files in ``resources/terminology`` (or ``$OUTPOST_RESOURCES/terminology`` in a
frozen build). Each system's index is built the first time it is used and then kept for
the life of the process; ``warm_up()`` builds them all, e.g. from a background thread at
start-up.

Loading ``simple_icd_10_cm`` parses a 10 MB XML file in one call that holds the
interpreter lock for half a second, which would freeze the client's UI thread even
from a background thread. So its codes are read once and kept in a cache file (codes,
displays and billable flags, in ranking order; no patient data), and later processes
read that file line by line instead. An installed build ships the file beside the other
terminology files (installer/build-bundle.sh makes it); otherwise it is written to the
user's cache folder (``$OUTPOST_CACHE_DIR`` overrides) on first use. It is named after
the package's version, and rebuilt whenever it is missing or unreadable.

Only codes are indexed: ICD-10-CM chapters ("4") and blocks ("E08-E13") are headings,
so ``lookup`` does not find them and ``is_valid`` says no.

LOINC rows may carry search aliases (``aliases`` column, e.g. "TSH", "eGFR"), so a
picker finds a test by the name clinicians use as well as by its LOINC name.

Search ranking, fixed per system when the index is built:

* text that looks like a code lists the exact code first, then codes starting with
  it (shortest first, then in code order), then word matches;
* word matches come shortest display first, because short displays are the less
  specific concepts ("Type 2 diabetes mellitus" before its subcodes); among equals,
  billable ICD-10-CM codes come first, then code order. CVX lists active vaccines
  before inactive ones, whatever their length.
"""
from __future__ import annotations

import os
import re
import tempfile
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import platformdirs

from app.errors import OutpostError
from app.terminology_index import SearchIndex, words

SYSTEM_URLS = {"icd10cm": "http://hl7.org/fhir/sid/icd-10-cm", "loinc": "http://loinc.org",
               "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm", "cvx": "http://hl7.org/fhir/sid/cvx",
               "ucum": "http://unitsofmeasure.org"}
SYSTEMS = ("icd10cm", "loinc", "rxnorm", "cvx")
_OIDS = {"urn:oid:2.16.840.1.113883.6.90": "icd10cm", "urn:oid:2.16.840.1.113883.6.1": "loinc",
         "urn:oid:2.16.840.1.113883.6.88": "rxnorm", "urn:oid:2.16.840.1.113883.12.292": "cvx",
         "urn:oid:2.16.840.1.113883.6.8": "ucum"}
_CODE_LIKE = {"icd10cm": re.compile(r"[A-Z]\d[0-9A-Z]?(\.?[0-9A-Z]{0,4})?"),
              "loinc": re.compile(r"\d{1,7}(-\d?)?"),
              "rxnorm": re.compile(r"\d{1,8}"),
              "cvx": re.compile(r"\d{1,3}")}


class TerminologyFileError(OutpostError):
    """A terminology file shipped with the product is missing or malformed."""


@dataclass(frozen=True, slots=True)
class Concept:
    """A coded concept. ``system`` is the short name: icd10cm, loinc, rxnorm or cvx."""
    system: str
    code: str
    display: str

    @property
    def system_url(self) -> str:
        """The FHIR ``Coding.system`` URI of this concept's code system."""
        return SYSTEM_URLS[self.system]


@dataclass(frozen=True, slots=True)
class LabTest:
    """A LOINC observation we ship: its UCUM unit, adult reference range and plausible range."""
    code: str
    display: str
    unit: str
    kind: str  # "vital" or "lab"
    ref_low: Decimal | None
    ref_high: Decimal | None
    phys_min: Decimal | None
    phys_max: Decimal | None


def resources_dir() -> Path:
    """The folder holding the terminology TSV files (``$OUTPOST_RESOURCES`` overrides)."""
    override = os.environ.get("OUTPOST_RESOURCES")
    base = Path(override) if override else Path(__file__).resolve().parent.parent / "resources"
    return base / "terminology"


def lookup(system: str, code: str) -> Concept | None:
    """The concept with this code, or None. ICD-10-CM accepts "E119" or "e11.9" and
    returns the dotted form. Raises ValueError for an unknown system."""
    entry = _index(system).get(_normal_code(system, code or ""))
    return None if entry is None else Concept(system, entry.code, entry.display)


def is_valid(system: str, code: str) -> bool:
    """Whether the code exists in the system. Raises ValueError for an unknown system."""
    return lookup(system, code) is not None


def is_billable(code: str) -> bool:
    """Whether an ICD-10-CM code is billable (a leaf of the classification)."""
    concept = lookup("icd10cm", code)
    if concept is None:
        return False
    return concept.code not in _icd_headings()


def search(system: str, text: str, limit: int = 20) -> list[Concept]:
    """Concepts for a picker, best first, at most ``limit``. Blank text gives [].

    Text that looks like a code matches by code prefix; any text also matches when
    every word starts a word of the display (case and accents ignored).
    Raises ValueError for an unknown system.
    """
    index = _index(system)
    text = (text or "").strip()
    if not text or limit <= 0:
        return []
    found = {}
    compact = "".join(text.split()).upper()
    if _CODE_LIKE[system].fullmatch(compact):
        normal = _normal_code(system, compact)
        exact = index.get(normal)
        if exact is not None:
            found[exact.code] = exact
        prefix = normal if system == "icd10cm" else compact
        for entry in index.by_code_prefix(prefix, limit):
            found.setdefault(entry.code, entry)
    if len(found) < limit:
        for entry in index.by_words(words(text), limit + len(found)):
            found.setdefault(entry.code, entry)
    return [Concept(system, e.code, e.display) for e in list(found.values())[:limit]]


def loinc_test(code: str) -> LabTest | None:
    """The shipped LOINC test with this code (units and ranges), or None."""
    return _lab_tests().get((code or "").strip())


def vital_tests() -> list[LabTest]:
    """The vital-sign observations we ship, in file order."""
    return [test for test in _lab_tests().values() if test.kind == "vital"]


def system_for_url(url: str) -> str | None:
    """The short system name for a FHIR system URI or HL7 OID, or None if unknown."""
    url = (url or "").strip().rstrip("/")
    for name, known in SYSTEM_URLS.items():
        if url == known:
            return name
    return _OIDS.get(url)


def warm_up() -> None:
    """Build every index now, so the first search is fast. Safe from any thread."""
    for system in SYSTEMS:
        _index(system)
    _lab_tests()


# ---------------------------------------------------------------- building and caching

_cache: dict[str, object] = {}
_locks = {key: threading.Lock() for key in (*SYSTEMS, "labs", "icd_rows", "icd_headings")}


def _cached(key: str, build: Callable[[], object]) -> object:
    value = _cache.get(key)
    if value is None:
        with _locks[key]:  # one lock per index, so a slow ICD build never blocks LOINC
            value = _cache.get(key)
            if value is None:
                value = _cache[key] = build()
    return value


def _index(system: str) -> SearchIndex:
    if system not in SYSTEMS:
        raise ValueError(f"unknown terminology system {system!r}; expected one of {', '.join(SYSTEMS)}")
    return _cached(system, _BUILDERS[system])


def _normal_code(system: str, text: str) -> str:
    code = "".join(text.split())
    if system == "icd10cm":
        code = code.upper().replace(".", "")
        return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"
    if system in ("cvx", "rxnorm") and code.isascii() and code.isdigit():
        return f"{int(code):02d}" if system == "cvx" else str(int(code))
    return code.upper()


def _icd():
    """The simple_icd_10_cm module, imported on first use (loading it takes over a second)."""
    with warnings.catch_warnings():  # it loads its data with deprecated importlib.resources calls
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm
    return simple_icd_10_cm


def _icd_cache_name() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        tag = version("simple-icd-10-cm")
    except PackageNotFoundError:  # package metadata missing: never trust an old cache
        tag = "unknown"
    return f"icd10cm-{tag}.tsv"


def icd_cache_path() -> Path:
    """Where the ICD-10-CM code cache is written for the installed package version."""
    base = os.environ.get("OUTPOST_CACHE_DIR") or platformdirs.user_cache_dir("Outpost", appauthor=False)
    return Path(base) / "terminology" / _icd_cache_name()


_ICD_CACHE_HEADER = "outpost icd10cm cache 1\tdisplay\tbillable"


def _icd_rows() -> list[tuple[str, str, bool]]:
    """ICD-10-CM codes (no chapters or blocks) as (code, display, billable), best ranked first."""
    return _cached("icd_rows", _load_icd_rows)


def _load_icd_rows() -> list[tuple[str, str, bool]]:
    shipped = resources_dir() / _icd_cache_name()
    rows = _read_icd_cache(shipped) if not shipped.name.endswith("-unknown.tsv") else None
    if rows is not None:
        return rows
    path = icd_cache_path()
    rows = _read_icd_cache(path)
    if rows is None:
        rows = _rows_from_package()
        _write_icd_cache(path, rows)
    return rows


def _rows_from_package() -> list[tuple[str, str, bool]]:
    icd = _icd()
    rows = [(code, icd.get_description(code), icd.is_leaf(code))
            for code in icd.get_all_codes(with_dots=True)
            if code[0].isalpha() and "-" not in code]  # skip chapters and blocks
    rows.sort(key=_icd_rank)
    return rows


def _icd_rank(row: tuple[str, str, bool]) -> tuple:
    code, display, billable = row
    return len(display), not billable, code


def _read_icd_cache(path: Path) -> list[tuple[str, str, bool]] | None:
    """The cached rows, or None when the file is missing, from another format, or damaged."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    if not lines or lines[0] != _ICD_CACHE_HEADER or lines[-1] != "":
        return None  # another format, or a write that never finished
    rows = []
    for line in lines[1:-1]:  # a plain loop: other threads keep running while it reads
        cells = line.split("\t")
        if len(cells) != 3 or not cells[0] or not cells[1] or cells[2] not in ("0", "1"):
            return None
        rows.append((cells[0], cells[1], cells[2] == "1"))
    return rows or None


def _write_icd_cache(path: Path, rows: list[tuple[str, str, bool]]) -> None:
    """Write the cache beside its final name and rename it into place; a cache that cannot
    be written only means the next process reads the package again."""
    text = "".join(f"{code}\t{display}\t{int(billable)}\n" for code, display, billable in rows
                   if "\t" not in display and "\n" not in display)
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(_ICD_CACHE_HEADER + "\n" + text)
        os.replace(temp, path)
    except OSError:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)


def _icd_headings() -> frozenset[str]:
    """ICD-10-CM codes that have subcodes (not billable)."""
    return _cached("icd_headings", lambda: frozenset(code for code, _, billable in _icd_rows() if not billable))


def _build_icd10cm() -> SearchIndex:
    return SearchIndex((code, display, "", _icd_rank((code, display, billable)))
                       for code, display, billable in _icd_rows())


def _build_loinc() -> SearchIndex:
    return SearchIndex((r["code"], r["display"], r.get("aliases", "").replace(";", " "),
                        (len(r["display"]), r["code"])) for r in _read_tsv("loinc.tsv"))


def _build_rxnorm() -> SearchIndex:
    return SearchIndex((r["code"], r["display"], "", (len(r["display"]), r["display"]))
                       for r in _read_tsv("rxnorm.tsv"))


def _build_cvx() -> SearchIndex:
    return SearchIndex((r["code"], r["display"], "", (r["status"] != "active", len(r["display"]), r["code"]))
                       for r in _read_tsv("cvx.tsv"))


_BUILDERS = {"icd10cm": _build_icd10cm, "loinc": _build_loinc, "rxnorm": _build_rxnorm, "cvx": _build_cvx}


def _lab_tests() -> dict[str, LabTest]:
    def build() -> dict[str, LabTest]:
        tests = {}
        for row in _read_tsv("loinc.tsv"):
            ranges = [_decimal(row, column) for column in ("ref_low", "ref_high", "phys_min", "phys_max")]
            tests[row["code"]] = LabTest(row["code"], row["display"], row["unit"], row["kind"], *ranges)
        return tests
    return _cached("labs", build)


def _decimal(row: dict[str, str], column: str) -> Decimal | None:
    text = row.get(column, "").strip()
    try:
        return Decimal(text) if text else None
    except InvalidOperation:
        raise TerminologyFileError(f"LOINC {row['code']}: {column} {text!r} is not a number") from None


def _read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of a terminology TSV as dicts. Raises TerminologyFileError if the file is
    unreadable, or a row has no code, no display, or a code seen before."""
    path = resources_dir() / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TerminologyFileError(f"terminology file {path} cannot be read ({exc.strerror or exc})") from exc
    header = lines[0].split("\t") if lines else []
    if header[:2] != ["code", "display"]:
        raise TerminologyFileError(f"terminology file {path} must start with the columns code, display")
    rows, seen = [], set()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        row = dict(zip(header, cells + [""] * (len(header) - len(cells))))
        if not row["code"] or not row["display"] or row["code"] in seen or len(cells) > len(header):
            raise TerminologyFileError(f"{path}, line {number}: missing, duplicate or extra cells")
        seen.add(row["code"])
        rows.append(row)
    return rows
