"""Check a solution against an instance on its own, in the convention's precision (no planner code)."""

from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.instances import Instance

TOLERANCE = 1e-6  # on times in the instance's own units: sums of doubles are not exact


@dataclass
class Check:
    """What the checker found: feasibility, the recomputed objective and every violation."""

    feasible: bool
    vehicles: int
    cost: float  # total distance (or travel seconds) recomputed from the instance's own matrix
    problems: list[str] = field(default_factory=list)


def check_routes(instance: Instance, routes: list[list[int]]) -> Check:
    """Check routes (customer nodes in visiting order, depot 0 implied at both ends).

    Rules: every customer exactly once; no more routes than the fleet; load within capacity;
    service starts within the customer's window (arriving early means waiting); the vehicle
    leaves the depot no earlier than it opens and is back before it closes.

    Parameters
    ----------
    instance
        The instance, with its original (unscaled) matrices.
    routes
        One list of customer nodes per used vehicle; empty lists are ignored.

    Returns
    -------
    Check
        Feasibility, vehicles used, recomputed cost and the violations found.
    """
    routes = [list(r) for r in routes if len(r)]
    problems = _coverage_problems(instance, routes)
    if len(routes) > instance.fleet_size:
        problems.append(f"{len(routes)} routes, fleet is {instance.fleet_size}")
    cost = 0.0
    for k, route in enumerate(routes):
        if any(not 0 < node < instance.size for node in route):
            continue  # already reported; the route cannot be followed
        path = [0, *route, 0]
        cost += float(sum(instance.distance[a, b] for a, b in zip(path, path[1:], strict=False)))
        problems += _load_problems(instance, k, route)
        problems += _time_problems(instance, k, route)
    return Check(feasible=not problems, vehicles=len(routes), cost=cost, problems=problems)


def _coverage_problems(instance: Instance, routes: list[list[int]]) -> list[str]:
    seen: dict[int, int] = {}
    problems = []
    for route in routes:
        for node in route:
            if not 0 < node < instance.size:
                problems.append(f"node {node} is not a customer")
            seen[node] = seen.get(node, 0) + 1
    twice = sorted(node for node, count in seen.items() if count > 1)
    missing = [node for node in range(1, instance.size) if node not in seen]
    if twice:
        problems.append(f"{len(twice)} customers visited more than once, e.g. {twice[:5]}")
    if missing:
        problems.append(f"{len(missing)} customers not visited, e.g. {missing[:5]}")
    return problems


def _load_problems(instance: Instance, k: int, route: list[int]) -> list[str]:
    if instance.capacity is None:
        return []
    load = int(instance.demand[route].sum())
    if load > instance.capacity:
        return [f"route {k}: load {load} > capacity {instance.capacity}"]
    return []


def _time_problems(instance: Instance, k: int, route: list[int]) -> list[str]:
    if instance.windows is None:
        return []
    windows, duration, service = instance.windows, instance.duration, instance.service
    problems = []
    now, previous = windows[0, 0], 0
    for node in route:
        start = max(now + duration[previous, node], windows[node, 0])
        if start > windows[node, 1] + TOLERANCE:
            problems.append(f"route {k}: service at {node} starts {start:.4f} > due {windows[node, 1]:g}")
        now, previous = start + service[node], node
    back = now + duration[previous, 0]
    if back > windows[0, 1] + TOLERANCE:
        problems.append(f"route {k}: back at the depot at {back:.4f} > due {windows[0, 1]:g}")
    return problems
