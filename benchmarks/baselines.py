"""PyVRP and VROOM on a planner Problem, with the same integer matrices and time budget.

A visit with several windows (a shop open on several days) becomes one PyVRP client per window,
in a mutually exclusive client group: exactly one of them is served (at most one if optional).
"""

from __future__ import annotations

import datetime as dt
import time
from itertools import groupby

import numpy as np
import pyvrp
from pyvrp.stop import MaxRuntime

from planner.routing.problem import Problem, Route, Solution, Vehicle


def _vehicle_key(vehicle: Vehicle) -> tuple:
    return (
        vehicle.start,
        vehicle.end,
        vehicle.shift_start_s,
        vehicle.shift_end_s,
        vehicle.fixed_cost,
        vehicle.capacity,
    )


def _capacity(problem: Problem, vehicle: Vehicle) -> int:
    return int(problem.demand.sum()) if vehicle.capacity is None else int(vehicle.capacity)


def _pyvrp_data(problem: Problem) -> tuple[pyvrp.ProblemData, list[int], list[list[int]]]:
    """PyVRP's data: locations are planner's nodes; returns client -> node and type -> vehicles."""
    # A break of no length can always go between two visits: only real breaks are refused.
    if any(b.duration_s for v in problem.vehicles for b in v.breaks) or any(
        v.end is None for v in problem.vehicles
    ):
        raise ValueError("the PyVRP baseline supports closed routes without breaks only")
    coords = problem.coords if problem.coords is not None else np.zeros((problem.size, 2))
    locations = [pyvrp.Location(x=float(x), y=float(y)) for x, y in coords]
    depot_nodes = sorted(problem.depots)
    depots = [pyvrp.Depot(location=node) for node in depot_nodes]
    capacitated = problem.demand is not None and any(v.capacity is not None for v in problem.vehicles)
    clients, client_nodes, groups = [], [], []
    for node in problem.visits:
        windows = problem.windows[node] or ((0, np.iinfo(np.int64).max),)
        penalty = -1 if problem.penalty is None else int(problem.penalty[node])
        group = len(groups) if len(windows) > 1 else None
        if group is not None:  # the group, not its clients, is required
            groups.append(
                pyvrp.ClientGroup(list(range(len(clients), len(clients) + len(windows))), penalty < 0)
            )
        for early, late in windows:
            clients.append(
                pyvrp.Client(
                    location=node,
                    delivery=[int(problem.demand[node])] if capacitated else [],
                    service_duration=int(problem.service_s[node]),
                    tw_early=early,
                    tw_late=late,
                    prize=max(penalty, 0),
                    required=penalty < 0 and group is None,
                    group=group,
                )
            )
            client_nodes.append(node)
    vehicle_types, members = [], []
    order = sorted(range(len(problem.vehicles)), key=lambda v: _vehicle_key(problem.vehicles[v]))
    for _, group in groupby(order, key=lambda v: _vehicle_key(problem.vehicles[v])):
        ids = list(group)
        v = problem.vehicles[ids[0]]
        vehicle_types.append(
            pyvrp.VehicleType(
                num_available=len(ids),
                capacity=[_capacity(problem, v)] if capacitated else [],
                start_depot=depot_nodes.index(v.start),
                end_depot=depot_nodes.index(v.end),
                fixed_cost=int(v.fixed_cost),
                tw_early=v.shift_start_s,
                tw_late=v.shift_end_s,
            )
        )
        members.append(ids)
    data = pyvrp.ProblemData(
        locations,
        clients,
        depots,
        vehicle_types,
        [problem.arc_cost().astype(np.int64)],
        [problem.travel_s],
        groups,
    )
    return data, client_nodes, members


