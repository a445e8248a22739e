"""The immunization record a patient takes to school, work or travel."""
from __future__ import annotations

from app import formatting as fmt
from app.printing import parts
from app.printing.layout import pairs, para, section, styles
from app.printing.sources import Printable

TITLE = "Immunization record"


def story(doc: Printable) -> list:
    p, r, s = doc.patient, doc.records, styles()
    given = [i for i in r["immunizations"] if i.status == "completed"]
    not_done = [i for i in r["immunizations"] if i.status == "not-done"]
    out = [pairs([("Name", fmt.person_name(p.name)), ("Birth date", fmt.date_text(p.birth_date)),
                  ("Sex", fmt.sex_text(p.sex)), ("MRN", p.mrn),
                  ("Doses on record", fmt.count_text(len(given), "dose"))])]
    out += section("Vaccines given", parts.immunizations_table(given))
    if not_done:
        out += section("Vaccines not given", parts.immunizations_table(not_done))
    vaccine_allergies = [a for a in r["allergies"] if a.category in ("biologic", "medication")]
    out += section("Allergies relevant to vaccines", parts.allergies_table(vaccine_allergies))
    out.append(para("Vaccine codes are CDC CVX codes. This record lists the doses documented at "
                    "this clinic.", s.small))
    return out
