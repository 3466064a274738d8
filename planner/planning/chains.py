"""Fill whole worker-days: solve a district's zones in chains, carrying what a step cannot fit."""

from __future__ import annotations

import copy
import math
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.planning.openings import masks_of
from planner.planning.week import (
    Slot,
    build_problem,
    estimate_workload_s,
    shop_work_s,
    solution_rows,
    workday_s,
)
from planner.routing.ortools_solver import Search, solve_ortools
from planner.routing.problem import Problem
from planner.routing.zones import hilbert_order, make_zones, small_zones
from planner.settings import Settings

FIRST_SOLUTION = "LOCAL_CHEAPEST_INSERTION"  # copes with lunch breaks where PATH_CHEAPEST_ARC stalls
# A step is one worker-day: its first local optimum is about as good as guided local search
# until the time limit, in a fraction of the time (Dobong-gu: 131 against 130 staff-days, 2.5x
# faster); the time limit stays a ceiling. Swapping chains of visits in and out of a one-day
# route changed the outcome of none of 87 of Jung-gu's steps and took 11 % of their search time
# (Dobong-gu under a solution limit: the same 123 staff-days with 7 % less CPU).
DESCENT = Search(metaheuristic="GREEDY_DESCENT", without=("swap_active_chain",))
SINGLE_VISIT_S = 0.2  # budget of a one-visit search under a solution limit (see solve_one)
STEP_DAYS = 1  # worker-days solved together in one chain step
CARRY_TRIES = 2  # a shop dropped by this many steps of its chain goes to the leftover rounds
CHAINS_PER_PROCESS = 2  # chains per executor process, so a process never waits on one chain
# Share of a worker-day's estimated work (``estimate_workload_s``) one route really holds: the
# estimate leaves out waiting for opening hours and detours; measured on Dobong-gu's full scenario.
WORKDAY_FILL = 0.88
# A chain step is offered this many worker-days of estimated work for each route it gets: the
# route takes what fits and the rest is carried into the next step, so worker-days end full
# instead of idle (five districts' full scenario: 1.7 % fewer staff-days than offering exactly
# one day's estimate, for about 35 % more solver time).
STEP_OFFER = 1.2
LEFTOVER_MARGIN = 1.2  # worker-days offered to a leftover group per worker-day of its work
# A chain's last step opens another worker-day only for more than this share of a day's work
# beyond the days it fills: a smaller remainder goes to the second pass, which puts what all the
# chains left together over the free worker-days, instead of to a nearly empty day of its own
# (five districts' full scenario: 916 -> 910 staff-days, 870 -> 861 with open routes).
END_SLACK = 0.9
OPEN_SHARE = 0.9  # a leftover group's days: those when at least this share of its best day's shops open


@dataclass(frozen=True)
class WeekWork:
    """What every step needs: the prepared shops, the office, the settings and the open days.

    With a roster, ``crew`` maps each worker-day ``(day, seat)`` the steps may be offered to its
    person-day (``planner.planning.crew.PersonDay``); None for the settings' worker-days.
    """

    shops: pd.DataFrame  # planner.planning.shops.prepare_shops
    office_xy: np.ndarray
    settings: Settings
    open_on: np.ndarray  # (shops, days) bool: some service window on that day's shift
    crew: dict | None = None
    shop_work_s: np.ndarray = field(init=False)  # service plus a hop to a near neighbour
    xy: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        # Steps ask for the work of a growing pool many times: each shop's share is computed once.
        xy = self.shops[["x", "y"]].to_numpy()
        object.__setattr__(self, "xy", xy)
        object.__setattr__(self, "shop_work_s", shop_work_s(xy, self.shops["service_s"], self.settings))

    def among(self, members: list[int]) -> WeekWork:
        """A copy whose work estimates for ``members`` count hops among ``members`` only.

        The shops a first pass left are sparse: their hops are longer than among all shops.

        Parameters
        ----------
        members
            Row positions in ``shops`` of the shops whose shares are measured again.

        Returns
        -------
        WeekWork
            A copy with new shares for ``members``; ``self`` is not changed.
        """
        thinner = copy.copy(self)
        shares = self.shop_work_s.copy()
        shares[members] = shop_work_s(
            self.xy[members], self.shops["service_s"].to_numpy()[members], self.settings
        )
        object.__setattr__(thinner, "shop_work_s", shares)
        return thinner

    @property
    def day_s(self) -> float:
        """Estimated work one worker-day really holds (with a roster: its person-days' mean)."""
        if self.crew:
            return WORKDAY_FILL * float(np.mean([entry.work_s for entry in self.crew.values()]))
        return WORKDAY_FILL * workday_s(self.settings)

    def work_s(self, members: list[int] | np.ndarray) -> float:
        """Estimated seconds of work for ``members``: their shares and the office legs to their centre.

        ``estimate_workload_s``, with the hops measured among all the district's shops.

        Parameters
        ----------
        members
            Row positions in ``shops``.

        Returns
        -------
        float
            Seconds of service, hops and office legs; 0.0 for no shop.
        """
        if not len(members):
            return 0.0
        members = np.asarray(members)
        shares = self.shop_work_s[members]
        return estimate_workload_s(self.xy[members], None, self.office_xy, self.settings, shares)


