"""The after-visit summary handed to the patient."""
from __future__ import annotations

from reportlab.lib.units import mm

from app import formatting as fmt
from app.printing import parts
from app.printing.layout import pairs, para, section, styles, table
from app.printing.sources import Printable

TITLE = "After-visit summary"


def story(doc: Printable) -> list:
    r, s = doc.records, styles()
    visit = r["encounter"]
    out = [pairs([("Visit", f"{fmt.code_words(visit.visit_type)} on {fmt.datetime_text(visit.start)}"),
                  ("Seen by", parts.practitioner_text(r["practitioner"])),
                  ("Location", r["location"].name if r["location"] else fmt.MISSING),
                  ("Reason", "; ".join(fmt.coding_text(c, with_code=False) for c in visit.reasons)
                   or fmt.MISSING)])]
    if r["vitals"]:
        out += section("Your measurements today", table(
            ["Measurement", "Value"], [[fmt.coding_text(o.code, with_code=False), fmt.quantity_text(o.value, o.unit)]
                                       for o in r["vitals"]], [90 * mm, 89.9 * mm]))
    out += section("Diagnoses discussed", table(
        ["Diagnosis", "Code"], [[fmt.coding_text(c.code, with_code=False), c.code.code] for c in r["diagnoses"]],
        [140 * mm, 39.9 * mm]))
    out += section("Prescriptions from this visit", parts.medications_table(r["prescriptions"]))
    if r["immunizations"]:
        out += section("Vaccines given today", parts.immunizations_table(r["immunizations"]))
    if r["orders"]:
        out += section("Tests ordered", table(
            ["Test", "Priority"], [[fmt.coding_text(o.code, with_code=False), fmt.code_words(o.priority)]
                                   for o in r["orders"]], [140 * mm, 39.9 * mm]))
    plans = [n.plan for n in r["notes"] if n.plan.strip()]
    if plans:
        out += section("Your care plan", *[para(p, s.body) for p in plans])
    out += section("Your current medications", parts.medications_table(r["medications"]))
    out += section("Allergies on file", parts.allergies_table(r["allergies"]))
    out += section("Your health problems", table(
        ["Problem", "Since"], [[fmt.coding_text(c.code, with_code=False), fmt.date_text(c.onset_date)]
                               for c in r["problems"]], [140 * mm, 39.9 * mm]))
    out.append(para("Call the clinic if your symptoms get worse or you have questions. "
                    "In an emergency call 911.", s.small))
    return out
