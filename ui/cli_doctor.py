"""``outpost doctor`` (what IT needs to diagnose a workstation) and ``outpost self-check``.

The doctor never prints PHI or secrets: only the version, paths, file sizes and
permissions, schema revisions, counts, the keyring's backend name and the server's
TLS facts. Without ``--user`` it opens nothing (file presence and headers only);
with ``--user`` it signs in and adds the schema revision and the pending changes.
Exit 0 when nothing failed (warnings allowed), 1 when a check failed.

``outpost self-check`` is what an installer (or the .deb test) runs after installing:
it creates a throw-away store in a temporary folder, signs in to it, shows the
sign-in window offscreen and exits 0 — proving Python, Qt, SQLCipher, the migrations
and the resources all made it into the build.
"""
from __future__ import annotations

import json
import os
import socket
import ssl
import stat
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from app import __version__
from app.errors import OutpostError, ValidationError
from ui import wiring
from ui.cli_commands import Result, _signed_in

SQLITE_HEADER = b"SQLite format 3\x00"
OK, WARN, FAIL = "ok", "warning", "failed"


def register(sub, common, parser_class) -> None:
    s = sub.add_parser("doctor", parents=[common], help="diagnose this workstation (no PHI, no secrets)")
    s.add_argument("--server", help="check this sync server (default: the managed configuration's)")
    s.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the server")
    s.set_defaults(func=doctor)
    s = sub.add_parser("self-check", parents=[common],
                       help="create a store in a temporary folder, open it and show the sign-in window")
    s.add_argument("--window-only", action="store_true",
                   help="only show the sign-in window for the data folder, then exit (startup timing)")
    s.set_defaults(func=self_check)
    s = sub.add_parser("config", parents=[common], help="the managed (system-wide) configuration")
    csub = s.add_subparsers(dest="config_command", required=True, parser_class=parser_class)
    cs = csub.add_parser("show", parents=[common], help="check and print the managed configuration")
    cs.add_argument("--file", help="check this file instead of the installed one")
    cs.set_defaults(func=config_show)


# --- doctor -----------------------------------------------------------------------------------

def _check(status: str, **facts) -> dict:
    return {"status": status, **facts}


def _mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def _owner_only(path: Path) -> bool:
    return os.name != "posix" or not stat.S_IMODE(path.stat().st_mode) & 0o077


def check_folder(folder: Path) -> dict:
    if not folder.exists():
        return _check(WARN, path=str(folder), exists=False,
                      note="no data folder yet: run 'outpost init' (or sign in once) to create the store")
    return _check(OK if os.access(folder, os.W_OK) else FAIL, path=str(folder), exists=True,
                  writable=os.access(folder, os.W_OK), mode=_mode(folder),
                  **({} if os.access(folder, os.W_OK) else {"note": "the data folder is not writable"}))


def check_store_files(folder: Path) -> dict:
    """Presence, size, permissions and headers of the store's files (nothing is decrypted)."""
    from db.keyslots import FILE_NAME as KEYS
    from db.store import DB_FILE
    db, keys = folder / DB_FILE, folder / KEYS
    if not db.exists() and not keys.exists():
        return _check(WARN, present=False, note="no clinic store in the data folder")
    problems: list[str] = []
    facts: dict = {"present": True}
    if db.exists():
        with open(db, "rb") as fh:
            header = fh.read(16)
        facts["database"] = {"file": DB_FILE, "bytes": db.stat().st_size, "mode": _mode(db),
                             "encrypted": header != SQLITE_HEADER and len(header) == 16}
        if header == SQLITE_HEADER:
            problems.append(f"{DB_FILE} is a plain SQLite file, not encrypted")
        elif len(header) < 16:
            problems.append(f"{DB_FILE} is empty or truncated")
        if not _owner_only(db):
            problems.append(f"{DB_FILE} is readable by other accounts ({_mode(db)})")
    else:
        problems.append(f"{DB_FILE} is missing (the key file is there): restore it from a backup")
    if keys.exists():
        try:
            raw = json.loads(keys.read_text(encoding="utf-8"))
            kinds: dict[str, int] = {}
            for slot in raw["slots"]:
                kinds[slot["kind"]] = kinds.get(slot["kind"], 0) + 1
            facts["key_file"] = {"file": KEYS, "mode": _mode(keys), "slots": kinds}
            if "recovery" not in kinds:
                problems.append("the key file has no recovery slot")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"{KEYS} is damaged ({exc.__class__.__name__})")
        if not _owner_only(keys):
            problems.append(f"{KEYS} is readable by other accounts ({_mode(keys)})")
    else:
        problems.append(f"{KEYS} is missing: the store cannot be unlocked; restore it from a backup")
    wal = folder / (DB_FILE + "-wal")
    facts["wal_bytes"] = wal.stat().st_size if wal.exists() else 0
    backups = sorted((folder / "backups").glob("*.db")) if (folder / "backups").is_dir() else []
    facts["backups"] = len(backups)
    if backups:
        facts["latest_backup"] = datetime.fromtimestamp(backups[-1].stat().st_mtime, timezone.utc) \
            .isoformat(timespec="seconds")
    facts["problems"] = problems
    return _check(FAIL if problems else OK, **facts)


