"""A smoke run of the benchmarks: they run end to end and report sane figures.

The speed targets themselves are judged from the full run (``outpost bench``), not here.
"""
from __future__ import annotations

import pytest

from tests.bench.run import run_benchmarks


def _sane(figures: dict) -> None:
    assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]


@pytest.mark.slow
def test_a_quick_benchmark_run_reports_sane_figures_for_search_chart_and_cipher():
    results = run_benchmarks(["search", "chart", "cipher"], quick=True)
    assert {"search", "chart", "cipher"} <= set(results)

    search = results["search"]
    assert [s["patients"] for s in search["sizes"]] == [1_000, 5_000]
    for size in search["sizes"]:
        _sane(size)
        _sane(size["store_only"])
        _sane(size["audit_commit"])
        assert size["queries"] >= 250 and size["generate_s"] > 0
        assert size["no_results"] < size["queries"] // 10  # the queries come from real patients

    chart = results["chart"]
    _sane(chart)
    _sane(chart["typical"])
    assert chart["opens"] > 0 and chart["observations_in_store"] >= chart["observations"] == 20_000
    assert chart["shown"]["recent_encounters"] == 20 and chart["shown"]["vitals"] > 0

    cipher = results["cipher"]
    for side in ("encrypted", "plain"):
        assert all(seconds > 0 for seconds in cipher[side].values())
    assert cipher["ratio"] > 0
    assert cipher["store_open_ms"] >= cipher["key_unwrap_ms"] > 0
    assert cipher["keyed_open_first_query_ms"] > 0 and cipher["plain_open_first_query_ms"] > 0


def test_an_unknown_benchmark_name_is_refused():
    from app.errors import ValidationError
    with pytest.raises(ValidationError):
        run_benchmarks(["no-such-benchmark"], quick=True)
