"""Tests of sharing a re-plan's budget: small re-plans keep the campaign's budgets, large ones shorten them."""

from __future__ import annotations

from dataclasses import replace

from planner.campaign.budget import (
    AUTO,
    CITY_BUDGET_S,
    DISTRICT_BUDGET_S,
    MIN_ZONE_S,
    default_budget_s,
    solver_budgets,
)
from planner.settings import SolverSettings

SOLVER = SolverSettings(time_limit_s=5.0, improve_s=20.0, zone_max_stops=120)


def test_a_small_replan_keeps_the_campaigns_full_budgets():
    """Two zones in a 20-second budget: every search keeps its stored seconds."""
    budgets = solver_budgets({"Jongno-gu": 200}, SOLVER, processes=2, budget_s=60.0)
    assert budgets["Jongno-gu"].time_limit_s == SOLVER.time_limit_s
    assert budgets["Jongno-gu"].improve_s <= SOLVER.improve_s


def test_more_work_left_means_shorter_zone_searches_within_the_budget():
    """Zone seconds fall as shops grow and the solves fit the budget on the workers; never below the floor."""
    small = solver_budgets({"Jongno-gu": 1_500}, SOLVER, 2, DISTRICT_BUDGET_S)["Jongno-gu"]
    large = solver_budgets({"Jongno-gu": 3_000}, SOLVER, 2, DISTRICT_BUDGET_S)["Jongno-gu"]
    assert MIN_ZONE_S <= large.time_limit_s < small.time_limit_s < SOLVER.time_limit_s
    zones = 3_000 // 120
    assert zones * large.time_limit_s / 2 + large.improve_s <= DISTRICT_BUDGET_S
    huge = solver_budgets({"Jongno-gu": 100_000}, SOLVER, 2, DISTRICT_BUDGET_S)["Jongno-gu"]
    assert huge.time_limit_s == MIN_ZONE_S


def test_districts_share_improvement_seconds_by_size():
    """A district with twice the shops gets twice the improvement seconds; zone seconds are the same."""
    budgets = solver_budgets({"Jongno-gu": 4_000, "Jung-gu": 2_000}, SOLVER, 2, 60.0)
    assert budgets["Jongno-gu"].time_limit_s == budgets["Jung-gu"].time_limit_s
    assert budgets["Jongno-gu"].improve_s == 2 * budgets["Jung-gu"].improve_s > 0


def test_no_budget_or_a_solution_limit_keeps_the_solver_unchanged():
    """Without a budget, or when searches stop after a solution count (repeatable plans), nothing changes."""
    assert solver_budgets({"Jongno-gu": 3_000}, SOLVER, 2, None)["Jongno-gu"] == SOLVER
    limited = replace(SOLVER, solution_limit=100)
    assert solver_budgets({"Jongno-gu": 3_000}, limited, 2, 10.0)["Jongno-gu"] == limited


def test_the_automatic_budget_grows_with_districts_up_to_the_city_cap():
    """One district gets the district budget; the 25 districts together get the city's."""
    assert default_budget_s(1) == DISTRICT_BUDGET_S
    assert default_budget_s(25) == CITY_BUDGET_S
    auto = solver_budgets({"Jongno-gu": 3_000}, SOLVER, 2, AUTO)
    assert auto == solver_budgets({"Jongno-gu": 3_000}, SOLVER, 2, DISTRICT_BUDGET_S)
