"""Screenshots of the desktop client, for reviewing how the screens look.

    python scripts/screenshots.py [--data-dir DIR] [--out screenshots/] [--scale 1.5]

Creates a demo clinic in DIR (``outpost demo --patients 30 --seed 1``) unless one is
there, adds two patients whose names need more than ASCII (Vietnamese and Greek) with a
short history, runs the client offscreen, signs in as the demo physician, and saves
PNGs of the sign-in window, the search results and chart summaries into ``--out``.
Only synthetic patients are ever shown.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PHYSICIAN = "dr.okafor"
#: family, given names, birth date, sex — names that need more than Latin-1
EXTRA_PATIENTS = (("Nguyễn", ["Thị", "Hồng"], date(1958, 3, 14), "female"),
                  ("Παπαδόπουλος", ["Γιώργος"], date(2023, 11, 2), "male"))


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, help="demo clinic folder (default: a new temporary one)")
    p.add_argument("--out", type=Path, default=Path("screenshots"))
    p.add_argument("--scale", type=float, default=1.0, help="display scaling, e.g. 1.25 or 1.5")
    p.add_argument("--size", default="1280x860", help="main window size in device-independent pixels")
    return p.parse_args(argv)


def ensure_demo(folder: Path) -> None:
    from ui import wiring
    if wiring.store_exists(folder):
        return
    subprocess.run([sys.executable, "-m", "ui.cli", "demo", "--patients", "30", "--seed", "1",
                    "--data-dir", str(folder)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def ensure_extra_patients(folder: Path) -> None:
    """Register the non-Latin-named patients once, with a little history each."""
    from app import patients
    from app.demo_users import DEMO_PASSWORD
    from app.model import HumanName, Patient
    from ui import wiring
    opened = wiring.sign_in(folder, PHYSICIAN, DEMO_PASSWORD)
    try:
        for family, given, born, sex in EXTRA_PATIENTS:
            if any(p.name.endswith(family) for p in patients.search(opened.session, family)):
                continue
            patient = patients.register(opened.session, Patient(
                mrn="", name=HumanName(family, given), birth_date=born, sex=sex), confirm_duplicate=True)
            _history(opened.session, patient.id, child=born.year > 2020)
            if born.year < 2000:
                _vitals_history(opened.session, patient.id)
                _visit_and_bill(folder, opened.session, patient.id)
    finally:
        opened.close()


def _visit_and_bill(folder: Path, session, patient_id: str) -> None:
    """A visit today, billed by the demo billing clerk: two charges, an invoice, a part payment."""
    from app import billing, billing_fees, encounters
    from app.demo_users import DEMO_PASSWORD
    from ui import wiring
    visit = encounters.start(session, patient_id=patient_id)
    clerk = wiring.sign_in(folder, "billing.patel", DEMO_PASSWORD)
    try:
        for code, words, price in (("OV-EST", "Office visit, established patient", "95.00"),
                                   ("LAB-A1C", "Hemoglobin A1c, point of care", "18.40")):
            billing_fees.set_fee(clerk.session, code=code, description=words, price=price)
        billing_fees.charge(clerk.session, encounter_id=visit.id, code="OV-EST", diagnosis_codes=["E11.9", "I10"])
        billing_fees.charge(clerk.session, encounter_id=visit.id, code="LAB-A1C", diagnosis_codes=["E11.9"])
        invoice = billing.make_invoice(clerk.session, patient_id=patient_id)
        billing.record_payment(clerk.session, patient_id=patient_id, amount="40.00", method="card",
                               invoice_id=invoice.id, reference="Visa 4242")
    finally:
        clerk.close()


def _letter_pdf() -> bytes:
    """A one-page referral letter for the Documents tab (synthetic text)."""
    import io
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=letter)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, 700, "Referral: endocrinology")
    page.setFont("Helvetica", 12)
    for n, line in enumerate(("Dear colleague,", "",
                              "Please see this patient for type 2 diabetes above goal",
                              "despite metformin; HbA1c 8.1 % last month.", "", "Thank you.")):
        page.drawString(72, 660 - 18 * n, line)
    page.showPage()
    page.save()
    return out.getvalue()


def _history(session, patient_id: str, *, child: bool) -> None:
    from app import (allergies, documents, immunizations, medications, observations, orders, problems,
                     scheduling)
    from app.model import utcnow
    now = utcnow()
    if child:
        observations.record_vital(session, patient_id=patient_id, code="8867-4", value="128",
                                  effective=now - timedelta(hours=1))
        observations.record_vital(session, patient_id=patient_id, code="8310-5", value="38.6",
                                  effective=now - timedelta(hours=1))
        immunizations.record(session, patient_id=patient_id, cvx="08", occurrence=date(2023, 11, 3))
        return
    allergies.record(session, patient_id=patient_id, rxnorm="834102", reaction="hives",
                     severity="moderate")
    problems.add(session, patient_id=patient_id, code="I10", onset_date=date(2015, 6, 1))
    problems.add(session, patient_id=patient_id, code="E11.9", onset_date=date(2018, 2, 1))
    rx = medications.prescribe(session, patient_id=patient_id, rxnorm="314076", dose="1",
                               dose_unit="tablet", route="oral", frequency="once daily", quantity="90")
    medications.sign(session, rx.id)
    taken = now - timedelta(days=2)
    for code, value in (("8480-6", "152"), ("8462-4", "94"), ("8867-4", "78"), ("29463-7", "61.5")):
        observations.record_vital(session, patient_id=patient_id, code=code, value=value,
                                  effective=taken)
    for code, value in (("4548-4", "8.1"), ("2345-7", "162"), ("2093-3", "188")):
        observations.record_result(session, patient_id=patient_id, code=code, value=value,
                                   effective=taken)
    immunizations.record(session, patient_id=patient_id, cvx="141", occurrence=date(2026, 10, 2),
                         lot_number="FL2026-118", expiration_date=date(2027, 6, 30),
                         site="left deltoid", route="IM", dose_number=1)
    order = orders.place_lab_order(session, patient_id=patient_id, code="2160-0", reasons=["E11.9"])
    orders.file_results(session, order.id, results=[orders.ResultValue("2160-0", "1.6")],
                        effective=taken, performer="Clinic lab")
    documents.attach(session, patient_id=patient_id, content=_letter_pdf(), title="Referral letter",
                     content_type="application/pdf", category="referral")
    if session.user.practitioner_id:
        start = (now + timedelta(days=14)).replace(hour=15, minute=0, second=0, microsecond=0)
        scheduling.book(session, patient_id=patient_id, start=start, minutes=20,
                        practitioner_id=session.user.practitioner_id, reason="Diabetes review",
                        confirm=True)


class Shooter:
    def __init__(self, out: Path):
        from PySide6.QtWidgets import QApplication
        self.out, self.app = out, QApplication.instance()
        out.mkdir(parents=True, exist_ok=True)
        self.saved: list[Path] = []

    def wait(self, condition, what: str, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > end:
                raise SystemExit(f"screenshots: timed out waiting for {what}")
            self.app.processEvents()
            time.sleep(0.01)
        for _ in range(5):  # let layouts settle before grabbing
            self.app.processEvents()

    def save(self, widget, name: str) -> None:
        end = time.monotonic() + 0.3  # charts lay themselves out on later turns of the event loop
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.01)
        path = self.out / f"{name}.png"
        if not widget.grab().save(str(path)):
            raise SystemExit(f"screenshots: could not write {path}")
        self.saved.append(path)


def open_chart(shot: Shooter, main, query: str) -> None:
    """Search, then open the first result whose name needs more than ASCII (else the first)."""
    from ui.qt.models import ID_ROLE
    main.show_search()
    main.search.search_box.setText(query)
    main.search.search_now()
    shot.wait(lambda: main.search.results_for == query, f"the results for {query}")
    rows = [main.search.proxy.index(r, 1) for r in range(main.search.proxy.rowCount())]
    if not rows:
        raise SystemExit(f"screenshots: no patient found for {query}")
    pick = next((i for i in rows if not str(i.data()).isascii()), rows[0])
    patient_id = pick.data(ID_ROLE)
    main.search._open_index(pick)
    shot.wait(lambda: main.chart is not None and main.chart.patient_id == patient_id
              and main.chart.summary is not None, f"the chart of {pick.data()}")


def shoot(folder: Path, out: Path, size: tuple[int, int]) -> list[Path]:
    from PySide6.QtCore import QSettings
    from app.demo_users import DEMO_PASSWORD
    from ui.qt import errors
    from ui.qt.launch import Shell, application
    application()
    def present(parent, title, text):  # no modal dialog offscreen: say it on stderr
        print(f"screenshots: error shown: {text}", file=sys.stderr)

    errors.present = present
    settings = QSettings(str(out / ".screenshot-settings.ini"), QSettings.Format.IniFormat)
    shot, shell = Shooter(out), Shell(folder, settings)

    empty = Shell(Path(tempfile.mkdtemp(prefix="outpost-empty-")), settings).show_sign_in()
    shot.wait(lambda: empty.isVisible(), "the no-store sign-in")
    shot.save(empty, "01-sign-in-no-store")
    empty.close()

    window = shell.show_sign_in()
    window.user.setText(PHYSICIAN)
    window.password.setText("not-the-password")
    window.submit()
    shot.wait(lambda: window.error.isVisible() and window.button.isEnabled(), "the wrong-password line")
    shot.save(window, "02-sign-in-wrong-password")
    window.password.setText(DEMO_PASSWORD)
    window.submit()
    shot.wait(lambda: shell.main_window is not None, "the main window")
    main = shell.main_window
    main.resize(*size)
    shot.wait(lambda: "—" not in main.location_label.text(), "the status bar")

    for name, query in (("03-search-results", "a"), ("04-search-non-latin", "nguyen")):
        main.search.search_box.setText(query)
        shot.wait(lambda: main.search.results_for == query, f"results for {query}")
        shot.save(main, name)

    for name, query in (("05-chart-nguyen", "Nguyễn"), ("06-chart-demo-patient", "a"),
                        ("07-chart-greek-child", "Παπαδόπουλος")):
        open_chart(shot, main, query)
        shot.save(main, name)
    shoot_chart_screens(shot, main)
    shoot_clinic_screens(shot, main)
    main.close()
    shoot_admin_screens(shot, folder, settings, size)
    return shot.saved


def _idle(shot: Shooter, what: str) -> None:
    from ui.qt import ops
    shot.wait(lambda: not ops.busy(), what)


def shoot_chart_screens(shot: Shooter, main) -> None:
    """The chart of the adult patient: summary, the blood-pressure trend, a note being written."""
    open_chart(shot, main, "Nguyễn")
    chart = main.chart
    shot.wait(lambda: "Vitals" in chart.tab_titles(), "the chart tabs")
    _idle(shot, "the chart summary")
    shot.save(main, "08-chart-summary")
    vitals = chart.show_tab("Vitals")
    vitals.trend_choice.setCurrentText("Blood pressure (mmHg)")
    _idle(shot, "the vitals trend")
    shot.save(main, "09-vitals-trend")
    notes_tab = chart.show_tab("Encounters and notes")
    _idle(shot, "the notes")
    if notes_tab.editor is None:
        notes_tab.visit_type.setCurrentIndex(notes_tab.visit_type.findData("follow-up"))
        notes_tab.new_note()
        shot.wait(lambda: notes_tab.editor is not None, "the note editor")
        editor = notes_tab.editor
        editor.sections["subjective"].appendPlainText("Feels well; checks sugars twice a week.")
        editor.sections["assessment"].setPlainText("Type 2 diabetes, HbA1c 8.1 %, above goal.\n"
                                                   "Hypertension, not at goal.")
        editor.sections["plan"].setPlainText("Add metformin 500 mg twice daily.\nRecheck HbA1c in 3 months.")
        editor.save_now()
    _idle(shot, "the draft to save")
    shot.save(main, "10-note-editor")
    for name, title in (("11-immunizations", "Immunizations"), ("12-labs-and-orders", "Labs and orders")):
        tab = chart.show_tab(title)
        shot.wait(lambda: tab.loaded, f"the {title} tab")
        _idle(shot, f"the {title} tab")
        shot.save(main, name)
    documents_tab = chart.show_tab("Documents")
    shot.wait(lambda: documents_tab.loaded, "the documents")
    _idle(shot, "the documents")
    if documents_tab.model.rowCount():
        documents_tab.table.selectRow(0)
        documents_tab.view_selected()
        _idle(shot, "the document to open")
    shot.save(main, "13-documents")


def _vitals_history(session, patient_id: str) -> None:
    """A year of quarterly visits, so the trend charts have a line to draw."""
    from app import observations
    from app.model import utcnow
    start = utcnow() - timedelta(days=365)
    for i, (sys_bp, dia_bp, kg, a1c) in enumerate((("164", "98", "66.0", "9.4"), ("158", "96", "64.8", "8.9"),
                                                   ("150", "92", "63.1", "8.6"), ("146", "90", "62.4", "8.3"))):
        taken = start + timedelta(days=91 * i)
        for code, value in (("8480-6", sys_bp), ("8462-4", dia_bp), ("29463-7", kg)):
            observations.record_vital(session, patient_id=patient_id, code=code, value=value, effective=taken)
        observations.record_result(session, patient_id=patient_id, code="4548-4", value=a1c, effective=taken)


def shoot_clinic_screens(shot: Shooter, main) -> None:
    """The schedule (week and day), the open patient's billing, and the lock screen."""
    main.show_schedule()
    schedule = main.schedule
    _idle(shot, "the schedule")
    schedule.span.setCurrentIndex(schedule.span.findData(7))
    _idle(shot, "the week")
    busy = [(r, c) for c in range(schedule.grid.columnCount()) for r in range(schedule.grid.rowCount())
            if schedule.grid.item(r, c) and schedule.grid.item(r, c).text()]
    if busy:
        schedule.grid.setCurrentCell(*busy[0])
    shot.save(main, "20-schedule-week")
    fullest = max(schedule.days, key=lambda d: len(schedule.days[d]))  # the day shot shows most
    schedule.span.setCurrentIndex(schedule.span.findData(1))
    schedule.go_to(fullest)
    _idle(shot, "the day")
    schedule.grid.setCurrentCell(next((r for r in range(schedule.grid.rowCount())
                                       if schedule.grid.item(r, 0).text()), 0), 0)
    shot.save(main, "21-schedule-day")
    open_chart(shot, main, "Nguyễn")  # the patient billed in _visit_and_bill
    main.show_billing()
    _idle(shot, "the billing screen")
    shot.save(main, "22-billing")
    main.show_dashboard()
    _idle(shot, "the dashboard")
    shot.save(main, "27-dashboard")
    board = main.dashboard.board.figures  # then one provider's visits (the busiest)
    busiest = max((k for k in board.visits_by_provider if k), key=board.visits_by_provider.get, default=None)
    if busiest is not None:
        main.dashboard.provider.setCurrentIndex(main.dashboard.provider.findData(busiest))
        _idle(shot, "one provider's dashboard")
        shot.save(main, "29-dashboard-one-provider")
    main.auto_lock.lock()
    shot.wait(lambda: main.auto_lock.screen.isVisible(), "the lock screen")
    shot.save(main, "23-lock-screen")


