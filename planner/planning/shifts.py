"""Place the shops the chains left: leftover rounds, then a roster's evening and still-free person-days."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from planner.planning.chains import WeekWork, open_days, solve_leftovers
from planner.planning.crew import is_day_shift, shifts_by_day

LEFTOVER_ROUNDS = 2  # rounds for the shops two chain passes could not place


def leftover_rounds(
    work: WeekWork, rows: list[dict], dropped: list[int], free: set, executor, report: Callable[[int], None]
) -> tuple[list[dict], list[int]]:
    """Up to ``LEFTOVER_ROUNDS`` rounds placing ``dropped`` on the ``free`` worker-days.

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

    Returns
    -------
    tuple
        All visit rows and the row positions still left.
    """
    rows = list(rows)
    for _ in range(LEFTOVER_ROUNDS):
        if not dropped or not free:
            break
        last_day = max((r["day"] for r in rows), default=None)
        more_rows, dropped = solve_leftovers(work, dropped, free, executor, last_day)
        rows += more_rows
        report(len(more_rows))
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
        rows, tried = leftover_rounds(step, rows, tried, offered, executor, report)
        free |= offered
        left = sorted(tried + kept)
    return rows, left
