"""Solve one routing problem with OR-Tools (the only module that imports ortools)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2
from ortools.util.optional_boolean_pb2 import BOOL_FALSE, BOOL_TRUE

from planner.routing.problem import Problem, Route, Solution

FIRST_SOLUTION_FLOOR_S = 30.0  # the most a late first solution may take
FIRST_SOLUTIONS = ("PATH_CHEAPEST_ARC", "SAVINGS", "PARALLEL_CHEAPEST_INSERTION", "LOCAL_CHEAPEST_INSERTION")


@dataclass(frozen=True)
class Search:
    """How OR-Tools searches after its first solution.

    ``metaheuristic`` names an OR-Tools local-search metaheuristic; ``iterated`` adds its
    iterated local search (ruin and recreate around the current solution); ``operators`` turns
    on extra local-search operators by their ``use_*`` field name (e.g. ``"path_lns"``) and
    ``without`` turns default ones off.
    """

    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    gls_lambda: float = 0.1
    iterated: bool = False
    operators: tuple[str, ...] = ()
    without: tuple[str, ...] = ()


GUIDED = Search()


class _Model:
    """An OR-Tools routing model built from a Problem, following the samples' construction order."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.n = problem.size
        # Open routes end at a virtual node that every node reaches at no cost or time.
        self.virtual_end = self.n if any(v.end is None for v in problem.vehicles) else None
        size = self.n + (1 if self.virtual_end is not None else 0)
        starts = [v.start for v in problem.vehicles]
        ends = [self.virtual_end if v.end is None else v.end for v in problem.vehicles]
        self.manager = pywrapcp.RoutingIndexManager(size, len(problem.vehicles), starts, ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        self._add_costs(size)
        self._add_time(size)
        self._add_capacity(size)
        self._add_optional_visits()

    def _matrix(self, values: np.ndarray, size: int) -> list[list[int]]:
        full = np.zeros((size, size), dtype=np.int64)
        full[: self.n, : self.n] = values
        return full.tolist()

    def _profiles(self) -> list[str]:
        """The travel profiles of the vehicles, in first-use order."""
        return list(dict.fromkeys(v.profile for v in self.problem.vehicles))

    def _add_costs(self, size: int) -> None:
        p = self.problem
        profiles = self._profiles()
        if p.cost is not None or len(profiles) == 1:
            # One matrix for all: the fast path, one callback.
            cost = self.routing.RegisterTransitMatrix(self._matrix(p.arc_cost(p.vehicles[0]), size))
            self.routing.SetArcCostEvaluatorOfAllVehicles(cost)
        else:
            callbacks = {
                name: self.routing.RegisterTransitMatrix(
                    self._matrix(p.travel_of(next(v for v in p.vehicles if v.profile == name)), size)
                )
                for name in profiles
            }
            for v, vehicle in enumerate(p.vehicles):
                self.routing.SetArcCostEvaluatorOfVehicle(callbacks[vehicle.profile], v)
        for v, vehicle in enumerate(p.vehicles):
            self.routing.SetFixedCostOfVehicle(int(vehicle.fixed_cost), v)

    def _time_callback(self, travel_s, size: int) -> int:
        """Transit from a node = service there + travel to the next node."""
        p = self.problem
        service = np.zeros(size, dtype=np.int64)
        service[: self.n] = p.service_s
        transit = np.zeros((size, size), dtype=np.int64)
        transit[: self.n, : self.n] = np.asarray(travel_s) + p.service_s[:, None]
        transit[:, self.n :] = service[:, None]  # reaching the virtual end costs only the service
        return self.routing.RegisterTransitMatrix(transit.tolist())

    def _add_time(self, size: int) -> None:
        p = self.problem
        service = np.zeros(size, dtype=np.int64)
        service[: self.n] = p.service_s
        profiles = self._profiles()  # one transit callback per profile, not per vehicle
        horizon = max(v.shift_end_s for v in p.vehicles)
        if len(profiles) == 1:
            self.routing.AddDimension(
                self._time_callback(p.travel_of(p.vehicles[0]), size),
                horizon,  # allow waiting time
                horizon,  # maximum time per vehicle: the clock itself
                False,  # start cumul not fixed to zero: shifts start on their own day
                "time",
            )
        else:  # each vehicle moves by its own profile's travel times
            callbacks = {
                name: self._time_callback(p.travel_of(next(v for v in p.vehicles if v.profile == name)), size)
                for name in profiles
            }
            self.routing.AddDimensionWithVehicleTransits(
                [callbacks[v.profile] for v in p.vehicles],
                horizon,  # allow waiting time
                horizon,  # maximum time per vehicle: the clock itself
                False,  # start cumul not fixed to zero: shifts start on their own day
                "time",
            )
        self.time = self.routing.GetDimensionOrDie("time")
        for node in p.visits:
            self._set_windows(self.manager.NodeToIndex(node), p.windows[node])
        solver = self.routing.solver()
        node_service = [int(service[self.manager.IndexToNode(i)]) for i in range(self.routing.Size())]
        for v, vehicle in enumerate(p.vehicles):
            for index in (self.routing.Start(v), self.routing.End(v)):
                self.time.CumulVar(index).SetRange(vehicle.shift_start_s, vehicle.shift_end_s)
            breaks = [
                solver.FixedDurationIntervalVar(
                    b.earliest_start_s,
                    b.latest_start_s,
                    b.duration_s,
                    False,  # not optional: every worker-day has its lunch break
                    f"break {v}/{k}",
                )
                for k, b in enumerate(vehicle.breaks)
            ]
            if breaks:
                self.time.SetBreakIntervalsOfVehicle(breaks, v, node_service)
            self.routing.AddVariableMinimizedByFinalizer(self.time.CumulVar(self.routing.End(v)))

    def _set_windows(self, index: int, windows: tuple[tuple[int, int], ...]) -> None:
        if not windows:
            return
        # Only the part of a window that some vehicle's shift covers can ever be used.
        first = min(v.shift_start_s for v in self.problem.vehicles)
        last = max(v.shift_end_s for v in self.problem.vehicles)
        windows = tuple((max(a, first), min(b, last)) for a, b in windows if b >= first and a <= last)
        if not windows:
            self.routing.ActiveVar(index).SetValue(0)  # no vehicle works while this visit is possible
            return
        cumul = self.time.CumulVar(index)
        cumul.SetRange(windows[0][0], windows[-1][1])
        for (_, close), (reopen, _) in zip(windows, windows[1:], strict=False):
            if reopen > close + 1:
                cumul.RemoveInterval(close + 1, reopen - 1)

    def _add_capacity(self, size: int) -> None:
        p = self.problem
        if p.demand is None or all(v.capacity is None for v in p.vehicles):
            return
        demand = np.zeros(size, dtype=np.int64)
        demand[: self.n] = p.demand
        callback = self.routing.RegisterUnaryTransitVector(demand.tolist())
        big = int(demand.sum()) + 1
        capacities = [big if v.capacity is None else int(v.capacity) for v in p.vehicles]
        self.routing.AddDimensionWithVehicleCapacity(
            callback,
            0,  # no slack
            capacities,
            True,  # start cumul at zero
            "load",
        )

    def _add_optional_visits(self) -> None:
        if self.problem.penalty is None:
            return
        for node in self.problem.visits:
            penalty = int(self.problem.penalty[node])
            if penalty >= 0:
                self.routing.AddDisjunction([self.manager.NodeToIndex(node)], penalty)

    def parameters(
        self, time_limit_s: float, first_solution: str, solution_limit: int | None, search: Search = GUIDED
    ):
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first_solution)
        params.local_search_metaheuristic = getattr(
            routing_enums_pb2.LocalSearchMetaheuristic, search.metaheuristic
        )
        params.guided_local_search_lambda_coefficient = search.gls_lambda
        if search.iterated:
            _ruin_and_recreate(params)
        for name in search.operators:
            setattr(params.local_search_operators, f"use_{name}", BOOL_TRUE)
        for name in search.without:
            setattr(params.local_search_operators, f"use_{name}", BOOL_FALSE)
        params.time_limit.FromMilliseconds(max(1, int(1000 * time_limit_s)))
        if solution_limit:
            params.solution_limit = solution_limit
        return params

    def routes_of(self, assignment) -> Solution:
        p, routing, manager = self.problem, self.routing, self.manager
        routes, served = [], set()
        breaks = _break_starts(assignment)
        for v in range(len(p.vehicles)):
            index = routing.NextVar(routing.Start(v))
            index = assignment.Value(routing.NextVar(routing.Start(v)))
            visits, starts = [], []
            while not routing.IsEnd(index):
                node = manager.IndexToNode(index)
                visits.append(node)
                starts.append(assignment.Value(self.time.CumulVar(index)))
                index = assignment.Value(routing.NextVar(index))
            if not visits:
                continue
            served.update(visits)
            depart = assignment.Value(self.time.CumulVar(routing.Start(v)))
            arrive = assignment.Value(self.time.CumulVar(routing.End(v)))
            routes.append(Route(v, tuple(visits), tuple(starts), depart, arrive, breaks.get(v, ())))
        unassigned = [node for node in p.visits if node not in served]
        return Solution(routes=routes, unassigned=unassigned, objective=int(assignment.ObjectiveValue()))


