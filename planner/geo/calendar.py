"""Turn shop opening hours into the time windows of each day of the campaign week.

Times are integer seconds from ``week.start_date`` 00:00 in Seoul (UTC+09:00, no daylight
saving time); day ``d`` starts at ``d * 86400``. Public holidays (``PH``) are not applied: the
expressions are evaluated without a country, so ``PH off`` never closes a shop. An empty tuple
of windows means the shop is never open during a shift of the week, *not* "any time".
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import opening_hours
import pandas as pd

from planner.errors import InputError
from planner.settings import WeekSettings

Window = tuple[int, int]
DAY_S = 86_400
SEOUL = dt.timezone(dt.timedelta(hours=9), "Asia/Seoul")


def shift_windows(week: WeekSettings) -> list[Window]:
    """The working shift of each day of the week.

    Parameters
    ----------
    week
        The campaign calendar.

    Returns
    -------
    list of (int, int)
        ``(start, end)`` in seconds from the week start, one per day, in day order.

    Raises
    ------
    InputError
        If the shift does not end after it starts.
    """
    if week.shift_end <= week.shift_start:
        raise InputError(f"shift must end after it starts; got {week.shift_start}-{week.shift_end}")
    return [week.shift_s(day) for day in range(week.days)]


def _merge(windows: list[Window]) -> tuple[Window, ...]:
    """Sort windows, drop empty ones and join those that overlap or touch."""
    merged: list[Window] = []
    for start, end in sorted(w for w in windows if w[1] > w[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _parse(expression: str) -> opening_hours.OpeningHours:
    try:
        return opening_hours.OpeningHours(expression)
    except (opening_hours.ParserError, SyntaxError) as exc:
        lines = str(exc).strip().splitlines()
        first = " ".join(lines[0].split()) if lines else type(exc).__name__
        hint = next((line.strip(" =") for line in lines if line.strip().startswith("=")), "")
        detail = f"{first} ({hint})" if hint else first
        raise InputError(f"opening_hours {expression!r} does not parse: {detail}") from exc


@functools.lru_cache(maxsize=4096)
def _cached_windows(
    expression: str, week: WeekSettings, spans: tuple[Window, ...] | None
) -> tuple[Window, ...]:
    """Open windows of one expression within ``spans`` (default: the shifts); cached because few
    strings repeat a lot."""
    spans = tuple(shift_windows(week)) if spans is None else spans
    if not expression.strip():
        # No hours on record: staff may call whenever they work.
        return _merge(list(spans))
    hours = _parse(expression)
    week_start = dt.datetime.combine(week.start_date, dt.time(0))
    windows: list[Window] = []
    for span_start, span_end in spans:
        begin = week_start + dt.timedelta(seconds=span_start)
        finish = week_start + dt.timedelta(seconds=span_end)
        for start, end, state, _comment in hours.intervals(begin, finish):
            # UNKNOWN ("Mo-Fr 10:00-12:00 unknown", fallback rules) counts as closed.
            if state != opening_hours.State.OPEN:
                continue
            start_s = max(int((start - week_start).total_seconds()), span_start)
            end_s = span_end if end is None else min(int((end - week_start).total_seconds()), span_end)
            windows.append((start_s, end_s))
    return _merge(windows)


def time_windows(
    opening_hours: str, week: WeekSettings, spans: tuple[Window, ...] | None = None
) -> tuple[Window, ...]:
    """When a shop is both open and inside the staff's shift, over the whole week.

    Parameters
    ----------
    opening_hours
        OSM ``opening_hours`` expression, e.g. ``"Mo-Sa 11:00-15:00,17:00-22:00; Su off"``.
        An empty string means the hours are unknown; the shop is then taken as open during
        every shift. Public holidays are not applied.
    week
        The campaign calendar.
    spans
        The times anyone works, ``(start, end)`` seconds from the week start, sorted and
        disjoint (a roster's shifts); None for the week's shift of every day.

    Returns
    -------
    tuple of (int, int)
        Sorted, disjoint, non-empty ``(start, end)`` windows in seconds from the week start;
        empty when the shop never opens during a shift.

    Raises
    ------
    InputError
        If the expression does not parse; the message quotes it and the parser's first line.
    """
    return _cached_windows(opening_hours, week, None if spans is None else tuple(spans))


def merchant_time_windows(
    merchants: pd.DataFrame, week: WeekSettings, spans: tuple[Window, ...] | None = None
) -> pd.Series:
    """Time windows of every merchant, computed once per distinct ``opening_hours`` string.

    Parameters
    ----------
    merchants
        Frame with an ``opening_hours`` column; missing values count as unknown hours.
    week
        The campaign calendar.
    spans
        The times anyone works (see ``time_windows``); None for the week's shifts.

    Returns
    -------
    pandas.Series
        Same index as ``merchants``; each value is the tuple of windows of
        :func:`time_windows`.

    Raises
    ------
    InputError
        If an expression does not parse; the message names up to five of its merchants.
    """
    expressions = merchants["opening_hours"].fillna("").astype(str)
    by_expression = {}
    for expression in expressions.unique():
        try:
            by_expression[expression] = time_windows(expression, week, spans)
        except InputError as exc:
            ids = merchants.loc[expressions == expression, "merchant_id"].astype(str).tolist()
            shown = ", ".join(ids[:5]) + (", ..." if len(ids) > 5 else "")
            raise InputError(f"{exc} ({len(ids)} merchants: {shown})") from exc
    values = [by_expression[expression] for expression in expressions]
    return pd.Series(values, index=merchants.index, dtype=object, name="time_windows")


def ready_s(available_from: pd.Series, week: WeekSettings) -> np.ndarray:
    """When each shop is ready for its visit, in seconds from the week start (0 when ready already).

    Parameters
    ----------
    available_from
        Seoul wall-clock times (``planner.schema`` ``available_from``); NaT means ready now.
    week
        The campaign calendar.

    Returns
    -------
    numpy.ndarray
        ``int64`` seconds, never below 0: a shop ready before the week is ready from its start.
    """
    start = pd.Timestamp(week.start_date)
    offset = (
        (pd.to_datetime(available_from, format="ISO8601") - start).dt.total_seconds().to_numpy(dtype=float)
    )
    offset = np.ceil(np.nan_to_num(offset, nan=0.0))
    return np.clip(offset, 0, None).astype(np.int64)


def windows_from(windows: tuple[Window, ...], start_s: int) -> tuple[Window, ...]:
    """The part of ``windows`` from ``start_s`` on: earlier windows dropped, the one holding it cut.

    Parameters
    ----------
    windows
        Sorted, disjoint windows in seconds from the week start.
    start_s
        The first second allowed.

    Returns
    -------
    tuple of (int, int)
        The windows, each starting at ``start_s`` or later; empty ones dropped.
    """
    return tuple((max(a, start_s), b) for a, b in windows if b > start_s)


def lunch_window(week: WeekSettings, day: int) -> tuple[int, int, int]:
    """The lunch break of one day: when it may start and how long it lasts.

    Parameters
    ----------
    week
        The campaign calendar.
    day
        Day number, 0-based.

    Returns
    -------
    tuple of int
        ``(earliest_start, latest_start, duration)`` in seconds; the break must be over by
        ``week.lunch_latest_end``, so ``latest_start = lunch_latest_end - lunch_min``.

    Raises
    ------
    InputError
        If the break does not fit between ``lunch_earliest`` and ``lunch_latest_end``.
    """
    duration = week.lunch_min * 60
    earliest, latest = week.lunch_window_s(day)
    if duration < 0 or latest < earliest:
        raise InputError(
            f"a {week.lunch_min}-minute lunch does not fit between "
            f"{week.lunch_earliest} and {week.lunch_latest_end}"
        )
    return earliest, latest, duration


def to_datetime(seconds: int, week: WeekSettings) -> dt.datetime:
    """Seoul wall-clock time of a time in seconds from the week start.

    Parameters
    ----------
    seconds
        Seconds from ``week.start_date`` 00:00.
    week
        The campaign calendar.

    Returns
    -------
    datetime.datetime
        Timezone-aware, at UTC+09:00.
    """
    start = dt.datetime.combine(week.start_date, dt.time(0), tzinfo=SEOUL)
    return start + dt.timedelta(seconds=int(seconds))


def day_of(seconds: int) -> int:
    """Day number (0-based) of a time in seconds from the week start.

    Parameters
    ----------
    seconds
        Seconds from the week start.

    Returns
    -------
    int
        ``seconds // 86400``.
    """
    return int(seconds) // DAY_S
