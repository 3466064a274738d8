"""Who works where: the proposed roster, the shared pool's allocation and a roster's shortfall."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from planner.geo.districts import District
from planner.io.people import Person
from planner.planning.shiftwork import (
    EPS,
    SHIFTS,
    ShiftWork,
    district_work,
    finish_day,
    own_capacity,
    person_days,
    shift_finish,
)
from planner.settings import Settings, WeekSettings

__all__ = [
    "ALLOCATION_COLUMNS",
    "SHORTFALL_COLUMNS",
    "ShiftWork",
    "allocate_pool",
    "district_work",
    "finish_table",
    "propose_roster",
    "roster_warnings",
    "shortfall",
    "shortfall_lines",
]

ALLOCATION_COLUMNS: tuple[str, ...] = ("staff_id", "date", "day", "district", "shift")
SHORTFALL_COLUMNS: tuple[str, ...] = ("district", "shift", "work_days", "roster_days", "short_days")
_WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


def allocate_pool(people: list[Person], work: Mapping[str, ShiftWork], settings: Settings) -> pd.DataFrame:
    """Send the pool's people (blank district) to districts, day by day, to finish the city early.

    Each day, each pool person working that day goes to the district whose work of that shift
    would be done last (its own people's capacity and the pool so far counted), among those with
    work left that day: day people to day work, evening people to evening work, one district a
    person a day. Then, latest days first, a pool day is given back when the city's last day
    stays the same without it (fewest staff-days). A greedy estimate, not an optimum.

    Parameters
    ----------
    people
        The roster (district people count as capacity of their district; others are ignored).
    work
        Each district's work (``district_work``).
    settings
        The week and its shifts.

    Returns
    -------
    pandas.DataFrame
        ``ALLOCATION_COLUMNS``: one row per pool person and day sent; ``day`` is 0-based, ``date``
        ISO, ``shift`` ``day`` or ``evening``.
    """
    week = settings.week
    names = list(work)
    own = own_capacity(people, work, week)
    pool = [(p.staff_id, person_days(p, week)) for p in people if p.district is None]
    left = {name: np.array([work[name].days[s] for s in SHIFTS]) for name in names}
    given = {name: np.zeros((week.days, len(SHIFTS))) for name in names}
    rows: list[tuple[str, int, str, int, float]] = []  # staff_id, day, district, shift column, share
    for day in range(week.days):
        for column in range(len(SHIFTS)):
            for staff_id, share in sorted(pool, key=lambda p: -p[1][day, column]):
                amount = share[day, column]
                if amount <= 0:
                    continue
                scores = []
                for name in names:
                    today = left[name][column] - own[name][day, column] - given[name][day, column]
                    if today > EPS and work[name].open_on[SHIFTS[column]][day]:
                        finish = day + 1 + shift_finish(today, own[name][day + 1 :, column])
                        scores.append((finish, today, name))
                if scores:
                    name = max(scores)[2]
                    given[name][day, column] += amount
                    rows.append((staff_id, day, name, column, amount))
        for name in names:
            left[name] = np.maximum(0.0, left[name] - own[name][day] - given[name][day])
    rows = _give_back(rows, work, own)
    table = pd.DataFrame(
        [(s, str(week.date_of(d)), d, n, SHIFTS[c]) for s, d, n, c, _ in rows],
        columns=list(ALLOCATION_COLUMNS),
    )
    return table.sort_values(["day", "district", "staff_id"], ignore_index=True)


def _give_back(rows: list, work: Mapping[str, ShiftWork], own: dict) -> list:
    """Drop pool days, latest first, whose loss keeps the city's last day of their shift.

    A district whose shift has no capacity at all never finishes; the last day is then that of
    the districts that do.
    """
    capacity = {name: own[name].copy() for name in work}
    for _, day, name, column, amount in rows:
        capacity[name][day, column] += amount

    def finish(name: str, column: int) -> float:
        return shift_finish(work[name].days[SHIFTS[column]], capacity[name][:, column])

    last = []
    for column in range(len(SHIFTS)):
        finite = [f for f in (finish(name, column) for name in work) if math.isfinite(f)]
        last.append(max(finite, default=0.0))
    dropped = set()
    for k in sorted(range(len(rows)), key=lambda k: (-rows[k][1], rows[k][0])):
        _, day, name, column, amount = rows[k]
        capacity[name][day, column] -= amount
        if finish(name, column) <= last[column] + EPS:
            dropped.add(k)
        else:
            capacity[name][day, column] += amount
    return [row for k, row in enumerate(rows) if k not in dropped]


def pool_capacity(
    people: list[Person], allocation: pd.DataFrame, week: WeekSettings
) -> dict[str, np.ndarray]:
    """district -> ``(days, 2)`` staff-days the pool gives it by ``allocation``.

    Parameters
    ----------
    people
        The roster holding the pool's people.
    allocation
        ``allocate_pool``'s table.
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


def finish_table(
    people: list[Person], work: Mapping[str, ShiftWork], settings: Settings, allocation: pd.DataFrame
) -> pd.DataFrame:
    """Each district's estimated finish without and with the pool, and the pool days it gets.

    Parameters
    ----------
    people
        The roster.
    work
        Each district's work.
    settings
        The week.
    allocation
        ``allocate_pool``'s table.

    Returns
    -------
    pandas.DataFrame
        ``district, work_days, own_finish, pool_days, pool_finish``: finishes as dates, or
        ``after <last date>`` when the week is not enough.
    """
    week = settings.week
    own = own_capacity(people, work, week)
    pooled = pool_capacity(people, allocation, week)
    rows = []
    for name, shift in work.items():
        extra = pooled.get(name, np.zeros_like(own[name]))
        rows.append(
            {
                "district": name,
                "work_days": round(sum(shift.days.values()), 1),
                "own_finish": _date_text(finish_day(shift, own[name]), week),
                "pool_days": int((allocation["district"] == name).sum()),
                "pool_finish": _date_text(finish_day(shift, own[name] + extra), week),
            }
        )
    return pd.DataFrame(rows)


def _date_text(day: float, week: WeekSettings) -> str:
    if math.isinf(day):
        return "never (no one works that shift)"
    if day > week.days - 1 + EPS:
        return f"after {week.date_of(week.days - 1)} (about {math.ceil(day - week.days + 1)} days more)"
    return str(week.date_of(int(math.floor(day + EPS))))


def weekday_expression(days: list[int], week: WeekSettings, start, end) -> str:
    """An availability in opening_hours syntax: the weekdays of ``days`` from ``start`` to ``end``.

    Parameters
    ----------
    days
        0-based days of the week.
    week
        The campaign week (its start date gives each day's weekday).
    start, end
        The shift's times of day.

    Returns
    -------
    str
        For example ``Mo-We,Sa 17:00-22:00``; consecutive weekdays written as ranges.
    """
    weekdays = sorted({week.date_of(day).weekday() for day in days})
    runs: list[list[int]] = []
    for weekday in weekdays:
        if runs and weekday == runs[-1][-1] + 1:
            runs[-1].append(weekday)
        else:
            runs.append([weekday])
    parts = [_WEEKDAYS[r[0]] if len(r) == 1 else f"{_WEEKDAYS[r[0]]}-{_WEEKDAYS[r[-1]]}" for r in runs]
    return f"{','.join(parts)} {start:%H:%M}-{end:%H:%M}"


def propose_roster(
    work: Mapping[str, ShiftWork], settings: Settings, day_staff: Mapping[str, int] | None = None
) -> list[Person]:
    """A day team and an evening team for each district, as roster people to edit and feed back.

    Each team works its shift on the days its work can be done; the day team has ``day_staff``
    people (``planner staffing``'s confirmed team) or, without it, enough for its estimated
    staff-days over those days; the evening team is sized the same way to the work only the
    evening reaches. Ids are ``<district code>-D01`` and ``-E01``; everyone starts and ends at
    the office, travels by transit, and only the day team has a lunch break.

    Parameters
    ----------
    work
        Each district's work (``district_work``).
    settings
        The week and its shifts.
    day_staff
        District -> confirmed day team, or None to size it from the estimate.

    Returns
    -------
    list of Person
        District by district, day team first (``planner.io.roster.write_roster`` writes them).
    """
    week, people = settings.week, []
    shifts = {
        "day": (week.shift_start, week.shift_end, "D"),
        "evening": (week.evening_start, week.evening_end, "E"),
    }
    for name, district_work_ in work.items():
        for shift, (start, end, letter) in shifts.items():
            open_on = [int(day) for day in np.flatnonzero(district_work_.open_on[shift])]
            if not open_on or district_work_.days[shift] <= EPS:
                continue
            team = math.ceil(district_work_.days[shift] / len(open_on) - EPS)
            if shift == "day" and day_staff and day_staff.get(name):
                team = int(day_staff[name])
            availability = weekday_expression(open_on, week, start, end)
            code = district_work_.district.code
            people += [
                Person(
                    f"{code}-{letter}{k:02d}",
                    "",
                    shift,
                    name,
                    availability,
                    "office",
                    "office",
                    "transit",
                    shift == "day",
                )
                for k in range(1, max(1, team) + 1)
            ]
    return people


def shortfall(
    people: list[Person],
    work: Mapping[str, ShiftWork],
    settings: Settings,
    allocation: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Work against a roster, per district and shift: the staff-days the roster lacks.

    The work of a shift is the staff-days of the shops that shift reaches (the day: every shop
    the day shift reaches; the evening: those only the evening reaches); the roster's is the
    share of each shift its people cover on the days that work can be done, the pool's people
    counted where ``allocation`` sends them.

    Parameters
    ----------
    people
        The roster (``planner.io.roster.read_roster``).
    work
        Each district's work (``district_work``).
    settings
        The week and its shifts.
    allocation
        The pool's allocation; None computes it with ``allocate_pool``.

    Returns
    -------
    pandas.DataFrame
        ``SHORTFALL_COLUMNS``, one row per district and shift with work, staff-days to 0.1;
        ``short_days`` is 0 where the roster is enough.
    """
    week = settings.week
    if allocation is None:
        allocation = allocate_pool(people, work, settings)
    own = own_capacity(people, work, week)
    pooled = pool_capacity(people, allocation, week)
    rows = []
    for name, district_work_ in work.items():
        capacity = own[name] + pooled.get(name, 0.0)
        for column, shift in enumerate(SHIFTS):
            needed = district_work_.days[shift]
            if needed <= EPS:
                continue
            have = float(capacity[:, column].sum())
            rows.append((name, shift, round(needed, 1), round(have, 1), round(max(0.0, needed - have), 1)))
    return pd.DataFrame(rows, columns=list(SHORTFALL_COLUMNS))


def shortfall_lines(table: pd.DataFrame) -> list[str]:
    """One warning line per district the roster is short for, naming its shifts.

    Parameters
    ----------
    table
        ``shortfall``'s table.

    Returns
    -------
    list of str
        For example ``Jongno-gu: the roster is 3.5 staff-days short (evening 3.5 of 10.0)``.
    """
    lines = []
    short = table[table["short_days"] > 0]
    for name, rows in short.groupby("district", sort=False):
        parts = ", ".join(f"{r.shift} {r.short_days:g} of {r.work_days:g}" for r in rows.itertuples())
        lines.append(f"{name}: the roster is {rows['short_days'].sum():.1f} staff-days short ({parts})")
    return lines


def roster_warnings(
    people: list[Person], by_district: Mapping[District, pd.DataFrame], settings: Settings
) -> list[str]:
    """What to say before planning with a roster: one line per district it is short for.

    Shorthand for ``shortfall_lines(shortfall(people, district_work(by_district, settings), settings))``,
    the pool counted as ``allocate_pool`` sends it.

    Parameters
    ----------
    people
        The roster (``planner.io.roster.read_roster``).
    by_district
        The needing shops of each district about to be planned.
    settings
        The week and its shifts.

    Returns
    -------
    list of str
        Warning lines; empty when the roster covers the estimated work.
    """
    work = district_work(by_district, settings)
    return shortfall_lines(shortfall(people, work, settings))
