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
    finally:
        opened.close()


def _history(session, patient_id: str, *, child: bool) -> None:
    from app import allergies, immunizations, medications, observations, problems, scheduling
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
    main.close()
    return shot.saved


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
