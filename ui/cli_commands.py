"""The ``outpost`` sub-commands. Each signs in (where needed) and calls app/ services."""
from __future__ import annotations

import getpass
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import __version__, accounts, audit_trail, mfa, patients
from app.demo_users import DEMO_CLINIC, DEMO_PASSWORD, DEMO_USERS
from app.errors import MfaRequired, OutpostError, ValidationError
from ui import wiring


@dataclass
class Result:
    data: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    code: int = 0


def read_password(prompt: str = "Password: ") -> str:
    """OUTPOST_PASSWORD, else one line of standard input (hidden when it is a terminal)."""
    if os.environ.get("OUTPOST_PASSWORD") is not None:
        return os.environ["OUTPOST_PASSWORD"]
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(prompt)
    line = sys.stdin.readline() if sys.stdin else ""
    if not line:
        raise ValidationError({"password": "none given (set OUTPOST_PASSWORD or pipe it on stdin)"})
    return line.rstrip("\r\n")


def _signed_in(args, password: str | None = None) -> wiring.Opened:
    """Sign in as --user with OUTPOST_PASSWORD (or stdin) and, for MFA users, OUTPOST_TOTP."""
    if not args.user:
        raise ValidationError({"--user": "this command needs a signed-in user (--user NAME)"})
    try:
        opened = wiring.sign_in(wiring.data_dir(args.data_dir), args.user,
                                password if password is not None else read_password(),
                                totp=os.environ.get("OUTPOST_TOTP") or None)
    except MfaRequired as exc:
        raise MfaRequired(f"{str(exc).removeprefix('sign-in failed: ')}; set OUTPOST_TOTP to the "
                          "current code") from None
    if opened.session.extra.get("mfa_enrolment_due"):
        print(f"outpost: note: the clinic requires two-step sign-in for {opened.session.user.role} "
              f"accounts; enrol with 'outpost user mfa {args.user}'", file=sys.stderr)
    if "backup_codes_left" in opened.session.extra:
        print(f"outpost: note: a backup code was used; {opened.session.extra['backup_codes_left']} "
              "left", file=sys.stderr)
    return opened


def init(args) -> Result:
    folder = wiring.data_dir(args.data_dir)
    password = read_password("Administrator password: ")
    opened, recovery = wiring.create_clinic(folder, clinic_name=args.clinic, admin_username=args.admin,
                                            admin_password=password, clinic_code=args.clinic_code)
    info = wiring.clinic(opened)
    opened.close()
    text = (f"Created the clinic store for {args.clinic} in {folder}\n"
            f"Clinic code: {info.clinic_code}\n\n"
            f"RECOVERY KEY (shown once — print it and keep it locked away):\n  {recovery}\n")
    return Result({"data_dir": str(folder), "clinic_code": info.clinic_code,
                   "recovery_key": recovery, "admin": args.admin}, text)


def demo(args) -> Result:
    from app import demo as demo_data
    folder = wiring.data_dir(args.data_dir)
    if args.patients < 0:
        raise ValidationError({"--patients": "must be zero or more"})
    started = time.perf_counter()
    opened, recovery = wiring.create_clinic(folder, clinic_name=DEMO_CLINIC, admin_username="admin",
                                            admin_password=DEMO_PASSWORD, clinic_code=args.clinic_code)
    try:
        for username, role, name, _ in DEMO_USERS[1:]:
            accounts.add_user(opened.session, opened.store, username=username, role=role,
                              display_name=name, password=DEMO_PASSWORD)
        counts = demo_data.populate(opened.session, patients=args.patients, seed=args.seed)
        info = wiring.clinic(opened)
    finally:
        opened.close()
    users = [{"username": u, "password": DEMO_PASSWORD, "role": r} for u, r, _, _ in DEMO_USERS]
    lines = [f"Demo clinic '{DEMO_CLINIC}' created in {folder} "
             f"({args.patients} patients, {time.perf_counter() - started:.1f} s)",
             "Demo users (password for all: " + DEMO_PASSWORD + "):"]
    lines += [f"  {u['username']:<15} {u['role']}" for u in users]
    lines.append(f"Recovery key: {recovery}")
    return Result({"data_dir": str(folder), "clinic_code": info.clinic_code, "users": users,
                   "patients": args.patients, "seed": args.seed, "records": counts,
                   "recovery_key": recovery}, "\n".join(lines))


def patient_search(args) -> Result:
    opened = _signed_in(args)
    try:
        found = patients.search(opened.session, " ".join(args.query), limit=args.limit)
    finally:
        opened.close()
    rows = [{"id": p.id, "mrn": p.mrn, "name": p.name, "birth_date": p.birth_date.isoformat()}
            for p in found]
    text = "\n".join(f"{r['mrn']:<10} {r['birth_date']}  {r['name']}" for r in rows) or "No patients found."
    return Result({"patients": rows}, text)


def user_add(args) -> Result:
    """Add a user; with --mfa also enrol them and print their secret and backup codes once."""
    opened = _signed_in(args)
    try:
        password = os.environ.get("OUTPOST_NEW_PASSWORD") or read_password("New user's password: ")
        user = accounts.add_user(opened.session, opened.store, username=args.username, role=args.role,
                                 display_name=args.name or args.username, password=password)
        enrolment = mfa.enrol(opened.session, user.username) if args.mfa else None
    finally:
        opened.close()
    result = Result({"username": user.username, "role": user.role},
                    f"Added {user.username} ({user.role}).")
    if enrolment:
        from ui.cli_security import enrolment_result
        more = enrolment_result(enrolment, getattr(args, "qr", None))
        result.data.update(more.data)
        result.text += "\n" + more.text
    return result


def user_list(args) -> Result:
    opened = _signed_in(args)
    try:
        users = accounts.list_users(opened.session)
    finally:
        opened.close()
    rows = [{"username": u.username, "role": u.role, "name": u.display_name, "disabled": u.disabled,
             "mfa": bool(u.mfa_secret)} for u in users]
    text = "\n".join(f"{r['username']:<16} {r['role']:<11} {'disabled' if r['disabled'] else ''}"
                     for r in rows)
    return Result({"users": rows}, text)


def user_disable(args) -> Result:
    opened = _signed_in(args)
    try:
        accounts.disable_user(opened.session, opened.store, args.username)
    finally:
        opened.close()
    return Result({"username": args.username, "disabled": True}, f"Disabled {args.username}.")


def audit_verify(args) -> Result:
    opened = _signed_in(args)
    try:
        broken = audit_trail.verify(opened.session)
    finally:
        opened.close()
    if broken:
        print(f"outpost: the audit trail is broken at {broken}", file=sys.stderr)
        return Result({"intact": False, "seq": broken.seq, "reason": broken.reason}, "", 1)
    return Result({"intact": True}, "The audit trail is intact.")


def bench(args) -> Result:
    root = Path(__file__).resolve().parent.parent
    if not (root / "tests" / "bench" / "run.py").exists():
        raise OutpostError("the benchmarks ship with the source checkout, not with installed builds")
    sys.path.insert(0, str(root))
    from tests.bench.run import run_benchmarks
    results = run_benchmarks(args.names or None, quick=args.quick)
    results["version"] = __version__
    import json
    return Result(results, json.dumps(results, indent=2))
