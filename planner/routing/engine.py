"""planner's routing engine: OR-Tools on zones it solves well, then re-optimisation across zones."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from planner.routing.improve import droppable, first_solution_for, improve, subproblem, total_cost
from planner.routing.ortools_solver import solve_ortools
from planner.routing.problem import Problem, Route, Solution
from planner.routing.zones import make_zones

DIRECT_MAX = 200  # up to this many visits, OR-Tools alone on the whole problem
ZONE_SIZE = 150
START_SHARE = 0.3  # share of the budget spent on the first solution
SMALL_SUB_VISITS = 50  # sub-problem size when the whole problem is small
SMALL_SUB_TIME_S = 0.5
LONG_ROUTES = 5  # up to this many routes, a small problem is searched whole
PROBE_SHARE = 0.15  # budget share of the first look at a small problem's route count


def solve(
    problem: Problem,
    time_limit_s: float,
    seed: int = 0,
    progress: Callable[[float, float, str], None] | None = None,
) -> Solution:
    """Solve a time-windowed multi-vehicle problem within ``time_limit_s``.

    The first solution comes from OR-Tools on the whole problem when it is small, else from
    zones of about ``ZONE_SIZE`` visits, each solved by OR-Tools with a share of the fleet. The
    rest of the budget improves it by route-based decomposition (``planner.routing.improve``).
    Without ``problem.coords`` the engine is plain OR-Tools.
    """
    began = time.perf_counter()
    strategy = first_solution_for(problem)
    if problem.coords is None:
        return solve_ortools(problem, time_limit_s, seed, first_solution=strategy)
    if len(problem.visits) <= DIRECT_MAX:
        return _solve_small(problem, time_limit_s, seed, strategy, progress)
    start = _zoned_start(problem, START_SHARE * time_limit_s, seed, strategy)
    left = time_limit_s - (time.perf_counter() - began)
    best = start
    if left > 1.0 and start.routes:
        best = improve(problem, start, left, seed, 1.0, progress)
    best.seconds = time.perf_counter() - began
    best.objective = total_cost(problem, best)
    return best


def _solve_small(problem: Problem, time_limit_s: float, seed: int, strategy: str, progress) -> Solution:
    """A problem OR-Tools can take whole: its own search, then re-solved groups of routes.

    A short PATH_CHEAPEST_ARC search tells whether routes are long (few of them). If so, a group
    of routes would be the whole problem, so OR-Tools goes on searching from there. Otherwise a
    SAVINGS start is improved by re-solving groups of about ``SMALL_SUB_VISITS`` visits, which
    on Solomon's short-route classes cut the gap of one long OR-Tools search by more than half.
    """
    began = time.perf_counter()
    first = "PATH_CHEAPEST_ARC" if strategy == "SAVINGS" else strategy
    probe = solve_ortools(problem, PROBE_SHARE * time_limit_s, seed, first_solution=first)
    long_routes = probe.routes and not probe.unassigned and len(probe.routes) <= LONG_ROUTES
    if long_routes:
        left = time_limit_s - (time.perf_counter() - began)
        best = (
            solve_ortools(problem, left, seed, first_solution=first, initial=probe) if left > 0.5 else probe
        )
    else:
        start = solve_ortools(problem, START_SHARE * time_limit_s, seed, first_solution=strategy)
        left = time_limit_s - (time.perf_counter() - began)
        best = start
        if left > SMALL_SUB_TIME_S and start.routes:
            best = improve(problem, start, left, seed, SMALL_SUB_TIME_S, progress, SMALL_SUB_VISITS)
    best.seconds = time.perf_counter() - began
    best.objective = total_cost(problem, best)
    return best


def _zoned_start(problem: Problem, budget_s: float, seed: int, strategy: str) -> Solution:
    visits = np.array(problem.visits)
    labels = make_zones(problem.coords[visits], ZONE_SIZE, seed)
    zones = [visits[labels == z] for z in range(labels.max() + 1)]
    shares = _fleet_shares(problem, zones)
    routes: list[Route] = []
    unassigned: list[int] = []
    free = list(range(len(problem.vehicles)))
    for members, share in zip(zones, shares, strict=True):
        fleet, free = free[:share], free[share:]
        if not fleet:
            unassigned += [int(i) for i in members]
            continue
        empty = [Route(v, (), (), 0, 0) for v in fleet]
        sub, nodes, vehicles, _ = subproblem(problem, empty, [], [int(i) for i in members])
        sub = replace(sub, penalty=droppable(problem, sub, nodes))
        result = solve_ortools(sub, budget_s / len(zones), seed, first_solution=strategy)
        used = {r.vehicle for r in result.routes}
        free += [vehicles[k] for k in range(len(vehicles)) if k not in used]
        routes += [
            replace(r, vehicle=vehicles[r.vehicle], visits=tuple(int(nodes[i]) for i in r.visits))
            for r in result.routes
        ]
        unassigned += [int(nodes[i]) for i in result.unassigned]
    solution = Solution(routes=routes, unassigned=sorted(unassigned))
    if unassigned and free:
        solution = _insert_leftovers(problem, solution, free, budget_s / 4, strategy)
    return solution


def _fleet_shares(problem: Problem, zones: list[np.ndarray]) -> list[int]:
    """Vehicles lent to each zone: its share of the visits, with room to spare."""
    total = sum(len(z) for z in zones)
    fleet = len(problem.vehicles)
    return [max(1, math.ceil(1.5 * fleet * len(z) / total)) for z in zones]


def _insert_leftovers(
    problem: Problem, solution: Solution, free: list[int], budget_s: float, strategy: str
) -> Solution:
    empty = [Route(v, (), (), 0, 0) for v in free]
    sub, nodes, vehicles, _ = subproblem(problem, empty, [], solution.unassigned)
    sub = replace(sub, penalty=droppable(problem, sub, nodes))
    result = solve_ortools(sub, max(1.0, budget_s), first_solution=strategy)
    routes = [
        replace(r, vehicle=vehicles[r.vehicle], visits=tuple(int(nodes[i]) for i in r.visits))
        for r in result.routes
    ]
    return Solution(
        routes=solution.routes + routes, unassigned=sorted(int(nodes[i]) for i in result.unassigned)
    )