def _ruin_and_recreate(params) -> None:
    """Iterated local search: ruin strings of nearby visits (SISR), re-insert, accept by annealing."""
    params.use_iterated_local_search = True
    ils = params.iterated_local_search_parameters
    ruin = ils.ruin_recreate_parameters.ruin_strategies.add()
    ruin.sisr.max_removed_sequence_size = 10
    ruin.sisr.avg_num_removed_visits = 10
    ruin.sisr.bypass_factor = 0.01
    ils.improve_perturbed_solution = True
    ils.reference_solution_acceptance_strategy.simulated_annealing.automatic_temperatures = True


def _break_starts(assignment) -> dict[int, tuple[int, ...]]:
    intervals = assignment.IntervalVarContainer()
    starts: dict[int, list[int]] = {}
    for k in range(intervals.Size()):
        element = intervals.Element(k)
        name = element.Var().Name()
        if name.startswith("break ") and element.PerformedValue():
            vehicle = int(name.split()[1].split("/")[0])
            starts.setdefault(vehicle, []).append(element.StartValue())
    return {v: tuple(sorted(s)) for v, s in starts.items()}


def solve_ortools(
    problem: Problem,
    time_limit_s: float,
    seed: int = 0,
    first_solution: str = "PATH_CHEAPEST_ARC",
    initial: Solution | None = None,
    solution_limit: int | None = None,
    ensure_first: bool = False,
    search: Search = GUIDED,
) -> Solution:
    """Solve ``problem`` with OR-Tools: a first solution, then guided local search.

    Parameters
    ----------
    problem
        The problem; every visit needs a window unless it may be served at any time.
    time_limit_s
        Wall-clock budget of the search.
    seed
        Kept for a uniform engine API; OR-Tools' search is deterministic for a given
        solution limit, and a time limit makes it depend on the machine's speed.
    first_solution
        Name of an OR-Tools first-solution strategy, see ``FIRST_SOLUTIONS``.
    initial
        Routes to start from (warm start); the search then only improves on them.
    solution_limit
        Stop after this many solutions, for runs that must repeat exactly.
    ensure_first
        When the budget ends before any solution, keep searching (up to
        ``FIRST_SOLUTION_FLOOR_S``) for a first one instead of leaving every visit out.
    search
        The metaheuristic and operators of the search; guided local search by default.

    Returns
    -------
    Solution
        The best solution found; if none was found, every visit is unassigned.
    """
    del seed  # OR-Tools' routing search has no random seed to set
    began = time.perf_counter()
    if not problem.vehicles or not problem.visits:
        return Solution(routes=[], unassigned=list(problem.visits))
    model = _Model(problem)
    params = model.parameters(time_limit_s, first_solution, solution_limit, search)
    assignment = None
    if initial is not None and initial.routes:
        assignment = _warm_start(model, initial, params)
    if assignment is None:
        assignment = model.routing.SolveWithParameters(params)
    if assignment is None and ensure_first and not solution_limit:
        # The budget ran out before a first solution (a busy machine, a tight problem): take
        # the first solution however long it needs, rather than dropping every visit.
        params = model.parameters(max(FIRST_SOLUTION_FLOOR_S, 10 * time_limit_s), first_solution, 1)
        assignment = model.routing.SolveWithParameters(params)
    if assignment is None:
        solution = Solution(routes=[], unassigned=list(problem.visits))
    else:
        solution = model.routes_of(assignment)
    solution.seconds = time.perf_counter() - began
    return solution


def _warm_start(model: _Model, initial: Solution, params):
    routes = [[] for _ in model.problem.vehicles]
    for route in initial.routes:
        routes[route.vehicle] = [model.manager.NodeToIndex(node) for node in route.visits]
    start = model.routing.ReadAssignmentFromRoutes(routes, True)
    if start is None:
        return None
    return model.routing.SolveFromAssignmentWithParameters(start, params)
