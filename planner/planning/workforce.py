"""Who works where: the proposed roster, the shared pool's allocation and a roster's shortfall."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from planner.geo.districts import District
from planner.io.people import Person
from planner.planning.openings import EPS, day_teams, lacking, members, most_lacking
from planner.planning.shiftwork import (
    SHIFTS,
    ShiftWork,
    district_work,
    finish_day,
    own_capacity,
    person_days,
)
from planner.planning.teams import ALLOCATION_COLUMNS, city_finish, fixed_allocation, pool_capacity
from planner.settings import Settings, WeekSettings

__all__ = [
    "ALLOCATION_COLUMNS",
    "SHORTFALL_COLUMNS",
    "ShiftWork",
    "allocate_pool",
    "district_work",
    "finish_table",
    "pool_capacity",
    "propose_roster",
    "proposed_teams",
    "roster_warnings",
    "shortfall",
    "shortfall_lines",
]

SHORTFALL_COLUMNS: tuple[str, ...] = ("district", "shift", "work_days", "roster_days", "short_days")
_WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MAX_WEEKS = 52  # how far past the week a deadline is searched for, in weeks like this one
_BISECTIONS = 30
# Proposed teams cover the estimated work and a tenth more: the estimate's error on one district.
PROPOSAL_SPARE = 0.1


def allocate_pool(people: list[Person], work: Mapping[str, ShiftWork], settings: Settings) -> pd.DataFrame:
    """Send the pool's people (blank district) to districts, day by day, to finish the city early.

    Each shift is allocated apart: day people to day work, evening people to evening work, each
    person to one district a day, on days its work can be done. The deadline is the earliest
    last day for which the pool can cover what every district's own people leave undone by then
    (past the week, the week is taken as repeating); the city's deadline is the later of the two
    shifts' that can be covered at all. Work counts only on the days its shops open in the shift
    (``planner.planning.openings``): an evening person is sent on evenings the district's evening
    shops are open. For that deadline each person-day (whole days first, or part-days first,
    whichever needs fewer) goes to the district lacking most among those it helps that day,
    until none lacks anything: person-days not needed are not allocated (fewest staff-days). A greedy estimate, not an
    optimum, but never later for the city than ``fixed_allocation`` (each pool person kept in one
    district), which is taken instead when it finishes earlier.

    Parameters
    ----------
    people
        The roster (district people count as capacity of their district).
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
    own = own_capacity(people, work, week)
    shares = [(p.staff_id, person_days(p, week)) for p in people if p.district is None]
    largest_first = {
        column: sorted(
            (
                (-float(share[day, column]), day, staff_id)
                for staff_id, share in shares
                for day in range(week.days)
                if share[day, column] > 0
            )
        )
        for column in range(len(SHIFTS))
    }
    orders = {
        column: [units, sorted(units, key=lambda unit: (-unit[0], unit[1], unit[2]))]
        for column, units in largest_first.items()
    }
    # A shift nobody can cover (evening work, no evening people) does not hold the other one back.
    deadlines = [_earliest_deadline(work, own, orders[c], c, week.days) for c in range(len(SHIFTS))]
    deadline = max((d for d in deadlines if d is not None), default=float(week.days - 1))
    rows = []
    for column in range(len(SHIFTS)):
        assigned, _ = _cover(work, own, orders[column], column, deadline, week.days)
        rows += [(staff_id, day, name, column) for staff_id, day, name in assigned]
    table = pd.DataFrame(
        [(s, str(week.date_of(d)), d, n, SHIFTS[c]) for s, d, n, c in rows],
        columns=list(ALLOCATION_COLUMNS),
    )
    # The greedy can do worse than one district a person for the week, which is an allocation too.
    fixed = fixed_allocation(people, work, week)
    if city_finish(people, work, week, fixed) < city_finish(people, work, week, table) - EPS:
        table = fixed
    return table.sort_values(["day", "district", "staff_id"], ignore_index=True)


