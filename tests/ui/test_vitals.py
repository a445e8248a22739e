"""Recording vitals in the chart: units, range checks asking to confirm, flowsheet and trends."""
from __future__ import annotations

from datetime import timedelta

from app import observations
from app.model import utcnow
from ui.qt import registration
from ui.qt.chart_view import ChartView
from ui.qt.vitals_entry import bmi


def _vitals(qtbot, session, patient_id):
    view = ChartView(session, patient_id)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: "Vitals" in view.tab_titles(), timeout=5000)
    tab = view.show_tab("Vitals")
    qtbot.waitUntil(lambda: tab.loaded_rows is not None, timeout=5000)
    return view, tab


def _stored(session, patient_id, code):
    return [str(o.value) for o in observations.trend(session, patient_id, code)]


def test_saved_vitals_are_stored_and_appear_in_the_flowsheet_and_banner_summary(qtbot, sessions, charted):
    nurse = sessions["nurse"]
    view, tab = _vitals(qtbot, nurse, charted.id)
    before = len(tab.loaded_rows)
    qtbot.keyClicks(tab.entry.fields["8480-6"], "128")
    qtbot.keyClicks(tab.entry.fields["8462-4"], "84")
    qtbot.keyClicks(tab.entry.fields["29463-7"], "70")
    qtbot.keyClicks(tab.entry.fields["8302-2"], "175")
    assert tab.entry.fields["39156-5"].text() == "22.9"  # BMI worked out from weight and height

    tab.entry.save_button.click()
    qtbot.waitUntil(lambda: tab.loaded_rows is not None and len(tab.loaded_rows) == before + 1, timeout=5000)

    assert _stored(nurse, charted.id, "8480-6")[-1] == "128"
    assert _stored(nurse, charted.id, "39156-5") == ["22.9"]
    newest = tab.model.index(0, 1).data()
    assert newest == "128/84"
    qtbot.waitUntil(lambda: ("Blood pressure" in {r[0] for r in view.summary_tab.panes[
        "Latest vital signs"].texts()} and any("128/84" in r[1] for r in view.summary_tab.panes[
            "Latest vital signs"].texts())), timeout=5000)


def test_a_value_outside_the_usual_range_is_stored_only_when_confirmed(qtbot, sessions, charted,
                                                                      monkeypatch):
    nurse = sessions["nurse"]
    _, tab = _vitals(qtbot, nurse, charted.id)
    answers = [False, True]
    asked: list[str] = []
    monkeypatch.setattr(registration, "confirm", lambda p, t, text: asked.append(text) or answers.pop(0))
    tab.entry.fields["8867-4"].setText("350")

    tab.entry.save()
    qtbot.waitUntil(lambda: "Not saved" in tab.entry.message.text(), timeout=5000)
    assert "outside the usual range" in asked[0]
    assert _stored(nurse, charted.id, "8867-4") == ["72"]

    tab.entry.save()
    qtbot.waitUntil(lambda: "saved." in tab.entry.message.text(), timeout=5000)
    assert _stored(nurse, charted.id, "8867-4") == ["72", "350"]


def test_a_typo_in_one_field_stores_none_of_the_set(qtbot, sessions, charted):
    nurse = sessions["nurse"]
    _, tab = _vitals(qtbot, nurse, charted.id)
    tab.entry.fields["8310-5"].setText("37.0")
    tab.entry.fields["9279-1"].setText("1a")

    tab.entry.save()
    qtbot.waitUntil(lambda: "Not saved" in tab.entry.message.text(), timeout=5000)

    assert "is not a number" in tab.entry.message.text()
    assert _stored(nurse, charted.id, "8310-5") == []


def test_the_blood_pressure_trend_draws_both_series_oldest_first(qtbot, sessions, charted):
    doctor = sessions["physician"]
    start = utcnow() - timedelta(days=30)
    for day, (s, d) in enumerate((("150", "95"), ("140", "90"))):
        for code, value in (("8480-6", s), ("8462-4", d)):
            observations.record_vital(doctor, patient_id=charted.id, code=code, value=value,
                                      effective=start + timedelta(days=day))
    _, tab = _vitals(qtbot, doctor, charted.id)

    qtbot.waitUntil(lambda: len(tab.chart.series_points.get("Systolic", [])) == 3, timeout=5000)

    assert [v for _, v in tab.chart.series_points["Systolic"]] == [150.0, 140.0, 162.0]
    assert [v for _, v in tab.chart.series_points["Diastolic"]] == [95.0, 90.0, 78.0]
    tab.trend_choice.setCurrentText("HbA1c (%)")
    qtbot.waitUntil(lambda: "HbA1c" in tab.chart.chart().title(), timeout=5000)
    assert tab.chart.chart().title() == "HbA1c (%): no values recorded yet"


def test_only_the_value_outside_its_range_is_drawn_in_red_in_the_flowsheet(qtbot, sessions, charted):
    from PySide6.QtCore import Qt

    from ui.qt.models import ABNORMAL_ROLE
    _, tab = _vitals(qtbot, sessions["nurse"], charted.id)
    bp, pulse = tab.model.index(0, 1), tab.model.index(0, 2)

    assert (bp.data(), pulse.data()) == ("162/78", "72")
    assert bp.data(ABNORMAL_ROLE) is True
    assert bp.data(Qt.ItemDataRole.ForegroundRole) is not None
    assert pulse.data(Qt.ItemDataRole.ForegroundRole) is None


def test_bmi_is_left_alone_when_weight_or_height_is_not_a_number():
    assert bmi("70", "") is None and bmi("x", "170") is None and bmi("0", "170") is None
    assert bmi("95.5", "180") == "29.5"
