"""``outpost sync [--server URL] [--json]``: one headless sync round (push, then pull).

Without ``--server`` the round goes to the server set in the client (Administration ->
Sync server), with its saved credentials and token endpoint.

Prints the counts pushed, pulled, merged, conflicts and errors; exit 1 with one line on
stderr when the round failed. The credentials are the ones saved for the clinic
(app/secrets.py: the OS keyring, else the encrypted store) or, for one run,
``OUTPOST_SYNC_TOKEN``. With ``--token-url`` the saved client id and secret are exchanged
for an access token (OAuth2 client credentials), renewed when it expires or the server
answers 401 in the middle of a round; otherwise the saved secret is the bearer token. ``--unattended`` opens the store with the machine key instead of a password, when
the clinic enabled the machine slot on this workstation.
"""
from __future__ import annotations

import os
import sys

from app import secrets as app_secrets
from app import sync_settings
from app.audit import Action
from app.errors import AccountLocked, SignInFailed, SyncError, ValidationError
from app.permissions import Permission
from app.session import Session
from db.secret_store import secret_store
from db.store import Store
from sync.auth import TOKEN_ENV, token_for
from sync.gateway import GatewayOptions, HttpGateway, check_url
from ui import wiring
from ui.cli_commands import Result, _signed_in


def unattended(folder, username: str) -> wiring.Opened:
    """The store opened with the machine key, working as ``username`` (who must be allowed
    to sync). SignInFailed when the machine slot is not enabled on this workstation."""
    store = Store.unlock_with_machine_key(folder)
    try:
        with store.uow() as uow:
            user = uow.users.get(username)
        if user is None:
            raise SignInFailed(f"there is no user {username} in this store")
        if user.disabled:
            raise AccountLocked(f"the account {username} is disabled; ask an administrator")
        session = Session(user=user, uow_factory=store.uow, workstation=wiring.workstation())
        session.require(Permission.SYNC)
        with store.uow() as uow:
            uow.audit.append(session.entry(Action.SIGN_IN, detail={"method": "machine key"}))
            uow.commit()
    except BaseException:
        store.close()
        raise
    return wiring.Opened(store, session)


def _open(args) -> wiring.Opened:
    if args.unattended:
        if not args.user:
            raise ValidationError({"--user": "unattended sync runs as a user (--user NAME)"})
        return unattended(wiring.data_dir(args.data_dir), args.user)
    return _signed_in(args)


def gateway(opened: wiring.Opened, args, server: str | None) -> HttpGateway:
    """The gateway for this round: saved or environment credentials, TLS options. With no
    ``server``, the server, credentials and token endpoint saved in the client's settings."""
    secrets = secret_store(opened.store)
    saved = app_secrets.sync_credentials(opened.session, secrets)
    options = GatewayOptions(ca_bundle=args.ca_bundle, timeout=args.timeout,
                             connect_timeout=min(args.timeout, 10.0), gzip_requests=args.gzip_requests)
    env_token = os.environ.get(TOKEN_ENV)
    if server is None:
        settings = sync_settings.load(opened.session, secrets)
        if settings is None:
            raise ValidationError({"--server": "give the FHIR server's base URL (https://host/fhir), or set "
                                               "the sync server in the client (Administration, Sync server)"})
        server = settings.server_url
        if settings.auth == sync_settings.CLIENT and not env_token:
            options.client_id, options.client_secret = saved.client_id, saved.client_secret
            options.token_url = check_url(args.token_url) if args.token_url else settings.token_url
            return HttpGateway(server, options)
    if args.token_url and saved is not None and not env_token:
        # OAuth2 client credentials: the gateway fetches the token when first needed and a
        # new one when it expires (by expires_in) or the server answers 401 mid-round.
        options.client_id, options.client_secret = saved.client_id, saved.client_secret
        options.token_url = check_url(args.token_url)
    else:
        options.token = token_for(saved, env_token=env_token, token_url=None)
    return HttpGateway(server, options)


def _server(args) -> str | None:
    if not args.server:
        return None  # the server saved in the client's settings
    try:
        return check_url(args.server)
    except SyncError as exc:
        raise ValidationError({"--server": str(exc).removeprefix("sync config error: ")}) from None


def sync_round(args) -> Result:
    from sync.engine import run_round
    server = _server(args)
    if args.ca_bundle and not os.path.isfile(args.ca_bundle):
        raise ValidationError({"--ca-bundle": f"{args.ca_bundle} does not exist"})
    opened = _open(args)
    try:
        try:
            gw = gateway(opened, args, server)
        except SyncError as exc:  # the token endpoint refused or cannot be reached
            print(f"outpost: sync failed: {exc}", file=sys.stderr)
            return Result({"failed": str(exc), "pushed": 0, "pulled": 0, "merged": 0, "conflicts": 0,
                           "errors": 1}, "", 1)
        with gw:
            report = run_round(opened.session, gw, bundle_size=args.bundle_size)
            data = report.as_dict() | {"server": gw.base_url, "bytes_sent": gw.bytes_sent,
                                       "bytes_received": gw.bytes_received}
    finally:
        opened.close()
    lines = [f"Pushed {report.pushed}, pulled {report.pulled}, merged {report.merged}, "
             f"conflicts {report.conflicts}, errors {data['errors']}."]
    lines += [f"  {m}" for m in report.errors]
    if report.failed:
        print(f"outpost: sync failed: {report.failed}", file=sys.stderr)
        return Result(data, "\n".join(lines), 1)
    return Result(data, "\n".join(lines))


def register(sub, common, parser_class) -> None:
    s = sub.add_parser("sync", parents=[common], help="one sync round with the central FHIR server")
    s.add_argument("--server", metavar="URL", help="the FHIR R4 base URL (https); default: the server set in the client")
    s.add_argument("--ca-bundle", metavar="FILE", help="verify the server against this CA bundle")
    s.add_argument("--token-url", metavar="URL",
                   help="exchange the saved client id and secret here (OAuth2 client credentials)")
    s.add_argument("--unattended", action="store_true",
                   help="open the store with the machine key in the OS keyring (no password)")
    s.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the server")
    s.add_argument("--bundle-size", type=int, default=200, help="resources per transaction Bundle")
    s.add_argument("--gzip-requests", action="store_true",
                   help="gzip request bodies (only for servers that accept it)")
    s.set_defaults(func=sync_round)
    from ui import cli_sync_tools  # packages, status and central lookup
    cli_sync_tools.register(s.add_subparsers(dest="sync_command", parser_class=parser_class), common,
                            parser_class)
