"""An X12 837P professional claim file (ASC X12N 005010X222A1), written from claim data.

Pure: the caller gathers the visits (app.billing_claims) and stores or sends the text.
Names are transliterated to the X12 basic character set (payers reject other letters);
ICD-10-CM codes lose their dot; amounts are exact decimals.
"""
from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from unidecode import unidecode

from app.billing_claims import ClaimData, ClaimSettings
from app.errors import ValidationError

_ELEMENT, _COMPONENT, _SEGMENT, _REPEAT = "*", ":", "~", "^"
_SBR_RELATIONSHIP = {"self": "18"}
_SEX = {"male": "M", "female": "F"}


def clean(value: object, limit: int = 60) -> str:
    """Text safe inside an element: basic characters, upper case, no delimiters, trimmed."""
    plain = unidecode(str(value or "")).upper()
    plain = re.sub(r"[^A-Z0-9 !&'()+,\-./;?=%@#]", " ", plain)
    return re.sub(r"\s+", " ", plain).strip()[:limit]


def amount(value: Decimal) -> str:
    """An X12 monetary amount: no trailing zeros after the point ("130", "12.5")."""
    text = format(value.quantize(Decimal("0.01")).normalize(), "f")
    return text


def _seg(*elements: object) -> str:
    parts = [str(e) for e in elements]
    while parts and parts[-1] == "":
        parts.pop()
    return _ELEMENT.join(parts)


def _problems(claims: list[ClaimData], settings: ClaimSettings) -> dict[str, str]:
    problems: dict[str, str] = {}
    for c in claims:
        who = f"visit {c.encounter.start.date().isoformat()} of MRN {c.patient.mrn}"
        if c.coverage is None:
            problems[who] = "the patient has no insurance coverage on that day"
        elif c.coverage.relationship != "self":
            problems[who] = "the subscriber is not the patient; dependent claims are not supported yet"
        elif c.coverage.payer not in settings.payer_ids:
            problems[who] = f"no payer id entered for {c.coverage.payer}"
        missing = [ch.code for ch in c.charges
                   if not re.fullmatch(r"[A-Z0-9]{5}", c.claim_codes.get(ch.code) or ch.code)]
        if missing:
            problems[f"{who} codes"] = f"enter a claim code in the fee schedule for {', '.join(missing)}"
    return problems


def _header(settings: ClaimSettings, control: int, now: datetime) -> list[str]:
    isa = _ELEMENT.join(["ISA", "00", " " * 10, "00", " " * 10, "ZZ", clean(settings.submitter_id, 15).ljust(15),
                         "ZZ", clean(settings.receiver_id, 15).ljust(15), now.strftime("%y%m%d"),
                         now.strftime("%H%M"), _REPEAT, "00501", f"{control:09d}", "0",
                         "P" if settings.production else "T", _COMPONENT])
    return [isa,
            _seg("GS", "HC", clean(settings.submitter_id, 15), clean(settings.receiver_id, 15),
                 now.strftime("%Y%m%d"), now.strftime("%H%M"), control, "X", "005010X222A1"),
            _seg("ST", "837", "0001", "005010X222A1"),
            _seg("BHT", "0019", "00", f"{control:09d}", now.strftime("%Y%m%d"), now.strftime("%H%M"), "CH"),
            _seg("NM1", "41", "2", clean(settings.billing_name), "", "", "", "", "46", clean(settings.submitter_id, 80)),
            _seg("PER", "IC", clean(settings.contact_name), "TE", re.sub(r"\D", "", settings.phone)[:10] or "0000000000"),
            _seg("NM1", "40", "2", clean(settings.receiver_name), "", "", "", "", "46", clean(settings.receiver_id, 80)),
            _seg("HL", "1", "", "20", "1"),
            *([_seg("PRV", "BI", "PXC", settings.taxonomy)] if settings.taxonomy else []),
            _seg("NM1", "85", "2", clean(settings.billing_name), "", "", "", "", "XX", settings.billing_npi),
            _seg("N3", clean(settings.address_line, 55)),
            _seg("N4", clean(settings.city, 30), settings.state, settings.postal_code),
            _seg("REF", "EI", settings.tax_id)]


def _claim(c: ClaimData, settings: ClaimSettings, hl: int) -> list[str]:
    p, cov = c.patient, c.coverage
    address = p.addresses[0] if p.addresses else None
    filing = settings.filing_codes.get(cov.payer, "CI")
    segments = [_seg("HL", hl, "1", "22", "0"),
                _seg("SBR", "P", _SBR_RELATIONSHIP[cov.relationship], clean(cov.group, 50), "", "", "", "", "", filing),
                _seg("NM1", "IL", "1", clean(p.name.family, 60), clean(" ".join(p.name.given[:1]), 35), "", "", "",
                     "MI", clean(cov.member_id, 80))]
    if address and address.lines and address.city and address.state and address.postal_code:
        segments += [_seg("N3", clean(address.lines[0], 55)),
                     _seg("N4", clean(address.city, 30), clean(address.state, 2),
                          re.sub(r"\D", "", address.postal_code)[:9])]
    segments += [_seg("DMG", "D8", p.birth_date.strftime("%Y%m%d"), _SEX.get(p.sex, "U")),
                 _seg("NM1", "PR", "2", clean(cov.payer), "", "", "", "", "PI", clean(settings.payer_ids[cov.payer], 80)),
                 _seg("CLM", c.control_number, amount(c.total), "", "",
                      _COMPONENT.join([c.place_of_service, "B", "1"]), "Y", "A", "Y", "Y")]
    codes = [d.replace(".", "") for d in c.diagnoses]
    segments.append(_seg("HI", *[_COMPONENT.join(["ABK" if n == 0 else "ABF", d]) for n, d in enumerate(codes)]))
    if c.rendering and c.rendering.npi:
        r = c.rendering
        segments.append(_seg("NM1", "82", "1", clean(r.name.family, 60), clean(" ".join(r.name.given[:1]), 35),
                             "", "", "", "XX", r.npi))
    for n, ch in enumerate(c.charges, 1):
        pointers = [str(c.diagnoses.index(d) + 1) for d in ch.diagnosis_codes if d in c.diagnoses][:4] or ["1"]
        segments += [_seg("LX", n),
                     _seg("SV1", _COMPONENT.join(["HC", c.claim_codes.get(ch.code) or ch.code]), amount(ch.amount),
                          "UN", ch.units, "", "", _COMPONENT.join(pointers)),
                     _seg("DTP", "472", "D8", (ch.service_date or c.encounter.start.date()).strftime("%Y%m%d"))]
    return segments


def build_837p(claims: list[ClaimData], settings: ClaimSettings, *, control: int, now: datetime) -> str:
    """The 837P interchange for these claims (one transaction, one subscriber loop each).

    Raises ValidationError naming every claim that cannot be sent, before writing anything.
    """
    problems = _problems(claims, settings)
    if problems:
        raise ValidationError(problems)
    body = _header(settings, control, now)
    for n, claim in enumerate(claims):
        body += _claim(claim, settings, hl=n + 2)
    st_count = len(body) - 2 + 1  # from ST to SE inclusive: everything after ISA and GS, plus SE
    body += [_seg("SE", st_count, "0001"), _seg("GE", "1", control), _seg("IEA", "1", f"{control:09d}")]
    return _SEGMENT.join(body) + _SEGMENT + "\n"
