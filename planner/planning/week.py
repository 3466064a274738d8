"""Turn shops and worker-days of the campaign week into routing problems, and back."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from planner.geo.travel import TravelMatrix, road_distance_m, travel_matrix_s, travel_time_s
from planner.planning.crew import place_xy
from planner.routing.problem import Break, Problem, Route, Solution, Vehicle
from planner.settings import Settings

# How much a dropped shop costs, by triage priority, in multiples of one worker-day's fixed cost:
# more than a worker-day, so a shop is only dropped when no worker can fit it in.
PRIORITY_PENALTY = {1: 8, 2: 4, 3: 2}


@dataclass(frozen=True)
class Slot:
    """One worker-day that a zone may use: the day and the worker's place in that day's team."""

    day: int
    seat: int


def service_windows(windows: tuple[tuple[int, int], ...], service_s: int) -> tuple[tuple[int, int], ...]:
    """Windows in which service may *start* so that it ends inside the shop's opening window.

    Parameters
    ----------
    windows
        The shop's opening windows, seconds on the week's clock.
    service_s
        Its service seconds.

    Returns
    -------
    tuple of tuple of int
        ``(open, close - service_s)`` for each window long enough for the service.
    """
    return tuple((a, b - service_s) for a, b in windows if b - a >= service_s)


def estimate_workload_s(
    xy: np.ndarray,
    service_s: np.ndarray,
    office_xy: np.ndarray,
    settings: Settings,
    shares_s: np.ndarray | None = None,
) -> float:
    """Rough seconds of work to serve shops ``xy``: service, a hop to a near neighbour, and the
    ways between the office and their centre (none when routes start and end at shops).

    Used to size zones' share of the team before solving; the solver decides the real routes.

    Parameters
    ----------
    xy, service_s
        The shops' metric coordinates and service seconds.
    office_xy
        The district office in metres.
    settings
        The travel model and where worker-days start and end.
    shares_s
        Each shop's service and hop (``shop_work_s``) when already known, e.g. with hops
        measured among more shops than ``xy``; None measures them among ``xy``.

    Returns
    -------
    float
        Seconds of work; 0.0 for no shop.
    """
    if not len(xy):
        return 0.0
    shares_s = shop_work_s(xy, service_s, settings) if shares_s is None else shares_s
    travel = settings.travel
    commute = travel_time_s(road_distance_m(office_xy[None, :], xy.mean(axis=0)[None, :], travel), travel)
    return float(shares_s.sum() + settings.solver.office_legs * commute.item())


def shop_work_s(xy: np.ndarray, service_s, settings: Settings) -> np.ndarray:
    """Each shop's service seconds plus a hop from a near neighbour (mean of the next three).

    A route rarely moves to the very nearest shop, hence the mean of the next few.

    Parameters
    ----------
    xy
        ``(n, 2)`` metric coordinates of the shops.
    service_s
        Each shop's service seconds.
    settings
        The travel settings give speed and circuity.

    Returns
    -------
    numpy.ndarray
        Seconds per shop; service alone when there is a single shop.
    """
    service = np.asarray(service_s, dtype=float)
    if len(xy) < 2:
        return service
    distances, _ = cKDTree(xy).query(xy, k=min(4, len(xy)))
    hop_m = settings.travel.circuity * distances[:, 1:].mean(axis=1)
    return service + travel_time_s(hop_m, settings.travel)


def workday_s(settings: Settings) -> int:
    """Working seconds in one worker-day: the shift less the lunch break.

    Parameters
    ----------
    settings
        The week gives the shift and the lunch break.

    Returns
    -------
    int
        Seconds, from the first day's shift.
    """
    start, end = settings.week.shift_s(0)
    return end - start - 60 * settings.week.lunch_min


def build_problem(
    shops: pd.DataFrame,
    office_xy: np.ndarray,
    slots: list[Slot],
    settings: Settings,
    lazy: bool = False,
    crew: dict | None = None,
) -> Problem:
    """Build the routing problem of serving ``shops`` with the worker-days ``slots``.

    Node 0 is the district office; node ``i + 1`` is row ``i`` of ``shops``, which must carry
    the columns ``x, y, service_s, windows, priority``. Vehicle ``k`` is ``slots[k]``.
    With ``lazy`` the travel times are computed on demand (for a whole district). When staff
    report at their first shop (``settings.solver.open_start``) leaving node 0 takes no time.
    With a ``crew`` each slot is a roster person's day (``planner.planning.crew.PersonDay``):
    its own shift, lunch, travel mode, start and end; start points other than the office are
    depot nodes after the shops.

    Parameters
    ----------
    shops
        Prepared shops (``planner.planning.shops.prepare_shops``).
    office_xy
        The office's metric coordinates.
    slots
        The worker-days offered, one vehicle each.
    settings
        The week, travel and solver settings.
    lazy
        Compute travel times on demand instead of as a full matrix.
    crew
        ``(day, seat)`` -> ``PersonDay`` for every slot, or None for the settings' worker-days.

    Returns
    -------
    Problem
        Shops droppable at a penalty that grows with their priority; vehicles with the shift and
        lunch break of their day.
    """
    if crew is not None:
        return _crew_problem(shops, office_xy, slots, settings, lazy, crew)
    xy = np.vstack([office_xy[None, :], shops[["x", "y"]].to_numpy()])
    free_from = (0,) if settings.solver.open_start else ()
    travel_s = _travel(xy, settings, lazy, free_from, "transit")
    vehicles = tuple(_vehicle(slot, settings) for slot in slots)
    service, windows, penalty = _visits(shops, settings, 0)
    return Problem(
        travel_s=travel_s,
        service_s=service,
        windows=windows,
        vehicles=vehicles,
        penalty=penalty,
        coords=xy,
    )


def _travel(xy: np.ndarray, settings: Settings, lazy: bool, free_from: tuple[int, ...], mode: str):
    """Travel times among ``xy`` in ``mode``, leaving nodes ``free_from`` at no cost."""
    if lazy:
        return TravelMatrix(xy, settings.travel, free_from, mode)
    travel_s = travel_matrix_s(xy, settings.travel, mode)
    travel_s[list(free_from)] = 0
    return travel_s


def _visits(shops: pd.DataFrame, settings: Settings, extra: int):
    """Service, windows and penalties of node 0 (the office), the shops and ``extra`` depot nodes."""
    service = np.concatenate([[0], shops["service_s"].to_numpy(dtype=np.int64), np.zeros(extra, np.int64)])
    windows = (
        ((),)
        + tuple(service_windows(w, s) for w, s in zip(shops["windows"], shops["service_s"], strict=True))
        + ((),) * extra
    )
    cost = settings.solver.worker_day_cost
    penalty = np.concatenate(
        [[-1], [PRIORITY_PENALTY.get(int(p), 2) * cost for p in shops["priority"]], np.full(extra, -1)]
    )
    return service, windows, penalty.astype(np.int64)


def _crew_problem(shops, office_xy, slots: list[Slot], settings: Settings, lazy: bool, crew: dict) -> Problem:
    """``build_problem`` for a roster's person-days: own shifts, lunches, modes, starts and ends.

    Depots are keyed by where they are: ``"office"``, ``"first_shop"`` (left at no cost) or a
    person's own point. Node 0 is the office when a person-day uses it, else the first other
    depot (node 0 must be a depot: the shops are nodes 1..n); the other depots follow the shops.
    """
    places = []  # (entry, start key, end key or None)
    for slot in slots:
        entry = crew[(slot.day, slot.seat)]
        places.append((entry, entry.person.start, entry.end_place))
    keys = list(dict.fromkeys(k for _, start, end in places for k in (start, end) if k is not None))
    keys.sort(key=lambda k: k != "office")  # the office first, when used
    n = len(shops) + 1
    node_of = {k: (0 if i == 0 else n + i - 1) for i, k in enumerate(keys)}

    depot_xy = [place_xy(k, office_xy) for k in keys] or [np.asarray(office_xy, dtype=float)]
    xy = np.vstack([depot_xy[0][None, :], shops[["x", "y"]].to_numpy(), *[p[None, :] for p in depot_xy[1:]]])
    free = (node_of["first_shop"],) if "first_shop" in node_of else ()
    modes = list(dict.fromkeys(entry.person.mode for entry, _, _ in places)) or ["transit"]
    main = "transit" if "transit" in modes else modes[0]
    matrices = {m: _travel(xy, settings, lazy, free, m) for m in modes}
    solver = settings.solver
    vehicles = tuple(
        Vehicle(
            start=node_of[start],
            end=None if end is None else node_of[end],
            shift_start_s=entry.shift_s[0],
            shift_end_s=entry.shift_s[1],
            fixed_cost=solver.worker_day_cost + entry.day * solver.later_day_cost,
            breaks=_lunch(entry, settings),
            profile="" if entry.person.mode == main else entry.person.mode,
        )
        for entry, start, end in places
    )
    service, windows, penalty = _visits(shops, settings, len(depot_xy) - 1)
    return Problem(
        travel_s=matrices[main],
        service_s=service,
        windows=windows,
        vehicles=vehicles,
        penalty=penalty,
        coords=xy,
        profiles={m: matrix for m, matrix in matrices.items() if m != main},
    )


def _lunch(entry, settings: Settings) -> tuple[Break, ...]:
    """The person-day's lunch break in the settings' lunch window, or none."""
    if not entry.lunch_s:
        return ()
    first, last = settings.week.lunch_window_s(entry.day)
    return (Break(first, last, entry.lunch_s),)


def _vehicle(slot: Slot, settings: Settings) -> Vehicle:
    week, solver = settings.week, settings.solver
    shift_start, shift_end = week.shift_s(slot.day)
    lunch_first, lunch_last = week.lunch_window_s(slot.day)
    return Vehicle(
        start=0,
        end=None if solver.open_routes else 0,
        shift_start_s=shift_start,
        shift_end_s=shift_end,
        fixed_cost=solver.worker_day_cost + slot.day * solver.later_day_cost,
        breaks=(Break(lunch_first, lunch_last, 60 * week.lunch_min),),
    )


def rows_to_solution(
    rows: list[dict], node_of: dict[str, int], vehicle_of: dict[tuple[int, int], int]
) -> Solution:
    """The visits in ``rows`` as an engine Solution: merchant ``m`` is node ``node_of[m]``.

    Parameters
    ----------
    rows
        Visit rows as :func:`solution_rows` makes them.
    node_of
        The node of each ``merchant_id`` in the problem the solution is for.
    vehicle_of
        The vehicle of each worker-day ``(day, seat)``.

    Returns
    -------
    Solution
        One route per worker-day, its office and lunch times back in the engine's depot and
        break fields.
    """
    routes = []
    frame = pd.DataFrame(rows)
    if frame.empty:
        return Solution(routes=[])
    for (day, seat), route in frame.sort_values("stop").groupby(["day", "seat"]):
        first = route.iloc[0]
        routes.append(
            Route(
                vehicle=vehicle_of[(int(day), int(seat))],
                visits=tuple(node_of[m] for m in route["merchant_id"]),
                start_s=tuple(int(t) for t in route["start_s"]),
                depart_s=int(first["leave_office_s"]),
                arrive_s=int(first["back_office_s"]),
                breaks_s=(int(first["lunch_start_s"]),) if first["lunch_start_s"] >= 0 else (),
            )
        )
    return Solution(routes=routes)


def solution_rows(solution: Solution, shops: pd.DataFrame, slots: list[Slot]) -> tuple[list[dict], list[int]]:
    """The visits of ``solution`` keyed by ``merchant_id``, and the ``shops`` rows left out.

    Node numbers and the engine's words end here: each visit row names its shop by
    ``merchant_id`` with its worker-day (``day``, ``seat``), ``stop``, ``start_s``, and its
    route's ``leave_office_s``, ``back_office_s`` and ``lunch_start_s`` (-1 without a break),
    the engine's ``depart_s``, ``arrive_s`` and ``breaks_s``. The unassigned are positions in
    ``shops``, for the caller that chose them to offer again.

    Parameters
    ----------
    solution
        The engine's solution.
    shops
        The shops offered, node ``i`` being row ``i - 1`` (node 0 is the office).
    slots
        The worker-day of each vehicle.

    Returns
    -------
    tuple
        The visit rows, and the row positions in ``shops`` of the visits left out.
    """
    merchant_ids = shops["merchant_id"].to_numpy()
    rows = []
    for route in solution.routes:
        slot = slots[route.vehicle]
        for order, (node, start) in enumerate(zip(route.visits, route.start_s, strict=True), start=1):
            rows.append(
                {
                    "merchant_id": merchant_ids[int(node) - 1],
                    "day": slot.day,
                    "seat": slot.seat,
                    "stop": order,
                    "start_s": int(start),
                    "leave_office_s": route.depart_s,
                    "back_office_s": route.arrive_s,
                    "lunch_start_s": route.breaks_s[0] if route.breaks_s else -1,
                }
            )
    return rows, [int(node) - 1 for node in solution.unassigned]
