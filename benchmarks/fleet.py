"""Fewer vehicles: take one route away and let OR-Tools fit its visits into the others."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from planner.routing.improve import (
    droppable,
    first_solution_for,
    lift_routes,
    route_barycentres,
    subproblem,
    total_cost,
)
from planner.routing.ortools_solver import GUIDED, Search, solve_ortools
from planner.routing.problem import Problem, Route, Solution

ATTEMPT_S = 5.0  # search time for one route's visits to find room elsewhere
NEAR_MISS = 3  # an attempt that leaves at most this many visits out is searched again
RETRIES = 3  # how many times a near miss is searched again from where it stopped
NEIGHBOURHOOD = 250  # visits of the routes that take in a removed route's visits, at most


def fleet_first(problem: Problem, solution: Solution) -> bool:
    """Whether one vehicle costs more than all the travel: then fewer vehicles come first.

    Parameters
    ----------
    problem
        The problem, for the vehicles' fixed costs and the arc costs.
    solution
        A solution whose travel cost is compared.

    Returns
    -------
    bool
        True when the cheapest vehicle's fixed cost exceeds the solution's travel cost.
    """
    fixed = [v.fixed_cost for v in problem.vehicles]
    return bool(fixed) and min(fixed) > solution.travel_cost(problem)


def eliminate_routes(
    problem: Problem,
    solution: Solution,
    time_limit_s: float,
    attempt_s: float = ATTEMPT_S,
    search: Search = GUIDED,
    neighbourhood: int = NEIGHBOURHOOD,
) -> Solution:
    """Remove routes one at a time while their visits fit into the remaining routes.

    Each attempt takes the emptiest route not yet tried, leaves its visits out of a problem with
    the routes nearest to it (by barycentre, up to ``neighbourhood`` visits; all of them in a
    small problem) as a warm start and no spare vehicle, and lets OR-Tools' ``search`` insert
    them, every visit at a prohibitive price if dropped. An attempt that serves everything
    replaces the solution (and every route may be tried again); one that leaves a few visits
    out is searched again from where it stopped (guided local search restarts its penalties,
    which shakes the routes); otherwise the next emptiest route is tried. Stops when the budget
    ends or every route failed. Only for complete solutions of problems whose visits are all
    mandatory.

    Parameters
    ----------
    problem
        The problem, with ``coords``.
    solution
        A complete solution to start from.
    time_limit_s
        Wall-clock budget for all attempts.
    attempt_s
        Budget of one attempt.
    search
        How OR-Tools searches in an attempt.
    neighbourhood
        Visits of the routes that take in a removed route's visits, at most.

    Returns
    -------
    Solution
        A solution with at most as many routes as ``solution``, every visit served.
    """
    began = time.perf_counter()
    best, tried = solution, set()

    def left() -> float:
        return time_limit_s - (time.perf_counter() - began)

    while left() > 0.5 and len(best.routes) > 1:
        untried = [r for r in sorted(best.routes, key=lambda r: len(r.visits)) if r.vehicle not in tried]
        if not untried:
            break
        removed = untried[0]
        others = _nearest_routes(problem, best, removed, neighbourhood)
        sub, nodes, vehicles, initial = subproblem(problem, others, [], list(removed.visits))
        sub = replace(sub, penalty=droppable(problem, sub, nodes))
        start = initial
        for _ in range(1 + RETRIES):  # a near miss is searched again from where it stopped
            result = solve_ortools(
                sub,
                min(attempt_s, left()),
                initial=start,
                first_solution=first_solution_for(sub),
                search=search,
            )
            if not (result.routes and 0 < len(result.unassigned) <= NEAR_MISS) or left() <= 0.5:
                break
            start = result
        if result.routes and not result.unassigned:
            replaced = {r.vehicle for r in others} | {removed.vehicle}
            kept = [r for r in best.routes if r.vehicle not in replaced]
            routes = kept + lift_routes(result.routes, nodes, vehicles)
            best, tried = Solution(routes=routes, unassigned=list(best.unassigned)), set()
        else:
            tried.add(removed.vehicle)
    best.objective = total_cost(problem, best)
    best.seconds = solution.seconds + time.perf_counter() - began
    return best


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
