"""Improve a solution by route-based decomposition: re-solve a route and its nearest routes together."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from planner.routing.ortools_solver import GUIDED, Search, solve_ortools
from planner.routing.problem import Problem, Route, Solution

SUB_VISITS = 120  # visits per sub-problem: where OR-Tools is at its best
REMOVAL_SHARE = 0.3  # share of steps that try to empty a route (fewer workers)
MERGE_SHARE = 0.15  # share of steps that re-solve the emptiest routes together
EMPTIEST = 3  # a large removal step targets one of this many emptiest routes
MIN_ROUTES = 1  # a sub-problem always holds at least this many routes, however long


def total_cost(problem: Problem, solution: Solution) -> int:
    """Objective of a solution: fixed costs of the vehicles used, arc costs and drop penalties.

    Parameters
    ----------
    problem
        The problem the solution solves.
    solution
        Its routes and unassigned visits.

    Returns
    -------
    int
        The cost OR-Tools minimises, in the problem's cost units.
    """
    fixed = sum(problem.vehicles[r.vehicle].fixed_cost for r in solution.routes if r.visits)
    penalty = 0
    if problem.penalty is not None:
        penalty = int(sum(max(0, int(problem.penalty[i])) for i in solution.unassigned))
    return int(fixed + solution.travel_cost(problem) + penalty)


def route_barycentres(problem: Problem, solution: Solution) -> np.ndarray:
    """Mean position of each route's visits (``(routes, 2)``).

    Parameters
    ----------
    problem
        The problem, with ``coords``.
    solution
        Its routes, each with at least one visit.

    Returns
    -------
    numpy.ndarray
        One row of metric coordinates per route, in ``solution.routes`` order.
    """
    return np.array([problem.coords[list(r.visits)].mean(axis=0) for r in solution.routes])


def subproblem(problem: Problem, routes: list[Route], extra_vehicles: list[int], extra_visits: list[int]):
    """The problem restricted to ``routes`` (plus spare vehicles and loose visits), and its node map.

    Parameters
    ----------
    problem
        The whole problem.
    routes
        The routes whose vehicles and visits the sub-problem keeps.
    extra_vehicles
        Unused vehicles added, so the sub-problem may open a route.
    extra_visits
        Unassigned visits added, so the sub-problem may place them.

    Returns
    -------
    tuple
        ``(sub, nodes, vehicles, initial)``: the sub-problem, the original node of each sub node,
        the original vehicle of each sub vehicle, and the routes as a warm start in sub numbering.
    """
    vehicles = [r.vehicle for r in routes] + list(extra_vehicles)
    depots = sorted(
        {problem.vehicles[v].start for v in vehicles} | {problem.vehicles[v].end for v in vehicles} - {None}
    )
    visits = sorted({i for r in routes for i in r.visits} | set(extra_visits))
    nodes = np.array(depots + visits)
    index = {int(n): k for k, n in enumerate(nodes)}
    grid = np.ix_(nodes, nodes)
    sub_vehicles = tuple(
        replace(
            problem.vehicles[v],
            start=index[problem.vehicles[v].start],
            end=None if problem.vehicles[v].end is None else index[problem.vehicles[v].end],
        )
        for v in vehicles
    )
    sub = Problem(
        travel_s=problem.travel_s[grid],
        service_s=problem.service_s[nodes],
        windows=tuple(problem.windows[n] for n in nodes),
        vehicles=sub_vehicles,
        cost=None if problem.cost is None else problem.cost[grid],
        demand=None if problem.demand is None else problem.demand[nodes],
        penalty=None if problem.penalty is None else problem.penalty[nodes],
        coords=None if problem.coords is None else problem.coords[nodes],
        profiles={name: matrix[grid] for name, matrix in problem.profiles.items()},
    )
    initial = Solution(
        routes=[
            replace(r, vehicle=k, visits=tuple(index[i] for i in r.visits)) for k, r in enumerate(routes)
        ],
        unassigned=[index[i] for i in extra_visits],
    )
    return sub, nodes, vehicles, initial


def lift_routes(routes: list[Route], nodes: np.ndarray, vehicles: list[int]) -> list[Route]:
    """A sub-problem's routes in the numbering of the problem it was cut from (see ``subproblem``).

    Parameters
    ----------
    routes
        Routes in sub-problem numbering.
    nodes
        The original node of each sub node.
    vehicles
        The original vehicle of each sub vehicle.

    Returns
    -------
    list of Route
        The same routes with original nodes and vehicles.
    """
    return [
        replace(r, vehicle=vehicles[r.vehicle], visits=tuple(int(nodes[i]) for i in r.visits)) for r in routes
    ]


def improve(
    problem: Problem,
    solution: Solution,
    time_limit_s: float,
    seed: int = 0,
    sub_time_s: float = 1.0,
    progress: Callable[[float, float, str], None] | None = None,
    sub_visits: int = SUB_VISITS,
    search: Search = GUIDED,
    removal_growth: float = 1.0,
    patience: int | None = None,
    min_gain: float = 0.0,
) -> Solution:
    """Re-optimise groups of nearby routes with OR-Tools, warm-started, until the budget ends or
    the steps stop paying.

    Each step picks a route at random (seeded), adds the routes with the nearest barycentres
    until about ``sub_visits`` visits, one unused vehicle and the unassigned visits nearby, and
    re-solves that sub-problem from the current routes (with OR-Tools' ``search``); the result
    replaces the routes when it is cheaper. With ``removal_growth`` > 1, a share of the steps
    also tries to empty one of the emptiest routes in a sub-problem that many times larger and
    longer (for problems where every vehicle saved matters most). With ``patience``, the search
    also stops as soon as its last ``patience`` steps together lowered the cost by less than
    ``min_gain`` of it: a long budget is then spent only where it keeps paying. Needs
    ``problem.coords``.

    Parameters
    ----------
    problem
        The problem, with ``coords``.
    solution
        The solution to improve.
    time_limit_s
        Wall-clock budget.
    seed
        Seed of the random choice of routes.
    sub_time_s
        Budget of one sub-problem's solve.
    progress
        Called as ``progress(elapsed_s, budget_s, text)`` after each step.
    sub_visits
        Visits per sub-problem, about.
    search
        How OR-Tools searches a sub-problem.
    removal_growth
        Size and budget factor of the route-removal steps; 1.0 for none.
    patience
        Steps over which the gain is measured; None searches until the budget ends.
    min_gain
        The share of the cost those steps must save for the search to go on.

    Returns
    -------
    Solution
        A solution at most as costly as ``solution``, with its objective and the seconds spent
        (those of ``solution`` included).
    """
    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    best, best_cost = solution, total_cost(problem, solution)
    costs = [best_cost]  # the best cost after each step
    while time.perf_counter() - began < time_limit_s - sub_time_s / 2 and best.routes:
        left = time_limit_s - (time.perf_counter() - began)
        step = _step(problem, best, rng, sub_time_s, sub_visits, search, (removal_growth, left))
        if step is not None and (cost := total_cost(problem, step)) < best_cost:
            best, best_cost = step, cost
        costs.append(best_cost)
        if progress:
            progress(time.perf_counter() - began, time_limit_s, f"cost {best_cost}")
        if patience and len(costs) > patience and costs[-1 - patience] - best_cost < min_gain * best_cost:
            break
    best.seconds = solution.seconds + time.perf_counter() - began
    best.objective = best_cost
    return best


def _step(
    problem: Problem,
    current: Solution,
    rng: np.random.Generator,
    sub_time_s: float,
    sub_visits: int,
    search: Search = GUIDED,
    large_removal: tuple[float, float] = (1.0, 0.0),
) -> Solution | None:
    centres = route_barycentres(problem, current)
    sizes = np.array([len(r.visits) for r in current.routes])
    # A large removal step: one of the emptiest routes and its neighbours, more visits and time.
    removal_growth, left_s = large_removal
    large = removal_growth > 1 and len(current.routes) > 1 and rng.random() < REMOVAL_SHARE
    if large:
        seed_route = int(rng.choice(np.argsort(sizes, kind="stable")[:EMPTIEST]))
        order = np.argsort(((centres - centres[seed_route]) ** 2).sum(axis=1), kind="stable")
        sub_visits = int(removal_growth * sub_visits)
        sub_time_s = max(sub_time_s, min(removal_growth * sub_time_s, left_s - sub_time_s / 2))
    elif rng.random() < MERGE_SHARE:
        # Group the emptiest routes, wherever they are: two half-empty days may make one.
        order = np.argsort(sizes, kind="stable")
        seed_route = int(order[0])
    else:
        seed_route = int(rng.integers(len(current.routes)))
        order = np.argsort(((centres - centres[seed_route]) ** 2).sum(axis=1))
    chosen, visits = [], 0
    for k in order:
        if len(chosen) >= MIN_ROUTES and visits + len(current.routes[k].visits) > sub_visits:
            break
        chosen.append(int(k))
        visits += len(current.routes[k].visits)
    routes = [current.routes[k] for k in chosen]
    loose = _nearby_unassigned(problem, current, centres[seed_route])
    used = {r.vehicle for r in current.routes}
    spare = [v for v in range(len(problem.vehicles)) if v not in used][:1]
    if len(routes) > 1 and (large or rng.random() < REMOVAL_SHARE):
        # Try to do without the emptiest route: its visits must fit into the others.
        emptiest = current.routes[seed_route] if large else min(routes, key=lambda r: len(r.visits))
        routes = [r for r in routes if r is not emptiest]
        loose = loose + list(emptiest.visits)
        spare = []
    sub, nodes, vehicles, initial = subproblem(problem, routes, spare, loose)
    sub = replace(sub, penalty=droppable(problem, sub, nodes))
    result = solve_ortools(
        sub, sub_time_s, initial=initial, first_solution=first_solution_for(sub), search=search
    )
    if result.unassigned and problem.penalty is None:
        return None  # a mandatory visit was left out: keep the current routes
    mapped = lift_routes(result.routes, nodes, vehicles)
    taken = set(loose)  # visits the sub-problem held besides its routes': their old places go
    replaced = {r.vehicle for r in routes} | {
        r.vehicle for r in current.routes if taken.intersection(r.visits)
    }
    kept = [r for r in current.routes if r.vehicle not in replaced]
    left = [i for i in current.unassigned if i not in taken] + [int(nodes[i]) for i in result.unassigned]
    return Solution(routes=kept + mapped, unassigned=sorted(left))


def droppable(problem: Problem, sub: Problem, nodes: np.ndarray) -> np.ndarray:
    """Penalties that let every visit of a sub-problem be dropped; mandatory ones at a prohibitive price.

    OR-Tools then always returns routes, and the caller rejects a result that dropped a
    mandatory visit, instead of the search failing outright.

    Parameters
    ----------
    problem
        The whole problem, for its penalties and fixed costs.
    sub
        The sub-problem.
    nodes
        The original node of each sub node.

    Returns
    -------
    numpy.ndarray
        ``int64`` penalty per sub node, -1 at depots.
    """
    base = (
        problem.penalty[nodes].copy()
        if problem.penalty is not None
        else np.full(len(nodes), -1, dtype=np.int64)
    )
    span = max((int(sub.arc_cost(v).max()) for v in sub.vehicles), default=0) if sub.size else 0
    big = 10 * max(v.fixed_cost for v in problem.vehicles) + 10 * span * max(1, sub.size) + 1
    base = np.where(base < 0, big, base)
    base[list(sub.depots)] = -1
    return base.astype(np.int64)


def first_solution_for(problem: Problem) -> str:
    """OR-Tools' first-solution strategy that works for this problem (breaks stall PATH_CHEAPEST_ARC).

    Parameters
    ----------
    problem
        The problem to solve.

    Returns
    -------
    str
        ``"LOCAL_CHEAPEST_INSERTION"`` when a vehicle has a break, else ``"SAVINGS"``.
    """
    return "LOCAL_CHEAPEST_INSERTION" if any(v.breaks for v in problem.vehicles) else "SAVINGS"


def _nearby_unassigned(problem: Problem, current: Solution, centre: np.ndarray, limit: int = 20) -> list[int]:
    if not current.unassigned:
        return []
    loose = np.array(current.unassigned)
    distance = ((problem.coords[loose] - centre) ** 2).sum(axis=1)
    return [int(i) for i in loose[np.argsort(distance)[:limit]]]
