"""Sections more than one document prints (allergies, medications, results, immunizations)."""
from __future__ import annotations

from reportlab.lib.units import mm

from app import formatting as fmt
from app.medications import build_sig
from app.model import AllergyIntolerance, Immunization, MedicationRequest, Observation, Practitioner
from app.printing.layout import table

WIDTH = 179.9 * mm  # letter width less the margins


def practitioner_text(doc: Practitioner | None) -> str:
    if doc is None:
        return fmt.MISSING
    name = fmt.person_name(doc.name)
    if doc.qualification and not name.endswith(doc.qualification):
        return f"{name}, {doc.qualification}"
    return name


def sig_of(rx: MedicationRequest) -> str:
    return rx.sig or build_sig(rx)


def allergies_table(rows: list[AllergyIntolerance]):
    return table(["Substance", "Reaction", "Severity", "Status"],
                 [[fmt.coding_text(a.substance, with_code=False), fmt.text(a.reaction),
                   fmt.code_words(a.severity or a.criticality), fmt.code_words(a.clinical_status)]
                  for a in rows], [70 * mm, 55 * mm, 27 * mm, 27.9 * mm])


def medications_table(rows: list[MedicationRequest]):
    return table(["Medication", "Instructions", "Qty", "Refills", "Status"],
                 [[fmt.coding_text(m.medication, with_code=False), sig_of(m),
                   fmt.quantity_text(m.quantity, m.quantity_unit), str(m.refills), fmt.code_words(m.status)]
                  for m in rows], [62 * mm, 62 * mm, 22 * mm, 14 * mm, 19.9 * mm])


def results_table(rows: list[Observation]):
    return table(["Test", "Result", "Flag", "Reference range", "Date"],
                 [[fmt.coding_text(o.code, with_code=False),
                   fmt.quantity_text(o.value, o.unit) if o.value is not None else fmt.text(o.value_text),
                   fmt.flag_words(o.interpretation), fmt.range_text(o.ref_low, o.ref_high, o.unit),
                   fmt.date_text(o.effective)] for o in rows],
                 [58 * mm, 32 * mm, 27 * mm, 36 * mm, 26.9 * mm])


def immunizations_table(rows: list[Immunization]):
    return table(["Vaccine", "Date", "Dose", "Lot", "Site / route", "Status"],
                 [[fmt.coding_text(i.vaccine), fmt.date_text(i.occurrence), fmt.text(i.dose_number),
                   fmt.text(i.lot_number), " / ".join(x for x in (i.site, i.route) if x) or fmt.MISSING,
                   fmt.code_words(i.status)] for i in rows],
                 [70 * mm, 24 * mm, 12 * mm, 24 * mm, 30 * mm, 19.9 * mm])
