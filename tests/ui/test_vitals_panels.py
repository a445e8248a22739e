"""Blood pressure that came from another system as one panel Observation (85354-9 with
systolic and diastolic components) shows in the chart like blood pressure entered here:
the banner's latest vitals, the flowsheet, the trend, and the printed visit summary."""
from __future__ import annotations

import json
from datetime import timedelta

from app import chart, observations
from app.model import utcnow
from sync import fhir_import
from ui.qt.chart_view import ChartView

LOINC = "http://loinc.org"


def _bp_panel(patient_ref: str, when: str, systolic: int, diastolic: int, ident: str) -> dict:
    def part(code, display, value):
        return {"code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
                "valueQuantity": {"value": value, "unit": "mmHg", "system": "http://unitsofmeasure.org",
                                  "code": "mm[Hg]"}}
    return {"resourceType": "Observation", "id": ident, "status": "final",
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                      "code": "vital-signs"}]}],
            "code": {"coding": [{"system": LOINC, "code": "85354-9", "display": "Blood pressure panel"}]},
            "subject": {"reference": patient_ref}, "effectiveDateTime": when,
            "component": [part("8480-6", "Systolic blood pressure", systolic),
                          part("8462-4", "Diastolic blood pressure", diastolic)]}


def _import_panels(session, tmp_path, patient_id: str) -> list[str]:
    now = utcnow().replace(microsecond=0)
    times = [(now - timedelta(days=d)).isoformat() for d in (20, 10)]
    lines = [_bp_panel(f"Patient/{patient_id}", times[0], 148, 92, "bp-old"),
             _bp_panel(f"Patient/{patient_id}", times[1], 136, 84, "bp-new")]
    path = tmp_path / "Observation.ndjson"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    [result] = fhir_import.import_files(session, [path])
    assert not result.errors, result.errors
    return times


def test_an_imported_blood_pressure_panel_reads_as_systolic_and_diastolic_everywhere(
        qtbot, sessions, charted, tmp_path):
    doctor = sessions["physician"]
    _import_panels(sessions["admin"], tmp_path, charted.id)

    # the service: one value per code, oldest first, with the values recorded here (162/78)
    assert [int(o.value) for o in observations.trend(doctor, charted.id, "8480-6")] == [148, 136, 162]
    assert [int(o.value) for o in observations.trend(doctor, charted.id, "8462-4")] == [92, 84, 78]
    assert int(chart.open_chart(doctor, charted.id).latest_vitals["8480-6"].value) == 162

    view = ChartView(doctor, charted.id)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: "Vitals" in view.tab_titles(), timeout=5000)
    tab = view.show_tab("Vitals")
    qtbot.waitUntil(lambda: tab.loaded_rows is not None, timeout=5000)
    qtbot.waitUntil(lambda: len(tab.chart.series_points.get("Systolic", [])) == 3, timeout=5000)
    assert [v for _, v in tab.chart.series_points["Systolic"]] == [148.0, 136.0, 162.0]
    assert [v for _, v in tab.chart.series_points["Diastolic"]] == [92.0, 84.0, 78.0]
    cells = {tab.model.index(r, c).data() for r in range(tab.model.rowCount())
             for c in range(tab.model.columnCount())}
    assert {"148/92", "136/84", "162/78"} <= cells


def test_a_panel_taken_after_the_last_local_reading_is_the_latest_blood_pressure(
        sessions, charted, tmp_path):
    doctor = sessions["physician"]
    path = tmp_path / "Observation.ndjson"
    when = (utcnow() + timedelta(minutes=-1)).replace(microsecond=0).isoformat()
    path.write_text(json.dumps(_bp_panel(f"Patient/{charted.id}", when, 128, 76, "bp-latest")) + "\n")
    [result] = fhir_import.import_files(sessions["admin"], [path])
    assert not result.errors, result.errors

    latest = chart.open_chart(doctor, charted.id).latest_vitals
    assert (int(latest["8480-6"].value), int(latest["8462-4"].value)) == (128, 76)
    assert latest["8480-6"].code.code == "8480-6" and latest["8480-6"].components == []
