"""The district-week benchmark against PyVRP and plain OR-Tools (skipped without PyVRP)."""

from __future__ import annotations

import pandas as pd
import pytest

pytest.importorskip("pyvrp")

from benchmarks import week_peers  # noqa: E402


def test_forty_shops_every_solver_row_is_written_and_verified(tmp_path):
    """Each solver's plan of a 40-shop week is one CSV row with the agreed columns, re-checked as valid; the chart is drawn."""
    week_peers.main(
        ["--district", "Jongno-gu", "--sizes", "40", "--seed", "0", "--out", str(tmp_path)]
        + ["--time-limit", "0.2", "--improve", "0", "--chart", str(tmp_path / "chart.png")]
    )
    table = pd.read_csv(tmp_path / "week_peers.csv")
    assert list(table.columns[:10]) == [
        "district",
        "size",
        "seed",
        "solver",
        "budget_s",
        "staff_days",
        "travel_min",
        "wall_s",
        "peak_mb",
        "verified",
    ]
    assert sorted(table["solver"]) == ["ortools", "planner", "pyvrp", "pyvrp"]
    assert table["verified"].all()
    assert (table["size"] == 40).all() and (table["staff_days"] > 0).all()
    assert (tmp_path / "jongno-gu-40" / "pyvrp-3x" / "routes.csv").is_file()
    assert (tmp_path / "chart.png").stat().st_size > 0
