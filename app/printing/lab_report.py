"""A lab report: the order, the results with flags and reference ranges, the conclusion."""
from __future__ import annotations

from app import formatting as fmt
from app.printing import parts
from app.printing.layout import pairs, para, section, styles
from app.printing.sources import Printable

TITLE = "Laboratory report"


def story(doc: Printable) -> list:
    r, s = doc.records, styles()
    report, order = r["report"], r["order"]
    abnormal = [o for o in r["results"] if fmt.is_abnormal(o.interpretation)]
    out = [pairs([("Report", fmt.coding_text(report.code, with_code=False)),
                  ("Issued", fmt.datetime_text(report.issued)),
                  ("Status", fmt.code_words(report.status)),
                  ("Performed by", fmt.text(report.performer)),
                  ("Ordered", fmt.datetime_text(order.authored_on) if order else fmt.MISSING),
                  ("Ordered by", parts.practitioner_text(r["requester"])),
                  ("Priority", fmt.code_words(order.priority) if order else fmt.MISSING),
                  ("Abnormal results", fmt.count_text(len(abnormal), "result"))])]
    out += section("Results", parts.results_table(r["results"]))
    if report.conclusion:
        out += section("Conclusion", para(report.conclusion, s.body))
    notes = [o for o in r["results"] if o.note]
    if notes:
        out += section("Notes", *[para(f"{fmt.coding_text(o.code, with_code=False)}: {o.note}", s.cell)
                                  for o in notes])
    return out