def solve_pyvrp(problem: Problem, time_limit_s: float, seed: int = 0) -> Solution:
    """Solve ``problem`` with PyVRP's iterated local search for ``time_limit_s`` seconds.

    Returns PyVRP's best solution even when it is infeasible; check it independently.
    """
    began = time.perf_counter()
    data, client_nodes, members = _pyvrp_data(problem)
    result = pyvrp.solve(data, MaxRuntime(time_limit_s), seed=seed, collect_stats=False, display=False)
    free = [list(ids) for ids in members]
    routes, served = [], set()
    for route in result.best.routes():
        visits, starts = [], []
        for activity in route.schedule():
            if activity.is_client():
                visits.append(client_nodes[activity.idx])
                starts.append(int(activity.start_time))
        vehicle = free[route.vehicle_type()].pop(0)
        routes.append(
            Route(vehicle, tuple(visits), tuple(starts), int(route.start_time()), int(route.end_time()))
        )
        served.update(visits)
    unassigned = [node for node in problem.visits if node not in served]
    objective = int(result.cost()) if result.is_feasible() else -1
    return Solution(routes, unassigned, objective, time.perf_counter() - began)


def _vroom_input(problem: Problem):
    """VROOM's input (a ``vroom.Input``) with planner's node numbers as matrix indices and job ids."""
    import vroom  # only this solver needs pyvroom; PyVRP runs without it

    if any(v.breaks for v in problem.vehicles):
        raise ValueError("the VROOM baseline does not model breaks")
    model = vroom.Input()
    model.set_durations_matrix("car", np.asarray(problem.travel_s, dtype=np.uint32))
    model.set_costs_matrix("car", np.asarray(problem.arc_cost(), dtype=np.uint32))
    capacitated = problem.demand is not None and any(v.capacity is not None for v in problem.vehicles)
    for v, vehicle in enumerate(problem.vehicles):
        model.add_vehicle(
            vroom.Vehicle(
                id=v,
                start=vroom.Location(index=vehicle.start),
                end=None if vehicle.end is None else vroom.Location(index=vehicle.end),
                capacity=vroom.Amount([_capacity(problem, vehicle)]) if capacitated else vroom.Amount([]),
                time_window=vroom.TimeWindow(vehicle.shift_start_s, vehicle.shift_end_s),
                costs=vroom.VehicleCosts(fixed=int(vehicle.fixed_cost)),
            )
        )
    for node in problem.visits:
        model.add_job(
            vroom.Job(
                id=node,
                location=vroom.Location(index=node),
                default_service=int(problem.service_s[node]),
                delivery=vroom.Amount([int(problem.demand[node])]) if capacitated else vroom.Amount([]),
                time_windows=[vroom.TimeWindow(a, b) for a, b in problem.windows[node]],
            )
        )
    return model


def solve_vroom(
    problem: Problem, time_limit_s: float, seed: int = 0, exploration_level: int = 5, threads: int = 1
) -> Solution:
    """Solve ``problem`` with VROOM, stopping at ``time_limit_s`` if it has not finished by then.

    VROOM is deterministic: ``seed`` is ignored. One thread by default, like the other solvers.
    """
    del seed
    began = time.perf_counter()
    model = _vroom_input(problem)
    timeout = dt.timedelta(seconds=time_limit_s)
    answer = model.solve(exploration_level=exploration_level, nb_threads=threads, timeout=timeout).to_dict()
    routes, served = [], set()
    for route in answer.get("routes", []):
        jobs = [step for step in route["steps"] if step["type"] == "job"]
        steps = route["steps"]
        visits = tuple(int(step["id"]) for step in jobs)
        # VROOM's "arrival" is when the vehicle gets there; service starts after any wait and setup.
        starts = tuple(int(s["arrival"] + s.get("waiting_time", 0) + s.get("setup", 0)) for s in jobs)
        routes.append(
            Route(int(route["vehicle"]), visits, starts, int(steps[0]["arrival"]), int(steps[-1]["arrival"]))
        )
        served.update(visits)
    unassigned = [node for node in problem.visits if node not in served]
    objective = int(answer.get("summary", {}).get("cost", -1))
    return Solution(routes, unassigned, objective, time.perf_counter() - began)
