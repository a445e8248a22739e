"""Run the benchmarks and return (or print) one JSON-ready object keyed by benchmark name.

``outpost bench [NAME...] [--quick] --json`` and ``python -m tests.bench.run [--quick] [NAME...]``
both come here. ``--quick`` uses small sizes (a smoke run, under a minute); the full
run builds a 200,000-patient store and takes several minutes. Generated stores live in
a temporary folder and are deleted afterwards.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Callable

from app.errors import ValidationError
from tests.bench import bench_chart, bench_cipher, bench_import, bench_search, bench_sync

BENCHMARKS: dict[str, Callable[[bool], dict]] = {
    "search": bench_search.run,
    "chart": bench_chart.run,
    "cipher": bench_cipher.run,
    "sync": bench_sync.run,
    "import": bench_import.run,
    "startup": __import__("tests.bench.bench_startup", fromlist=["run"]).run,
    "dashboard": __import__("tests.bench.bench_dashboard", fromlist=["run"]).run,
    "chart-ui": __import__("tests.bench.bench_chart_ui", fromlist=["run"]).run,
}


def run_benchmarks(names: list[str] | None = None, *, quick: bool = False) -> dict:
    """Run the named benchmarks (all when None); ValidationError names an unknown one."""
    names = list(names or BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise ValidationError({"benchmark": f"unknown: {', '.join(unknown)}; "
                               f"choose from {', '.join(BENCHMARKS)}"})
    results: dict = {}
    for name in names:
        started = time.perf_counter()
        results[name] = BENCHMARKS[name](quick)
        results[name]["seconds"] = round(time.perf_counter() - started, 1)
    results["quick"] = quick
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run ({', '.join(BENCHMARKS)}); default all")
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    args = parser.parse_args(argv)
    try:
        results = run_benchmarks(args.names or None, quick=args.quick)
    except ValidationError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
