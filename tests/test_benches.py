"""The benchmarks still run (tiny sizes): a bench broken by a refactor is caught here, not
when someone needs its figures. Speed itself is never asserted in tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

BENCHES = [
    ["bench.core_turn", "--turns", "5", "--events", "20", "--big", "50"],
    ["bench.slack_turn", "--requests", "20", "--concurrency", "2", "--stall", "0.2"],
    ["bench.teams_turn", "10"],
    [
        "bench.ops_metrics",
        "--turns",
        "10",
        "--loop",
        "2000",
        "--reminders",
        "50",
        "--tenants",
        "3",
        "--scrapes",
        "5",
    ],
    ["bench.fact_reader", "--rounds", "1"],
    ["bench.leakcheck", "--rounds", "1", "--emails", "5"],
    ["bench.understanding", "--rounds", "1"],
    ["bench.reading", "--rounds", "1"],
    ["bench.brief", "--events", "60", "--rounds", "2"],
    ["bench.portfolio", "--deals", "20", "--events", "5", "--rounds", "2"],
]


@pytest.mark.parametrize("argv", BENCHES, ids=[b[0] for b in BENCHES])
def test_bench_runs_and_prints_its_figures(argv):
    out = subprocess.run([sys.executable, "-m", *argv], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "p50" in out.stdout and "floor" in out.stdout.casefold(), out.stdout[-2000:]
