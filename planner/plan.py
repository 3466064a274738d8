"""Plan a district's week: zones, the team's worker-days, OR-Tools per zone, a leftover pass."""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from planner.calendar import merchant_time_windows
from planner.districts import District
from planner.executor import Executor, make_executor
from planner.routing.improve import improve
from planner.routing.ortools_solver import solve_ortools
from planner.routing.problem import Problem, Solution
from planner.routing.week import (
    Slot,
    build_problem,
    estimate_workload_s,
    rows_to_solution,
    service_windows,
    solution_rows,
    workday_s,
)
from planner.routing.zones import make_zones
from planner.schedule import assemble_routes
from planner.settings import Settings
from planner.travel import project
from planner.verify import verify_plan

Progress = Callable[[int, int, str], None]
FIRST_SOLUTION = "LOCAL_CHEAPEST_INSERTION"  # copes with lunch breaks where PATH_CHEAPEST_ARC stalls
SLOT_MARGIN = 1.25
LEFTOVER_MIN_S = 3.0  # OR-Tools needs 2-3 s for a first solution of a 240-shop leftover problem
SINGLE_VISIT_S = 0.2  # budget of a one-visit search under a solution limit (see _solve_one)
LEFTOVER_MAX = 2  # the leftover pass takes at most this many zones' worth of shops  # worker-days given to a zone per worker-day its workload suggests


@dataclass
class Plan:
    """A verified week plan for one district."""

    district: District
    settings: Settings
    staff: int
    needing: int
    routes: pd.DataFrame  # one row per visit, see planner.schedule.ROUTE_COLUMNS
    unassigned: pd.DataFrame  # merchant_id, reason
    zones: pd.DataFrame = field(default_factory=pd.DataFrame)  # merchant_id, zone
    scenario: str = ""  # set by the caller that triaged the shops, for the record
    cutoff: str = ""

    def summary(self) -> dict:
        """The figures a coordinator reads first."""
        routes = self.routes
        days = routes.drop_duplicates(["staff_id", "day"])
        last_day = int(routes["day"].max()) if len(routes) else -1
        return {
            "district": self.district.name_en,
            **({"scenario": self.scenario, "cutoff": self.cutoff} if self.scenario else {}),
            "needing": self.needing,
            "planned": int(routes["merchant_id"].nunique()),
            "unassigned": len(self.unassigned),
            "staff_per_day": self.staff,
            "staff_days": len(days),
            "last_day_used": str(self.settings.week.date_of(last_day)) if last_day >= 0 else None,
            "total_travel_min": round(float(routes["travel_s"].sum()) / 60, 1),
            "total_service_min": round(float(routes["service_s"].sum()) / 60, 1),
        }


