"""A child process for the draft-survives-a-kill test: the real client, signed in, types a
note into a patient's chart and prints ``saved`` once the editor says the draft is saved.
Then it idles in the event loop until the parent kills it with SIGKILL."""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from ui import wiring  # noqa: E402
from ui.qt.main_window import MainWindow  # noqa: E402

TYPED = "Chest pain on exertion since Tuesday"


def main(folder: str, username: str, password: str, patient_id: str, settings_file: str) -> None:
    app = QApplication(sys.argv[:1])
    window = MainWindow(wiring.sign_in(folder, username, password),
                        QSettings(settings_file, QSettings.Format.IniFormat))
    window.show()
    window.open_patient(patient_id)
    state = {"step": "chart"}

    def step() -> None:
        chart = window.chart
        if state["step"] == "chart" and "Encounters and notes" in chart.tab_titles():
            state["tab"] = chart.show_tab("Encounters and notes")
            state["step"] = "tab"
        elif state["step"] == "tab" and state["tab"].loaded:
            state["tab"].new_button.click()
            state["step"] = "editor"
        elif state["step"] == "editor" and state["tab"].editor is not None:
            editor = state["tab"].editor
            editor.sections["subjective"].clear()
            QTest.keyClicks(editor.sections["subjective"], TYPED)  # real key events
            editor.saved.connect(lambda note: print("saved", note.id, flush=True))
            state["step"] = "typed"
            print("typed", flush=True)
        QTimer.singleShot(50, step) if state["step"] != "typed" else None

    QTimer.singleShot(0, step)
    app.exec()


if __name__ == "__main__":
    main(*sys.argv[1:6])
