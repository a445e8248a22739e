"""A smoke run of the ``sync`` benchmark: every resource goes out once and comes back once
through a real server, and the figures add up (the targets are judged from the full run)."""
from __future__ import annotations

import pytest

from tests.bench.run import run_benchmarks


@pytest.mark.slow
def test_a_quick_sync_benchmark_pushes_and_pulls_everything_once_and_reports_its_ratios():
    sync = run_benchmarks(["sync"], quick=True)["sync"]
    assert sync["resources"] == 300
    assert sync["pushed"] == sync["resources"] + 2  # and the clinic's organization and location
    assert sync["push_errors"] == 0
    assert sync["pulled"] == sync["paged"] == sync["pushed"]
    for side in ("push", "pull"):
        assert sync[f"{side}_s"] > 0 and sync[f"{side}_baseline_s"] > 0
        assert sync[f"{side}_ratio"] == pytest.approx(sync[f"{side}_s"] / sync[f"{side}_baseline_s"], rel=0.05)
    assert sync["incremental_changes"] == sync["incremental_pushed"] == 20
    assert sync["incremental_failed"] is None and sync["incremental_s"] > 0
