"""Place the shops the chains left: leftover rounds, then a roster's evening and still-free person-days."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from planner.planning.chains import WeekWork, open_days, solve_leftovers, solve_one
from planner.planning.crew import is_day_shift, shifts_by_day
from planner.planning.week import Slot, build_problem, solution_rows

LEFTOVER_ROUNDS = 2  # rounds for the shops two chain passes could not place
EVENING_ROUNDS = 4  # the evenings' rounds, while each places some shop: few worker-days, used up
TOP_UP_SPARE_S = 20 * 60  # a worker-day ending this much before its shift may take more shops
TOP_UP_SHOPS = 12  # the shops left offered to such a worker-day, nearest first


def leftover_rounds(
    work: WeekWork,
    rows: list[dict],
    dropped: list[int],
    free: set,
    executor,
    report: Callable[[int], None],
    by_days: bool = False,
) -> tuple[list[dict], list[int]]:
    """Up to ``LEFTOVER_ROUNDS`` rounds (``EVENING_ROUNDS`` by days) placing ``dropped`` on the
    ``free`` worker-days, while a round places some shop.

    Parameters
    ----------
    work
        The district's week (with the person-days the rounds may use, for a roster).
    rows
        The visit rows so far.
    dropped
        Row positions of the shops left.
    free
        ``(day, seat)`` worker-days not yet used; those given out are removed.
    executor
        Runs the solves.
    report
        Called with the number of visits each round placed.
    by_days
        Group only shops open on the same days (``planner.planning.chains.leftover_groups``).

    Returns
    -------
    tuple
        All visit rows and the row positions still left.
    """
    rows = list(rows)
    for round_ in range(EVENING_ROUNDS if by_days else LEFTOVER_ROUNDS):
        if not dropped or not free:
            break
        last_day = max((r["day"] for r in rows), default=None)
        more_rows, dropped = solve_leftovers(work, dropped, free, executor, last_day, by_days and not round_)
        rows += more_rows
        report(len(more_rows))
        if not more_rows:
            break
    return rows, dropped


def later_shifts(
    work: WeekWork,
    crew: dict,
    rows: list[dict],
    left: list[int],
    free: set,
    executor,
    report: Callable[[int], None],
) -> tuple[list[dict], list[int]]:
    """Place ``left`` (shops no day shift took) on the roster's other person-days still ``free``.

    First the evening shifts alone, each shop offered only if an evening shift can serve it;
    then whatever is still left on every free person-day, day shifts included.

    Parameters
    ----------
    work
        The district's week (its shops, office and settings are used).
    crew
        The roster's person-days, ``(day, seat)`` -> ``PersonDay``.
    rows
        The visit rows so far.
    left
        Row positions of the shops to place.
    free
        ``(day, seat)`` person-days not yet used; those given out are removed.
    executor
        Runs the solves.
    report
        Called with the number of visits each round placed.

    Returns
    -------
    tuple
        All visit rows and the row positions still left.
    """
    settings = work.settings
    late = {k: e for k, e in crew.items() if k in free and not is_day_shift(e, settings)}
    for part in (late, {k: crew[k] for k in free}):
        if not left or not part:
            continue
        shifts = shifts_by_day(list(part.values()), settings.week.days)
        step = replace(work, open_on=open_days(work.shops, settings, shifts), crew=part)
        can = set(np.flatnonzero(step.open_on.any(axis=1)).tolist())
        tried, kept = [i for i in left if i in can], [i for i in left if i not in can]
        offered = free & set(part)
        free -= offered
        # Evening shops open on other days (Mo-Sa, Tu-Su) are grouped apart, so each evening
        # goes to shops open then.
        rows, tried = leftover_rounds(step, rows, tried, offered, executor, report, part is late)
        if part is late:
            rows, tried = top_up(step, rows, tried, set(part), executor, report)
        free |= offered
        left = sorted(tried + kept)
    return rows, left


def top_up(
    work: WeekWork, rows: list[dict], left: list[int], keys: set, executor, report: Callable[[int], None]
) -> tuple[list[dict], list[int]]:
    """Offer the shops still ``left`` to the worker-days of ``keys`` that have time to spare.

    The rounds give each group of shops its own worker-days, so one evening may end early while
    shops of another group wait. Each such worker-day, in day order, is solved again with its own
    visits and the nearest ``TOP_UP_SHOPS`` shops left that open that day; the new route is kept
    only if it still serves every visit it had.

    Parameters
    ----------
    work
        The district's week, with the person-days of ``keys`` in its ``crew``.
    rows
        The visit rows so far.
    left
        Row positions of the shops still to place.
    keys
        ``(day, seat)`` worker-days that may take more.
    executor
        Runs the solves.
    report
        Called with the number of visits placed.

    Returns
    -------
    tuple
        All visit rows and the row positions still left.
    """
    index = {m: i for i, m in enumerate(work.shops["merchant_id"])}
    by_slot: dict[tuple[int, int], list[dict]] = {}
    for row in rows:
        if (row["day"], row["seat"]) in keys:
            by_slot.setdefault((row["day"], row["seat"]), []).append(row)
    remaining, solver = set(left), work.settings.solver
    for (day, seat), own in sorted(by_slot.items()):
        end = work.crew[(day, seat)].shift_s[1] if work.crew else work.settings.week.shift_s(day)[1]
        if end - own[0]["back_office_s"] < TOP_UP_SPARE_S:
            continue
        extra = np.array(sorted(i for i in remaining if work.open_on[i, day]), dtype=int)
        if not len(extra):
            continue
        mine = [index[r["merchant_id"]] for r in own]
        centre = work.xy[mine].mean(axis=0)
        extra = extra[np.argsort(np.hypot(*(work.xy[extra] - centre).T), kind="stable")[:TOP_UP_SHOPS]]
        members = mine + extra.tolist()
        slots = [Slot(day, seat)]
        problem = build_problem(
            work.shops.iloc[members], work.office_xy, slots, work.settings, crew=work.crew
        )
        solution = executor.call(solve_one, (problem, solver.time_limit_s, solver.solution_limit))
        new_rows, _ = solution_rows(solution, work.shops.iloc[members], slots)
        served = {r["merchant_id"] for r in new_rows}
        if not {r["merchant_id"] for r in own} <= served or len(new_rows) <= len(own):
            continue
        rows = [r for r in rows if (r["day"], r["seat"]) != (day, seat)] + new_rows
        placed = {index[m] for m in served} - set(mine)
        remaining -= placed
        report(len(placed))
    return rows, sorted(remaining)
