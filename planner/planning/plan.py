"""Plan a district's week: the team, chains of zones filling whole worker-days, leftover rounds."""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from planner.geo.districts import District
from planner.geo.travel import project
from planner.io.columns import available_from_text
from planner.io.people import Person
from planner.planning.chains import (
    WORKDAY_FILL,
    WeekWork,
    chain_zones,
    chains_for,
    make_chains,
    open_days,
    run_chains,
    slots_by_opening,
    zones_of,
)
from planner.planning.crew import crew_of, is_day_shift, shifts_by_day, work_spans
from planner.planning.executor import Executor, make_executor
from planner.planning.schedule import assemble_routes, office_legs_and_idle_s
from planner.planning.shifts import later_shifts, leftover_rounds
from planner.planning.shops import prepare_shops
from planner.planning.verify import verify_plan
from planner.planning.week import (
    Slot,
    build_problem,
    estimate_workload_s,
    rows_to_solution,
    solution_rows,
    workday_s,
)
from planner.routing.improve import improve
from planner.routing.problem import Solution
from planner.routing.zones import small_zones
from planner.settings import Settings

Progress = Callable[[int, int, str], None]
ZONES_PER_DAY = 2  # zones are chained; small ones let a step stop close to whole worker-days
FIT_MARGIN = 1.25  # a fixed team is assumed to reach this much less than the estimate
MIN_CHAIN_DAYS = 4  # estimated worker-days of work per chain at least
STAFF_MARGIN = 1.1  # team size over the estimated worker-days per usable day
# Improvement across zones goes on while its last few steps keep paying: together they must save
# this share of the cost (a worker-day emptied saves about 1.5 %, half an hour of travel in a
# district of 70 worker-days about 0.05 %); ``improve_s`` stays the ceiling.
IMPROVE_PATIENCE = 4
IMPROVE_MIN_GAIN = 0.0005
# Columns of ``Plan.unassigned``: why a shop is not planned, and what lists and maps show of it.
UNASSIGNED_COLUMNS = (
    "merchant_id",
    "reason",
    "name",
    "address",
    "lat",
    "lon",
    "category",
    "priority",
    "opening_hours",
    "available_from",  # text as in the merchants file, "" when ready from the start
    "zone",
)


@dataclass(frozen=True, eq=False)
class Plan:
    """A verified week plan for one district: its visits and unassigned shops, keyed by merchant_id.

    A plan is a value: it is built once, with everything, and a changed plan is a new one
    (``dataclasses.replace``). ``planner.planning.output.write_plan`` writes it and
    ``planner.report.load.load_plan`` reads the same plan back.
    """

    district: District
    settings: Settings
    staff: int  # workers a day
    needing: int  # shops that need a panel: planned or unassigned
    routes: pd.DataFrame  # the visits, one row each, see planner.planning.schedule.ROUTE_COLUMNS
    unassigned: pd.DataFrame  # UNASSIGNED_COLUMNS, one row per shop not planned
    zones: pd.DataFrame = field(default_factory=pd.DataFrame)  # merchant_id, zone (-1: none)
    scenario: str = ""  # the triage the needing shops came from ("" when not known)
    cutoff: str = ""  # its cut-off date, ISO
    people: tuple = ()  # the roster it was planned with (planner.io.people.Person); () for --staff
    workdays: dict = field(default_factory=dict)  # staff_id -> the only days they work here (pool)

    def crew(self) -> dict | None:
        """The roster's person-days the plan was made with (``planner.planning.crew.crew_of``).

        Returns
        -------
        dict or None
            ``(day, seat)`` -> ``PersonDay``; None for a plan made without a roster.
        """
        return crew_of(self.people, self.settings, self.workdays) if self.people else None

    def summary(self) -> dict:
        """The figures a coordinator reads first.

        Returns
        -------
        dict
            District, scenario and cut-off (when known), needing, planned and unassigned shops,
            team, worker-days, last day used and the time use; written as ``summary.json``. With a
            roster: its size, and the days pool people were sent here (``roster_days``).
        """
        routes = self.routes
        days = routes.drop_duplicates(["staff_id", "day"])
        last_day = int(routes["day"].max()) if len(routes) else -1
        lunch_s = 60 * self.settings.week.lunch_min
        legs_s, idle_s = office_legs_and_idle_s(routes, workday_s(self.settings), lunch_s)
        if self.people and len(days):  # each person-day holds its own shift less its own lunch
            own = {(e.day, e.person.staff_id): e.work_s for e in self.crew().values()}
            idle_s += sum(
                own.get((int(d), s), workday_s(self.settings)) - workday_s(self.settings)
                for d, s in zip(days["day"], days["staff_id"], strict=True)
            )
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
            "office_legs_min": round(legs_s / 60, 1),
            "idle_min": round(idle_s / 60, 1),
            "week_start": str(self.settings.week.start_date),
            **(
                {
                    "roster": len(self.people),
                    "start_at": "roster",
                    "end_at": "roster",
                    **(
                        {"roster_days": {k: sorted(v) for k, v in self.workdays.items()}}
                        if self.workdays
                        else {}
                    ),
                }
                if self.people
                else {
                    "start_at": "first_shop" if self.settings.solver.open_start else "office",
                    "end_at": "last_shop" if self.settings.solver.open_routes else "office",
                }
            ),
        }


