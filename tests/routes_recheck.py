"""An independent re-check of a roster plan from its routes.csv and roster.csv, not planner's verifier.

Only the files are read (and the district's office place); the availability syntax, the leg
times by mode and the start and end places are worked out here again from the documented
model, so a fault shared by the planner and its verifier still shows.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import pandas as pd

from planner.geo.districts import find_district
from planner.settings import Settings

WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
EARTH_M = 6_371_008.8
SLACK_S = 3  # times are written to the second
SLACK_SHARE = 0.01  # the planner's metric projection against great-circle distances


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def availability_spans(text: str, settings: Settings) -> dict[int, list[tuple[int, int]]]:
    """Weekday (0 = Monday) -> ``(start, end)`` minutes of the day, from e.g. ``Mo-Fr,Su 09:00-18:00``.

    Only the forms rosters use: weekday lists and ranges, then one or more times; rules
    separated by ``;``; blank is the settings' shift every day. An end past midnight runs on.
    """
    if not text.strip():
        week = settings.week
        text = f"Mo-Su {week.shift_start:%H:%M}-{week.shift_end:%H:%M}"
    spans: dict[int, list[tuple[int, int]]] = {}
    for rule in text.split(";"):
        found = re.fullmatch(r"\s*([A-Za-z,\-]+)\s+([\d:,\- ]+)\s*", rule)
        assert found, f"availability {text!r}: not a form this re-check reads"
        days: list[int] = []
        for part in found.group(1).split(","):
            first, _, last = part.partition("-")
            a, b = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
            days += list(range(a, b + 1)) if a <= b else [*range(a, 7), *range(0, b + 1)]
        for hours in found.group(2).replace(" ", "").split(","):
            start, end = (_minutes(t) for t in hours.split("-"))
            for day in days:
                spans.setdefault(day, []).append((start, end if end > start else end + 24 * 60))
    return spans


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_M * math.asin(math.sqrt(h))


def _road_s(road: float, mode: str, settings: Settings) -> float:
    """Seconds over ``road`` metres by ``mode``, from the model the travel settings describe."""
    travel = settings.travel
    if road == 0:
        return 0.0
    walk = road / travel.walk_speed_mps
    if mode == "walk" or (mode == "transit" and road <= travel.walk_max_m):
        return walk
    if mode == "car":
        return 60 * travel.car_parking_min + road / (travel.car_speed_kmh / 3.6)
    return 60 * travel.transit_access_min + road / (travel.transit_speed_kmh / 3.6)


def leg_s(
    a: tuple[float, float], b: tuple[float, float], mode: str, settings: Settings
) -> tuple[float, float]:
    """The fewest and most seconds from ``a`` to ``b`` (lat, lon) by ``mode``.

    Great-circle and projected distances differ by a fraction of a percent, so the leg may take
    what the model gives anywhere within ``SLACK_SHARE`` of the distance (near ``walk_max_m``
    walking or the bus), give or take ``SLACK_S`` of rounding.
    """
    road = settings.travel.circuity * _metres(*a, *b)
    low = _road_s(road * (1 - SLACK_SHARE), mode, settings) - SLACK_S
    return low, _road_s(road * (1 + SLACK_SHARE), mode, settings) + SLACK_S


def _place(cell: str) -> tuple[float, float] | str:
    """``office``, ``first_shop``, ``last_shop``, ``start`` or a ``lat,lon`` point."""
    if re.fullmatch(r"\s*-?[\d.]+\s*,\s*-?[\d.]+\s*", cell):
        lat, lon = (float(v) for v in cell.split(","))
        return (lat, lon)
    return cell.strip() or "office"


def recheck_folder(folder: str | Path, settings: Settings | None = None) -> list[str]:
    """Every way a district plan's routes break a roster person's own rules, as lines.

    Parameters
    ----------
    folder
        A district folder of ``planner plan --roster`` (``routes.csv``, ``roster.csv``,
        ``summary.json``).
    settings
        The settings planned with (default: the built-in ones).

    Returns
    -------
    list of str
        Empty when each person works only on days and hours their availability opens, starts and
        ends where the roster says and every leg takes at least its time by their mode.
    """
    settings = settings or Settings()
    folder = Path(folder)
    routes = pd.read_csv(folder / "routes.csv", dtype=str, keep_default_na=False)
    roster = pd.read_csv(folder / "roster.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    district = find_district(json.loads((folder / "summary.json").read_text(encoding="utf-8"))["district"])
    office = (district.office_lat, district.office_lon)
    people = {row["staff_id"]: row for row in roster.to_dict("records")}
    problems = []
    for (staff_id, date), visits in routes.groupby(["staff_id", "date"]):
        if staff_id not in people:
            problems.append(f"{staff_id} {date}: not on the roster")
            continue
        problems += [
            f"{staff_id} {date}: {p}" for p in _day_problems(people[staff_id], date, visits, office, settings)
        ]
    return problems


def _day_problems(person: dict, date: str, visits: pd.DataFrame, office, settings: Settings) -> list[str]:
    """One person's day against their availability, shift, start, end, lunch and mode."""
    visits = visits.assign(stop=visits["stop"].astype(int)).sort_values("stop")
    day = dt.date.fromisoformat(date)
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone(dt.timedelta(hours=9)))

    def minute(stamp: str) -> float:
        return (dt.datetime.fromisoformat(stamp) - midnight).total_seconds() / 60

    problems = []
    if person["mode"] and visits["mode"].iloc[0] != person["mode"]:
        problems.append(f"written mode {visits['mode'].iloc[0]}, the roster says {person['mode']}")
    spans = availability_spans(person["availability"], settings).get(day.weekday(), [])
    leave, back = minute(visits["leave_office"].iloc[0]), minute(visits["back_office"].iloc[0])
    if not any(a <= leave + 1 / 60 and back - 1 / 60 <= b for a, b in spans):
        problems.append(f"works {leave:.0f}-{back:.0f} min, outside their availability {spans or 'that day'}")
    mode = person["mode"] or "transit"
    places = [(float(r.lat), float(r.lon)) for r in visits.itertuples()]
    start, end = _place(person["start"]), _place(person["end"])
    first = minute(visits["arrival"].iloc[0])
    if start == "first_shop":
        if abs(first - leave) > 1 / 60:
            problems.append("starts at the first shop but arrives after leaving")
    else:
        origin = office if start == "office" else start
        if 60 * (first - leave) < leg_s(origin, places[0], mode, settings)[0]:
            problems.append("reaches the first shop faster than their mode allows")
    lunch_from = minute(visits["lunch_start"].iloc[0]) if visits["lunch_start"].iloc[0] else None
    lunch_min = settings.week.lunch_min
    if lunch_from is not None and person["lunch"] not in ("yes", "true", "1", "y"):
        problems.append("takes a lunch break the roster does not give")
    for k in range(len(visits)):
        row = visits.iloc[k]
        begin, depart = minute(row["start"]), minute(row["departure"])
        if (
            begin < minute(row["arrival"]) - 1 / 60
            or abs(60 * (depart - begin) - float(row["service_s"])) > 1
        ):
            problems.append(f"stop {row['stop']}: service does not run from its start")
        if lunch_from is not None and begin < lunch_from + lunch_min and depart > lunch_from:
            problems.append(f"stop {row['stop']}: served during lunch")
        if k == 0:
            continue
        low, high = leg_s(places[k - 1], places[k], mode, settings)
        if not low <= float(row["travel_s"]) <= high:
            problems.append(
                f"stop {row['stop']}: leg of {row['travel_s']} s, {low:.0f}-{high:.0f} s by {mode}"
            )
        gap = 60 * (minute(row["arrival"]) - minute(visits.iloc[k - 1]["departure"]))
        if gap < low:
            problems.append(
                f"stop {row['stop']}: arrives {gap:.0f} s after the last shop, {low:.0f} s by {mode}"
            )
    last = minute(visits["departure"].iloc[-1])
    ends_at_last = end == "last_shop" or (end == "start" and start == "first_shop")
    if ends_at_last:
        if abs(back - last) > 1 / 60:
            problems.append("ends at the last shop but finishes after leaving it")
    else:
        target = start if end == "start" else end
        target = office if target == "office" else target
        if 60 * (back - last) < leg_s(places[-1], target, mode, settings)[0]:
            problems.append("gets back from the last shop faster than their mode allows")
    return problems
