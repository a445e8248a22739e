"""A prescription: prescriber with NPI and DEA (where configured), drug, sig, quantity,
refills and a signature line."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from app import formatting as fmt
from app.printing import parts
from app.printing.layout import grid, pairs, para, section, styles
from app.printing.sources import Printable

TITLE = "Prescription"


def story(doc: Printable) -> list:
    r, s, p = doc.records, styles(), doc.patient
    rx, doc_ = r["prescription"], r["prescriber"]
    prescriber = [("Prescriber", parts.practitioner_text(doc_))]
    if doc_ is not None and doc_.npi:
        prescriber.append(("NPI", doc_.npi))
    if doc_ is not None and doc_.dea:
        prescriber.append(("DEA", doc_.dea))
    address = p.addresses[0] if p.addresses else None
    out = [pairs(prescriber + [
        ("Patient", fmt.person_name(p.name)),
        ("Birth date", fmt.date_text(p.birth_date)),
        ("Address", ", ".join(x for x in ([*address.lines, address.city, address.state, address.postal_code]
                                          if address else []) if x) or fmt.MISSING),
        ("Date written", fmt.date_text(rx.authored_on or rx.signed_at or rx.created_at))])]
    out += section("Rx", pairs([
        ("Drug", fmt.coding_text(rx.medication, with_code=False)),
        ("RxNorm", rx.medication.code),
        ("Sig", parts.sig_of(rx)),
        ("Quantity", fmt.quantity_text(rx.quantity, rx.quantity_unit)),
        ("Days supply", fmt.text(rx.days_supply)),
        ("Refills", str(rx.refills)),
        ("Status", fmt.code_words(rx.status) + (f", signed {fmt.datetime_text(rx.signed_at)}"
                                                 if rx.signed_at else "")),
        ("Note", fmt.text(rx.note))]))
    out += section("Allergies on file", parts.allergies_table(r["allergies"]))
    line = Table([["", ""], [para("Prescriber's signature", s.small), para("Date", s.small)]],
                 colWidths=[110 * mm, 50 * mm], rowHeights=[14 * mm, None])
    line.setStyle(grid(("LINEBELOW", (0, 0), (0, 0), 0.6, "black"),
                       ("LINEBELOW", (1, 0), (1, 0), 0.6, "black")))
    out += [Spacer(1, 10 * mm), line]
    if rx.status == "draft":
        out.append(para("DRAFT — not signed; not valid for dispensing.", s.heading))
    return out
