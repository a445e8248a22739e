"""The import results table: one row per HL7 message, and per FHIR file plus one per
entry or line it could not take. Pure: the rows are made from the services' results
and never raise."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app import formatting as fmt
from ui.qt.models import Column, RowsModel

ACK_WORDS = {"AA": "accepted", "AE": "error: not taken", "AR": "rejected: not taken"}


@dataclass(frozen=True)
class ResultRow:
    file: str
    where: str  # "message 2, line 7", "entry 3", "line 12", or "—" for the file itself
    what: str  # "ORU^R01 R1", "Bundle", "NDJSON"
    outcome: str  # "AA accepted", "Created", "Error", ...
    detail: str
    bad: bool = False
    review: bool = False


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {t}" for t, n in counts.items())


def hl7_rows(by_file: dict[str, list]) -> list[ResultRow]:
    """One row per message: its ACK code, what was done or why it was refused."""
    rows = []
    for path, outcomes in by_file.items():
        for o in outcomes:
            outcome = f"{o.ack_code} {ACK_WORDS.get(o.ack_code, '')}".strip()
            if o.ack_code == "AA" and o.review:
                outcome = "AA held for review"
            detail = o.reason
            if o.created:
                detail = f"{detail}; created {_counts(o.created)}"
            what = " ".join(x for x in (o.message_type, o.control_id) if x) or fmt.MISSING
            rows.append(ResultRow(Path(path).name, o.label, what, outcome, detail,
                                  bad=o.ack_code != "AA", review=o.review))
    return rows


def _split_error(error: str, name: str) -> tuple[str, str]:
    """("line 7", "resourceType: unknown") from "Patient.ndjson line 7: resourceType: unknown"."""
    text = error.removeprefix("invalid input — ").removeprefix(name).strip()
    where, sep, rest = text.partition(": ")
    if not sep or not where.startswith(("line", "entry")):
        return "—", text
    return where, rest


def fhir_rows(results: list) -> list[ResultRow]:
    """Per file: what was created, updated or left unchanged; then each entry it refused."""
    rows = []
    for r in results:
        name = Path(r.path).name
        what = "Bundle" if r.format == "bundle" else "NDJSON"
        if r.rejected:
            outcome, detail = "Rejected: nothing written", f"{fmt.count_text(len(r.errors), 'error')}; " \
                "a transaction or collection is taken whole or not at all"
        else:
            created = _counts(r.created) or "nothing new"
            outcome = "Imported with errors" if r.errors else "Imported"
            detail = f"created {created}; {r.updated} updated, {r.unchanged} unchanged"
            if r.skipped:
                detail += f"; not kept: {_counts(r.skipped)}"
        rows.append(ResultRow(name, "—", what, outcome, detail, bad=bool(r.errors)))
        for error in r.errors:
            where, why = _split_error(error, name)
            rows.append(ResultRow(name, where, what, "Error: not taken", why, bad=True))
    return rows


COLUMNS = [Column("File", lambda r: r.file), Column("Message or entry", lambda r: r.where),
           Column("Type", lambda r: r.what), Column("Outcome", lambda r: r.outcome, flagged=True),
           Column("What happened", lambda r: r.detail)]


def results_model(parent=None) -> RowsModel[ResultRow]:
    return RowsModel(COLUMNS, abnormal=lambda r: r.bad, parent=parent)
