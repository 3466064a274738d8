"""Tests of planner.geo.calendar: opening hours to time windows, shifts, lunch and clock helpers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import InputError
from planner.geo.calendar import (
    day_of,
    lunch_window,
    merchant_time_windows,
    ready_s,
    shift_windows,
    time_windows,
    to_datetime,
    windows_from,
)
from planner.settings import WeekSettings

WEEK = WeekSettings(start_date=dt.date(2022, 2, 7))  # a Monday
H = 3600
DAY = 86_400


def at(day: int, hour: float) -> int:
    """Seconds from the week start of ``hour`` o'clock on ``day``."""
    return day * DAY + round(hour * H)


def test_shift_windows_default_nine_to_six():
    """Each of the seven days has one 09:00-18:00 shift."""
    assert shift_windows(WEEK) == [(at(d, 9), at(d, 18)) for d in range(7)]


def test_simple_hours_clipped_to_shift():
    """Mo-Fr 10:00-20:00 gives 10:00-18:00 on the five weekdays and nothing at the weekend."""
    assert time_windows("Mo-Fr 10:00-20:00", WEEK) == tuple((at(d, 10), at(d, 18)) for d in range(5))


def test_split_day_and_closed_day():
    """Two opening spans a day give two windows, clipped to the shift; Su off gives none."""
    windows = time_windows("Mo-Sa 11:00-15:00,17:00-22:00; Su off", WEEK)
    expected = [w for d in range(6) for w in ((at(d, 11), at(d, 15)), (at(d, 17), at(d, 18)))]
    assert windows == tuple(expected)
    assert not [w for w in windows if day_of(w[0]) == 6]


def test_always_open_is_the_shift():
    """24/7 yields exactly the shift windows."""
    assert time_windows("24/7", WEEK) == tuple(shift_windows(WEEK))


def test_hours_past_midnight_outside_shift():
    """Mo-Sa 19:00-02:00 never overlaps a 09:00-18:00 shift, so there are no windows."""
    assert time_windows("Mo-Sa 19:00-02:00", WEEK) == ()


def test_hours_past_midnight_inside_a_late_shift():
    """An evening shift catches both the evening and the after-midnight part of the night."""
    late = WeekSettings(start_date=WEEK.start_date, days=2, shift_start=dt.time(0), shift_end=dt.time(23))
    windows = time_windows("Mo-Sa 19:00-02:00", late)
    assert windows == ((at(0, 19), at(0, 23)), (at(1, 0), at(1, 2)), (at(1, 19), at(1, 23)))


def test_unknown_state_counts_as_closed():
    """Hours marked unknown are not offered as windows."""
    assert time_windows("Mo-Fr 10:00-12:00 unknown", WEEK) == ()


def test_public_holidays_are_not_applied():
    """PH off does not close a shop: no country calendar is used."""
    assert time_windows("Mo 09:00-18:00; PH off", WEEK) == ((at(0, 9), at(0, 18)),)


def test_week_starting_on_a_sunday():
    """Weekdays follow the real calendar: for a week starting on Sunday, Mo is day 1."""
    sunday = WeekSettings(start_date=dt.date(2022, 2, 6), days=3)
    assert time_windows("Mo 10:00-12:00", sunday) == ((at(1, 10), at(1, 12)),)


def test_touching_spans_are_merged():
    """Adjacent opening spans come out as one window."""
    assert time_windows("Mo 09:00-12:00,12:00-14:00", WEEK) == ((at(0, 9), at(0, 14)),)


def test_empty_expression_means_whole_shift():
    """A shop with no hours on record may be visited during the whole shift."""
    assert time_windows("", WEEK) == tuple(shift_windows(WEEK))


def test_invalid_expression_error_names_it():
    """A bad expression raises InputError quoting it and the parser's first line."""
    with pytest.raises(InputError, match=r"'Mo-Sa 10:00-21:00 garbage' does not parse: Failed to parse"):
        time_windows("Mo-Sa 10:00-21:00 garbage", WEEK)