def _needs(work: Mapping[str, ShiftWork], own: dict, column: int, deadline: float, days: int) -> dict:
    """What each district's own people leave lacking by ``deadline`` (0-based, maybe past the week),
    for every set of days (``planner.planning.openings.lacking``).

    Past the week the week repeats: the week's capacity must reach the work's share of the
    ``deadline + 1`` days that one week is.
    """
    needs = {}
    for name, shift in work.items():
        patterns = shift.openings(SHIFTS[column])
        if deadline < days:
            needs[name] = lacking(patterns, own[name][:, column], int(deadline))
        else:
            share = days / (deadline + 1)
            needs[name] = lacking({m: v * share for m, v in patterns.items()}, own[name][:, column])
    return needs


def _cover(
    work: Mapping[str, ShiftWork], own: dict, orders: list[list], column: int, deadline: float, days: int
) -> tuple[list[tuple[str, int, str]], float]:
    """Person-days given to the districts lacking most, and the most any district still lacks.

    Each order of the person-days (largest share first, smallest first) is tried: whole days
    first can overshoot a district that a part-day would have filled. The result covering every
    district with the fewest person-days wins, else the one leaving the least lacking.
    """
    best: tuple | None = None
    for units in orders:
        needs = _needs(work, own, column, deadline, days)
        names = list(needs)
        gaps = np.array([needs[n] for n in names]).reshape(len(names), len(members(days)))
        assigned = _cover_in_order(names, gaps, units, deadline, days)
        left = float(gaps.max()) if gaps.size else 0.0
        key = (left > EPS, len(assigned) if left <= EPS else left)
        if best is None or key < best[0]:
            best = (key, assigned, left)
    return best[1], best[2]


def _cover_in_order(
    names: list[str], gaps: np.ndarray, units: list, deadline: float, days: int
) -> list[tuple[str, int, str]]:
    """Give each person-day in turn to a district it helps; ``gaps`` (district x set of days) is lowered in place.

    A day goes first where it lowers the district's most lacking set of days, then where it
    lowers some set still lacking, the district lacking most on the sets holding that day first.
    """
    assigned = []
    if not names:
        return assigned
    sets = members(days)
    for negative_share, day, staff_id in units:
        if day > deadline:
            continue
        holds = sets[:, day]
        top = gaps.max(axis=1)
        rows = np.flatnonzero(np.isfinite(top) & (top > EPS))  # work no day can reach is left out
        with_day = gaps[np.ix_(rows, holds)].max(axis=1)
        rows, top, with_day = rows[with_day > EPS], top[rows][with_day > EPS], with_day[with_day > EPS]
        if not len(rows):
            continue
        without = gaps[np.ix_(rows, ~holds)].max(axis=1)
        lowers = top - np.maximum(without, with_day + negative_share) > EPS
        chosen = int(rows[np.lexsort((with_day, lowers))[-1]])
        gaps[chosen, holds] += negative_share
        assigned.append((staff_id, day, names[chosen]))
    return assigned


def _earliest_deadline(
    work: Mapping[str, ShiftWork], own: dict, orders: list[list], column: int, days: int
) -> float | None:
    """The earliest last day (0-based; past the week a fraction) by which the pool covers every
    district, or None if ``MAX_WEEKS`` weeks are not enough."""

    def covered(deadline: float) -> bool:
        return _cover(work, own, orders, column, deadline, days)[1] <= EPS

    if covered(days - 1):
        low, high = -1, days - 1
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (low, middle) if covered(middle) else (middle, high)
        return float(max(high, 0))
    low, high = float(days - 1), float(MAX_WEEKS * days)
    if not covered(high):
        return None
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        low, high = (low, middle) if covered(middle) else (middle, high)
    return high


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
        ``district, work_days, own_finish, pool_days, pool_finish``: finishes as dates,
        ``after <last date> (about n days more)`` when the week is not enough, or ``never`` naming
        the shift nobody works.
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
                "own_finish": _finish_text(shift, own[name], week),
                "pool_days": int((allocation["district"] == name).sum()),
                "pool_finish": _finish_text(shift, own[name] + extra, week),
            }
        )
    return pd.DataFrame(rows)


