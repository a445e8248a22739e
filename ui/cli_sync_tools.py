"""``outpost sync`` sub-commands beside the round: sneakernet packages, status, central lookup.

    outpost sync export-package --out FILE [--server-data]   # pending changes (or server data)
    outpost sync import-package FILE
    outpost sync status
    outpost sync lookup --server URL --family NAME [--given G] [--birth-date D] [--pull ID]
    outpost sync credentials --server URL [--client-id ID] | --forget   # admins; secret from
                                              # OUTPOST_SYNC_SECRET or stdin
    outpost sync unattended --enable | --disable      # admins: the machine key in the OS keyring

The package passphrase (shared by the clinic's workstations, at least 12 characters)
comes from ``OUTPOST_PACKAGE_PASSPHRASE`` or one line of standard input.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from app.errors import ValidationError
from ui.cli_commands import Result, read_password


def _passphrase() -> str:
    return os.environ.get("OUTPOST_PACKAGE_PASSPHRASE") or read_password("Package passphrase: ")


def export_package(args) -> Result:
    from sync import package
    from ui.cli_sync import _open
    out = Path(args.out)
    if not out.parent.is_dir():
        raise ValidationError({"--out": f"the folder {out.parent} does not exist"})
    phrase = _passphrase()
    opened = _open(args)
    try:
        make = package.export_server_data if args.server_data else package.export_changes
        data, count = make(opened.session, phrase)
    finally:
        opened.close()
    package.write(out, data)
    kind = package.SERVER_DATA if args.server_data else package.CHANGES
    return Result({"out": str(out), "kind": kind, "count": count, "bytes": len(data)},
                  f"Wrote {count} {'server copies' if args.server_data else 'pending changes'} to {out}.")


def import_package(args) -> Result:
    from sync import package
    from ui.cli_sync import _open
    path = Path(args.file)
    if not path.is_file():
        raise ValidationError({"FILE": f"{path} does not exist"})
    phrase = _passphrase()
    opened = _open(args)
    try:
        result = package.import_package(opened.session, path.read_bytes(), phrase)
    finally:
        opened.close()
    data = {"kind": result.kind, "applied": result.applied, "unchanged": result.unchanged,
            "merged": result.merged, "conflicts": result.conflicts, "signer": result.signer}
    text = (f"Imported a {result.kind} package signed by {result.signer}: {result.applied} applied, "
            f"{result.unchanged} already here, {len(result.conflicts)} left for a person.")
    return Result(data, "\n".join([text, *(f"  {c}" for c in result.conflicts)]))


def status(args) -> Result:
    from sync.runner import store_status
    from ui.cli_sync import _open
    opened = _open(args)
    try:
        now = store_status(opened.session)
    finally:
        opened.close()
    data = now.as_dict()
    text = (f"Last sync: {data['last_sync'] or 'never'} ({now.last_outcome or '-'}); pending changes: "
            f"{now.pending}; conflicts: {now.conflicts}; refused by the server: {now.rejected}")
    if now.last_error:
        text += f"\nLast error: {now.last_error}"
    return Result(data, text)


def lookup(args) -> Result:
    from sync import lookup as central
    from sync.engine import context
    from ui.cli_sync import _open, _server, gateway
    server = _server(args)
    try:
        born = date.fromisoformat(args.birth_date) if args.birth_date else None
    except ValueError:
        raise ValidationError({"--birth-date": "use YYYY-MM-DD"}) from None
    opened = _open(args)
    try:
        with gateway(opened, args, server) as gw:
            if args.pull:
                got = central.pull_patient(opened.session, gw, context(opened.session), args.pull)
                return Result({"patient_id": got.patient_id, "stored": got.stored, "merged": got.merged,
                               "conflicts": got.conflicts},
                              f"Pulled patient {got.patient_id}: {got.stored} records stored.")
            found = central.search_central(opened.session, gw, family=args.family or "",
                                           given=args.given or "", birth_date=born,
                                           identifier=args.identifier or "")
    finally:
        opened.close()
    rows = [{"id": p.id, "name": p.name, "birth_date": p.birth_date, "sex": p.sex, "clinic_code": p.clinic_code,
             "local": p.local} for p in found]
    text = "\n".join(f"{r['id']}  {r['birth_date'] or '?':<10}  {r['name']}  (clinic {r['clinic_code'] or '?'}"
                     f"{', here' if r['local'] else ''})" for r in rows) or "No patients found on the server."
    return Result({"patients": rows}, text)


def credentials(args) -> Result:
    from app import secrets as app_secrets
    from db.secret_store import secret_store
    from ui.cli_commands import _signed_in
    if not args.forget and not args.server:
        raise ValidationError({"--server": "required (or --forget)"})
    secret = None if args.forget else (os.environ.get("OUTPOST_SYNC_SECRET")
                                       or read_password("Bearer token or client secret: "))
    opened = _signed_in(args)
    try:
        place = secret_store(opened.store)
        if args.forget:
            app_secrets.forget_sync_credentials(opened.session, place)
            return Result({"forgotten": True}, "Removed the sync credentials.")
        # a bearer token is kept as the secret of a nameless client (see sync/auth.py)
        where = app_secrets.save_sync_credentials(opened.session, place, server_url=args.server,
                                                  client_id=args.client_id or "bearer", client_secret=secret)
    finally:
        opened.close()
    return Result({"server": args.server, "kept_in": where}, f"Saved the sync credentials in {where}.")


def unattended(args) -> Result:
    from app.audit import Action
    from app.permissions import Permission
    from ui.cli_commands import _signed_in
    if args.enable == args.disable:
        raise ValidationError({"--enable/--disable": "give exactly one"})
    opened = _signed_in(args)
    try:
        opened.session.require(Permission.CONFIG_ADMIN)
        if args.enable:
            opened.store.enable_machine_slot()  # KeyringUnavailable where there is no OS keyring
        else:
            opened.store.disable_machine_slot()
        with opened.store.uow() as uow:
            uow.audit.append(opened.session.entry(Action.CONFIG, detail={
                "change": "unattended sync " + ("enabled" if args.enable else "disabled")}))
            uow.commit()
    finally:
        opened.close()
    word = "enabled" if args.enable else "disabled"
    return Result({"unattended": args.enable}, f"Unattended sync {word} on this workstation.")


def register(sub, common, parser_class) -> None:
    p = sub.add_parser("credentials", parents=[common], help="save the sync server's bearer token or "
                       "OAuth2 client secret in the keyring or the encrypted store (admins)")
    p.add_argument("--server", metavar="URL")
    p.add_argument("--client-id", help="the OAuth2 client id (omit for a bearer token)")
    p.add_argument("--forget", action="store_true", help="remove the saved credentials")
    p.set_defaults(func=credentials)

    p = sub.add_parser("unattended", parents=[common], help="let scheduled sync open the store with "
                       "the machine key in the OS keyring (admins)")
    p.add_argument("--enable", action="store_true")
    p.add_argument("--disable", action="store_true")
    p.set_defaults(func=unattended)

    p = sub.add_parser("export-package", parents=[common], help="write pending changes (or, with "
                       "--server-data, the server's copies) to an encrypted, signed package file")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--server-data", action="store_true", help="the server's copies, for a disconnected workstation")
    p.add_argument("--unattended", action="store_true", help="open the store with the machine key")
    p.set_defaults(func=export_package)

    p = sub.add_parser("import-package", parents=[common], help="apply a sync package (twice changes nothing)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--unattended", action="store_true", help="open the store with the machine key")
    p.set_defaults(func=import_package)

    p = sub.add_parser("status", parents=[common], help="last sync, pending changes, conflicts, last error")
    p.add_argument("--unattended", action="store_true", help="open the store with the machine key")
    p.set_defaults(func=status)

    p = sub.add_parser("lookup", parents=[common], help="search the central server for a patient not "
                       "in this store, or pull one in with --pull ID")
    p.add_argument("--server", metavar="URL")
    p.add_argument("--family")
    p.add_argument("--given")
    p.add_argument("--birth-date", metavar="YYYY-MM-DD")
    p.add_argument("--identifier", metavar="SYSTEM|VALUE")
    p.add_argument("--pull", metavar="ID", help="pull this patient's record into the store")
    p.add_argument("--ca-bundle", metavar="FILE")
    p.add_argument("--token-url", metavar="URL")
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--unattended", action="store_true", help="open the store with the machine key")
    p.set_defaults(func=lookup, gzip_requests=False)
