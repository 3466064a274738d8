"""The engine's problem and solution types: visits with time windows, vehicles with shifts."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Window = tuple[int, int]


@dataclass(frozen=True)
class Break:
    """A break of ``duration_s`` that must start within ``[earliest_start_s, latest_start_s]``."""

    earliest_start_s: int
    latest_start_s: int
    duration_s: int


@dataclass(frozen=True)
class Vehicle:
    """One vehicle (in the campaign: one worker on one day).

    ``end`` is None for an open route, which finishes at its last visit. ``profile`` names the
    travel matrix the vehicle moves by (``Problem.profiles``); "" is the problem's ``travel_s``.
    Times are seconds on the problem's clock.
    """

    start: int
    end: int | None
    shift_start_s: int
    shift_end_s: int
    fixed_cost: int = 0
    capacity: int | None = None
    breaks: tuple[Break, ...] = ()
    profile: str = ""


@dataclass(frozen=True)
class Problem:
    """A time-windowed, capacitated, multi-vehicle routing problem.

    Nodes are numbered ``0 .. n-1``; nodes used as a vehicle start or end are depots, every
    other node is a visit. ``windows[i]`` lists the intervals in which service at node ``i``
    may *start* (a caller that needs service to end inside opening hours subtracts the service
    time first); an empty tuple means "any time". ``penalty[i] < 0`` marks a visit that must be
    served; otherwise the visit may be dropped at that cost. Vehicles that travel otherwise than
    by ``travel_s`` name their matrix in ``profiles`` (e.g. walkers and drivers in one team).
    """

    travel_s: np.ndarray  # (n, n) int travel times
    service_s: np.ndarray  # (n,) int service times (0 at depots)
    windows: tuple[tuple[Window, ...], ...]
    vehicles: tuple[Vehicle, ...]
    cost: np.ndarray | None = None  # (n, n) int arc costs; None means travel_s
    demand: np.ndarray | None = None  # (n,) int; used with Vehicle.capacity
    penalty: np.ndarray | None = None  # (n,) int; None means every visit is mandatory
    coords: np.ndarray | None = None  # (n, 2) metres; lets the engine cut the problem into zones
    profiles: dict = field(default_factory=dict)  # profile name -> (n, n) int travel times

    @property
    def size(self) -> int:
        """Number of nodes, depots included."""
        return len(self.service_s)

    @property
    def depots(self) -> frozenset[int]:
        """Nodes where some vehicle starts or ends."""
        ends = {v.end for v in self.vehicles if v.end is not None}
        return frozenset({v.start for v in self.vehicles} | ends)

    @property
    def visits(self) -> list[int]:
        """Nodes that are visits, in index order."""
        depots = self.depots
        return [i for i in range(self.size) if i not in depots]

    def travel_of(self, vehicle: Vehicle) -> np.ndarray:
        """The travel times ``vehicle`` moves by.

        Parameters
        ----------
        vehicle
            One of the problem's vehicles.

        Returns
        -------
        numpy.ndarray
            ``profiles[vehicle.profile]``, or ``travel_s`` for the default profile "".
        """
        return self.profiles[vehicle.profile] if vehicle.profile else self.travel_s

    def arc_cost(self, vehicle: Vehicle | None = None) -> np.ndarray:
        """The arc-cost matrix the objective uses (for ``vehicle``, when vehicles differ).

        Parameters
        ----------
        vehicle
            The vehicle whose arcs are costed; None for the default profile.

        Returns
        -------
        numpy.ndarray
            ``cost``, or the vehicle's travel times when the problem has no separate cost.
        """
        if self.cost is not None:
            return self.cost
        return self.travel_s if vehicle is None else self.travel_of(vehicle)


@dataclass(frozen=True)
class Route:
    """The visits of one vehicle, in order, with the time service starts at each."""

    vehicle: int
    visits: tuple[int, ...]
    start_s: tuple[int, ...]  # service start at each visit
    depart_s: int  # leaves its start depot
    arrive_s: int  # reaches its end depot (or finishes its last visit on an open route)
    breaks_s: tuple[int, ...] = ()  # start of each break


@dataclass
class Solution:
    """A solution: the non-empty routes and the visits left out."""

    routes: list[Route]
    unassigned: list[int] = field(default_factory=list)
    objective: int = 0
    seconds: float = 0.0

    def vehicles_used(self) -> int:
        """Number of vehicles with at least one visit.

        Returns
        -------
        int
            The routes that are not empty.
        """
        return sum(1 for r in self.routes if r.visits)

    def travel_cost(self, problem: Problem) -> int:
        """Total arc cost of the routes (no fixed costs, no penalties).

        Parameters
        ----------
        problem
            The problem the solution solves.

        Returns
        -------
        int
            The sum of ``problem.arc_cost()`` along every route, legs to and from depots included.
        """
        total = 0
        for route in self.routes:
            vehicle = problem.vehicles[route.vehicle]
            cost = problem.arc_cost(vehicle)
            path = [vehicle.start, *route.visits]
            if vehicle.end is not None:
                path.append(vehicle.end)
            if len(path) < 2:
                continue
            # One block per route, its diagonal the legs: a lazily computed matrix (a whole
            # district's) is then asked once per route instead of once per leg.
            block = cost[np.ix_(path[:-1], path[1:])]
            total += int(np.diagonal(block).sum())
        return total

    def summary(self, problem: Problem) -> str:
        """One line for people: vehicles, travel cost, dropped visits, seconds.

        Parameters
        ----------
        problem
            The problem the solution solves.

        Returns
        -------
        str
            For example ``12 vehicles, cost 83211, 0 unassigned, 10.0 s``.
        """
        return (
            f"{self.vehicles_used()} vehicles, cost {self.travel_cost(problem)}, "
            f"{len(self.unassigned)} unassigned, {self.seconds:.1f} s"
        )
