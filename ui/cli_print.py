"""``outpost print KIND --id ID --out FILE.pdf`` and ``outpost clinic letterhead``.

What ID means per KIND (the printing service also accepts the alternatives in brackets):
visit-summary an encounter id (a patient id or MRN: the latest visit); prescription a
prescription id; invoice an invoice id (an encounter id: that visit's invoice); chart and
immunization-record a patient id or MRN; lab-report a lab report id (or its lab order's id).
"""
from __future__ import annotations

from pathlib import Path

from app.errors import ValidationError
from app.printing import KINDS, print_to_file
from app.printing import letterhead as letterheads
from app.printing.sources import ID_MEANING
from ui.cli_commands import Result, _signed_in


def print_command(args) -> Result:
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise ValidationError({"--out": f"{out} does not end in .pdf"})
    opened = _signed_in(args)
    try:
        printed = print_to_file(opened.session, args.kind, args.id, out, recipient=args.recipient,
                                purpose=args.purpose or "")
    finally:
        opened.close()
    return Result({"kind": printed.kind, "out": str(out), "bytes": len(printed.pdf),
                   "patient_id": printed.patient_id, "record_type": printed.record_type,
                   "record_id": printed.record_id, "withheld": printed.withheld},
                  f"Printed {printed.kind} to {out} ({len(printed.pdf):,} bytes); audited as a "
                  f"disclosure to {args.recipient}"
                  + (f"; {printed.withheld} sensitive records left out" if printed.withheld else ""))


def letterhead_command(args) -> Result:
    opened = _signed_in(args)
    try:
        if args.name is None and not (args.address or args.phone or args.fax or args.email or args.logo
                                      or args.no_logo):
            head = letterheads.current(opened.session)
        else:
            now = letterheads.current(opened.session)
            logo = None
            if args.logo:
                path = Path(args.logo)
                if not path.is_file():
                    raise ValidationError({"--logo": f"{path} is not a file"})
                logo = path.read_bytes()
            head = letterheads.set_letterhead(
                opened.session, name=args.name if args.name is not None else now.name,
                address_lines=args.address if args.address is not None else now.address_lines,
                phone=args.phone if args.phone is not None else now.phone,
                fax=args.fax if args.fax is not None else now.fax,
                email=args.email if args.email is not None else now.email,
                logo=logo, keep_logo=not args.no_logo)
    finally:
        opened.close()
    lines = [head.name, *head.address_lines, head.contact_line,
             f"logo: {'yes' if head.logo else 'none'}"]
    return Result({"letterhead": {"name": head.name, "address_lines": head.address_lines,
                                  "phone": head.phone, "fax": head.fax, "email": head.email,
                                  "logo": bool(head.logo)}},
                  "\n".join(line for line in lines if line))


def register(sub, common, parser_class) -> None:
    meanings = "; ".join(f"{k}: {v}" for k, v in ID_MEANING.items())
    p = sub.add_parser("print", parents=[common], help="print a document to a PDF file",
                       description=f"ID per KIND — {meanings}")
    p.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    p.add_argument("--id", required=True, metavar="ID", help="what to print (see the description)")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--recipient", default="patient", help="who receives it (accounting of disclosures)")
    p.add_argument("--purpose", help="why it is disclosed")
    p.set_defaults(func=print_command)
    c = sub.add_parser("clinic", parents=[common], help="clinic settings")
    csub = c.add_subparsers(dest="clinic_command", required=True, parser_class=parser_class)
    lh = csub.add_parser("letterhead", parents=[common],
                         help="show or set the letterhead on printed documents (administrators)")
    lh.add_argument("--name", help="the clinic's name as printed")
    lh.add_argument("--address", action="append", metavar="LINE", help="an address line (repeat, up to 4)")
    lh.add_argument("--phone")
    lh.add_argument("--fax")
    lh.add_argument("--email")
    lh.add_argument("--logo", metavar="FILE", help="a PNG or JPEG image, at most 512 KB")
    lh.add_argument("--no-logo", action="store_true", help="remove the logo")
    lh.set_defaults(func=letterhead_command)
