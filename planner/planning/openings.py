"""Work that opens only on some days against daily capacity: what is lacking, by set of days."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

EPS = 1e-9  # staff-days below this are none
MAX_DAYS = 10  # every set of days is looked at up to this many days: 2**days of them
OPEN_PART_QUANTILE = 0.1  # the share of the work allowed to open before (or close after) the open part

# Work is kept by the set of days it can be done on, a bit mask (bit d: day d of the week). Work
# open only on some days can use only those days' capacity: it is covered when, for every set Q
# of days, the work open only within Q is at most the capacity on Q (the supply-demand form of
# Hall's condition), a sum over Q alone being blind to a Tuesday shop given a Monday worker.


def mask_of(open_on: np.ndarray) -> int:
    """The bit mask of the days ``open_on`` is true.

    Parameters
    ----------
    open_on
        Bool per day.

    Returns
    -------
    int
        Bit ``d`` set when day ``d`` is open.
    """
    return sum(1 << int(day) for day in np.flatnonzero(open_on))


def masks_of(open_on: np.ndarray) -> np.ndarray:
    """The bit mask of each row's open days (``mask_of`` for many rows at once).

    Parameters
    ----------
    open_on
        ``(rows, days)`` bool.

    Returns
    -------
    numpy.ndarray
        ``int64`` per row; bit ``d`` set when day ``d`` is open.
    """
    return np.asarray(open_on).astype(np.int64) @ (1 << np.arange(np.shape(open_on)[1], dtype=np.int64))


@cache
def _members(days: int) -> np.ndarray:
    """Which days each set of days looked at holds (see ``members``)."""
    if days <= MAX_DAYS:
        sets = np.arange(1 << days)
        table = (sets[:, None] >> np.arange(days)[None, :]) & 1 == 1
    else:
        one = np.eye(days, dtype=bool)
        table = np.vstack([np.ones((1, days), dtype=bool), one, ~one])
    table.flags.writeable = False
    return table


def members(days: int) -> np.ndarray:
    """Which days each set of days looked at holds.

    Up to ``MAX_DAYS`` days every set is looked at, numbered by its bit mask (exact); a longer
    week looks at the whole week, each day alone and each day left out (a coarser check, still
    catching work crowded into one day or missing one).

    Parameters
    ----------
    days
        Days in the week.

    Returns
    -------
    numpy.ndarray
        ``(sets, days)`` bool, read-only.
    """
    return _members(days)


def work_within(patterns: Mapping[int, float], days: int, last_day: int | None = None) -> np.ndarray:
    """For every set of days looked at (``members``), the work that can only be done within it.

    Parameters
    ----------
    patterns
        Bit mask of open days -> staff-days of work open on exactly those days.
    days
        Days in the week.
    last_day
        Only days up to this one (0-based) count; None for the whole week.

    Returns
    -------
    numpy.ndarray
        ``(sets,)`` staff-days; infinite everywhere when some work opens on no day counted.
    """
    sets = members(days)
    keep = (1 << days) - 1 if last_day is None else (1 << (last_day + 1)) - 1
    used = {mask: v for mask, v in patterns.items() if v > EPS}
    if any(mask & keep == 0 for mask in used):
        return np.full(len(sets), math.inf)
    if not used:
        return np.zeros(len(sets))
    opens = np.array([[(mask & keep) >> d & 1 for d in range(days)] for mask in used], dtype=bool)
    outside = (~sets).astype(np.int64) @ opens.T.astype(np.int64)  # (sets, patterns) open days outside
    return (outside == 0) @ np.array(list(used.values()))


def lacking(patterns: Mapping[int, float], capacity: np.ndarray, last_day: int | None = None) -> np.ndarray:
    """For every set of days, the work open only within it less the capacity on it.

    Parameters
    ----------
    patterns
        Bit mask of open days -> staff-days (see ``work_within``).
    capacity
        Staff-days given on each day.
    last_day
        Only days up to this one count (capacity after it is ignored); None for the whole week.

    Returns
    -------
    numpy.ndarray
        ``(sets,)`` staff-days (``members``); the work is covered when none is above 0.
    """
    days = len(capacity)
    given = np.asarray(capacity, dtype=float).copy()
    if last_day is not None:
        given[last_day + 1 :] = 0.0
    return work_within(patterns, days, last_day) - members(days) @ given


def most_lacking(patterns: Mapping[int, float], capacity: np.ndarray, last_day: int | None = None) -> float:
    """The staff-days the capacity lacks for the work, on the set of days that lacks most.

    Parameters
    ----------
    patterns
        Bit mask of open days -> staff-days.
    capacity
        Staff-days given on each day.
    last_day
        Only days up to this one count; None for the whole week.

    Returns
    -------
    float
        At least 0; infinite when some work opens on no day counted.
    """
    return max(0.0, float(lacking(patterns, capacity, last_day).max()))


def finish(patterns: Mapping[int, float], capacity: np.ndarray) -> float:
    """The last day (0-based) the work needs with each day's ``capacity``, the week repeating after.

    Parameters
    ----------
    patterns
        Bit mask of open days -> staff-days.
    capacity
        Staff-days given on each day of the week.

    Returns
    -------
    float
        0.0 for no work; the first day by which nothing lacks; past the week, the days the
        repeated week needs (fractional); infinite when some work gets no capacity at all.
    """
    if sum(patterns.values()) <= EPS:
        return 0.0
    days = len(capacity)
    for last_day in range(days):
        if most_lacking(patterns, capacity, last_day) <= EPS:
            return float(last_day)
    within = work_within(patterns, days)
    given = members(days) @ np.asarray(capacity, dtype=float)
    needed = within > EPS
    if (given[needed] <= EPS).any():
        return math.inf
    # Over w weeks the set Q gets w times its capacity: w is the largest work-to-capacity ratio.
    weeks = float((within[needed] / given[needed]).max())
    return days * weeks - 1


def team_size(patterns: Mapping[int, float], open_on: np.ndarray) -> int:
    """The fewest people who, each working every ``open_on`` day, leave nothing lacking.

    Work open only on some days needs its staff-days on those days: the team is the largest
    work open only within a set of days over the team's days in that set.

    Parameters
    ----------
    patterns
        Bit mask of open days -> staff-days.
    open_on
        Bool per day: the days the team works.

    Returns
    -------
    int
        0 for no work; work open on none of ``open_on`` is left out.
    """
    days = len(open_on)
    within, needed = _reachable_work(patterns, open_on)
    worked = members(days) @ np.asarray(open_on, dtype=int)
    if not needed.any():
        return 0
    return math.ceil(float((within[needed] / worked[needed]).max()) - EPS)


def _reachable_work(patterns: Mapping[int, float], open_on: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every set of days, the work open only within it (work open on no day of ``open_on``
    left out), and which sets have any."""
    reachable = {m: v for m, v in patterns.items() if m & mask_of(open_on)}
    within = work_within(reachable, len(open_on))
    return within, within > EPS


