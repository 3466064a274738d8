"""Each district's work by shift (day, evening) and each person's share of the shifts, in staff-days."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from planner.geo.districts import District
from planner.geo.travel import road_distance_m, travel_time_s
from planner.io.people import Person
from planner.io.roster import availability_windows
from planner.planning.chains import WORKDAY_FILL, open_days
from planner.planning.openings import EPS, finish, mask_of, masks_of, open_part_s
from planner.planning.plan import STAFF_MARGIN
from planner.planning.shops import prepare_shops
from planner.planning.staffing import office_of
from planner.planning.week import estimate_workload_s, workday_s
from planner.settings import Settings, WeekSettings

SHIFTS: tuple[str, ...] = ("day", "evening")


def evening_settings(settings: Settings) -> Settings:
    """``settings`` whose week's shift is the evening shift (``WeekSettings.evening_week``).

    Parameters
    ----------
    settings
        The run's settings.

    Returns
    -------
    Settings
        A copy for computing the evening's time windows and worker-days.
    """
    return replace(settings, week=settings.week.evening_week())


@dataclass(frozen=True)
class ShiftWork:
    """One district's estimated work by shift, in staff-days, and the days each shift's shops open."""

    district: District
    days: dict[str, float]  # shift -> staff-days of work (day: shops the day shift reaches;
    # evening: shops only the evening reaches)
    open_on: dict[str, np.ndarray]  # shift -> bool per day: some of that work can be done then
    shops: dict[str, int]  # shift -> shops
    no_shift: list[str]  # merchant_ids open in no shift (reason no_time_window_fits)
    # shift -> bit mask of the days a shop can be served -> staff-days of those shops; empty: all
    # of the shift's work can be done on any day of ``open_on``
    patterns: dict[str, dict[int, float]] = field(default_factory=dict)

    def openings(self, shift: str) -> dict[int, float]:
        """The shift's work by the set of days it can be done on.

        Parameters
        ----------
        shift
            ``day`` or ``evening``.

        Returns
        -------
        dict of int to float
            Bit mask of days (bit ``d``: day ``d``) -> staff-days open on exactly those days.
        """
        if shift in self.patterns:
            return self.patterns[shift]
        return {mask_of(self.open_on[shift]): self.days[shift]} if self.days[shift] > EPS else {}

    def row(self) -> dict:
        """The figures of the work table.

        Returns
        -------
        dict
            District, shops and staff-days by shift, and shops open in no shift.
        """
        return {
            "district": self.district.name_en,
            "day_shops": self.shops["day"],
            "day_work_days": round(self.days["day"], 1),
            "evening_shops": self.shops["evening"],
            "evening_work_days": round(self.days["evening"], 1),
            "open_in_no_shift": len(self.no_shift),
        }


def open_hours_s(shops: pd.DataFrame, settings: Settings, office_xy: np.ndarray | None = None) -> int:
    """The working seconds of a worker-day in which ``shops`` can be served.

    The shift while most of their work is open (``planner.planning.openings.open_part_s``)
    less the lunch break; never more than ``planner.planning.week.workday_s``, never less than
    an hour. When the shops open after the shift starts and close after it ends (the evening's
    bars), the way out to them is made before they open but the way back to the office
    (``office_xy``) takes the end of the open part: it is counted off too.

    Parameters
    ----------
    shops
        Prepared shops (``planner.planning.shops.prepare_shops``).
    settings
        The week and its shift.
    office_xy
        The district office in metres, or None not to count the way back.

    Returns
    -------
    int
        Seconds; ``workday_s`` when no shop has a window.
    """
    week, full = settings.week, workday_s(settings)
    shifts = [[week.shift_s(day)] for day in range(week.days)]
    part = open_part_s(shops["windows"], shops["service_s"], shifts)
    if part is None:
        return full
    opened, closed = part
    hours = closed - opened - 60 * week.lunch_min
    start, end = week.shift_s(0)
    if office_xy is not None and opened > 0 and closed >= end - start and settings.solver.office_legs:
        centre = shops[["x", "y"]].to_numpy().mean(axis=0)
        travel = settings.travel
        hours -= travel_time_s(road_distance_m(office_xy[None, :], centre[None, :], travel), travel).item()
    return int(max(3_600, min(full, hours)))


def staff_days(shops: pd.DataFrame, office_xy: np.ndarray, settings: Settings) -> float:
    """Estimated staff-days to serve prepared ``shops``, as the planner sizes a team.

    The workload estimate (``planner.planning.week.estimate_workload_s``) over the work one
    worker-day really holds (``WORKDAY_FILL`` of the part of the shift the shops are open,
    ``open_hours_s``), with the team margin ``STAFF_MARGIN``.

    Parameters
    ----------
    shops
        Prepared shops (``planner.planning.shops.prepare_shops``).
    office_xy
        The district office in metres.
    settings
        The week (its shift gives the worker-day) and the travel model.

    Returns
    -------
    float
        Staff-days; 0.0 for no shop.
    """
    if shops.empty:
        return 0.0
    work_s = estimate_workload_s(
        shops[["x", "y"]].to_numpy(), shops["service_s"].to_numpy(), office_xy, settings
    )
    return STAFF_MARGIN * work_s / (WORKDAY_FILL * open_hours_s(shops, settings, office_xy))


def shift_work(needing: pd.DataFrame, district: District, settings: Settings) -> ShiftWork:
    """Split a district's needing shops into day work, evening work and shops open in no shift.

    A shop is day work when its service fits a day-shift window, evening work when it fits only an
    evening window, and open in no shift when it fits neither (the plans' ``no_time_window_fits``).

    Parameters
    ----------
    needing
        The district's shops that need a panel.
    district
        The district (its office starts the estimate's commute).
    settings
        The week, with its day and evening shifts.

    Returns
    -------
    ShiftWork
        Staff-days, open days and shops by shift.
    """
    by_shift = {"day": settings, "evening": evening_settings(settings)}
    prepared = {shift: prepare_shops(needing, chosen) for shift, chosen in by_shift.items()}
    day_fits = prepared["day"]["fits"].to_numpy()
    evening_fits = prepared["evening"]["fits"].to_numpy()
    members = {"day": day_fits, "evening": evening_fits & ~day_fits}
    days, open_on, patterns = {}, {}, {}
    for shift, chosen in by_shift.items():
        shops = prepared[shift][members[shift]]
        opens = open_days(shops, chosen)
        open_on[shift] = opens.any(axis=0)
        if shift == "evening":  # planned by sets of open days, each with its own hours
            patterns[shift] = _each_opening(shops, opens, office_of(district), chosen)
            days[shift] = sum(patterns[shift].values())
        else:
            days[shift] = staff_days(shops, office_of(district), chosen)
            patterns[shift] = _by_opening(opens, shops["service_s"].to_numpy(), days[shift])
    no_shift = prepared["day"].loc[~(day_fits | evening_fits), "merchant_id"].astype(str).tolist()
    shops = {shift: int(members[shift].sum()) for shift in SHIFTS}
    return ShiftWork(district, days, open_on, shops, no_shift, patterns)


def _each_opening(
    shops: pd.DataFrame, opens: np.ndarray, office_xy: np.ndarray, settings: Settings
) -> dict[int, float]:
    """Staff-days of the shops of each set of open days, each estimated on its own (hops among
    them, the hours they open)."""
    if not len(opens):
        return {}
    masks = masks_of(opens)
    return {int(m): staff_days(shops[masks == m], office_xy, settings) for m in np.unique(masks) if m}


def _by_opening(opens: np.ndarray, service_s: np.ndarray, total: float) -> dict[int, float]:
    """``total`` staff-days shared among the shops' sets of open days by their service times."""
    if total <= EPS or not len(opens):
        return {}
    masks = masks_of(opens)
    weights = pd.Series(service_s.astype(float)).groupby(masks).sum()
    return {int(mask): total * float(w) / float(weights.sum()) for mask, w in weights.items()}


def district_work(by_district: Mapping[District, pd.DataFrame], settings: Settings) -> dict[str, ShiftWork]:
    """``shift_work`` of every district, keyed by English name.

    Parameters
    ----------
    by_district
        The needing shops of each district.
    settings
        The week and its shifts.

    Returns
    -------
    dict of str to ShiftWork
        In the order given.
    """
    return {d.name_en: shift_work(shops, d, settings) for d, shops in by_district.items()}


def person_days(person: Person, week: WeekSettings) -> np.ndarray:
    """The share of each day's day and evening shift a person covers, one shift a day.

    A person whose hours touch both shifts of a day is counted in the one they cover more of (the
    day shift on a tie): one district and one shift per person per day.

    Parameters
    ----------
    person
        A roster person.
    week
        The campaign week and its shifts.

    Returns
    -------
    numpy.ndarray
        ``(days, 2)`` shares from 0 to 1, columns in ``SHIFTS`` order.
    """
    windows = availability_windows(person.availability, week)
    shares = np.zeros((week.days, len(SHIFTS)))
    for column, shift_week in enumerate((week, week.evening_week())):
        for day in range(week.days):
            first, last = shift_week.shift_s(day)
            overlap = sum(max(0, min(b, last) - max(a, first)) for a, b in windows)
            shares[day, column] = min(1.0, overlap / (last - first))
    evening = shares[:, 1] > shares[:, 0]
    shares[evening, 0] = 0.0
    shares[~evening, 1] = 0.0
    return shares


def own_capacity(people: list[Person], work: Mapping[str, ShiftWork], week: WeekSettings) -> dict:
    """Staff-days each district's own people give it, by day and shift, on the days its work opens.

    Parameters
    ----------
    people
        The roster; people of the pool or of other districts are left out.
    work
        Each district's work (``district_work``).
    week
        The campaign week and its shifts.

    Returns
    -------
    dict of str to numpy.ndarray
        District -> ``(days, 2)`` staff-days, columns in ``SHIFTS`` order.
    """
    capacity = {name: np.zeros((week.days, len(SHIFTS))) for name in work}
    for person in people:
        if person.district in capacity:
            capacity[person.district] += person_days(person, week)
    for name, shift in work.items():
        capacity[name] *= np.column_stack([shift.open_on[s] for s in SHIFTS])
    return capacity


def finish_day(work: ShiftWork, capacity: np.ndarray) -> float:
    """The estimated day (0-based) a district's work of both shifts is done with ``capacity``.

    Work open only on some days counts only those days' capacity (``planner.planning.openings``).

    Parameters
    ----------
    work
        The district's work.
    capacity
        ``(days, 2)`` staff-days given each day and shift, on the days its shops open.

    Returns
    -------
    float
        The later of the shifts' finishes; past the week's last day when the week is not
        enough, infinite when some work gets no capacity at all.
    """
    return max(finish(work.openings(shift), capacity[:, k]) for k, shift in enumerate(SHIFTS))
