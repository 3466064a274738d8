"""Fewer vehicles: take one route away and let OR-Tools fit its visits into the others."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import numpy as np

from planner.routing.improve import droppable, first_solution_for, route_barycentres, subproblem, total_cost
from planner.routing.ortools_solver import GUIDED, Search, solve_ortools
from planner.routing.parallel import map_with_problem
from planner.routing.problem import Problem, Route, Solution

ATTEMPT_S = 5.0  # search time for one route's visits to find room elsewhere
NEAR_MISS = 3  # an attempt that leaves at most this many visits out is searched again
RETRIES = 3  # how many times a near miss is searched again from where it stopped
NEIGHBOURHOOD = 250  # visits of the routes that take in a removed route's visits, at most


def fleet_first(problem: Problem, solution: Solution) -> bool:
    """Whether one vehicle costs more than all the travel: then fewer vehicles come first."""
    fixed = [v.fixed_cost for v in problem.vehicles]
    return bool(fixed) and min(fixed) > solution.travel_cost(problem)


def eliminate_routes(
    problem: Problem,
    solution: Solution,
    time_limit_s: float,
    attempt_s: float = ATTEMPT_S,
    search: Search = GUIDED,
    neighbourhood: int = NEIGHBOURHOOD,
    pool: ProcessPoolExecutor | None = None,
    processes: int = 1,
) -> Solution:
    """Remove routes one at a time while their visits fit into the remaining routes.

    Each attempt takes the emptiest route not yet tried, leaves its visits out of a problem with
    the routes nearest to it (by barycentre, up to ``neighbourhood`` visits; all of them in a
    small problem) as a warm start and no spare vehicle, and lets OR-Tools' ``search`` insert
    them, every visit at a prohibitive price if dropped. An attempt that serves everything
    replaces those routes (and every route may be tried again); one that leaves a few visits
    out is searched again from where it stopped (guided local search restarts its penalties,
    which shakes the routes); otherwise the next emptiest route is tried. With a ``pool``, up
    to ``processes`` attempts whose routes do not overlap run at once. Stops when the budget
    ends or every route failed. Only for complete solutions of problems whose visits are all
    mandatory.

    Returns
    -------
    Solution
        A solution with at most as many routes as ``solution``, every visit served.
    """
    began = time.perf_counter()
    best, tried = solution, set()
    at_once = processes if pool is not None else 1
    while (left := time_limit_s - (time.perf_counter() - began)) > 0.5 and len(best.routes) > 1:
        batch = _attempts(problem, best, tried, at_once, neighbourhood)
        if not batch:
            break
        jobs = [(removed, others, attempt_s, left, search) for removed, others in batch]
        succeeded = False
        for (removed, others), routes in zip(
            batch, map_with_problem(pool, problem, _attempt, jobs), strict=True
        ):
            if routes is None:
                tried.add(removed.vehicle)
                continue
            replaced = {r.vehicle for r in others} | {removed.vehicle}
            best = Solution(
                routes=[r for r in best.routes if r.vehicle not in replaced] + routes,
                unassigned=list(best.unassigned),
            )
            succeeded = True
        if succeeded:
            tried = set()
    best.objective = total_cost(problem, best)
    best.seconds = solution.seconds + time.perf_counter() - began
    return best


def _attempts(
    problem: Problem, solution: Solution, tried: set[int], count: int, neighbourhood: int
) -> list[tuple[Route, list[Route]]]:
    """Up to ``count`` emptiest untried routes, each with its nearest routes, sharing no route."""
    batch, busy = [], set()
    for removed in sorted(solution.routes, key=lambda r: len(r.visits)):
        if len(batch) == count:
            break
        if removed.vehicle in tried or removed.vehicle in busy:
            continue
        others = _nearest_routes(problem, solution, removed, neighbourhood)
        vehicles = {r.vehicle for r in others} | {removed.vehicle}
        if vehicles & busy:
            continue
        batch.append((removed, others))
        busy |= vehicles
    return batch


def _attempt(
    problem: Problem, removed: Route, others: list[Route], attempt_s: float, budget_s: float, search: Search
) -> list[Route] | None:
    """``others`` with the visits of ``removed`` fitted in (problem numbering), or None."""
    began = time.perf_counter()
    sub, nodes, vehicles, initial = subproblem(problem, others, [], list(removed.visits))
    sub = replace(sub, penalty=droppable(problem, sub, nodes))
    first = first_solution_for(sub)
    result = solve_ortools(
        sub, min(attempt_s, budget_s), initial=initial, first_solution=first, search=search
    )
    for _ in range(RETRIES):
        left = budget_s - (time.perf_counter() - began)
        if not result.routes or not 0 < len(result.unassigned) <= NEAR_MISS or left <= 0.5:
            break
        result = solve_ortools(sub, min(attempt_s, left), initial=result, first_solution=first, search=search)
    if not result.routes or result.unassigned:
        return None
    return [
        replace(r, vehicle=vehicles[r.vehicle], visits=tuple(int(nodes[i]) for i in r.visits))
        for r in result.routes
    ]


def _nearest_routes(problem: Problem, solution: Solution, removed: Route, neighbourhood: int) -> list[Route]:
    """The routes other than ``removed`` whose barycentres are nearest to it, up to ``neighbourhood`` visits."""
    others = [r for r in solution.routes if r is not removed]
    if sum(len(r.visits) for r in others) <= neighbourhood or problem.coords is None:
        return others
    centres = route_barycentres(problem, Solution(routes=others))
    centre = problem.coords[list(removed.visits)].mean(axis=0)
    chosen, visits = [], 0
    for k in np.argsort(((centres - centre) ** 2).sum(axis=1), kind="stable"):
        if chosen and visits + len(others[k].visits) > neighbourhood:
            break
        chosen.append(others[k])
        visits += len(others[k].visits)
    return chosen
