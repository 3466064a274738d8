"""Turn solved routes into the timed schedule of every worker-day: arrival, start and departure."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from planner.geo.calendar import SEOUL, to_datetime
from planner.geo.districts import District
from planner.geo.travel import leg_time_s
from planner.planning.crew import place_xy
from planner.settings import Settings, WeekSettings

ROUTE_COLUMNS = (
    "staff_id",
    "date",
    "stop",
    "merchant_id",
    "lat",
    "lon",
    "arrival",
    "start",
    "departure",
    "name",
    "address",
    "category",
    "opening_hours",
    "priority",
    "reason",
    "staff_name",
    "mode",
    "day",
    "zone",
    "travel_s",
    "service_s",
    "arrival_s",
    "start_s",
    "departure_s",
    "leave_office_s",
    "back_office_s",
    "lunch_start_s",
)


def assemble_routes(
    rows: pd.DataFrame,
    shops: pd.DataFrame,
    office_xy: np.ndarray,
    district: District,
    settings: Settings,
    crew: dict | None = None,
) -> pd.DataFrame:
    """Build the route table: one row per visit, ordered by day, worker and stop.

    ``rows`` holds the solver's visits (``merchant_id, day, seat, stop, start_s, leave_office_s,
    lunch_start_s``); ``shops`` the prepared shops (``planner.planning.shops.prepare_shops``) with their
    ``zone``, one row per ``merchant_id``. Staff are numbered
    per day, ``<district code>-W001`` upwards, in the order of their worker-day slots; with a
    roster (``crew``: ``(day, seat)`` -> ``planner.planning.crew.PersonDay``) each worker-day is
    its person's, with their ``staff_id``, ``staff_name``, ``mode``, start and end.

    Parameters
    ----------
    rows
        The solver's visit rows.
    shops
        The prepared shops ``rows["shop"]`` points into.
    office_xy
        The office's metric coordinates.
    district
        The district, for staff ids and the office.
    settings
        The week, travel and solver settings.
    crew
        The roster's person-days, or None (``staff_name`` and ``mode`` are then empty).

    Returns
    -------
    pandas.DataFrame
        The columns of ``ROUTE_COLUMNS``: times in seconds from the week start and as ISO text,
        travel and service seconds, the shop's details.
    """
    if rows.empty:
        return pd.DataFrame(columns=list(ROUTE_COLUMNS))
    rows = rows.sort_values(["day", "seat", "stop"], ignore_index=True)
    routes = rows.groupby(["day", "seat"], sort=False).ngroup()
    rank = rows.assign(route=routes).groupby("day")["route"].rank(method="dense").astype(int)
    shop = shops.set_index("merchant_id").loc[rows["merchant_id"]].reset_index()
    ends = _route_ends(rows, office_xy, settings, crew)
    if crew is None:
        staff_ids = [f"{district.code}-W{k:03d}" for k in rank]
    else:
        staff_ids = [crew[(d, s)].person.staff_id for d, s in zip(rows["day"], rows["seat"], strict=True)]
    table = pd.DataFrame(
        {
            "staff_id": staff_ids,
            "staff_name": ends["staff_name"],
            "mode": ends["mode_column"],
            "day": rows["day"],
            "stop": rows["stop"],
            "zone": shop["zone"],
            "merchant_id": shop["merchant_id"],
            "lat": shop["lat"],
            "lon": shop["lon"],
            "name": shop["name"],
            "address": shop["address"],
            "category": shop["category"],
            "opening_hours": shop["opening_hours"],
            "priority": shop["priority"],
            "reason": shop["reason"],
            "service_s": shop["service_s"].astype(np.int64),
            "start_s": rows["start_s"].astype(np.int64),
            "leave_office_s": rows["leave_office_s"].astype(np.int64),
            "lunch_start_s": rows["lunch_start_s"].astype(np.int64),
        }
    )
    xy = shop[["x", "y"]].to_numpy()
    previous = np.vstack([office_xy[None, :], xy[:-1]])
    first = (table["stop"] == 1).to_numpy()
    previous[first] = ends["start_xy"][first]
    table["travel_s"] = leg_time_s(previous, xy, settings.travel, ends["mode"])
    table.loc[first & ends["start_free"], "travel_s"] = 0  # staff report at their first shop
    table["departure_s"] = table["start_s"] + table["service_s"]
    prev_departure = table["departure_s"].shift(1).to_numpy(copy=True)
    prev_departure[first] = table.loc[first, "leave_office_s"]
    prev_departure = prev_departure.astype(np.int64)
    lunch_s = 60 * settings.week.lunch_min
    lunch_in_leg = (table["lunch_start_s"] >= prev_departure) & (table["lunch_start_s"] < table["start_s"])
    table["arrival_s"] = prev_departure + table["travel_s"] + np.where(lunch_in_leg, lunch_s, 0)
    table["back_office_s"] = _back_office(table, xy, ends, settings, lunch_s)
    week = settings.week
    table["date"] = [str(week.date_of(d)) for d in table["day"]]
    return with_clock_times(table, week)[list(ROUTE_COLUMNS)]


def with_clock_times(table: pd.DataFrame, week: WeekSettings) -> pd.DataFrame:
    """``table`` with ``arrival``, ``start`` and ``departure`` as ISO 8601 Seoul times, from their
    ``*_s`` seconds from the week start.

    Parameters
    ----------
    table
        A table with ``arrival_s``, ``start_s`` and ``departure_s``; changed in place.
    week
        The week the seconds count from.

    Returns
    -------
    pandas.DataFrame
        ``table`` itself.
    """
    for column in ("arrival", "start", "departure"):
        table[column] = [to_datetime(int(s), week).isoformat() for s in table[f"{column}_s"]]
    return table


def week_seconds(text: str, week: WeekSettings) -> int:
    """Seconds from the week start of an ISO 8601 time, the inverse of ``with_clock_times``.

    The offset is honoured (``09:46+09:00``, ``00:46Z`` and ``21:46-03:00`` of the day before
    are the same instant); a time without an offset is read as Seoul time.

    Parameters
    ----------
    text
        An ISO 8601 date and time.
    week
        The week to count from.

    Returns
    -------
    int
        Whole seconds from the week start.

    Raises
    ------
    ValueError
        If ``text`` is not an ISO 8601 date and time (of a year Seoul time can show).
    """
    instant = dt.datetime.fromisoformat(text.strip())
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=SEOUL)
    try:  # so that every time read can be shown back in Seoul time
        instant = instant.astimezone(SEOUL)
    except OverflowError:
        raise ValueError(f"{text!r} is out of range in Seoul time") from None
    start = dt.datetime.combine(week.start_date, dt.time(0), tzinfo=SEOUL)
    return round((instant - start).total_seconds())


def clock_text(seconds: int, week: WeekSettings) -> str:
    """Seoul date and clock time of seconds from the week start, as messages show it:
    ``2022-02-08 14:03`` (``14:03:27`` when the seconds are not zero).

    Parameters
    ----------
    seconds
        Seconds from the week start.
    week
        The week to count from.

    Returns
    -------
    str
        The date and time.
    """
    when = to_datetime(int(seconds), week)
    return when.strftime("%Y-%m-%d %H:%M" if when.second == 0 else "%Y-%m-%d %H:%M:%S")


def duration_text(seconds: float) -> str:
    """A length of time as messages show it: ``7 min 12 s``, ``5 min``, ``-3 s``.

    Parameters
    ----------
    seconds
        The length; negative ones keep their sign.

    Returns
    -------
    str
        Minutes and seconds, whole.
    """
    seconds = round(float(seconds))
    minutes, rest = divmod(abs(seconds), 60)
    sign = "-" if seconds < 0 else ""
    if not minutes:
        return f"{sign}{rest} s"
    return f"{sign}{minutes} min {rest} s" if rest else f"{sign}{minutes} min"


def _route_ends(rows: pd.DataFrame, office_xy: np.ndarray, settings: Settings, crew: dict | None) -> dict:
    """Per visit row, its worker-day's start and end and travel mode.

    ``start_xy`` / ``end_xy`` are ``(n, 2)`` metres; ``start_free`` marks days that begin at
    their first shop, ``end_open`` days that end at their last; ``mode`` is the travel mode of
    each leg, ``mode_column`` and ``staff_name`` what routes.csv shows (empty without a roster).
    """
    n = len(rows)
    solver = settings.solver
    if crew is None:
        return {
            "start_xy": np.repeat(office_xy[None, :], n, axis=0),
            "end_xy": np.repeat(office_xy[None, :], n, axis=0),
            "start_free": np.full(n, bool(solver.open_start)),
            "end_open": np.full(n, bool(solver.open_routes)),
            "mode": "transit",
            "mode_column": [""] * n,
            "staff_name": [""] * n,
        }
    entries = [crew[(d, s)] for d, s in zip(rows["day"], rows["seat"], strict=True)]
    known: dict = {}

    def at(place) -> np.ndarray:
        key = place if isinstance(place, str) else tuple(place)
        if key not in known:
            known[key] = place_xy(place, office_xy)
        return known[key]

    return {
        "start_xy": np.array([at(e.person.start) for e in entries]).reshape(n, 2),
        "end_xy": np.array([at(e.end_place or "office") for e in entries]).reshape(n, 2),
        "start_free": np.array([e.person.start == "first_shop" for e in entries], dtype=bool),
        "end_open": np.array([e.end_place is None for e in entries], dtype=bool),
        "mode": np.array([e.person.mode for e in entries], dtype=object),
        "mode_column": [e.person.mode for e in entries],
        "staff_name": [e.person.name for e in entries],
    }


def _back_office(
    table: pd.DataFrame, xy: np.ndarray, ends: dict, settings: Settings, lunch_s: int
) -> pd.Series:
    """Time each worker-day ends: back at its end place, or at the last shop on open routes."""
    last = table.groupby(["day", "staff_id"])["stop"].transform("max") == table["stop"]
    back = np.zeros(len(table), dtype=np.int64)
    idx = np.flatnonzero(last.to_numpy())
    departure = table["departure_s"].to_numpy()[idx]
    mode = ends["mode"] if isinstance(ends["mode"], str) else ends["mode"][idx]
    home = leg_time_s(xy[idx], ends["end_xy"][idx], settings.travel, mode)
    home[ends["end_open"][idx]] = 0
    late_lunch = table["lunch_start_s"].to_numpy()[idx] >= departure
    back[idx] = departure + home + np.where(late_lunch, lunch_s, 0)
    return pd.Series(back, index=table.index).groupby([table["day"], table["staff_id"]]).transform("max")


def office_legs_and_idle_s(routes: pd.DataFrame, workday_s: int, lunch_s: int) -> tuple[float, float]:
    """Where worker-days go besides shops: seconds of office legs, and of idle shift time.

    ``routes`` is a route table (``ROUTE_COLUMNS``). The office legs are the first stop's travel
    and the way back after the last stop (less a lunch of ``lunch_s`` taken after it); idle is
    what is left of each worker-day's ``workday_s`` (shift less lunch) after service, travel
    between shops and the office legs: waiting for shops to open, leaving late, ending early.

    Parameters
    ----------
    routes
        The route table.
    workday_s
        Working seconds of one worker-day.
    lunch_s
        Length of the lunch break.

    Returns
    -------
    tuple of float
        Seconds of office legs and seconds idle, summed over the worker-days.
    """
    if routes.empty:
        return 0.0, 0.0
    day = routes.groupby(["staff_id", "day"], sort=False)
    last_departure = day["departure_s"].max()
    back = day["back_office_s"].first()
    way_back = back - last_departure - np.where(day["lunch_start_s"].first() >= last_departure, lunch_s, 0)
    legs = float(routes.loc[routes["stop"] == 1, "travel_s"].sum() + way_back.sum())
    used = float(routes["service_s"].sum() + routes["travel_s"].sum() + way_back.sum())
    return legs, len(back) * workday_s - used