def plan_district(
    needing: pd.DataFrame,
    district: District,
    settings: Settings,
    progress: Progress | None = None,
    executor: Executor | None = None,
    scenario: str = "",
    cutoff: str = "",
    people: list[Person] | tuple[Person, ...] | None = None,
    workdays: dict[str, list[int]] | None = None,
    fixed: pd.DataFrame | None = None,
) -> Plan:
    """Plan the week for the shops of one district that need a panel.

    With ``people`` (a roster), each person's available days are the worker-days, with their
    own shift, lunch, start, end and travel mode (``planner.planning.crew``): day shifts take the
    shops they can serve first, then evening shifts and any person-day still free take the rest.

    Parameters
    ----------
    needing
        Triaged merchants with ``needs_panel`` true (see ``planner.planning.triage.needing``).
    district
        The district; its office is every route's start and end.
    settings
        Week, travel model, solver budget and team size (``settings.staff``; None sizes the
        team so the work fits in the week).
    progress
        Called as ``progress(done, total, label)`` as shops are routed (``total`` is the
        needing shops), and while improving.
    executor
        Where the OR-Tools solves run (``planner.planning.executor``); by default
        ``settings.solver.processes`` local processes for the zones and this process for the rest.
    scenario, cutoff
        The triage ``needing`` came from (``planner.planning.triage.triage``), recorded in the plan.
    people
        The roster to plan with; None plans with ``settings.staff`` workers a day from the office.
    workdays
        With ``people``: the days (0-based) named people work in this district (the shared
        pool's allocation); people not named work every day they are available.
    fixed
        Worker-days kept as they are (``planner.planning.fixed.FIXED_COLUMNS``, checked by
        ``planner.planning.fixed.hold_fixed``): same seat, day, order and start times. Their
        worker-days and shops are not offered to the solver; the other shops are planned around them.

    Returns
    -------
    Plan
        The plan, already checked by ``planner.planning.verify.verify_plan``.

    Raises
    ------
    PlanVerificationError
        If the plan breaks a rule; nothing should be written then.
    """
    crew = crew_of(people, settings, workdays)
    shops = prepare_shops(needing, settings, None if crew is None else work_spans(list(crew.values())))
    held_rows, held, on_fixed = _held(fixed, shops)
    office_xy = project(np.array([district.office_lat]), np.array([district.office_lon]))[0]
    if shops.empty:
        return _empty_plan(shops, district, office_xy, settings, scenario, cutoff, people, crew)
    day_crew = None
    if crew is None:
        open_on = open_days(shops, settings)
        candidates = np.flatnonzero(shops["fits"].to_numpy())
    else:
        day_crew = {k: e for k, e in crew.items() if is_day_shift(e, settings)}
        shops["fits"] = open_days(
            shops, settings, shifts_by_day(list(crew.values()), settings.week.days)
        ).any(1)
        open_on = open_days(shops, settings, shifts_by_day(list(day_crew.values()), settings.week.days))
        candidates = np.flatnonzero(open_on.any(axis=1))
    not_ready = shops["not_ready"].to_numpy()
    candidates = candidates[~on_fixed[candidates]]
    unassigned = {
        i: "not_available_in_week" if not_ready[i] else "no_time_window_fits"
        for i in np.flatnonzero(~shops["fits"].to_numpy() & ~on_fixed)
    }
    fit_free = np.flatnonzero(shops["fits"].to_numpy() & ~on_fixed)
    later = [int(i) for i in np.setdiff1d(fit_free, candidates)]
    deferred: list[int] = []
    if settings.staff and crew is None:
        candidates, deferred = _fit_to_team(shops, candidates, office_xy, settings, len(held))
    each_s = _work_per_shop_s(shops.iloc[candidates], office_xy, settings)
    per_day = max(1, int(WORKDAY_FILL * workday_s(settings) // each_s))
    size = max(1, min(settings.solver.zone_max_stops, per_day // ZONES_PER_DAY))
    zone_of = np.full(len(shops), -1)
    if len(candidates):
        zone_of[candidates] = small_zones(shops.loc[candidates, ["x", "y"]].to_numpy(), size)
    work = WeekWork(shops, office_xy, settings, open_on, day_crew)
    tracker = _Tracker(progress, len(shops))
    tracker.add(len(unassigned) + len(held_rows))
    own = make_executor(max(1, settings.solver.processes)) if executor is None else nullcontext(executor)
    with own as run:
        # Each chain may end on a partly filled worker-day: a small district gets fewer chains.
        estimated_days = len(candidates) * each_s / work.day_s
        count = max(1, min(chains_for(run), int(estimated_days // MIN_CHAIN_DAYS)))
        if crew is None:
            staff = settings.staff or _team_size(
                len(candidates) * each_s, open_on[candidates], count, settings
            )
            staff = max(staff, 1 + max((seat for _, seat in held), default=-1))
            week = [Slot(d, s) for d in range(settings.week.days) for s in range(staff)]
        else:
            staff = len(people)
            week = [Slot(d, s) for d, s in sorted(day_crew)]
        week = [s for s in week if (s.day, s.seat) not in held]
        chains = make_chains(work, chain_zones(zone_of, shops[["x", "y"]].to_numpy()), week, count)
        rows, dropped = run_chains(work, chains, run, tracker.add)
        dropped += deferred
        free = {(s.day, s.seat) for s in week} - {(r["day"], r["seat"]) for r in rows}
        if dropped and free:
            # The shops the chains left (mostly closed on the day their chain passed by) are
            # chained again over the worker-days still free, on the days they open.
            slots = slots_by_opening(free, open_on[dropped].sum(axis=0))
            sparse = work.among(dropped)
            left_days = sparse.work_s(dropped) / sparse.day_s
            second = max(1, min(run.workers, int(left_days // MIN_CHAIN_DAYS)))
            chains = make_chains(sparse, zones_of(work, dropped, size), slots, second)
            more_rows, dropped = run_chains(sparse, chains, run, tracker.add)
            rows += more_rows
            free -= {(r["day"], r["seat"]) for r in more_rows}
        rows, dropped = leftover_rounds(work, rows, dropped, free, run, tracker.add)
        if crew is not None:
            free |= set(crew) - set(day_crew) - held
            rows, dropped = later_shifts(work, crew, rows, later + dropped, free, run, tracker.add)
    if progress:
        progress(len(shops), len(shops), "routes solved")
    if settings.solver.improve_s > 0 and rows:
        # Fixed worker-days and their shops stay out of the improvement's problem.
        args = (shops.assign(fits=shops["fits"] & ~on_fixed), office_xy, rows, dropped, staff, settings)
        if executor is None:
            rows, dropped = _improve(*args, progress, crew, held)
        else:  # a shared executor: improve on a worker too, so this process stays free
            rows, dropped = executor.call(_improve, *args, None, crew, held)
    rows = rows + held_rows
    unassigned.update({i: "capacity" for i in dropped})
    shops["zone"] = zone_of
    routes = assemble_routes(pd.DataFrame(rows), shops, office_xy, district, settings, crew)
    unassigned_frame = unassigned_table(shops, unassigned)
    verify_plan(routes, unassigned_frame, shops, office_xy, settings, None if crew else staff, crew)
    zones = pd.DataFrame({"merchant_id": shops["merchant_id"], "zone": zone_of.astype(np.int64)})
    zones = zones.sort_values("merchant_id", ignore_index=True)
    return Plan(
        district,
        settings,
        staff,
        len(shops),
        routes,
        unassigned_frame,
        zones,
        scenario,
        cutoff,
        tuple(people or ()),
        dict(workdays or {}) if people else {},
    )


def unassigned_table(shops: pd.DataFrame, reasons: dict[int, str]) -> pd.DataFrame:
    """The shops at rows ``reasons`` of ``shops`` with why each is not planned (``UNASSIGNED_COLUMNS``).

    ``shops`` are prepared shops with their ``zone``; the table is ordered by ``merchant_id``.

    Parameters
    ----------
    shops
        Prepared shops with their ``zone``.
    reasons
        Row position in ``shops`` -> the reason it is not planned.

    Returns
    -------
    pandas.DataFrame
        ``UNASSIGNED_COLUMNS``, one row per shop.
    """
    detail = [c for c in UNASSIGNED_COLUMNS if c != "reason"]
    table = shops.iloc[list(reasons)].reindex(columns=detail).reset_index(drop=True)
    table.insert(1, "reason", pd.Series(list(reasons.values()), dtype=str))
    table["available_from"] = available_from_text(table["available_from"])
    table["zone"] = table["zone"].astype(np.int64)
    return table.sort_values("merchant_id", ignore_index=True)


def _empty_plan(
    shops: pd.DataFrame,
    district: District,
    office_xy: np.ndarray,
    settings: Settings,
    scenario: str,
    cutoff: str,
    people=None,
    crew: dict | None = None,
) -> Plan:
    """The plan of a district where no shop needs a panel: no route, no one unassigned, still verified."""
    routes = assemble_routes(pd.DataFrame(), shops, office_xy, district, settings, crew)
    unassigned = unassigned_table(shops.assign(zone=np.int64(-1)), {})
    staff = len(people) if people is not None else settings.staff or 0
    verify_plan(routes, unassigned, shops, office_xy, settings, staff, crew)
    zones = pd.DataFrame({"merchant_id": pd.Series(dtype=str), "zone": pd.Series(dtype="int64")})
    return Plan(
        district, settings, staff, 0, routes, unassigned, zones, scenario, cutoff, tuple(people or ())
    )


def _improve(
    shops,
    office_xy,
    rows,
    dropped,
    staff: int,
    settings: Settings,
    progress: Progress | None,
    crew=None,
    held: frozenset | set = frozenset(),
):
    """Re-optimise groups of nearby worker-days across zone borders (``planner.routing.improve``).

    The whole district becomes one problem whose travel times are computed only for the
    groups being re-solved; dropped shops near a group get another chance to fit in.
    """
    fit = np.flatnonzero(shops["fits"].to_numpy())
    node_of = {m: k + 1 for k, m in enumerate(shops["merchant_id"].iloc[fit])}
    node_at = {int(i): k + 1 for k, i in enumerate(fit)}
    if crew is None:
        slots = [Slot(day, seat) for day in range(settings.week.days) for seat in range(staff)]
    else:
        slots = [Slot(day, seat) for day, seat in sorted(crew)]
    slots = [s for s in slots if (s.day, s.seat) not in held]
    vehicle_of = {(s.day, s.seat): k for k, s in enumerate(slots)}
    problem = build_problem(shops.iloc[fit], office_xy, slots, settings, lazy=True, crew=crew)
    start = rows_to_solution(rows, node_of, vehicle_of)
    start.unassigned = sorted(node_at[i] for i in dropped)
    budget = settings.solver.improve_s

    def report(elapsed: float, total: float, text: str) -> None:
        if progress:
            progress(round(min(elapsed, total)), round(total), f"improving across zones, {text}")

    best = improve(
        problem,
        start,
        budget,
        settings.solver.seed,
        settings.solver.sub_time_s,
        report,
        patience=IMPROVE_PATIENCE,
        min_gain=IMPROVE_MIN_GAIN,
    )
    rows = []
    for route in best.routes:
        single = Solution(routes=[replace(route, vehicle=0)])
        rows += solution_rows(single, shops.iloc[fit], [slots[route.vehicle]])[0]
    return rows, [int(fit[i - 1]) for i in best.unassigned]


def _held(fixed: pd.DataFrame | None, shops: pd.DataFrame) -> tuple[list[dict], set, np.ndarray]:
    """The fixed visit rows of ``shops``, their ``(day, seat)`` worker-days, and which shops they visit."""
    if fixed is None or fixed.empty:
        return [], set(), np.zeros(len(shops), dtype=bool)
    fixed = fixed[fixed["merchant_id"].isin(shops["merchant_id"])]
    rows = [{**row, "day": int(row["day"]), "seat": int(row["seat"])} for row in fixed.to_dict("records")]
    return (
        rows,
        {(r["day"], r["seat"]) for r in rows},
        shops["merchant_id"].isin(fixed["merchant_id"]).to_numpy(),
    )


def _fit_to_team(
    shops: pd.DataFrame, candidates: np.ndarray, office_xy: np.ndarray, settings: Settings, held_days: int = 0
):
    """Keep the most urgent shops the team can plausibly serve; defer the rest to the leftover pass.

    Without this, a short-handed team would drop whole zones whatever their shops' priority.
    ``held_days`` worker-days are fixed already and serve none of ``candidates``.
    """
    if not len(candidates):  # a re-plan late in the week may have no shop left to place
        return candidates, []
    pool = shops.iloc[candidates]
    each = _work_per_shop_s(pool, office_xy, settings)
    capacity = (settings.staff * settings.week.days - held_days) * workday_s(settings) / FIT_MARGIN
    keep = int(capacity // max(each, 1.0))
    if keep >= len(candidates):
        return candidates, []
    order = candidates[np.argsort(pool["priority"].to_numpy(), kind="stable")]
    return np.sort(order[:keep]), [int(i) for i in order[keep:]]


def _work_per_shop_s(pool: pd.DataFrame, office_xy: np.ndarray, settings: Settings) -> float:
    """Estimated seconds of work per shop of ``pool`` (service, hops, a share of the commute)."""
    if pool.empty:
        return float(workday_s(settings))
    xy = pool[["x", "y"]].to_numpy()
    return estimate_workload_s(xy, pool["service_s"].to_numpy(), office_xy, settings) / len(pool)


def _team_size(work_s: float, open_on: np.ndarray, chains: int, settings: Settings) -> int:
    """Workers a day so the estimated work fits the days the shops are open, with a margin.

    A day when few shops open (Sunday) counts for the share of shops open then; each chain
    may end on a partly filled worker-day, twice (two chain passes).
    """
    usable_days = float(open_on.mean(axis=0).sum()) if len(open_on) else settings.week.days
    worker_days = STAFF_MARGIN * work_s / (WORKDAY_FILL * workday_s(settings)) + 2 * chains
    return max(1, math.ceil(worker_days / max(usable_days, 1e-9)))


class _Tracker:
    """Reports shops routed or given up as ``progress(done, total, text)``, from any chain's thread."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.done = progress, total, 0

    def add(self, shops: int) -> None:
        self.done = min(self.total, self.done + shops)
        if self.progress:
            self.progress(self.done, self.total, f"{self.done}/{self.total} shops routed")
