"""The ``outpost`` command line (see shared/CLI.md for the contract).

Exit status: 0 done; 1 refused or failed, with one line on stderr; 2 wrong usage.
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

from app import __version__
from app.errors import OutpostError
from ui import cli_commands as commands
from ui import cli_security as security
from ui import logging_setup, wiring


#: Modules that add their own sub-commands: each has ``register(sub, common, parser_class)``
#: (``sub`` the sub-parsers, ``common`` the shared options parent, ``parser_class`` for
#: nested sub-parsers) and sets ``func`` to a function returning a ``cli_commands.Result``.
COMMAND_MODULES: tuple[str, ...] = ("ui.cli_interfaces", "ui.cli_sync", "ui.cli_doctor", "ui.cli_print")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own exit code for usage errors is 2 already
        self.print_usage(sys.stderr)
        print(f"outpost: {message}", file=sys.stderr)
        raise SystemExit(2)


def _common(defaults: bool) -> argparse.ArgumentParser:
    """The options every command takes, before or after the command's name."""
    common = argparse.ArgumentParser(add_help=False)
    unset = {} if defaults else {"default": argparse.SUPPRESS}
    common.add_argument("--data-dir", help="the clinic store's folder (default: OUTPOST_DATA_DIR "
                        "or the platform's data folder)", **({"default": None} | unset))
    common.add_argument("--json", action="store_true", help="print one JSON object on stdout", **unset)
    common.add_argument("--user", help="sign in as this user (password from OUTPOST_PASSWORD or stdin)",
                        **({"default": None} | unset))
    return common


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="outpost", description="Outpost EHR", parents=[_common(True)])
    common = _common(False)
    p.add_argument("--version", action="version", version=f"outpost {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    s = sub.add_parser("init", parents=[common], help="create an encrypted clinic store")
    s.add_argument("--clinic", required=True)
    s.add_argument("--admin", required=True)
    s.add_argument("--clinic-code")
    s.set_defaults(func=commands.init)

    s = sub.add_parser("demo", parents=[common], help="create a demo clinic with synthetic patients")
    s.add_argument("--patients", type=int, default=50)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--clinic-code")
    s.set_defaults(func=commands.demo)

    s = sub.add_parser("patient", parents=[common], help="patient registry")
    psub = s.add_subparsers(dest="patient_command", required=True, parser_class=_Parser)
    ps = psub.add_parser("search", parents=[common], help="find patients")
    ps.add_argument("query", nargs="+")
    ps.add_argument("--limit", type=int, default=50)
    ps.set_defaults(func=commands.patient_search)

    s = sub.add_parser("user", parents=[common], help="user administration")
    usub = s.add_subparsers(dest="user_command", required=True, parser_class=_Parser)
    us = usub.add_parser("add", parents=[common])
    us.add_argument("--username", required=True)
    us.add_argument("--role", required=True)
    us.add_argument("--name", default="")
    us.add_argument("--mfa", action="store_true",
                    help="enrol in two-step sign-in; prints the secret and backup codes once")
    us.add_argument("--qr", metavar="FILE", help="with --mfa: write the QR code (.png or .svg)")
    us.set_defaults(func=commands.user_add)
    us = usub.add_parser("mfa", parents=[common], help="enrol a user in two-step sign-in")
    us.add_argument("username")
    us.add_argument("--qr", metavar="FILE", help="write the QR code (.png or .svg)")
    us.set_defaults(func=security.user_mfa)
    us = usub.add_parser("password", parents=[common],
                         help="change your password, or reset another user's (administrators); "
                              "the new one from OUTPOST_NEW_PASSWORD")
    us.add_argument("username", nargs="?")
    us.set_defaults(func=security.user_password)
    us = usub.add_parser("unlock", parents=[common], help="lift a lockout after failed sign-ins")
    us.add_argument("username")
    us.set_defaults(func=security.user_unlock)
    us = usub.add_parser("list", parents=[common])
    us.set_defaults(func=commands.user_list)
    us = usub.add_parser("disable", parents=[common])
    us.add_argument("username")
    us.set_defaults(func=commands.user_disable)

    s = sub.add_parser("audit", parents=[common], help="the audit trail")
    asub = s.add_subparsers(dest="audit_command", required=True, parser_class=_Parser)
    av = asub.add_parser("verify", parents=[common])
    av.set_defaults(func=commands.audit_verify)
    ar = asub.add_parser("report", parents=[common], help="the audit report (CSV with --out)")
    ar.add_argument("--from", dest="date_from", metavar="DATE", help="from this day (or date-time)")
    ar.add_argument("--to", dest="date_to", metavar="DATE", help="to the end of this day")
    ar.add_argument("--patient", metavar="ID", help="entries about this patient")
    ar.add_argument("--by", dest="audit_user", metavar="USER", help="entries by this user")
    ar.add_argument("--action", help="e.g. sign-in-failed, read, print, export, emergency-access")
    ar.add_argument("--out", metavar="FILE.csv", help="write the report as CSV to this file")
    ar.set_defaults(func=security.audit_report)
    ae = asub.add_parser("emergencies", parents=[common], help="emergency access to review")
    ae.add_argument("--all", action="store_true", help="include those already reviewed")
    ae.add_argument("--reviewed", type=int, metavar="SEQ", help="mark this grant reviewed first")
    ae.add_argument("--note", help="with --reviewed: the reviewer's note")
    ae.set_defaults(func=security.audit_emergencies)

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub, common, _Parser)

    s = sub.add_parser("bench", parents=[common], help="run the benchmarks")
    s.add_argument("names", nargs="*")
    s.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    s.set_defaults(func=commands.bench)
    return p


def _start_logging(args) -> None:
    """Log to the store's folder (PHI-safe; see ui/logging_setup.py) once a store is there."""
    try:
        folder = wiring.data_dir(args.data_dir)
        if wiring.store_exists(folder):
            logging_setup.configure(folder)
    except OSError:
        pass  # a read-only folder: the command still runs, unlogged


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        from ui.qt.launch import launch  # Qt is imported only for the desktop client
        return launch(data_dir=args.data_dir)
    _start_logging(args)
    try:
        result = args.func(args)
    except OutpostError as exc:
        print(f"outpost: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("outpost: interrupted; nothing was half-written", file=sys.stderr)
        return 1
    if isinstance(result, commands.Result):
        if args.json:
            print(json.dumps(result.data, ensure_ascii=False, default=str))
        elif result.text:
            print(result.text)
        return result.code
    return 0


if __name__ == "__main__":
    sys.exit(main())