def shoot_admin_screens(shot: Shooter, folder: Path, settings, size: tuple[int, int]) -> None:
    """Users and roles, a two-step enrolment preview (not stored), and the audit report."""
    import pyotp
    from app import mfa
    from app.demo_users import DEMO_PASSWORD
    from ui import wiring
    from ui.qt.main_window import MainWindow
    from ui.qt.mfa_enrol import MfaDialog
    admin = MainWindow(wiring.sign_in(folder, "admin", DEMO_PASSWORD), settings)
    admin.resize(*size)
    admin.show()
    admin.show_admin()
    _idle(shot, "the users")
    shot.save(admin, "24-admin-users")
    secret = pyotp.random_base32()
    preview = mfa.Enrolment(username="dr.okafor", secret=secret,
                            uri=pyotp.TOTP(secret).provisioning_uri(name="dr.okafor", issuer_name=mfa.ISSUER),
                            backup_codes=tuple(mfa._new_backup_code() for _ in range(mfa.BACKUP_CODES)))
    dialog = MfaDialog(preview, admin)
    dialog.show()
    shot.wait(dialog.isVisible, "the two-step enrolment")
    shot.save(dialog, "25-mfa-enrolment")
    dialog.close()
    admin.admin.tabs.setCurrentWidget(admin.admin.audit)
    admin.admin.audit.search()
    _idle(shot, "the audit report")
    shot.save(admin, "26-audit-report")
    from ui.qt import interfaces_view
    interfaces_view.show_page(admin)
    _idle(shot, "the interfaces page")
    shot.save(admin, "28-interfaces")
    admin.close()


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)
    folder = (args.data_dir or Path(tempfile.mkdtemp(prefix="outpost-shots-")) / "clinic").resolve()
    ensure_demo(folder)
    ensure_extra_patients(folder)
    width, height = (int(n) for n in args.size.lower().split("x"))
    for path in shoot(folder, args.out.resolve(), (width, height)):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
