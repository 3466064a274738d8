"""The city's estimated last day with the pool: sent day by day, or each pool person fixed to one district."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from planner.io.people import Person
from planner.planning.openings import EPS, most_lacking
from planner.planning.shiftwork import SHIFTS, ShiftWork, finish_day, own_capacity, person_days
from planner.settings import WeekSettings

ALLOCATION_COLUMNS: tuple[str, ...] = ("staff_id", "date", "day", "district", "shift")


def pool_capacity(
    people: list[Person], allocation: pd.DataFrame, week: WeekSettings
) -> dict[str, np.ndarray]:
    """district -> ``(days, 2)`` staff-days the pool gives it by ``allocation``.

    Parameters
    ----------
    people
        The roster holding the pool's people.
    allocation
        A pool allocation (``ALLOCATION_COLUMNS``).
    week
        The campaign week and its shifts.

    Returns
    -------
    dict of str to numpy.ndarray
        Only districts the allocation names.
    """
    shares = {p.staff_id: person_days(p, week) for p in people if p.district is None}
    capacity: dict[str, np.ndarray] = {}
    for row in allocation.itertuples():
        column = SHIFTS.index(row.shift)
        capacity.setdefault(row.district, np.zeros((week.days, len(SHIFTS))))
        capacity[row.district][row.day, column] += shares[row.staff_id][row.day, column]
    return capacity


def city_finish(
    people: list[Person], work: Mapping[str, ShiftWork], week: WeekSettings, allocation: pd.DataFrame
) -> float:
    """The estimated last day (0-based) of the city: the latest district's, the pool as allocated.

    Parameters
    ----------
    people
        The roster.
    work
        Each district's work.
    week
        The campaign week and its shifts.
    allocation
        A pool allocation (``ALLOCATION_COLUMNS``).

    Returns
    -------
    float
        Past the week's last day when the week is not enough; infinite when some work gets no one.
    """
    own = own_capacity(people, work, week)
    pooled = pool_capacity(people, allocation, week)
    return max(
        (finish_day(shift, own[name] + pooled.get(name, 0.0)) for name, shift in work.items()),
        default=0.0,
    )


def fixed_allocation(people: list[Person], work: Mapping[str, ShiftWork], week: WeekSettings) -> pd.DataFrame:
    """Each pool person fixed to one district for the whole week, as a pool allocation.

    The people giving most staff-days go first, each to the district that lacks most in their
    shift and that they help (the district's own people and those fixed before counted); a
    person who helps no district is not sent.

    Parameters
    ----------
    people
        The roster; its blank-district people are the pool.
    work
        Each district's work.
    week
        The campaign week and its shifts.

    Returns
    -------
    pandas.DataFrame
        ``ALLOCATION_COLUMNS``: every day the person works the shift on which the district's
        shift has work open.
    """
    capacity = own_capacity(people, work, week)
    pool = sorted(
        ((person_days(p, week), p.staff_id) for p in people if p.district is None),
        key=lambda item: (-item[0].sum(), item[1]),
    )
    rows = []
    for shares, staff_id in pool:
        column = int(np.argmax(shares.sum(axis=0)))
        shift = SHIFTS[column]
        best: tuple[float, str] | None = None
        for name, district in work.items():
            given = shares[:, column] * district.open_on[shift]
            before = most_lacking(district.openings(shift), capacity[name][:, column])
            after = most_lacking(district.openings(shift), capacity[name][:, column] + given)
            if math.isfinite(before) and before - after > EPS and (best is None or before > best[0]):
                best = (before, name)
        if best is None:
            continue
        name = best[1]
        open_on = work[name].open_on[shift]
        capacity[name][:, column] += shares[:, column] * open_on
        days = np.flatnonzero((shares[:, column] > 0) & open_on)
        rows += [(staff_id, str(week.date_of(int(d))), int(d), name, shift) for d in days]
    return pd.DataFrame(rows, columns=list(ALLOCATION_COLUMNS))


def pool_against_fixed(
    people: list[Person], work: Mapping[str, ShiftWork], week: WeekSettings, allocation: pd.DataFrame
) -> str:
    """The city's estimated last day with the pool as allocated and with its people fixed to districts.

    Parameters
    ----------
    people
        The roster.
    work
        Each district's work.
    week
        The campaign week and its shifts.
    allocation
        The pool's allocation (``planner.planning.workforce.allocate_pool``).

    Returns
    -------
    str
        One line, for example ``the city's last day (estimate): 2022-02-11 with the pool sent day
        by day, 2022-02-12 with each pool person fixed to one district``.
    """
    pool = city_finish(people, work, week, allocation)
    fixed = city_finish(people, work, week, fixed_allocation(people, work, week))
    return (
        f"the city's last day (estimate): {last_day_text(pool, week)} with the pool sent day by day, "
        f"{last_day_text(fixed, week)} with each pool person fixed to one district"
    )


def last_day_text(day: float, week: WeekSettings) -> str:
    """A last day as a date, ``about n days after <last date>``, or ``never``.

    Parameters
    ----------
    day
        0-based, maybe fractional past the week, or infinite.
    week
        The campaign week.

    Returns
    -------
    str
        For example ``2022-02-11``.
    """
    if math.isinf(day):
        return "never (some work gets no one)"
    if day > week.days - 1 + EPS:
        more = math.ceil(day - week.days + 1 - EPS)
        return f"about {more} day{'s' * (more != 1)} after {week.date_of(week.days - 1)}"
    return str(week.date_of(int(math.floor(day + EPS))))
