"""Tests of the engine the routing benchmarks run (benchmarks/engine.py): zones, searches side by side, fewer routes."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from operator import attrgetter

import numpy as np
import pytest
from test_routing import DAY, check_feasible, make_problem

from benchmarks.engine import SEARCH, solve
from benchmarks.fleet import eliminate_routes, fleet_first
from benchmarks.portfolio import best_of
from planner.geo.travel import TravelMatrix
from planner.routing.improve import total_cost
from planner.routing.ortools_solver import solve_ortools
from planner.routing.problem import Problem, Route, Solution
from planner.routing.zones import make_zones
from planner.settings import TravelSettings


@pytest.mark.parametrize(("lazy", "processes"), [(False, 2), (True, 2), (False, 1)])
def test_engine_solves_a_problem_larger_than_one_zone(lazy, processes):
    """The engine cuts 400 visits into zones, merges and improves them, and serves every visit.

    With two processes two differently started searches run side by side.
    """
    problem = make_problem(400, vehicles=20, side_m=5000, seed=2)
    if lazy:
        problem = Problem(
            TravelMatrix(problem.coords, TravelSettings()),
            problem.service_s,
            problem.windows,
            problem.vehicles,
            coords=problem.coords,
        )
    solution = solve(problem, 8, seed=0, processes=processes)
    assert solution.unassigned == []
    check_feasible(problem, solution)


def _solution(cost: int) -> Solution:
    return Solution(routes=[], objective=cost)


def _fail() -> Solution:
    raise RuntimeError("a search that crashes")


def test_portfolio_keeps_the_cheapest_search_and_the_first_of_ties():
    """Searches run side by side; the cheapest wins, and of equal ones the first."""
    by_objective = attrgetter("objective")
    searches = [partial(_solution, 5), partial(_solution, 3), partial(_solution, 3)]
    best = best_of(searches, by_objective, 5)
    assert best.objective == 3
    tie = best_of([partial(_solution, 4), partial(_solution, 9)], lambda solution: 0, 5)
    assert tie.objective == 4


def test_portfolio_survives_a_search_that_crashes():
    """A failing search in a child process is left out; the others' best is returned."""
    best = best_of([partial(_solution, 7), _fail], attrgetter("objective"), 5)
    assert best.objective == 7


def test_engine_portfolio_of_two_processes_serves_every_visit():
    """With two processes the engine returns a feasible solution serving every shop."""
    problem = make_problem(60, vehicles=6)
    solution = solve(problem, 3, seed=0, processes=2)
    assert solution.unassigned == []
    check_feasible(problem, solution)
    assert solution.objective == total_cost(problem, solution)


def test_engine_search_with_close_visit_ruin_and_recreate_is_feasible():
    """OR-Tools with the engine's extra operators keeps windows, lunch and shifts."""
    problem = make_problem(50, vehicles=5, breaks=True)
    solution = solve_ortools(problem, 2, first_solution="LOCAL_CHEAPEST_INSERTION", search=SEARCH)
    assert solution.unassigned == []
    check_feasible(problem, solution)


def _zones_then(cost: int) -> Solution:
    make_zones(np.random.default_rng(cost).uniform(0, 6000, (1000, 2)), 150, seed=cost)
    return _solution(cost)


def test_portfolio_children_can_cut_zones_after_the_parent_did():
    """A forked search runs k-means even when the parent ran it first (no OpenMP deadlock)."""
    _zones_then(9)
    best = best_of([partial(_zones_then, 9), partial(_zones_then, 2)], attrgetter("objective"), 5)
    assert best.objective == 2


def _one_route_per_visit(problem: Problem) -> Solution:
    """Every visit on its own vehicle, as early as its window allows: a solution with routes to spare."""
    routes = []
    for vehicle, node in enumerate(problem.visits):
        there = int(problem.travel_s[0, node])
        start = max(problem.windows[node][0][0], DAY[0] + there)
        back = start + int(problem.service_s[node]) + there
        routes.append(Route(vehicle, (node,), (start,), start - there, back))
    return Solution(routes=routes)


def test_route_elimination_gives_up_the_routes_a_solution_can_do_without():
    """One route per visit: routes are given up, every visit served, all feasible."""
    base = make_problem(40, vehicles=40, seed=3)
    problem = replace(base, vehicles=tuple(replace(v, fixed_cost=10**7) for v in base.vehicles))
    wasteful = _one_route_per_visit(problem)
    check_feasible(problem, wasteful)
    assert fleet_first(problem, wasteful)
    fewer = eliminate_routes(problem, wasteful, 6, attempt_s=1, neighbourhood=20)
    assert len(fewer.routes) < len(wasteful.routes)
    check_feasible(problem, fewer)
    assert not fewer.unassigned


def test_route_elimination_is_only_for_problems_where_a_vehicle_outweighs_travel():
    problem = make_problem(40, vehicles=12, seed=3)
    cheap = replace(problem, vehicles=tuple(replace(v, fixed_cost=1) for v in problem.vehicles))
    assert not fleet_first(cheap, solve_ortools(cheap, 1))