def test_merchant_time_windows_aligned_with_index():
    """Each merchant gets its windows, index kept; missing hours are treated as unknown."""
    merchants = pd.DataFrame(
        {"merchant_id": ["A", "B", "C"], "opening_hours": ["Mo 10:00-11:00", None, "Mo 10:00-11:00"]},
        index=[5, 7, 9],
    )
    windows = merchant_time_windows(merchants, WEEK)
    assert windows.index.tolist() == [5, 7, 9]
    assert windows[5] == windows[9] == ((at(0, 10), at(0, 11)),)
    assert windows[7] == tuple(shift_windows(WEEK))


def test_merchant_time_windows_error_names_merchants():
    """A bad expression in the frame raises InputError naming the merchants that carry it."""
    merchants = pd.DataFrame({"merchant_id": ["A", "B"], "opening_hours": ["24/7", "whenever"]})
    with pytest.raises(InputError, match=r"'whenever'.*1 merchants: B"):
        merchant_time_windows(merchants, WEEK)


def test_lunch_window_default():
    """Lunch may start 11:30-13:00 and lasts 60 minutes, so it is over by 14:00."""
    assert lunch_window(WEEK, 2) == (at(2, 11.5), at(2, 13), 3600)


def test_lunch_that_does_not_fit():
    """A lunch longer than its allowed span raises InputError."""
    with pytest.raises(InputError, match="lunch"):
        lunch_window(WeekSettings(lunch_min=180), 0)


def test_to_datetime_is_seoul_time():
    """to_datetime gives aware Seoul wall-clock times at +09:00."""
    moment = to_datetime(at(1, 9.5), WEEK)
    assert moment.isoformat() == "2022-02-08T09:30:00+09:00"
    assert moment.utcoffset() == dt.timedelta(hours=9)


def test_day_of():
    """day_of gives the 0-based day of a time."""
    assert [day_of(0), day_of(DAY - 1), day_of(at(3, 9))] == [0, 0, 3]


spans = st.tuples(st.integers(0, 23), st.integers(1, 24)).filter(lambda span: span[0] < span[1])
day_sets = st.sets(st.sampled_from(["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]), min_size=1)


@settings(max_examples=60, deadline=None)
@given(days=day_sets, hours=st.lists(spans, min_size=1, max_size=3))
def test_property_windows_sorted_disjoint_inside_shifts(days, hours):
    """Windows are sorted, non-empty, disjoint, and each lies inside one day's shift."""
    times = ",".join(f"{a:02d}:00-{b:02d}:00" for a, b in hours)
    windows = time_windows(f"{','.join(sorted(days))} {times}", WEEK)
    shifts = shift_windows(WEEK)
    for start, end in windows:
        assert start < end
        assert any(s <= start and end <= e for s, e in shifts)
    assert all(a[1] < b[0] for a, b in zip(windows, windows[1:], strict=False))


@given(
    st.lists(st.tuples(st.integers(0, 7 * DAY), st.integers(1, 12 * H)), max_size=8),
    st.integers(-DAY, 8 * DAY),
)
@settings(max_examples=200, deadline=None)
def test_windows_from_keeps_exactly_the_time_from_the_start(spans, start_s):
    """windows_from keeps every second of the windows at or after start_s, and no second before it."""
    windows = tuple(sorted({(a, a + length) for a, length in spans}))
    cut = windows_from(windows, start_s)
    assert all(a >= start_s and b > a for a, b in cut)
    kept = sum(b - a for a, b in cut)
    assert kept == sum(max(0, b - max(a, start_s)) for a, b in windows)


def test_ready_s_counts_from_the_week_start_and_never_below_zero():
    """available_from becomes seconds from the week start: NaT and earlier times are 0 (ready now)."""
    values = pd.Series(pd.to_datetime([None, "2022-02-01", "2022-02-09 13:30"], format="ISO8601"))
    assert ready_s(values, WEEK).tolist() == [0, 0, 2 * DAY + 13 * H + 1800]
