"""Opening the chart of a patient with a very long history (1,000 encounters, 20,000 observations).

The store also holds ordinary demo patients with histories, so the tables are not
one patient's alone; their chart opens are reported as ``typical``.
"""
from __future__ import annotations

import time

from sqlalchemy import text

from app import chart, demo
from tests.bench.common import clinic, figures, scratch, timed_ms, user_session

ENCOUNTERS, OBSERVATIONS = 1_000, 20_000
OPENS = {False: 50, True: 20}
OTHER_PATIENTS = {False: 500, True: 50}
TARGET_P95_MS = 150.0


def run(quick: bool = False) -> dict:
    with scratch() as folder, clinic(folder / "clinic") as opened:
        started = time.perf_counter()
        demo.populate(opened.session, patients=OTHER_PATIENTS[quick], seed=11, histories=True)
        heavy = demo.add_heavy_patient(opened.session, encounters=ENCOUNTERS, observations=OBSERVATIONS)
        generated = time.perf_counter() - started
        doc = user_session(opened, "dr.bench", "physician")
        with opened.store.uow(readonly=True) as uow:
            others = [r[0] for r in uow.conn.execute(text("SELECT id FROM patients WHERE id != :h LIMIT 20"),
                                                     {"h": heavy})]
            stored = uow.observations.count()
        for _ in range(3):  # warm-up
            summary = chart.open_chart(doc, heavy)
        heavy_ms = [timed_ms(lambda: chart.open_chart(doc, heavy))[0] for _ in range(OPENS[quick])]
        typical_ms = [timed_ms(lambda: chart.open_chart(doc, pid))[0] for pid in others]
        return {"encounters": ENCOUNTERS, "observations": OBSERVATIONS, "other_patients": OTHER_PATIENTS[quick],
                "observations_in_store": stored, "generate_s": round(generated, 2), "opens": len(heavy_ms),
                **figures(heavy_ms), "target_p95_ms": TARGET_P95_MS,
                "meets_target": figures(heavy_ms)["p95_ms"] <= TARGET_P95_MS,
                "shown": {"problems": len(summary.problems), "medications": len(summary.medications),
                          "allergies": len(summary.allergies), "vitals": len(summary.latest_vitals),
                          "recent_labs": len(summary.recent_labs),
                          "recent_encounters": len(summary.recent_encounters),
                          "hidden_sensitive": summary.hidden_sensitive},
                "typical": figures(typical_ms)}
