"""A smoke run of the import benchmark: it imports, re-imports without creating anything,
and reports its rate beside the plain-loop yardstick (the target is judged from the full run)."""
from __future__ import annotations

import pytest

from tests.bench import bench_import


@pytest.mark.slow
def test_a_quick_import_benchmark_imports_everything_once_and_reports_its_rate_and_ratio():
    figures = bench_import.run(quick=True)
    assert figures["patients"] == 40 and figures["errors"] == 0
    assert figures["resources"] > 40 * 20 and figures["reimport_created"] == 0
    assert figures["resources_per_s"] > 0 and figures["baseline_per_s"] > figures["resources_per_s"]
    assert 0 < figures["ratio_to_baseline"] < 1 and figures["resources_per_cpu_s"] > 0
    assert figures["hl7_accepted"] == figures["hl7_messages"] == 200
