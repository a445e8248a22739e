"""The security sub-commands: passwords, unlocking, two-step sign-in, the audit report."""
from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from app import accounts, audit_trail, emergency, mfa
from app.errors import ValidationError
from db import signin_state
from ui.cli_commands import Result, _signed_in, read_password


def enrolment_result(enrolment: mfa.Enrolment, qr_path: str | None) -> Result:
    """What enrolment prints once: the secret, the provisioning URI and the backup codes."""
    if qr_path:
        target = Path(qr_path)
        if target.suffix.lower() == ".svg":
            target.write_text(enrolment.qr_svg(), encoding="utf-8")
        else:
            target.write_bytes(enrolment.qr_png())
    lines = [f"Two-step sign-in for {enrolment.username} (shown once — give it to the user only):",
             f"  secret:   {enrolment.secret}",
             f"  scan URI: {enrolment.uri}"]
    if qr_path:
        lines.append(f"  QR code:  {qr_path}")
    lines.append("  backup codes (each works once):")
    lines += [f"    {code}" for code in enrolment.backup_codes]
    return Result({"mfa": {"secret": enrolment.secret, "uri": enrolment.uri,
                           "backup_codes": list(enrolment.backup_codes),
                           "qr": qr_path}}, "\n".join(lines))


def user_mfa(args) -> Result:
    """Enrol a user (yourself, or anyone as an administrator) in two-step sign-in."""
    opened = _signed_in(args)
    try:
        enrolment = mfa.enrol(opened.session, args.username)
    finally:
        opened.close()
    return enrolment_result(enrolment, args.qr)


def user_password(args) -> Result:
    """Change your own password, or (administrators) reset another user's.

    The new password comes from OUTPOST_NEW_PASSWORD or the next line of standard input.
    """
    current = read_password()
    opened = _signed_in(args, current)
    try:
        target = args.username or opened.session.username
        new = os.environ.get("OUTPOST_NEW_PASSWORD") or read_password("New password: ")
        if target == opened.session.username:
            accounts.change_password(opened.session, opened.store,
                                     current_password=current, new_password=new)
            text = "Your password was changed."
        else:
            accounts.reset_password(opened.session, opened.store, username=target, new_password=new,
                                    lockouts=signin_state.lockouts(opened.store.data_dir))
            text = f"The password of {target} was reset."
    finally:
        opened.close()
    return Result({"username": target, "changed": True}, text)


def user_unlock(args) -> Result:
    opened = _signed_in(args)
    try:
        was = accounts.unlock_account(opened.session, signin_state.lockouts(opened.store.data_dir),
                                      args.username)
    finally:
        opened.close()
    return Result({"username": args.username, "was_locked": was},
                  f"{args.username} is unlocked." if was else f"{args.username} was not locked.")


def _day(text: str | None, *, end: bool) -> datetime | None:
    """--from/--to: a date (the whole day, UTC) or an ISO date-time."""
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            start = datetime.combine(day, time(0), tzinfo=timezone.utc)
            return start + timedelta(days=1) - timedelta(microseconds=1) if end else start
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError({"--to" if end else "--from": "use a date like 2025-03-31"}) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def audit_report(args) -> Result:
    """The audit report, filtered; --out writes it as CSV (administrators only; audited)."""
    since, until = _day(args.date_from, end=False), _day(args.date_to, end=True)
    opened = _signed_in(args)
    try:
        rows = audit_trail.report(opened.session, since=since, until=until, username=args.audit_user,
                                  patient_id=args.patient, action=args.action, export=args.out)
    finally:
        opened.close()
    text = audit_trail.to_csv(rows)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8", newline="")
        text = f"Wrote {len(rows)} audit entries to {args.out}."
    data = {"count": len(rows), "out": args.out,
            "entries": [] if args.out else [_json_entry(e) for e in rows]}
    return Result(data, text.rstrip("\r\n"))


def _json_entry(e) -> dict:
    return {"seq": e.seq, "at": e.at.isoformat(), "username": e.username, "role": e.role,
            "action": e.action.value, "outcome": e.outcome, "patient_id": e.patient_id,
            "record_type": e.record_type, "record_id": e.record_id, "workstation": e.workstation,
            "emergency": e.emergency, "detail": e.detail}


def audit_emergencies(args) -> Result:
    """Emergency-access grants waiting for review (administrators)."""
    opened = _signed_in(args)
    try:
        if args.reviewed is not None:
            emergency.mark_reviewed(opened.session, args.reviewed, note=args.note or "")
        items = emergency.emergency_reviews(opened.session, include_reviewed=args.all)
    finally:
        opened.close()
    rows = [{"seq": r.seq, "username": r.username, "at": r.at.isoformat(), "until": r.until.isoformat(),
             "reason": r.reason, "patient_id": r.patient_id, "actions": len(r.actions),
             "reviewed_by": r.reviewed_by} for r in items]
    text = "\n".join(f"#{r['seq']:<6} {r['at'][:16]}  {r['username']:<14} {r['actions']:>3} actions  "
                     f"{'reviewed' if r['reviewed_by'] else 'to review'}  {r['reason']}"
                     for r in rows) or "No emergency access waiting for review."
    return Result({"emergencies": rows}, text)

