"""Clock times of a schedule: written plan times read back as instants, and shown in Seoul time."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.geo.calendar import to_datetime
from planner.planning.schedule import clock_text, week_seconds
from planner.settings import WeekSettings

WEEK = WeekSettings()


@given(
    seconds=st.integers(min_value=-86_400, max_value=8 * 86_400),
    offset_min=st.integers(min_value=-12 * 4, max_value=14 * 4).map(lambda q: 15 * q),
)
def test_a_time_written_at_any_offset_reads_back_as_the_same_instant(seconds, offset_min):
    """The same instant written at any UTC offset gives the same seconds from the week start."""
    zone = dt.timezone(dt.timedelta(minutes=offset_min))
    text = to_datetime(seconds, WEEK).astimezone(zone).isoformat()
    assert week_seconds(text, WEEK) == seconds


def test_a_time_without_an_offset_is_seoul_time_and_garbage_is_refused():
    """A time without offset is Seoul time; text that is no time, or out of range, is a ValueError."""
    assert week_seconds("2022-02-08 14:03", WEEK) == 86_400 + 14 * 3600 + 3 * 60
    assert clock_text(86_400 + 14 * 3600 + 3 * 60, WEEK) == "2022-02-08 14:03"
    assert clock_text(86_400 + 14 * 3600 + 3 * 60 + 27, WEEK) == "2022-02-08 14:03:27"
    for text in ("half past nine", "", "9999-12-31T23:59:59-12:00"):
        with pytest.raises(ValueError):
            week_seconds(text, WEEK)