def prepare_shops(needing: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Add metric coordinates, service seconds and the week's time windows to the needing shops."""
    shops = needing.reset_index(drop=True).copy()
    xy = project(shops["lat"].to_numpy(), shops["lon"].to_numpy())
    shops["x"], shops["y"] = xy[:, 0], xy[:, 1]
    shops["service_s"] = [settings.service_s(c) for c in shops["category"]]
    shops["windows"] = merchant_time_windows(shops, settings.week).to_numpy()
    shops["fits"] = [
        bool(service_windows(w, s)) for w, s in zip(shops["windows"], shops["service_s"], strict=True)
    ]
    return shops


def plan_district(
    needing: pd.DataFrame,
    district: District,
    settings: Settings,
    progress: Progress | None = None,
    executor: Executor | None = None,
) -> Plan:
    """Plan the week for the shops of one district that need a panel.

    Parameters
    ----------
    needing
        Triaged merchants with ``needs_panel`` true (see ``planner.triage.needing``).
    district
        The district; its office is every route's start and end.
    settings
        Week, travel model, solver budget and team size (``settings.staff``; None sizes the
        team so the work fits in the week).
    progress
        Called as ``progress(done, total, label)`` after each zone is solved.
    executor
        Where the OR-Tools solves run (``planner.executor``); by default
        ``settings.solver.processes`` local processes for the zones and this process for the rest.

    Returns
    -------
    Plan
        The plan, already checked by ``planner.verify.verify_plan``.

    Raises
    ------
    PlanVerificationError
        If the plan breaks a rule; nothing should be written then.
    """
    shops = prepare_shops(needing, settings)
    office_xy = project(np.array([district.office_lat]), np.array([district.office_lon]))[0]
    unassigned = {i: "no_time_window_fits" for i in np.flatnonzero(~shops["fits"].to_numpy())}
    candidates = np.flatnonzero(shops["fits"].to_numpy())
    deferred: list[int] = []
    if settings.staff:
        candidates, deferred = _fit_to_team(shops, candidates, office_xy, settings)
    zone_of = np.full(len(shops), -1)
    if len(candidates):
        xy = shops.loc[candidates, ["x", "y"]].to_numpy()
        zone_of[candidates] = make_zones(xy, settings.solver.zone_max_stops, settings.solver.seed)
    zones = [np.flatnonzero(zone_of == z) for z in range(zone_of.max() + 1)]
    demand = [_slots_needed(shops.iloc[z], office_xy, settings) for z in zones]
    staff = settings.staff or max(1, math.ceil(sum(demand) / settings.week.days))
    free = {(d, s) for d in range(settings.week.days) for s in range(staff)}
    tasks = [
        (z, members, _take_slots(free, want))
        for z, (members, want) in enumerate(zip(zones, demand, strict=True))
    ]
    rows, dropped = _solve_zones(shops, office_xy, tasks, settings, progress, len(tasks) + 1, executor)
    used = {(r["day"], r["seat"]) for r in rows}
    free |= {(slot.day, slot.seat) for _, _, slots in tasks for slot in slots} - used
    dropped += deferred
    if dropped and free:
        more_rows, dropped = _solve_leftovers(shops, office_xy, dropped, free, settings, executor)
        rows += more_rows
    if progress:
        progress(len(tasks) + 1, len(tasks) + 1, "leftovers")
    if settings.solver.improve_s > 0 and rows:
        if executor is None:
            rows, dropped = _improve(shops, office_xy, rows, dropped, staff, settings, progress)
        else:  # a shared executor: improve on a worker too, so this process stays free
            rows, dropped = executor.call(_improve, shops, office_xy, rows, dropped, staff, settings, None)
    unassigned.update({i: "capacity" for i in dropped})
    shops["zone"] = zone_of
    routes = assemble_routes(pd.DataFrame(rows), shops, office_xy, district, settings)
    unassigned_frame = pd.DataFrame(
        {
            "merchant_id": shops.loc[list(unassigned), "merchant_id"].to_numpy(),
            "reason": list(unassigned.values()),
        }
    ).sort_values("merchant_id", ignore_index=True)
    verify_plan(routes, unassigned_frame, shops, office_xy, settings, staff)
    zones_frame = pd.DataFrame({"merchant_id": shops["merchant_id"], "zone": zone_of})
    return Plan(district, settings, staff, len(shops), routes, unassigned_frame, zones_frame)


def _improve(shops, office_xy, rows, dropped, staff: int, settings: Settings, progress: Progress | None):
    """Re-optimise groups of nearby worker-days across zone borders (``planner.routing.improve``).

    The whole district becomes one problem whose travel times are computed only for the
    groups being re-solved; dropped shops near a group get another chance to fit in.
    """
    fit = np.flatnonzero(shops["fits"].to_numpy())
    node_of = {int(i): k + 1 for k, i in enumerate(fit)}
    slots = [Slot(day, seat) for day in range(settings.week.days) for seat in range(staff)]
    vehicle_of = {(s.day, s.seat): k for k, s in enumerate(slots)}
    problem = build_problem(shops.iloc[fit], office_xy, slots, settings, lazy=True)
    start = rows_to_solution(rows, node_of, vehicle_of)
    start.unassigned = sorted(node_of[i] for i in dropped)
    budget = settings.solver.improve_s

    def report(elapsed: float, total: float, text: str) -> None:
        if progress:
            progress(round(min(elapsed, total)), round(total), f"improving across zones, {text}")

    best = improve(problem, start, budget, settings.solver.seed, settings.solver.sub_time_s, report)
    zone_rows = []
    for route in best.routes:
        slot = slots[route.vehicle]
        single = Solution(routes=[replace(route, vehicle=0)])
        route_rows, _ = solution_rows(single, shops.iloc[fit], [slot], zone=0)
        zone_rows += route_rows
    for row in zone_rows:
        row["shop"] = int(fit[row["shop"]])
    return zone_rows, [int(fit[i - 1]) for i in best.unassigned]


def _fit_to_team(shops: pd.DataFrame, candidates: np.ndarray, office_xy: np.ndarray, settings: Settings):
    """Keep the most urgent shops the team can plausibly serve; defer the rest to the leftover pass.

    Without this, a short-handed team would drop whole zones whatever their shops' priority.
    """
    pool = shops.iloc[candidates]
    each = estimate_workload_s(
        pool[["x", "y"]].to_numpy(), pool["service_s"].to_numpy(), office_xy, settings
    ) / len(pool)
    capacity = settings.staff * settings.week.days * workday_s(settings) / SLOT_MARGIN
    keep = int(capacity // max(each, 1.0))
    if keep >= len(candidates):
        return candidates, []
    order = candidates[np.argsort(pool["priority"].to_numpy(), kind="stable")]
    return np.sort(order[:keep]), [int(i) for i in order[keep:]]


def _first_free_seats(free: set[tuple[int, int]], day: int, count: int) -> set[int]:
    return set(sorted(seat for d, seat in free if d == day)[:count])


def _slots_needed(zone: pd.DataFrame, office_xy: np.ndarray, settings: Settings) -> int:
    work = estimate_workload_s(zone[["x", "y"]].to_numpy(), zone["service_s"].to_numpy(), office_xy, settings)
    return max(1, math.ceil(SLOT_MARGIN * work / workday_s(settings)))


def _take_slots(free: set[tuple[int, int]], want: int) -> list[Slot]:
    """Give a zone the ``want`` earliest free worker-days (earliest days first: finish early)."""
    chosen = sorted(free)[:want]
    free.difference_update(chosen)
    return [Slot(day, seat) for day, seat in chosen]


def _solve_one(args: tuple[Problem, float, int | None]) -> object:
    problem, limit, solution_limit = args
    if solution_limit and len(problem.visits) <= 1:
        # One visit has no second solution, so a solution limit never ends the search: only
        # the time limit would. Its first solution is its best, whenever the search stops.
        limit = min(limit, SINGLE_VISIT_S)
    return solve_ortools(
        problem, limit, first_solution=FIRST_SOLUTION, ensure_first=True, solution_limit=solution_limit
    )


def _solve_zones(shops, office_xy, tasks, settings: Settings, progress, total: int, executor=None):
    """Solve every zone on ``executor`` (or on ``settings.solver.processes`` local processes).

    A zone the team had no worker-days left for is not solved: all its shops are dropped.
    """
    limit, solution_limit = settings.solver.time_limit_s, settings.solver.solution_limit
    staffed = [k for k, (_, _, slots) in enumerate(tasks) if slots]
    problems = [
        (build_problem(shops.iloc[tasks[k][1]], office_xy, tasks[k][2], settings), limit, solution_limit)
        for k in staffed
    ]
    solutions = {
        k: Solution(routes=[], unassigned=list(range(1, len(tasks[k][1]) + 1))) for k in range(len(tasks))
    }
    own = make_executor(max(1, settings.solver.processes)) if executor is None else nullcontext(executor)
    with own as run:
        for done, (k, solution) in enumerate(run.map_unordered(_solve_one, problems), start=1):
            solutions[staffed[k]] = solution
            if progress:
                progress(done, total, f"zone {tasks[staffed[k]][0] + 1}/{len(tasks)}")
    rows, dropped = [], []
    for (zone, members, slots), solution in zip(tasks, solutions.values(), strict=True):
        zone_rows, zone_dropped = solution_rows(solution, shops.iloc[members], slots, zone)
        for row in zone_rows:
            row["shop"] = int(members[row["shop"]])
        rows += zone_rows
        dropped += [int(members[i]) for i in zone_dropped]
    return rows, dropped


def _solve_leftovers(
    shops, office_xy, dropped: list[int], free: set[tuple[int, int]], settings: Settings, executor=None
):
    """Offer the shops no zone could fit to the worker-days still free, in one more solve.

    The most urgent shops go first, at most ``LEFTOVER_MAX`` zone sizes of them; the rest stay
    unassigned for capacity.
    """
    priority = shops["priority"].to_numpy()
    ranked = sorted(dropped, key=lambda i: (priority[i], i))
    limit = LEFTOVER_MAX * settings.solver.zone_max_stops
    members, beyond = np.array(sorted(ranked[:limit])), ranked[limit:]
    # Up to `want` free worker-days on every day: leftovers are often shops closed on the days
    # their zone was given (a Monday-closed shop in a zone planned on Monday).
    want = 2 * _slots_needed(shops.iloc[members], office_xy, settings)
    slots = [Slot(day, seat) for day, seat in sorted(free) if seat in _first_free_seats(free, day, want)]
    problem = build_problem(shops.iloc[members], office_xy, slots, settings)
    task = (problem, max(settings.solver.time_limit_s, LEFTOVER_MIN_S), settings.solver.solution_limit)
    solution = _solve_one(task) if executor is None else executor.call(_solve_one, task)
    rows, left = solution_rows(solution, shops.iloc[members], slots, zone=-1)
    for row in rows:
        row["shop"] = int(members[row["shop"]])
    return rows, [int(members[i]) for i in left] + beyond
