"""The complete chart: demographics, problems, medications, allergies, immunizations,
encounters with signed notes, and labs with trends drawn as charts."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Table

from app import formatting as fmt
from app.printing import layout, parts
from app.printing.layout import pairs, para, section, styles, table
from app.printing.sources import Printable
from app.printing.trends import series_by_code, trend_chart

TITLE = "Patient chart"


def _demographics(p) -> list:
    address = p.addresses[0] if p.addresses else None
    return [pairs([
        ("Name", fmt.person_name(p.name)), ("MRN", p.mrn), ("Birth date", fmt.date_text(p.birth_date)),
        ("Age", fmt.age_text(p.birth_date)), ("Sex", fmt.sex_text(p.sex)),
        ("Language", fmt.text(p.language)), ("Phone", fmt.phone_text(p.phone)),
        ("Address", ", ".join(x for x in ([*address.lines, address.city, address.state,
                                            address.postal_code] if address else []) if x) or fmt.MISSING),
        ("Insurance", "; ".join(f"{c.payer} {c.member_id}" for c in p.coverages) or "Self-pay")])]


def _note(n, s) -> list:
    out = [para(f"{n.title} — signed {fmt.datetime_text(n.signed_at)}", s.cell_bold)]
    for label, body in (("S", n.subjective), ("O", n.objective), ("A", n.assessment), ("P", n.plan)):
        if body.strip():
            out.append(para(f"{label}: {body}", s.cell))
    out += [para(f"Addendum {fmt.datetime_text(a.at)}: {a.text}", s.cell) for a in n.addenda]
    return out


def _trend_grid(labs) -> list:
    charts = [trend_chart(name, unit, points) for name, unit, points in series_by_code(labs)]
    if not charts:
        return []
    rows = [charts[i:i + 2] + [""] * (2 - len(charts[i:i + 2])) for i in range(0, len(charts), 2)]
    grid = Table(rows, colWidths=[90 * mm, 90 * mm])
    grid.setStyle(layout.grid(("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")))
    return section("Lab trends", grid)


def story(doc: Printable) -> list:
    r, s = doc.records, styles()
    out = section("Demographics", *_demographics(doc.patient))
    out += section("Problems", table(
        ["Problem", "Code", "Status", "Onset"],
        [[fmt.coding_text(c.code, with_code=False), c.code.code, fmt.code_words(c.clinical_status),
          fmt.date_text(c.onset_date)] for c in r["problems"]], [90 * mm, 25 * mm, 35 * mm, 29.9 * mm]))
    out += section("Prescriptions", parts.medications_table(r["medications"]))
    if r["home_medications"]:
        out += section("Other medications the patient takes", table(
            ["Medication", "Dosage", "Since"],
            [[fmt.coding_text(m.medication, with_code=False), fmt.text(m.dosage),
              fmt.date_text(m.effective_start)] for m in r["home_medications"]],
            [80 * mm, 70 * mm, 29.9 * mm]))
    out += section("Allergies", parts.allergies_table(r["allergies"]))
    out += section("Immunizations", parts.immunizations_table(r["immunizations"]))
    notes_by_visit: dict[str, list] = {}
    for n in r["notes"]:
        notes_by_visit.setdefault(n.encounter_id or "", []).append(n)
    visits = []
    for v in r["encounters"]:
        doc_ = r["practitioners"].get(v.practitioner_id)
        block = [para(f"{fmt.datetime_text(v.start)} · {fmt.code_words(v.visit_type)} · "
                      f"{parts.practitioner_text(doc_)} · {fmt.code_words(v.status)}", s.cell_bold)]
        if v.reasons:
            block.append(para("Reason: " + "; ".join(fmt.coding_text(c) for c in v.reasons), s.cell))
        for n in notes_by_visit.get(v.id, []):
            block += _note(n, s)
        visits.append(KeepTogether(block) if len(block) < 8 else block)
    flat: list = []
    for b in visits:
        flat += b if isinstance(b, list) else [b]
    out += section("Encounters", *(flat or [para("None recorded", s.small)]))
    out += _trend_grid(r["labs"])
    out += section("Lab results", parts.results_table(list(reversed(r["labs"]))))
    return out
