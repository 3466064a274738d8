"""The district-week benchmark against PyVRP and plain OR-Tools (the whole run skipped without PyVRP)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks import week_peers
from planner.geo.districts import find_district
from planner.io.read import read_merchants
from planner.planning.pipeline import CUTOFF
from planner.planning.shops import prepare_shops
from planner.planning.triage import needing, triage
from planner.planning.week import Slot
from planner.routing.problem import Route, Solution


def test_forty_shops_every_solver_row_is_written_and_verified(tmp_path):
    """Each solver's plan of a 40-shop week is one CSV row with the agreed columns, re-checked as valid; the chart is drawn."""
    pytest.importorskip("pyvrp")
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


def test_lunch_of_no_length_goes_where_no_visit_is_under_way():
    """A PyVRP route's zero-length lunch starts at the window's start, or after the visit then under way."""
    settings = week_peers.shared_settings(week_peers.parse_args(["--out", "unused"]))
    earliest, _ = settings.week.lunch_window_s(1)
    service = np.array([0, 600, 600])
    slots = [Slot(0, 0), Slot(1, 0)]
    free = Route(1, (1,), (earliest - 3600,), earliest - 4000, earliest - 2000)
    busy = Route(1, (1, 2), (earliest - 300, earliest + 900), earliest - 1000, earliest + 2000)
    assert week_peers.with_lunch(free, service, settings, slots).breaks_s == (earliest,)
    assert week_peers.with_lunch(busy, service, settings, slots).breaks_s == (earliest + 300,)


def test_a_solver_without_a_solution_is_not_verified(tmp_path, small_merchants_path):
    """A peer that returns no routes while shops wait for a worker is recorded as not verified."""
    settings = week_peers.shared_settings(week_peers.parse_args(["--out", "unused"]))
    merchants = read_merchants(small_merchants_path).merchants
    shops = prepare_shops(needing(triage(merchants, scenario="full", cutoff=CUTOFF)), settings)
    fit = np.flatnonzero(shops["fits"].to_numpy())
    slots = [Slot(day, 0) for day in range(settings.week.days)]
    nothing = Solution(routes=[], unassigned=[int(k) + 1 for k in range(len(fit))])
    district = find_district("Jongno-gu")
    plan = week_peers.peer_plan(nothing, shops, fit, slots, district, settings, staff=1)
    verified, figures = week_peers.record(plan, tmp_path / "ortools", merchants, settings)
    assert not verified
    assert figures["staff_days"] == 0 and figures["unassigned"] == len(shops)
