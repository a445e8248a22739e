"""The clinic dashboard as a printed report (aggregates only: no patient is named) and as CSV."""
from __future__ import annotations

import csv
import io
from datetime import date

from reportlab.lib.units import mm

from app import formatting as fmt
from app.audit import Action
from app.dashboard import Dashboard, dashboard
from app.model import Location, Practitioner
from app.permissions import Permission
from app.printing import letterhead as letterheads
from app.printing.invoice import dollars
from app.printing.layout import pairs, render, section, table
from app.printing.parts import practitioner_text
from app.session import Session

TITLE = "Clinic dashboard"
#: said after whose visits a narrowed dashboard counts
CLINIC_WIDE_NOTE = "money and quality measures: the whole clinic"


def scope_text(board: Dashboard, provider: str | None, location: str | None) -> str | None:
    """Whose visits and appointments a narrowed dashboard counts, e.g. "Dr. Ada Okafor at Main
    site" (None when it is the whole clinic's); ``provider`` and ``location`` are the names."""
    if not board.filtered:
        return None
    if board.practitioner_id and board.location_id:
        return f"{provider} at {location}"
    return f"{provider}, every location" if board.practitioner_id else f"{location}, every provider"


def _names(session: Session, board: Dashboard) -> dict[str | None, str]:
    with session.uow() as uow:
        wanted = {i for i in (*board.visits_by_provider, board.practitioner_id) if i}
        names = {i: practitioner_text(uow.records(Practitioner).find(i)) for i in wanted}
    names[None] = "No provider recorded"
    return names


def _location_name(session: Session, location_id: str | None) -> str | None:
    if not location_id:
        return None
    with session.uow() as uow:
        site = uow.records(Location).find(location_id)
    return site.name if site is not None else "a location no longer listed"


def story(board: Dashboard, provider_names: dict[str | None, str], location: str | None = None) -> list:
    scope = scope_text(board, provider_names.get(board.practitioner_id), location)
    rows = [("Period", f"{fmt.date_text(board.start)} to {fmt.date_text(board.end)} (exclusive)")]
    if scope:
        rows.append(("Visits and appointments of", f"{scope}; {CLINIC_WIDE_NOTE}"))
    out = [pairs(rows + [("Visits", str(board.visits)), ("New patients", str(board.new_patients)),
                         ("No-show rate", f"{board.no_show_rate} %")])]
    if board.money is not None:
        m = board.money
        out += section("Revenue", table(["", "Amount"], [
            ["Charged", dollars(m.charged)], ["Paid", dollars(m.paid)], ["Adjusted", dollars(m.adjusted)],
            ["Outstanding balance (all time)", dollars(m.outstanding)]], [150 * mm, 29.9 * mm], right=(1,)))
    if board.measures:
        out += section("Quality measures", table(
            ["Measure", "Patients", "Meeting it", "Rate"],
            [[m.title + (" (lower is better)" if m.lower_is_better else ""), str(m.denominator),
              str(m.numerator), f"{m.rate} %"] for m in board.measures.values()],
            [110 * mm, 24 * mm, 24 * mm, 21.9 * mm], right=(1, 2, 3)))
    out += section("Visits by provider", table(
        ["Provider", "Visits"], [[provider_names.get(k, fmt.MISSING), str(n)]
                                 for k, n in sorted(board.visits_by_provider.items(), key=lambda kv: -kv[1])],
        [150 * mm, 29.9 * mm], right=(1,)))
    out += section("Visits by week", table(
        ["Week of", "Visits"], [[fmt.date_text(d), str(n)] for d, n in board.visits_by_week.items()],
        [150 * mm, 29.9 * mm], right=(1,)))
    return out


def dashboard_pdf(session: Session, *, start: date, end: date, as_of: date | None = None,
                  practitioner_id: str | None = None, location_id: str | None = None) -> bytes:
    """The dashboard for [start, end) as a PDF on the letterhead (narrowed to one provider or
    site as :func:`app.dashboard.dashboard` is); audited as a print of a clinic report.
    Raises what that raises and PermissionDenied without the print permission."""
    session.require(Permission.PRINT, record_type="Measure")
    board = dashboard(session, start=start, end=end, as_of=as_of, practitioner_id=practitioner_id,
                      location_id=location_id)
    with session.uow() as uow:
        head = letterheads.load(uow)
    pages = story(board, _names(session, board), _location_name(session, board.location_id))
    pdf = render(title=TITLE, letterhead=head, patient=None, story=pages,
                 printed_at=session.clock(), printed_by=session.user.display_name or session.username)
    with session.uow() as uow:
        uow.audit.append(session.entry(Action.PRINT, record_type="Measure", detail={
            "what": TITLE, "kind": "dashboard", "from": start.isoformat(), "to": end.isoformat(),
            **board.scope_detail}))
        uow.commit()
    return pdf


def dashboard_csv(board: Dashboard, scope: str | None = None) -> str:
    """The dashboard's figures as CSV rows (section, item, value) for a spreadsheet; ``scope``
    (:func:`scope_text`) names whose visits and appointments a narrowed dashboard counts."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["section", "item", "value"])
    if scope:
        w.writerow(["summary", "visits and appointments of", f"{scope}; {CLINIC_WIDE_NOTE}"])
    w.writerows([["summary", "visits", board.visits], ["summary", "new patients", board.new_patients],
                 ["summary", "no-show rate %", board.no_show_rate]])
    if board.money is not None:
        for name in ("charged", "paid", "adjusted", "outstanding"):
            w.writerow(["money", name, f"{getattr(board.money, name):.2f}"])
    for m in board.measures.values():
        w.writerow(["measure", f"{m.key} denominator", m.denominator])
        w.writerow(["measure", f"{m.key} numerator", m.numerator])
        w.writerow(["measure", f"{m.key} rate %", m.rate])
    w.writerows([["visits by day", d.isoformat(), n] for d, n in board.visits_by_day.items()])
    w.writerows([["visits by week", d.isoformat(), n] for d, n in board.visits_by_week.items()])
    return out.getvalue()
