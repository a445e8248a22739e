"""``outpost import fhir|hl7`` and ``outpost export ehi`` (see shared/CLI.md).

Exit status 0 when everything was taken; 1 when a file or message was refused (each
one named on stdout, one summary line on stderr); 2 wrong usage.
"""
from __future__ import annotations

import sys
from pathlib import Path

from app import hl7_import, hl7_listener
from ui.cli_commands import Result, _signed_in


def _progress(json_out: bool):
    if json_out or not sys.stderr.isatty():
        return None
    shown: dict[str, int] = {}

    def show(name: str, done: int, total: int) -> None:
        percent = 100 if not total else int(done * 100 / total)
        if percent // 10 != shown.get(name, -1):
            shown[name] = percent // 10
            print(f"\r{name}: {percent}%", end="" if percent < 100 else "\n", file=sys.stderr)
    return show


def import_fhir(args) -> Result:
    from sync import fhir_import
    opened = _signed_in(args)
    try:
        results = fhir_import.import_files(opened.session, args.paths, progress=_progress(args.json))
    finally:
        opened.close()
    lines, failed = [], 0
    for r in results:
        created = ", ".join(f"{n} {t}" for t, n in r.created.items()) or "nothing new"
        state = "REJECTED (nothing written)" if r.rejected else f"created {created}; " \
            f"{r.updated} updated, {r.unchanged} unchanged"
        skipped = f"; skipped {', '.join(f'{n} {t}' for t, n in r.skipped.items())}" if r.skipped else ""
        lines.append(f"{r.path}: {state}{skipped}")
        lines.extend(f"  error: {e}" for e in r.errors)
        failed += bool(r.errors)
    if failed:
        print(f"outpost: {failed} of {len(results)} file(s) had errors; see the report", file=sys.stderr)
    data = {"files": [r.as_dict() for r in results],
            "resources": sum(r.resources for r in results),
            "errors": sum(len(r.errors) for r in results)}
    return Result(data, "\n".join(lines), 1 if failed else 0)


def import_hl7(args) -> Result:
    opened = _signed_in(args)
    try:
        by_file = hl7_import.import_files(opened.session, args.paths)
    finally:
        opened.close()
    lines, counts = [], {"AA": 0, "AE": 0, "AR": 0}
    for path, outcomes in by_file.items():
        lines.append(f"{path}: {len(outcomes)} message(s)")
        for o in outcomes:
            counts[o.ack_code] = counts.get(o.ack_code, 0) + 1
            lines.append(f"  {o.ack_code} {o.label} {o.message_type} {o.control_id}: {o.reason}")
    if args.acks:
        Path(args.acks).write_text("\n\n".join(o.ack for outs in by_file.values() for o in outs)
                                   .replace("\r", "\n") + "\n", encoding="utf-8")
    refused = counts["AE"] + counts["AR"]
    if refused:
        print(f"outpost: {refused} message(s) refused (AE/AR); each is named in the report", file=sys.stderr)
    data = {"files": {p: [o.as_dict() | {"ack_message": o.ack} for o in outs] for p, outs in by_file.items()},
            "acks": counts}
    return Result(data, "\n".join(lines), 1 if refused else 0)


def hl7_review(args) -> Result:
    opened = _signed_in(args)
    try:
        items = hl7_import.reviews(opened.session, None if args.all else "open")
    finally:
        opened.close()
    rows = [{k: v for k, v in i.items() if k != "message"} for i in items]
    text = "\n".join(f"{r['created_at'][:16]} {r['kind']:<17} {r['message_type']:<8} {r['control_id']}: "
                     f"{r['reason']}" for r in rows) or "Nothing to review."
    return Result({"reviews": rows}, text)