def day_teams(patterns: Mapping[int, float], open_on: np.ndarray) -> np.ndarray:
    """People on each day so nothing lacks: the fewest people, then the fewest staff-days, then the earliest.

    Person ``k`` (from 1) works the days whose team has at least ``k`` people, so the largest
    day is the team and the sum its staff-days. The fewest people is ``team_size``; two small
    integer programs then take the fewest staff-days with that many, and among those the work
    as early in the week as they allow (an early finish).

    Parameters
    ----------
    patterns
        Bit mask of open days -> staff-days.
    open_on
        Bool per day: the days anyone may work.

    Returns
    -------
    numpy.ndarray
        ``int`` people per day; 0 on days not ``open_on``, all 0 for no work; work open on none
        of ``open_on`` is left out.
    """
    days = len(open_on)
    within, needed = _reachable_work(patterns, open_on)
    if not needed.any():
        return np.zeros(days, dtype=int)
    team = team_size(patterns, open_on)
    # Variables: people per day. Every set of days gets at least the work open only within it.
    cover = LinearConstraint(members(days)[needed].astype(float), lb=within[needed] - EPS)
    bounds = Bounds(np.zeros(days), np.where(open_on, team, 0).astype(float))
    integral = np.ones(days)
    fewest = milp(np.ones(days), constraints=[cover], bounds=bounds, integrality=integral)
    total = LinearConstraint(np.ones((1, days)), lb=fewest.fun - 0.5, ub=fewest.fun + 0.5)
    earliest = milp(
        np.arange(days, dtype=float), constraints=[cover, total], bounds=bounds, integrality=integral
    )
    return np.round(earliest.x).astype(int)


def open_part_s(windows, service_s, shifts: list[list[tuple[int, int]]]) -> tuple[float, float] | None:
    """The part of a shift in which shops can be served: from when most of their work has opened
    to when most of it closes.

    Nobody is served before the shops open or after they close: shops open only from 18:30 leave
    an evening shift of 17:00-22:00 three and a half hours of work, not five. The part runs from
    the time (counted from its shift's start) by which ``OPEN_PART_QUANTILE`` of the work has
    opened to the time until which that share is still open; work weighed by service seconds,
    over every window and day.

    Parameters
    ----------
    windows
        Each shop's windows, ``(start, end)`` seconds on the week's clock.
    service_s
        Each shop's service seconds.
    shifts
        Each day's shifts, ``(start, end)`` on the week's clock.

    Returns
    -------
    tuple of float, or None
        When the part starts and ends, in seconds from the start of the shift; None when no
        window meets a shift.
    """
    starts, ends, weights = [], [], []
    for shop_windows, service in zip(windows, service_s, strict=True):
        for a, b in shop_windows:
            day = int(a // 86_400)
            for first, last in shifts[day] if day < len(shifts) else ():
                low, high = max(a, first), min(b, last)
                if high > low:
                    starts.append(low - first)
                    ends.append(high - first)
                    weights.append(float(service) / len(shop_windows))
    if not weights:
        return None
    weight = np.array(weights)
    opened = _weighted_quantile(np.array(starts), weight, OPEN_PART_QUANTILE)
    closed = _weighted_quantile(np.array(ends), weight, 1 - OPEN_PART_QUANTILE)
    return opened, max(opened, closed)


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value below which at least ``q`` of the weight lies."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, q * cumulative[-1])])