def check_keyring() -> dict:
    try:
        from db import machine_key
        name, usable = machine_key.backend_name(), machine_key.available()
    except Exception as exc:  # a broken keyring install must not stop the doctor
        return _check(WARN, available=False, note=f"the keyring could not be loaded ({exc.__class__.__name__})")
    return _check(OK if usable else WARN, available=usable, backend=name,
                  **({} if usable else {"note": "no OS keyring: unattended sync with the machine key "
                                                "is unavailable; sign-in with passwords still works"}))


def check_server(url: str | None, timeout: float) -> dict:
    if not url:
        return _check(WARN, configured=False, note="no sync server configured (managed config "
                      "server_url, or --server)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _check(FAIL, url=url, note=f"not an http(s) URL: {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    facts: dict = {"url": url, "host": parts.hostname, "port": port}
    started = time.perf_counter()
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout) as sock:
            facts["connect_ms"] = round((time.perf_counter() - started) * 1000, 1)
            if parts.scheme == "https":
                context = ssl.create_default_context()
                with context.wrap_socket(sock, server_hostname=parts.hostname) as tls:
                    cert = tls.getpeercert() or {}
                    expires = ssl.cert_time_to_seconds(cert["notAfter"]) if "notAfter" in cert else None
                    facts["tls"] = {"version": tls.version(), "verified": True,
                                    "expires": datetime.fromtimestamp(expires, timezone.utc).date().isoformat()
                                    if expires else None,
                                    "days_left": int((expires - time.time()) // 86400) if expires else None}
    except ssl.SSLCertVerificationError as exc:
        return _check(FAIL, **facts, tls={"verified": False},
                      note=f"the server's certificate is not trusted ({exc.verify_message})")
    except ssl.SSLError as exc:
        return _check(FAIL, **facts, note=f"TLS handshake failed ({exc.reason or exc})")
    except OSError as exc:
        return _check(FAIL, **facts, reachable=False, note=f"cannot connect ({exc.strerror or exc})")
    facts["reachable"] = True
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        return _check(FAIL, **facts, note="plain http to a remote server: health data must travel over TLS")
    try:
        import httpx
        response = httpx.get(url.rstrip("/") + "/metadata", timeout=timeout,
                             headers={"Accept": "application/fhir+json"})
        facts["metadata_status"] = response.status_code
        if response.is_success:
            try:
                facts["fhir_version"] = response.json().get("fhirVersion")
            except ValueError:
                pass
    except httpx.HTTPError as exc:
        return _check(FAIL, **facts, note=f"the FHIR metadata request failed ({exc.__class__.__name__})")
    ok = facts["metadata_status"] < 400
    return _check(OK if ok else WARN, **facts,
                  **({} if ok else {"note": f"GET /metadata answered {facts['metadata_status']}"}))


def check_signed_in(args) -> dict:
    """With --user: open the store and report its schema and pending changes (counts only)."""
    from db import migrate
    opened = _signed_in(args)
    try:
        revision, latest = migrate.current(opened.store.engine), migrate.head()
        with opened.session.uow() as uow:
            pending = uow.sync.outbox_count()
            conflicts = len(uow.sync.conflicts("open"))
        return _check(OK, opens=True, schema=revision, schema_head=latest,
                      schema_current=revision == latest, pending_changes=pending, open_conflicts=conflicts,
                      **({"backup_made": str(opened.store.last_backup)} if opened.store.last_backup else {}))
    finally:
        opened.close()


def doctor(args) -> Result:
    folder = wiring.data_dir(args.data_dir)
    checks: dict[str, dict] = {}
    try:
        managed = wiring.managed_config()
        checks["config"] = _check(OK, source=managed.source, **{k: v for k, v in managed.public().items()
                                                                 if k != "source"})
    except ValidationError as exc:
        managed = None
        checks["config"] = _check(FAIL, note=f"the managed configuration is not valid: {exc}")
    checks["data_folder"] = check_folder(folder)
    checks["store"] = check_store_files(folder)
    if args.user:
        try:
            checks["signed_in"] = check_signed_in(args)
        except OutpostError as exc:
            checks["signed_in"] = _check(FAIL, opens=False, note=str(exc))
    checks["keyring"] = check_keyring()
    checks["server"] = check_server(args.server or (managed.server_url if managed else None), args.timeout)
    failed = [name for name, c in checks.items() if c["status"] == FAIL]
    data = {"version": __version__, "python": sys.version.split()[0], "frozen": bool(getattr(sys, "frozen", False)),
            "platform": sys.platform, "data_dir": str(folder), "checks": checks, "failed": failed}
    if failed:
        print(f"outpost: doctor found a problem with {', '.join(failed)}", file=sys.stderr)
    return Result(data, _text(data), 1 if failed else 0)


def _text(data: dict) -> str:
    lines = [f"Outpost {data['version']} (Python {data['python']}{', frozen build' if data['frozen'] else ''}, "
             f"{data['platform']})", f"Data folder: {data['data_dir']}"]
    for name, check in data["checks"].items():
        facts = ", ".join(f"{k}={v}" for k, v in check.items() if k not in ("status", "note", "problems"))
        lines.append(f"[{check['status']:>7}] {name}: {facts}")
        for problem in check.get("problems", []):
            lines.append(f"          - {problem}")
        if check.get("note"):
            lines.append(f"          {check['note']}")
    return "\n".join(lines)


def config_show(args) -> Result:
    """The managed configuration in force (or --file), checked; exit 1 naming a wrong key."""
    from app import config
    managed = config.load([Path(args.file)]) if args.file else wiring.managed_config()
    if args.file and managed.source is None:
        raise ValidationError({"--file": f"{args.file} does not exist"})
    data = managed.public()
    text = (f"# {managed.source}\n" if managed.source else "# no managed configuration file; built-in defaults\n")
    return Result(data, text + config.render(managed).rstrip())


# --- self-check ---------------------------------------------------------------------------

SELF_CHECK_PASSWORD = "self-check-passphrase-only-for-a-temporary-store"


def _show_sign_in(folder: Path) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.qt.launch import Shell, application
    app = application()
    shell = Shell(folder)
    window = shell.show_sign_in()
    app.processEvents()
    shown = window.isVisible()
    title = window.windowTitle()
    shell.shut_down()
    app.processEvents()
    if not shown:
        raise OutpostError("the sign-in window did not show")
    return {"window_shown": True, "window_title": title, "qt_platform": app.platformName()}


def _pdf_check() -> dict:
    """Draw a one-page PDF with reportlab and render it with QtPdf, in memory (printing and the
    Documents tab's viewer need both)."""
    import io

    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtPdf import QPdfDocument
    from reportlab.pdfgen import canvas
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Outpost self-check")
    page.showPage()
    page.save()
    buffer = QBuffer()
    buffer.setData(QByteArray(out.getvalue()))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    image = document.render(0, QSize(200, 260)) if document.pageCount() else None
    if image is None or image.isNull():
        raise OutpostError(f"Qt's PDF module could not render a page (status {document.status()})")
    return {"pdf_pages_rendered": document.pageCount()}


def self_check(args) -> Result:
    started = time.perf_counter()
    if args.window_only:
        data = _show_sign_in(wiring.data_dir(args.data_dir))
        data["seconds"] = round(time.perf_counter() - started, 3)
        return Result(data, f"sign-in window shown in {data['seconds']} s")
    from app import terminology
    from db import migrate
    steps: dict = {"version": __version__, "frozen": bool(getattr(sys, "frozen", False))}
    with tempfile.TemporaryDirectory(prefix="outpost-self-check-") as tmp:
        folder = Path(tmp) / "store"
        opened, _recovery = wiring.create_clinic(folder, clinic_name="Self-check clinic",
                                                 admin_username="selfcheck", admin_password=SELF_CHECK_PASSWORD)
        opened.close()
        opened = wiring.sign_in(folder, "selfcheck", SELF_CHECK_PASSWORD)
        try:
            steps["schema"] = migrate.current(opened.store.engine)
            steps["schema_is_head"] = steps["schema"] == migrate.head()
        finally:
            opened.close()
        with open(folder / "clinic.db", "rb") as fh:
            steps["encrypted"] = fh.read(16) != SQLITE_HEADER
        steps["terminology"] = sorted(p.name for p in terminology.resources_dir().glob("*.tsv"))
        if not steps["terminology"]:
            raise OutpostError(f"no terminology files under {terminology.resources_dir()}")
        steps["icd10cm_cache_shipped"] = (terminology.resources_dir()
                                           / terminology.icd_cache_path().name).is_file()
        steps.update(_show_sign_in(folder))
        steps.update(_pdf_check())
    if not (steps["schema_is_head"] and steps["encrypted"]):
        raise OutpostError(f"self-check failed: {steps}")
    steps["seconds"] = round(time.perf_counter() - started, 2)
    return Result(steps, f"self-check passed in {steps['seconds']} s: store created, encrypted and opened "
                         f"(schema {steps['schema']}), {len(steps['terminology'])} terminology files, "
                         f"sign-in window shown ({steps['qt_platform']}), a PDF page rendered")
