"""Tests for planner.planning.crew and the roster's vehicles in planner.planning.week."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import InputError
from planner.io.people import Person
from planner.planning.crew import is_day_shift, person_days
from planner.planning.week import Slot, build_problem
from planner.settings import Settings

SETTINGS = Settings()
H = 3600


def person(
    staff_id="P1", availability="Mo-Fr 09:00-18:00", start="office", end="office", mode="transit", lunch=True
):
    """A roster person with the given fields and a team and name of no interest here."""
    return Person(staff_id, f"Name {staff_id}", "team", None, availability, start, end, mode, lunch)


def test_person_days_follow_availability_and_lunch():
    """A person works the days their availability opens, shift clipped to the day, lunch only when the shift covers it."""
    days = person_days(
        [
            person("A", "Mo-Fr 09:00-18:00; Sa 10:00-15:00"),
            person("B", "Mo-Sa 17:00-22:00"),
            person("C", lunch=False),
        ],
        SETTINGS,
    )
    by = {(d.person.staff_id, d.day): d for d in days}
    assert sorted(day for who, day in by if who == "A") == [0, 1, 2, 3, 4, 5]  # 2022-02-07 is a Monday
    assert by[("A", 5)].shift_s == (5 * 86_400 + 10 * H, 5 * 86_400 + 15 * H)
    assert by[("A", 0)].lunch_s == 3600 and by[("A", 5)].lunch_s == 3600
    assert by[("B", 2)].shift_s == (2 * 86_400 + 17 * H, 2 * 86_400 + 22 * H) and by[("B", 2)].lunch_s == 0
    assert by[("C", 0)].lunch_s == 0 and ("A", 6) not in by
    assert is_day_shift(by[("A", 5)], SETTINGS) and not is_day_shift(by[("B", 2)], SETTINGS)


def test_a_staff_id_twice_is_refused():
    """Two roster rows with one staff_id are an input error naming the id."""
    with pytest.raises(InputError, match="P1"):
        person_days([person("P1"), person("P1")], SETTINGS)


def test_person_day_vehicles_carry_their_own_shift_start_end_and_mode(small_shops):
    """Each person-day is a vehicle with its own shift, lunch, profile, start and end nodes."""
    people = [
        person("A", start="first_shop", end="last_shop", mode="walk", lunch=False),
        person("B", "Mo-Sa 17:00-22:00", start=(37.58, 126.99), end="start", mode="car"),
        person("C"),
    ]
    crew = {(d.day, d.seat): d for d in person_days(people, SETTINGS)}
    shops = small_shops.iloc[:10]
    problem = build_problem(
        shops, np.array([0.0, 0.0]), [Slot(0, 0), Slot(0, 1), Slot(0, 2)], SETTINGS, crew=crew
    )
    walker, driver, office = problem.vehicles
    n = len(shops) + 1
    assert (office.start, office.end, office.profile) == (0, 0, "")  # the office is node 0
    assert walker.end is None and walker.start >= n and walker.breaks == ()
    assert (problem.travel_of(walker)[walker.start] == 0).all()  # the first shop: leaving costs nothing
    assert driver.start == driver.end and driver.start >= n and driver.profile == "car"
    assert (driver.shift_start_s, driver.shift_end_s) == (17 * H, 22 * H)
    assert walker.profile == "walk" and set(problem.profiles) == {"walk", "car"}
    assert problem.visits == list(range(1, n))


def test_without_an_office_person_node_zero_is_still_a_depot(small_shops):
    """When nobody starts or ends at the office, node 0 is another depot, so it is never a visit."""
    crew = {
        (d.day, d.seat): d for d in person_days([person("A", start="first_shop", end="last_shop")], SETTINGS)
    }
    problem = build_problem(small_shops.iloc[:5], np.array([0.0, 0.0]), [Slot(0, 0)], SETTINGS, crew=crew)
    assert problem.vehicles[0].start == 0 and problem.visits == [1, 2, 3, 4, 5]


@given(
    start_h=st.integers(0, 22),
    hours=st.integers(1, 12),
    lunch=st.booleans(),
    days=st.sampled_from(["Mo-Fr", "Sa", "Mo,We,Fr", "Mo-Su"]),
)
@settings(max_examples=40, deadline=None)
def test_person_days_stay_inside_the_day_and_the_availability(start_h, hours, lunch, days):
    """Every person-day's shift lies in its own day and in the availability; lunch only when the shift covers it."""
    end_h = min(24, start_h + hours)
    availability = (
        f"{days} {start_h:02d}:00-{end_h:02d}:00" if end_h < 24 else f"{days} {start_h:02d}:00-24:00"
    )
    entries = person_days([person(availability=availability, lunch=lunch)], SETTINGS)
    assert entries
    for entry in entries:
        begin = entry.day * 86_400
        assert entry.shift_s == (begin + start_h * H, begin + end_h * H)
        first, last = SETTINGS.week.lunch_window_s(entry.day)
        covers = entry.shift_s[0] <= first and last + 3600 <= entry.shift_s[1]
        assert entry.lunch_s == (3600 if lunch and covers else 0)
