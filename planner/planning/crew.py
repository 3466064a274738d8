"""A roster's person-days: who works which day of the week, when, from where and how they travel."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.geo.calendar import Window, time_windows
from planner.geo.travel import project
from planner.io.people import Person
from planner.settings import Settings, clock_s

DAY_S = 86_400


@dataclass(frozen=True)
class PersonDay:
    """One person on one day: the vehicle of that worker-day.

    ``seat`` is the person's place in the roster, so ``(day, seat)`` names the worker-day as the
    planning's slots do. ``shift_s`` is the person's longest available window of the day (week
    seconds); ``lunch_s`` is the length of the day's lunch break in the settings' lunch window,
    0 for a day without one (the person takes no lunch, or the shift does not cover the window).
    """

    person: Person
    day: int
    seat: int
    shift_s: Window
    lunch_s: int

    @property
    def work_s(self) -> int:
        """Working seconds: the shift less the lunch break."""
        return self.shift_s[1] - self.shift_s[0] - self.lunch_s

    @property
    def end_place(self) -> str | tuple[float, float] | None:
        """Where the day ends: ``"office"``, the start's place, or None at the last shop.

        A day that starts at its first shop and ends where it started ends at the last shop:
        there is no fixed place to go back to.
        """
        end, start = self.person.end, self.person.start
        if end == "last_shop" or (end == "start" and start == "first_shop"):
            return None
        return "office" if end == "office" else start


def place_xy(place: str | tuple[float, float], office_xy: np.ndarray) -> np.ndarray:
    """A start or end place in metres: the office (also for ``first_shop``) or a ``(lat, lon)`` point.

    Parameters
    ----------
    place
        ``"office"``, ``"first_shop"`` or ``(lat, lon)``.
    office_xy
        The district office in metres.

    Returns
    -------
    numpy.ndarray
        ``(2,)`` metres.
    """
    if isinstance(place, str):
        return np.asarray(office_xy, dtype=float)
    return project(np.array([place[0]]), np.array([place[1]]))[0]


def person_days(
    people: list[Person] | tuple[Person, ...],
    settings: Settings,
    workdays: Mapping[str, Iterable[int]] | None = None,
) -> list[PersonDay]:
    """Every day each person works in the week, with their shift and lunch.

    A person works day ``d`` when their availability opens on it (and, if ``workdays`` names
    them, ``d`` is one of their days there); the shift is the longest open window of that day.
    The lunch break is theirs when they take lunch and the shift covers the settings' whole
    lunch window.

    Parameters
    ----------
    people
        The roster, in order (a person's place is their ``seat``).
    settings
        The week and its lunch window.
    workdays
        ``staff_id`` -> the days (0-based) the person works here, e.g. the days the shared
        pool's allocation sends them to this district; people not named work all their days.

    Returns
    -------
    list of PersonDay
        Sorted by day and seat.

    Raises
    ------
    InputError
        If two people share a ``staff_id`` or an availability does not parse.
    """
    ids = [p.staff_id for p in people]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise InputError(
            f"roster: staff_id {', '.join(twice)} appears more than once; give each person one id"
        )
    week = settings.week
    whole_days = tuple((d * DAY_S, (d + 1) * DAY_S) for d in range(week.days))
    lunch_s = 60 * week.lunch_min
    days = []
    for seat, person in enumerate(people):
        try:
            windows = time_windows(person.availability, week, whole_days)
        except InputError as exc:
            raise InputError(f"roster, {person.staff_id}: availability {exc}") from None
        allowed = set(workdays[person.staff_id]) if workdays and person.staff_id in workdays else None
        for day in range(week.days):
            if allowed is not None and day not in allowed:
                continue
            begin, end = day * DAY_S, (day + 1) * DAY_S
            today = [(max(a, begin), min(b, end)) for a, b in windows if a < end and b > begin]
            if not today:
                continue
            shift = max(today, key=lambda w: (w[1] - w[0], -w[0]))
            first, last = week.lunch_window_s(day)
            lunch = person.lunch and shift[0] <= first and last + lunch_s <= shift[1]
            days.append(PersonDay(person, day, seat, shift, lunch_s if lunch else 0))
    return sorted(days, key=lambda p: (p.day, p.seat))


def crew_of(
    people: list[Person] | tuple[Person, ...] | None,
    settings: Settings,
    workdays: Mapping[str, Iterable[int]] | None = None,
) -> dict | None:
    """The roster's person-days keyed by worker-day ``(day, seat)``, as planning and checks use them.

    Parameters
    ----------
    people
        The roster, or None.
    settings
        The week.
    workdays
        The days named people work here (see ``person_days``).

    Returns
    -------
    dict or None
        ``(day, seat)`` -> ``PersonDay``; None without a roster.
    """
    if people is None:
        return None
    return {(e.day, e.seat): e for e in person_days(list(people), settings, workdays)}


def is_day_shift(entry: PersonDay, settings: Settings) -> bool:
    """Whether a person-day is a day shift: it starts before the settings' evening shift does.

    Shops are planned first with day shifts; evening shifts take what only they can serve.

    Parameters
    ----------
    entry
        The person-day.
    settings
        The week's evening shift (``week.evening_start``).

    Returns
    -------
    bool
        True for a day shift, False for an evening one.
    """
    week = settings.week
    return entry.shift_s[0] < week.day_offset_s(entry.day) + clock_s(week.evening_start)


def work_spans(entries: list[PersonDay]) -> tuple[Window, ...]:
    """The times anyone of ``entries`` works: their shifts, sorted and merged.

    Parameters
    ----------
    entries
        Person-days.

    Returns
    -------
    tuple of (int, int)
        Disjoint windows in week seconds.
    """
    merged: list[Window] = []
    for a, b in sorted(e.shift_s for e in entries):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return tuple(merged)


def shifts_by_day(entries: list[PersonDay], days: int) -> list[list[Window]]:
    """Each day's shifts among ``entries``.

    Parameters
    ----------
    entries
        Person-days.
    days
        Days in the week.

    Returns
    -------
    list of list of (int, int)
        One list of shifts per day.
    """
    shifts: list[list[Window]] = [[] for _ in range(days)]
    for entry in entries:
        shifts[entry.day].append(entry.shift_s)
    return shifts


def district_rosters(people: list[Person], allocation: pd.DataFrame) -> dict[str, tuple[list[Person], dict]]:
    """Each district's people for a city plan: its own, and the pool people sent there, on those days.

    Parameters
    ----------
    people
        The roster.
    allocation
        The shared pool's allocation (``planner.planning.workforce.allocate_pool``): ``staff_id``,
        ``day`` and ``district`` per pool person-day.

    Returns
    -------
    dict
        District name -> (its people in roster order, ``staff_id`` -> days for pool people).
    """
    sent: dict[str, dict[str, list[int]]] = {}
    for staff_id, day, district in zip(
        allocation["staff_id"], allocation["day"], allocation["district"], strict=True
    ):
        sent.setdefault(str(district), {}).setdefault(str(staff_id), []).append(int(day))
    names = {p.district for p in people if p.district} | set(sent)
    rosters = {}
    for name in names:
        pool = sent.get(name, {})
        chosen = [p for p in people if p.district == name or (p.district is None and p.staff_id in pool)]
        rosters[name] = (chosen, {k: sorted(v) for k, v in pool.items()})
    return rosters