def _finish_text(work: ShiftWork, capacity: np.ndarray, week: WeekSettings) -> str:
    """The finish as a date, ``after <last date> (about n days more)``, or the shift nobody works."""
    day = finish_day(work, capacity)
    if math.isinf(day):
        idle = [s for k, s in enumerate(SHIFTS) if work.days[s] > EPS and capacity[:, k].sum() <= 0]
        return f"never: nobody works the {' or '.join(idle)} shift"
    if day > week.days - 1 + EPS:
        more = math.ceil(day - week.days + 1)
        return f"after {week.date_of(week.days - 1)} (about {more} day{'s' * (more != 1)} more)"
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


def proposed_teams(
    work: Mapping[str, ShiftWork], settings: Settings, day_staff: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """People per day of each district's day and evening team, sized to the work each shift can do.

    A shift's work counts only on the days its shops open then, plus ``PROPOSAL_SPARE`` for the
    estimate's error; each day gets the people ``planner.planning.openings.day_teams`` gives:
    the fewest people, then the fewest staff-days, then the earliest days. A day team confirmed
    by ``planner staffing``'s search (``day_staff``) works every day its shops open instead.

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
    pandas.DataFrame
        ``district, shift``, one column of people per date of the week, ``people`` and
        ``staff_days``; a row per district and shift with work.
    """
    week, rows = settings.week, []
    dates = [str(week.date_of(day)) for day in range(week.days)]
    for name, district_work_ in work.items():
        for shift in SHIFTS:
            open_on = district_work_.open_on[shift]
            if not open_on.any() or district_work_.days[shift] <= EPS:
                continue
            if shift == "day" and day_staff and day_staff.get(name):
                counts = np.where(open_on, int(day_staff[name]), 0)
            else:
                spared = {m: v * (1 + PROPOSAL_SPARE) for m, v in district_work_.openings(shift).items()}
                counts = day_teams(spared, open_on)
            rows.append(
                {
                    "district": name,
                    "shift": shift,
                    **dict(zip(dates, counts.tolist(), strict=True)),
                    "people": int(counts.max()),
                    "staff_days": int(counts.sum()),
                }
            )
    return pd.DataFrame(rows, columns=["district", "shift", *dates, "people", "staff_days"])


def propose_roster(
    work: Mapping[str, ShiftWork],
    settings: Settings,
    day_staff: Mapping[str, int] | None = None,
    teams: pd.DataFrame | None = None,
) -> list[Person]:
    """A day team and an evening team for each district, as roster people to edit and feed back.

    Each day gets the team ``proposed_teams`` gives it; person ``k`` of a team works the days
    whose team has at least ``k`` people, so the first people work every day and the last only
    the busiest. Ids are ``<district code>-D01`` and ``-E01``; everyone starts and ends at the
    office, travels by transit, and only the day team has a lunch break.

    Parameters
    ----------
    work
        Each district's work (``district_work``).
    settings
        The week and its shifts.
    day_staff
        District -> confirmed day team, or None to size it from the estimate.
    teams
        ``proposed_teams(work, settings, day_staff)`` when already made, or None to make it.

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
    teams = proposed_teams(work, settings, day_staff) if teams is None else teams
    dates = [str(week.date_of(day)) for day in range(week.days)]
    for row in teams.to_dict("records"):
        start, end, letter = shifts[row["shift"]]
        counts = np.array([row[date] for date in dates])
        code = work[row["district"]].district.code
        for k in range(1, row["people"] + 1):
            availability = weekday_expression(np.flatnonzero(counts >= k).tolist(), week, start, end)
            people.append(
                Person(
                    f"{code}-{letter}{k:02d}",
                    "",
                    row["shift"],
                    row["district"],
                    availability,
                    "office",
                    "office",
                    "transit",
                    row["shift"] == "day",
                )
            )
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
            short = max(needed - have, most_lacking(district_work_.openings(shift), capacity[:, column]))
            rows.append((name, shift, round(needed, 1), round(have, 1), round(min(short, needed), 1)))
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