def open_days(shops: pd.DataFrame, settings: Settings, shifts: list[list] | None = None) -> np.ndarray:
    """``(shops, days)`` bool: whether each shop can be served on each day of the week.

    Parameters
    ----------
    shops
        Prepared shops with ``windows`` and ``service_s`` columns.
    settings
        The week gives the days and each day's shift.
    shifts
        Each day's list of shifts ``(start, end)`` (a roster's, ``planner.planning.crew.shifts_by_day``);
        None for the settings' one shift a day.

    Returns
    -------
    numpy.ndarray
        True where a whole service fits in one of the shop's windows within one shift of that day.
    """
    week = settings.week
    if shifts is None:
        shifts = [[week.shift_s(day)] for day in range(week.days)]
    known: dict[tuple, list[bool]] = {}  # shops share a few opening-hours patterns

    def days_of(windows: tuple, service: int) -> list[bool]:
        key = (windows, service)
        if key not in known:
            usable = [(a, b) for a, b in windows if b - a >= service]
            known[key] = [
                any(max(a, first) + service <= min(b, last) for a, b in usable for first, last in day)
                for day in shifts
            ]
        return known[key]

    rows = [days_of(w, int(s)) for w, s in zip(shops["windows"], shops["service_s"], strict=True)]
    return np.array(rows, dtype=bool).reshape(len(shops), week.days)


def chain_zones(zone_of: np.ndarray, xy: np.ndarray) -> list[np.ndarray]:
    """The zones' members, ordered along a Hilbert curve through their centres.

    Parameters
    ----------
    zone_of
        Zone label per shop, ``0 .. k-1``.
    xy
        ``(n, 2)`` metric coordinates of the shops.

    Returns
    -------
    list of numpy.ndarray
        The row positions of each non-empty zone, neighbouring zones next to each other.
    """
    zones = [np.flatnonzero(zone_of == z) for z in range(zone_of.max() + 1)]
    zones = [z for z in zones if len(z)]
    if not zones:
        return []
    centres = np.array([xy[z].mean(axis=0) for z in zones])
    return [zones[k] for k in hilbert_order(centres)]


