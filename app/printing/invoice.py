"""The invoice / superbill: the visit's services with diagnosis codes, payments and what is due."""
from __future__ import annotations

from decimal import Decimal

from reportlab.lib.units import mm

from app import formatting as fmt
from app.printing import parts
from app.printing.layout import pairs, section, table
from app.printing.sources import Printable

TITLE = "Invoice / superbill"


def dollars(value: Decimal) -> str:
    return f"${value:,.2f}" if value >= 0 else f"−${-value:,.2f}"


def story(doc: Printable) -> list:
    r, p = doc.records, doc.patient
    inv, visit, cov = r["invoice"], r["encounter"], r["coverage"]
    charged = sum((c.amount for c in r["charges"] if c.status in ("billable", "billed")), Decimal("0"))
    paid = sum((x.amount for x in r["payments"] if x.method != "adjustment"), Decimal("0"))
    adjusted = sum((x.amount for x in r["payments"] if x.method == "adjustment"), Decimal("0"))
    out = [pairs([("Invoice number", inv.number), ("Issued", fmt.date_text(inv.issued)),
                  ("Status", fmt.code_words(inv.status)),
                  ("Visit", fmt.datetime_text(visit.start) if visit else fmt.MISSING),
                  ("Rendering provider", parts.practitioner_text(r["practitioner"])),
                  ("NPI", r["practitioner"].npi if r["practitioner"] and r["practitioner"].npi else fmt.MISSING),
                  ("Insurance", f"{cov.payer}, member {cov.member_id}" if cov else "Self-pay")])]
    diagnoses: list[str] = []
    for c in r["charges"]:
        diagnoses += [d for d in c.diagnosis_codes if d not in diagnoses]
    out += section("Diagnoses (ICD-10-CM)", table(
        ["Pointer", "Code"], [[chr(65 + i), code] for i, code in enumerate(diagnoses)], [25 * mm, 154.9 * mm]))
    out += section("Services", table(
        ["Date", "Code", "Description", "Dx", "Units", "Price", "Amount"],
        [[fmt.date_text(c.service_date), c.code, c.description,
          "".join(chr(65 + diagnoses.index(d)) for d in c.diagnosis_codes if d in diagnoses),
          str(c.units), dollars(c.unit_price), dollars(c.amount)] for c in r["charges"]],
        [23 * mm, 24 * mm, 57 * mm, 12 * mm, 12 * mm, 25 * mm, 26.9 * mm], right=(4, 5, 6)))
    out += section("Payments and adjustments", table(
        ["Date", "Method", "Reference", "Amount"],
        [[fmt.date_text(x.received_at), fmt.code_words(x.method), fmt.text(x.reference), dollars(x.amount)]
         for x in r["payments"]], [30 * mm, 35 * mm, 85 * mm, 29.9 * mm], right=(3,)))
    out += section("Summary", table(
        ["", "Amount"], [["Total charges", dollars(charged)], ["Payments", dollars(paid)],
                         ["Adjustments", dollars(adjusted)], ["Balance due", dollars(charged - paid - adjusted)]],
        [150 * mm, 29.9 * mm], right=(1,)))
    del p
    return out