def hl7_resolve(args) -> Result:
    opened = _signed_in(args)
    try:
        outcome = hl7_import.resolve(opened.session, args.resolve, patient_id=args.patient,
                                     new_patient=args.new_patient)
    finally:
        opened.close()
    if outcome is not None and outcome.ack_code != "AA":
        print(f"outpost: the message is still refused ({outcome.reason}); the item stays open", file=sys.stderr)
        return Result(outcome.as_dict(), "", 1)
    text = f"Resolved {args.resolve}" + (f": {outcome.reason}" if outcome else "")
    return Result({"resolved": args.resolve, "outcome": outcome.as_dict() if outcome else None}, text)


def listen_hl7(args) -> Result:
    opened = _signed_in(args)
    try:
        served = hl7_listener.serve(opened.session, host=args.host, port=args.port, limit=args.limit)
    finally:
        opened.close()
    return Result({"messages": served}, f"{served} message(s) answered")


def export_ehi(args) -> Result:
    from sync import ehi_export
    opened = _signed_in(args)
    try:
        result = ehi_export.export_ehi(opened.session, args.out, patient_id=args.patient,
                                       recipient=args.recipient, purpose=args.purpose)
    finally:
        opened.close()
    counts = ", ".join(f"{n} {t}" for t, n in result.counts.items())
    text = (f"Exported {result.patients} patient(s) to {result.out}: {counts}; "
            f"{result.attachments} attachment(s); README.md describes the format.")
    return Result(result.as_dict(), text)


def register(sub, common, parser_class) -> None:
    s = sub.add_parser("import", parents=[common], help="import records from other systems")
    isub = s.add_subparsers(dest="import_command", required=True, parser_class=parser_class)
    f = isub.add_parser("fhir", parents=[common], help="FHIR R4 Bundles (JSON) or NDJSON files")
    f.add_argument("paths", nargs="+", metavar="PATH")
    f.set_defaults(func=import_fhir)
    h = isub.add_parser("hl7", parents=[common], help="HL7 v2 messages (one or many per file)")
    h.add_argument("paths", nargs="*", metavar="PATH")
    h.add_argument("--acks", metavar="FILE", help="write the ACK messages to this file")
    h.add_argument("--review", action="store_true", help="list the messages waiting for review instead")
    h.add_argument("--all", action="store_true", help="with --review: include resolved ones")
    h.add_argument("--resolve", metavar="REVIEW_ID", help="close a review item; with --patient, take "
                   "the held message again for that patient")
    h.add_argument("--patient", metavar="ID", help="with --resolve: the patient a person chose")
    h.add_argument("--new-patient", action="store_true",
                   help="with --resolve: nobody we know; register a new patient from the message")
    h.add_argument("--listen", action="store_true",
                   help="run the MLLP listener (off unless asked for) instead of reading files")
    h.add_argument("--host", default="127.0.0.1")
    h.add_argument("--port", type=int, default=2575)
    h.add_argument("--limit", type=int, default=None, help="with --listen: stop after N messages")

    def hl7_command(args) -> Result:
        if args.review:
            return hl7_review(args)
        if args.resolve:
            if args.patient and args.new_patient:
                h.error("give --patient or --new-patient, not both")
            return hl7_resolve(args)
        if args.listen:
            return listen_hl7(args)
        if not args.paths:
            h.error("give at least one PATH (or --review, or --listen)")
        return import_hl7(args)
    h.set_defaults(func=hl7_command)

    s = sub.add_parser("export", parents=[common], help="export records")
    esub = s.add_subparsers(dest="export_command", required=True, parser_class=parser_class)
    e = esub.add_parser("ehi", parents=[common], help="electronic health information (FHIR R4 NDJSON)")
    e.add_argument("--out", required=True, metavar="DIR", help="a new or empty folder")
    e.add_argument("--patient", metavar="ID", help="one patient (default: the whole clinic)")
    e.add_argument("--recipient", default="the patient or their representative",
                   help="to whom (for the accounting of disclosures)")
    e.add_argument("--purpose", default="EHI export")
    e.set_defaults(func=export_ehi)