def split_chains(zones: list[np.ndarray], count: int) -> list[list[np.ndarray]]:
    """Cut the ordered zones into ``count`` runs of consecutive zones with about equal shops.

    Parameters
    ----------
    zones
        Zones' row positions in chain order (``chain_zones``).
    count
        How many runs to cut.

    Returns
    -------
    list of list of numpy.ndarray
        At most ``count`` non-empty runs, in order.
    """
    sizes = np.cumsum([len(z) for z in zones])
    if not len(sizes):
        return []
    cuts = np.searchsorted(sizes, sizes[-1] * np.arange(1, count) / count, side="right")
    bounds = [0, *sorted(set(int(c) for c in cuts)), len(zones)]
    return [zones[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def solve_one(args: tuple[Problem, float, int | None]) -> object:
    """Solve one step's problem; runs on an executor's worker.

    Parameters
    ----------
    args
        ``(problem, time_limit_s, solution_limit)``, one tuple so that executors can map it.

    Returns
    -------
    object
        The OR-Tools ``Solution`` of the problem.
    """
    problem, time_limit_s, solution_limit = args
    if solution_limit and len(problem.visits) <= 1:
        # One visit has no second solution, so a solution limit never ends the search: only
        # the time limit would. Its first solution is its best, whenever the search stops.
        time_limit_s = min(time_limit_s, SINGLE_VISIT_S)
    return solve_ortools(
        problem,
        time_limit_s,
        first_solution=FIRST_SOLUTION,
        ensure_first=True,
        solution_limit=solution_limit,
        search=DESCENT,
    )


def solve_step(work: WeekWork, members: list[int], slots: list[Slot], urgent: set[int], call):
    """Route ``members`` with the worker-days ``slots`` on ``call``.

    Returns the visit rows, keyed by ``merchant_id`` (``planner.planning.week.solution_rows``),
    and the members dropped.

    Shops in ``urgent`` were dropped before: they are solved as priority 1, so the carry stays small.

    Parameters
    ----------
    work
        The district's week.
    members
        Row positions in ``work.shops`` of the step's shops.
    slots
        The worker-days offered.
    urgent
        Row positions of shops a step dropped before.
    call
        ``call(fn, args)`` runs ``fn(args)``, on an executor's worker or in this thread.

    Returns
    -------
    tuple
        The visit rows (``shop`` and ``zone`` in district terms) and the row positions dropped.
    """
    members = sorted(members)
    pool = work.shops.iloc[members]
    if urgent:
        pool = pool.assign(
            priority=[1 if i in urgent else p for i, p in zip(members, pool["priority"], strict=True)]
        )
    problem = build_problem(pool, work.office_xy, slots, work.settings, crew=work.crew)
    solver = work.settings.solver
    solution = call(solve_one, (problem, solver.time_limit_s, solver.solution_limit))
    rows, left = solution_rows(solution, pool, slots)
    return rows, [int(members[i]) for i in left]


class Chain:
    """One chain: consecutive zones walked in order with their own worker-days, earliest first.

    Each step takes the shops carried from the last step plus whole zones until they hold
    ``STEP_DAYS`` worker-days of estimated work, and offers them only the whole worker-days that
    work fills; what the routes cannot take is carried into the next step, next door.
    """

    def __init__(self, work: WeekWork, zones: list[np.ndarray], slots: list[Slot]):
        self.work, self.zones, self.slots = work, list(zones), list(slots)
        self.rows: list[dict] = []
        self.dropped: list[int] = []

    def run(self, call, stop: threading.Event, report: Callable[[int], None]) -> None:
        """Walk the chain, solving each step with ``call(fn, args)``, until its zones are done.

        Visits go to ``self.rows`` and shops no step could place to ``self.dropped``.

        Parameters
        ----------
        call
            ``call(fn, args)`` runs ``fn(args)``, on an executor's worker or in this thread.
        stop
            Set by another chain that failed: the walk ends after its current step.
        report
            Called with the number of visits each step placed.

        Raises
        ------
        PlannerError
            If a worker-day holds no work, or a step takes neither a zone nor a worker-day.
        """
        work, day_s = self.work, self.work.day_s
        if day_s <= 0:
            raise PlannerError(
                f"a worker-day holds no work ({day_s:g} s): its shift is no longer than its lunch"
            )
        carry: dict[int, int] = {}
        while (self.zones or carry) and not stop.is_set():
            if not self.slots:
                self.dropped += list(carry) + [int(i) for z in self.zones for i in z]
                break
            before = (len(self.zones), len(self.slots), sorted(carry.items()))
            day = self.slots[0].day
            pool = [i for i in carry if work.open_on[i, day]]
            self.dropped += [i for i in carry if not work.open_on[i, day]]
            while self.zones and work.work_s(pool) < STEP_OFFER * STEP_DAYS * day_s:
                zone = self.zones.pop(0)
                pool += [int(i) for i in zone if work.open_on[i, day]]
                self.dropped += [int(i) for i in zone if not work.open_on[i, day]]
            if not pool:
                carry = {}
                _check_progress(before, (len(self.zones), len(self.slots), []))
                continue
            days = work.work_s(pool) / day_s
            want = max(1, math.ceil(days - END_SLACK) if not self.zones else math.floor(days / STEP_OFFER))
            slots, self.slots = self._take(want, day)
            rows, left = solve_step(work, pool, slots, set(carry), call)
            self.rows += rows
            tries = {i: carry.get(i, 0) + 1 for i in left}
            carry = {i: t for i, t in tries.items() if t < CARRY_TRIES and self.zones}
            self.dropped += [i for i in left if i not in carry]
            report(len(rows))
            _check_progress(before, (len(self.zones), len(self.slots), sorted(carry.items())))

    def _take(self, want: int, day: int) -> tuple[list[Slot], list[Slot]]:
        """Up to ``want`` worker-days of ``day`` (a step's routes share the day its pool is open)."""
        same = [s for s in self.slots if s.day == day][:want]
        return same, [s for s in self.slots if s not in same]


def _check_progress(before: tuple, after: tuple) -> None:
    """Stop a chain whose step took no zone, used no worker-day and carried the same shops.

    Such a step would repeat forever; an error says so instead of spinning.
    """
    if before == after:
        raise PlannerError(
            f"planning made no progress: a chain step took none of its {after[0]} zones and none of "
            f"its {after[1]} worker-days; check the week settings"
        )


def run_chains(
    work: WeekWork, chains: list[Chain], executor, report: Callable[[int], None]
) -> tuple[list[dict], list[int]]:
    """Run every chain on its own thread, solving on ``executor``; return all rows and drops.

    Parameters
    ----------
    work
        The district's week.
    chains
        The chains, from ``make_chains``.
    executor
        Runs the solves (``planner.planning.executor.Executor``).
    report
        Called with the number of visits each step placed, from one thread at a time.

    Returns
    -------
    tuple
        The visit rows of every chain and the row positions of the shops they dropped.
    """
    stop = threading.Event()
    lock = threading.Lock()

    def call(fn, args):
        return executor.call(fn, args)

    def counted(done: int) -> None:
        with lock:
            report(done)

    with ThreadPoolExecutor(max(1, len(chains)), thread_name_prefix="chain") as threads:
        futures = [threads.submit(chain.run, call, stop, counted) for chain in chains]
        try:
            for future in futures:
                future.result()
        except BaseException:
            stop.set()
            raise
    rows = [row for chain in chains for row in chain.rows]
    return rows, [i for chain in chains for i in chain.dropped]


def make_chains(work: WeekWork, zones: list[np.ndarray], slots: list[Slot], count: int) -> list[Chain]:
    """``count`` chains over the ordered ``zones``, dealt the ``slots`` in turn (so each its seats).

    Parameters
    ----------
    work
        The district's week.
    zones
        Zones' row positions in chain order.
    slots
        The free worker-days, in the order they are dealt.
    count
        How many chains at most; never more than there are slots.

    Returns
    -------
    list of Chain
        The chains, ready to ``run``.
    """
    runs = split_chains(zones, max(1, min(count, len(slots))))
    return [Chain(work, run, slots[c :: len(runs)]) for c, run in enumerate(runs)]


def zones_of(work: WeekWork, members: list[int], size: int) -> list[np.ndarray]:
    """``members`` cut into small zones of about ``size`` shops, ordered along a Hilbert curve.

    Parameters
    ----------
    work
        The district's week.
    members
        Row positions in ``work.shops``.
    size
        Shops per zone, about.

    Returns
    -------
    list of numpy.ndarray
        Each zone's row positions, in chain order.
    """
    if not members:
        return []
    members = np.array(sorted(members))
    xy = work.xy[members]
    labels = small_zones(xy, size)
    return [members[z] for z in chain_zones(labels, xy)]


def slots_by_opening(free: set[tuple[int, int]], open_count: np.ndarray) -> list[Slot]:
    """Free worker-days, first those of days when nearly as many shops open as on the best day.

    Parameters
    ----------
    free
        ``(day, seat)`` pairs not yet used.
    open_count
        How many shops can be served on each day.

    Returns
    -------
    list of Slot
        The usable slots (days when some shop opens), in that order.
    """
    best = open_count.max() if len(open_count) else 0
    usable = [s for s in free if open_count[s[0]] > 0]
    return [Slot(d, s) for d, s in sorted(usable, key=lambda s: (open_count[s[0]] < OPEN_SHARE * best, s))]


def leftover_groups(work: WeekWork, dropped: list[int], by_days: bool = False) -> list[list[int]]:
    """Cut the shops the chains could not fit into groups of about one worker-day of work.

    Parameters
    ----------
    work
        The district's week.
    dropped
        Row positions of the shops left.
    by_days
        Group only shops open on the same days: a group of shops closed on Monday then does not
        keep the shops open on Monday from Monday's worker-days.

    Returns
    -------
    list of list of int
        The groups' row positions.
    """
    if not dropped:
        return []
    members = np.array(sorted(dropped))
    parts = [members]
    if by_days:
        masks = masks_of(work.open_on[members])
        parts = [members[masks == mask] for mask in np.unique(masks)]
    groups = []
    for part in parts:
        each = work.work_s(part) / len(part)
        size = max(1, min(work.settings.solver.zone_max_stops, int(work.day_s // each)))
        labels = make_zones(work.shops.iloc[part][["x", "y"]].to_numpy(), size, work.settings.solver.seed)
        groups += [[int(i) for i in part[labels == z]] for z in range(labels.max() + 1)]
    return groups


def spread_slots(
    free: set[tuple[int, int]], want: int, open_count: np.ndarray, last_day: int | None = None
) -> list[Slot]:
    """``want`` free worker-days on as many different days as possible, earliest first.

    Leftovers are often shops closed on the day their chain passed by (a Monday-closed shop),
    so only days when nearly as many of them open as on their best day are taken first.
    ``open_count[d]`` is how many of the group's shops can be served on day ``d``. Days after
    ``last_day`` (the last day the plan already works) come only when the days up to it are
    full, so a few leftovers do not make the week longer while earlier days have free seats.

    Parameters
    ----------
    free
        ``(day, seat)`` pairs not yet used; the chosen ones are removed from it.
    want
        How many worker-days to take.
    open_count
        How many of the group's shops can be served on each day.
    last_day
        The last day the plan works so far, or None.

    Returns
    -------
    list of Slot
        Up to ``want`` slots, sorted by day and seat.
    """
    best = open_count.max() if len(open_count) else 0
    late = last_day if last_day is not None else len(open_count)

    def tier(day: int) -> tuple[bool, bool]:
        return (bool(open_count[day] < OPEN_SHARE * best), day > late)

    left = sorted((s for s in free if open_count[s[0]] > 0), key=lambda s: (tier(s[0]), s[0], s[1]))
    chosen: list[tuple[int, int]] = []
    while len(chosen) < want and left:
        first = tier(left[0][0])  # one day each, round by round, within the best tier left
        seen: set[int] = set()
        for slot in [s for s in left if tier(s[0]) == first]:
            if slot[0] not in seen and len(chosen) < want:
                seen.add(slot[0])
                chosen.append(slot)
                left.remove(slot)
    free.difference_update(chosen)
    return [Slot(d, s) for d, s in sorted(chosen)]


def solve_leftovers(
    work: WeekWork,
    dropped: list[int],
    free: set[tuple[int, int]],
    executor,
    last_day: int | None = None,
    by_days: bool = False,
) -> tuple[list[dict], list[int]]:
    """One round: each group of leftovers gets free worker-days spread over the week, solved at once.

    ``last_day`` is the last day the plan works so far: later days only once it is full
    (``spread_slots``).

    Parameters
    ----------
    work
        The district's week.
    dropped
        Row positions of the shops left by the chains or an earlier round.
    free
        ``(day, seat)`` pairs not yet used; the slots the solutions use are removed from it.
    executor
        Runs the solves, side by side.
    last_day
        The last day the plan works so far, or None.
    by_days
        Group only shops open on the same days (``leftover_groups``).

    Returns
    -------
    tuple
        The visit rows placed this round and the row positions still left.
    """
    day_s = work.day_s
    tasks = []
    groups = leftover_groups(work, dropped, by_days)
    days = [work.work_s(group) / day_s for group in groups]
    wants = [math.ceil(LEFTOVER_MARGIN * d) for d in days]
    if sum(wants) > len(free):
        # Too few worker-days for the margin: each group gets what its work needs, the groups
        # holding the most urgent shops first, so no worker-day is given out half empty.
        wants = [max(1, round(d)) for d in days]
        urgency = [int(work.shops["priority"].to_numpy()[group].min()) for group in groups]
        order = sorted(range(len(groups)), key=lambda k: (urgency[k], k))
        groups, wants = [groups[k] for k in order], [wants[k] for k in order]
    for group, want in zip(groups, wants, strict=True):
        slots = spread_slots(free, want, work.open_on[group].sum(axis=0), last_day)
        if slots:
            tasks.append((group, slots))
    solver = work.settings.solver
    problems = [
        (
            build_problem(work.shops.iloc[g], work.office_xy, s, work.settings, crew=work.crew),
            solver.time_limit_s,
            solver.solution_limit,
        )
        for g, s in tasks
    ]
    rows = []
    for k, solution in executor.map_unordered(solve_one, problems):
        group, slots = tasks[k]
        rows += solution_rows(solution, work.shops.iloc[group], slots)[0]
    served = {row["merchant_id"] for row in rows}
    # A worker-day a group was given but did not use is free again for the next round.
    given = {(slot.day, slot.seat) for _, slots in tasks for slot in slots}
    free.update(given - {(row["day"], row["seat"]) for row in rows})
    merchant_ids = work.shops["merchant_id"].to_numpy()
    return rows, [i for i in dropped if merchant_ids[i] not in served]


def chains_for(executor) -> int:
    """How many chains to run at once on ``executor``.

    Parameters
    ----------
    executor
        The executor the chains solve on.

    Returns
    -------
    int
        ``CHAINS_PER_PROCESS`` per process of the executor.
    """
    return CHAINS_PER_PROCESS * max(1, executor.workers)
