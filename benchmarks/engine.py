"""planner's routing engine: OR-Tools on zones it solves well, then re-optimisation across zones."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial

import numpy as np

from benchmarks.fleet import eliminate_routes, fleet_first
from benchmarks.portfolio import best_of, processes_available
from planner.routing.improve import (
    droppable,
    first_solution_for,
    improve,
    lift_routes,
    subproblem,
    total_cost,
)
from planner.routing.ortools_solver import Search, solve_ortools
from planner.routing.problem import Problem, Route, Solution
from planner.routing.zones import make_zones

DIRECT_MAX = 200  # up to this many visits, OR-Tools alone on the whole problem
ZONE_SIZE = 150
START_SHARE = 0.3  # share of the budget spent on the first solution
LARGE_SUB_VISITS = 200  # sub-problem size of a zoned problem: a few routes, and room to empty one
LARGE_SUB_TIME_S = 1.5
SMALL_REMOVAL_GROWTH = 2.0  # removal steps this many times larger when vehicles have a fixed cost
LARGE_REMOVAL_GROWTH = 1.5
SMALL_SUB_VISITS = 50  # sub-problem size when the whole problem is small
SMALL_SUB_TIME_S = 0.5
LONG_ROUTES = 5  # up to this many routes, a small problem is searched whole
PROBE_SHARE = 0.15  # budget share of the first look at a small problem's route count
ELIMINATION_SHARE = 0.5  # share of what is left spent removing routes when vehicles come first
PORTFOLIO = 2  # searches run side by side, one per core
ALTERNATIVE_START = "PARALLEL_CHEAPEST_INSERTION"  # the second search's first solution
ALTERNATIVE_PROBE = "SAVINGS"  # and its start on a small problem with long routes
# Guided local search plus OR-Tools' ruin-and-recreate of close visits (SISR-like moves)
SEARCH = Search(
    operators=("local_cheapest_insertion_close_nodes_lns", "global_cheapest_insertion_close_nodes_lns")
)


def solve(
    problem: Problem,
    time_limit_s: float,
    seed: int = 0,
    progress: Callable[[float, float, str], None] | None = None,
    processes: int | None = None,
) -> Solution:
    """Solve a time-windowed multi-vehicle problem within ``time_limit_s``.

    Runs up to ``processes`` differently started and seeded searches (``search``) in parallel
    processes and keeps the cheapest; by default one per core, at most ``PORTFOLIO``.

    Parameters
    ----------
    problem
        The problem; with ``coords`` the engine decomposes it, without it is plain OR-Tools.
    time_limit_s
        Wall-clock budget.
    seed
        Seed of the first search; the others use the following seeds.
    progress
        Called as ``progress(elapsed_s, budget_s, text)`` by the first search.
    processes
        Searches run side by side; ``None`` means one per available core, at most ``PORTFOLIO``.

    Returns
    -------
    Solution
        The cheapest solution found, with its objective and the wall-clock seconds spent.
    """
    began = time.perf_counter()
    count = min(PORTFOLIO, processes_available()) if processes is None else max(1, processes)
    searches = [
        partial(search, problem, time_limit_s, seed + k, progress if k == 0 else None, k)
        for k in range(count)
    ]
    best = best_of(searches, partial(total_cost, problem), time_limit_s)
    best.seconds = time.perf_counter() - began
    return best


def search(
    problem: Problem,
    time_limit_s: float,
    seed: int = 0,
    progress: Callable[[float, float, str], None] | None = None,
    variant: int = 0,
) -> Solution:
    """One search of the engine within ``time_limit_s`` (``variant`` > 0: the alternative start).

    The first solution comes from OR-Tools on the whole problem when it is small, else from
    zones of about ``ZONE_SIZE`` visits, each solved by OR-Tools with a share of the fleet. The
    rest of the budget improves it by route-based decomposition (``planner.routing.improve``).
    Without ``problem.coords`` the engine is plain OR-Tools.

    Parameters
    ----------
    problem
        The problem to solve.
    time_limit_s
        Wall-clock budget.
    seed
        Seed of the search's random choices.
    progress
        Called as ``progress(elapsed_s, budget_s, text)`` while improving.
    variant
        0 for the usual first-solution strategy, more for the alternative one.

    Returns
    -------
    Solution
        The best solution found, with its objective and the wall-clock seconds spent.
    """
    began = time.perf_counter()
    strategy = first_solution_for(problem)
    if variant and strategy == "SAVINGS":
        strategy = ALTERNATIVE_START
    if problem.coords is None:
        return solve_ortools(problem, time_limit_s, seed, first_solution=strategy, search=SEARCH)
    if len(problem.visits) <= DIRECT_MAX:
        probe_first = ALTERNATIVE_PROBE if variant and strategy == ALTERNATIVE_START else None
        return _solve_small(problem, time_limit_s, seed, strategy, progress, probe_first)
    start = _zoned_start(problem, START_SHARE * time_limit_s, seed, strategy)
    left = time_limit_s - (time.perf_counter() - began)
    start = _fewer_routes(problem, start, ELIMINATION_SHARE * left)
    left = time_limit_s - (time.perf_counter() - began)
    best = start
    if left > 1.0 and start.routes:
        best = improve(
            problem,
            start,
            left,
            seed,
            LARGE_SUB_TIME_S,
            progress,
            LARGE_SUB_VISITS,
            SEARCH,
            LARGE_REMOVAL_GROWTH if _fixed_costs(problem) else 1.0,
        )
    best.seconds = time.perf_counter() - began
    best.objective = total_cost(problem, best)
    return best


def _solve_small(
    problem: Problem, time_limit_s: float, seed: int, strategy: str, progress, probe_first: str | None = None
) -> Solution:
    """A problem OR-Tools can take whole: its own search, then re-solved groups of routes.

    A short PATH_CHEAPEST_ARC search tells whether routes are long (few of them). If so, a group
    of routes would be the whole problem, so OR-Tools goes on searching from there. Otherwise a
    SAVINGS start is improved by re-solving groups of about ``SMALL_SUB_VISITS`` visits, which
    on Solomon's short-route classes cut the gap of one long OR-Tools search by more than half.
    """
    began = time.perf_counter()
    first = probe_first or ("PATH_CHEAPEST_ARC" if strategy == "SAVINGS" else strategy)
    # Plain guided local search: the extra operators slow it down on long routes (R2, RC2).
    probe = solve_ortools(problem, PROBE_SHARE * time_limit_s, seed, first_solution=first)
    long_routes = probe.routes and not probe.unassigned and len(probe.routes) <= LONG_ROUTES
    left = time_limit_s - (time.perf_counter() - began)
    if long_routes:
        probe = _fewer_routes(problem, probe, ELIMINATION_SHARE * left)
        left = time_limit_s - (time.perf_counter() - began)
        best = (
            solve_ortools(problem, left, seed, first_solution=first, initial=probe) if left > 0.5 else probe
        )
    else:
        start = solve_ortools(
            problem, START_SHARE * time_limit_s, seed, first_solution=strategy, search=SEARCH
        )
        complete = problem.penalty is not None or not probe.unassigned  # mandatory visits all served
        if probe.routes and complete and total_cost(problem, probe) < total_cost(problem, start):
            start = probe  # the probe's search already did better: improve that instead
        left = time_limit_s - (time.perf_counter() - began)
        start = _fewer_routes(problem, start, ELIMINATION_SHARE * left)
        left = time_limit_s - (time.perf_counter() - began)
        best = start
        if left > SMALL_SUB_TIME_S and start.routes:
            best = improve(
                problem,
                start,
                left,
                seed,
                SMALL_SUB_TIME_S,
                progress,
                SMALL_SUB_VISITS,
                SEARCH,
                SMALL_REMOVAL_GROWTH if _fixed_costs(problem) else 1.0,
            )
    best.seconds = time.perf_counter() - began
    best.objective = total_cost(problem, best)
    return best


def _fewer_routes(problem: Problem, solution: Solution, budget_s: float) -> Solution:
    """Routes removed one by one (``benchmarks.fleet``) when one vehicle outweighs all travel."""
    complete = solution.routes and not solution.unassigned and problem.penalty is None
    if not complete or not fleet_first(problem, solution) or budget_s < 1.0:
        return solution
    return eliminate_routes(problem, solution, budget_s, search=SEARCH)


def _fixed_costs(problem: Problem) -> bool:
    """Whether using a vehicle costs something: then emptying routes is worth larger steps."""
    return any(v.fixed_cost > 0 for v in problem.vehicles)


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
        result = solve_ortools(sub, budget_s / len(zones), seed, first_solution=strategy, search=SEARCH)
        used = {r.vehicle for r in result.routes}
        free += [vehicles[k] for k in range(len(vehicles)) if k not in used]
        routes += lift_routes(result.routes, nodes, vehicles)
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
    result = solve_ortools(sub, max(1.0, budget_s), first_solution=strategy, search=SEARCH)
    routes = lift_routes(result.routes, nodes, vehicles)
    return Solution(
        routes=solution.routes + routes, unassigned=sorted(int(nodes[i]) for i in result.unassigned)
    )
