"""Promised visit windows: where a notice's window sits around a planned start, and notices read back."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.geo.calendar import Window, time_windows
from planner.settings import WeekSettings

NOTICES_FILE = "notices.csv"  # in a plan folder: the promises planner verify checks
# What the city's text message needs per shop; promise times are Seoul clock times of ``date``.
NOTICE_COLUMNS = ("merchant_id", "name", "date", "promise_from", "promise_to", "staff_id")
# Promises start on the half hour: a shop is told "10:00-12:00", not "10:07-12:07".
PROMISE_STEP_S = 30 * 60
WINDOW_MIN_RANGE = (30, 12 * 60)  # shorter is too tight for the day's drift, longer says nothing


def promise_window(start_s: int, windows: tuple[Window, ...], window_s: int) -> tuple[int, int]:
    """The window promised for a visit starting at ``start_s``: ``window_s`` long, holding the start.

    It begins at the start rounded down to the half hour, moved into the opening window that
    holds the start (later when the shop opens after it, earlier when the shop closes within
    the promise), and ends at ``window_s`` later or at closing, whichever is first.

    Parameters
    ----------
    start_s
        The planned start, seconds from the week start.
    windows
        The shop's opening windows within the shifts (``planner.geo.calendar.time_windows``).
    window_s
        The promise's length, at least ``PROMISE_STEP_S``.

    Returns
    -------
    tuple of int
        ``(from_s, to_s)`` with ``from_s <= start_s <= to_s``.
    """
    rounded = start_s - start_s % PROMISE_STEP_S
    opening = next(((a, b) for a, b in windows if a <= start_s <= b), (rounded, rounded + window_s))
    first, last = opening
    begin = min(max(rounded, first), max(first, last - window_s))
    return begin, min(begin + window_s, max(last, start_s))


def make_notices(
    routes: pd.DataFrame, week: WeekSettings, window_min: int, source: str = "routes.csv"
) -> pd.DataFrame:
    """The notice of every planned visit: its shop, date and promised window.

    Parameters
    ----------
    routes
        Planned visits with ``merchant_id``, ``name``, ``date``, ``staff_id``, ``start_s`` and
        ``opening_hours`` (a plan's routes).
    week
        The week the seconds count from.
    window_min
        Minutes promised, within ``WINDOW_MIN_RANGE``.
    source
        The routes' file for messages; the routes' index is its row order (header = row 1).

    Returns
    -------
    pandas.DataFrame
        ``NOTICE_COLUMNS`` (``promise_from`` and ``promise_to`` as ``HH:MM``) in the routes' order,
        with the promise in week seconds as ``from_s`` and ``to_s``.

    Raises
    ------
    InputError
        If ``window_min`` is out of range, or naming the row of opening hours that do not parse.
    """
    low, high = WINDOW_MIN_RANGE
    if not low <= window_min <= high:
        raise InputError(f"--window-min {window_min}: give {low} to {high} minutes")
    spans = []
    for index, start, hours in zip(routes.index, routes["start_s"], routes["opening_hours"], strict=True):
        try:
            windows = time_windows(hours, week)
        except InputError as exc:
            raise InputError(f"{source} row {index + 2}, column opening_hours: {exc}") from None
        spans.append(promise_window(int(start), windows, 60 * window_min))
    from_s = np.array([a for a, _ in spans], dtype="int64")
    to_s = np.array([b for _, b in spans], dtype="int64")
    day_s = np.array([week.day_offset_s(int(d)) for d in routes["day"]], dtype="int64")
    table = routes.loc[:, ["merchant_id", "name", "date", "staff_id"]].reset_index(drop=True)
    table["promise_from"] = [_hhmm(s) for s in from_s - day_s]
    table["promise_to"] = [_hhmm(s) for s in to_s - day_s]
    table["from_s"], table["to_s"] = from_s, to_s
    return table.loc[:, [*NOTICE_COLUMNS, "from_s", "to_s"]]


def parse_notices(notices: pd.DataFrame, week: WeekSettings, source: str = "notices.csv") -> pd.DataFrame:
    """Type a ``notices.csv`` table: each promise in week seconds.

    Parameters
    ----------
    notices
        The file's cells as text.
    week
        The week of the plan the promises are checked against.
    source
        The file's name for messages.

    Returns
    -------
    pandas.DataFrame
        ``merchant_id``, ``date``, ``promise_from``, ``promise_to``, ``from_s`` and ``to_s``.

    Raises
    ------
    InputError
        Naming ``source``, row (header = 1) and column of the first cell that is not a date or a
        clock time, a promise that ends before it starts, or the columns missing.
    """
    needed = ["merchant_id", "date", "promise_from", "promise_to"]
    missing = [c for c in needed if c not in notices]
    if missing:
        raise InputError(f"{source}: no column {', '.join(missing)}; write it again with 'planner notices'")
    table = notices.loc[:, needed].astype(str).apply(lambda column: column.str.strip())
    from_s, to_s = [], []
    for row, cells in enumerate(table.itertuples(index=False), start=2):
        try:
            day = (dt.date.fromisoformat(cells.date) - week.start_date).days
        except ValueError:
            raise InputError(
                f"{source} row {row}, column date: {cells.date!r} is not a date (YYYY-MM-DD)"
            ) from None
        begin = week.day_offset_s(day) + _seconds(cells.promise_from, source, row, "promise_from")
        end = week.day_offset_s(day) + _seconds(cells.promise_to, source, row, "promise_to")
        if end < begin:
            raise InputError(
                f"{source} row {row}: promise_to {cells.promise_to} is before promise_from {cells.promise_from}"
            )
        from_s.append(begin)
        to_s.append(end)
    return table.assign(from_s=np.array(from_s, dtype="int64"), to_s=np.array(to_s, dtype="int64"))


def _hhmm(seconds: int) -> str:
    minutes = int(seconds) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _seconds(text: str, source: str, row: int, column: str) -> int:
    """Seconds after midnight of an ``HH:MM`` clock time (24:00 allowed)."""
    hours, _, minutes = text.partition(":")
    if hours.isdigit() and minutes.isdigit() and len(minutes) == 2:
        total = int(hours) * 60 + int(minutes)
        if int(minutes) < 60 and total <= 24 * 60:
            return 60 * total
    raise InputError(f"{source} row {row}, column {column}: {text!r} is not a clock time (HH:MM)")
