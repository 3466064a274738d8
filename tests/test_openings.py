"""Tests for planner.planning.openings: work open on some days against each day's capacity."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from planner.planning.openings import day_teams, finish, most_lacking, team_size, work_within

MONDAY, TUE_TO_SUN, ALL = 0b0000001, 0b1111110, 0b1111111


def test_work_within_a_set_of_days_counts_only_work_open_inside_it():
    """Work open Monday only counts in every set holding Monday; Tue-Sun work only in sets holding all six."""
    within = work_within({MONDAY: 1.0, TUE_TO_SUN: 2.0}, 7)
    assert within[MONDAY] == 1.0 and within[TUE_TO_SUN] == 2.0 and within[ALL] == 3.0
    assert within[0b0000011] == 1.0  # Monday and Tuesday: the Tue-Sun work can go elsewhere


def test_capacity_on_the_wrong_day_still_lacks():
    """A Monday worker covers as many staff-days as the work, yet Tue-Sun work still lacks them all."""
    capacity = np.array([2.0, 0, 0, 0, 0, 0, 0])
    assert most_lacking({TUE_TO_SUN: 2.0}, capacity) == pytest.approx(2.0)
    assert math.isinf(finish({TUE_TO_SUN: 2.0}, capacity))


def test_finish_waits_for_the_days_the_work_opens():
    """Work open only from Tuesday finishes on Tuesday at the earliest, even with Monday capacity."""
    capacity = np.ones(7)
    assert finish({MONDAY: 0.5, TUE_TO_SUN: 0.5}, capacity) == 1.0
    assert finish({ALL: 3.0}, capacity) == 2.0
    assert finish({ALL: 14.0}, capacity) == pytest.approx(13.0)  # two weeks of one a day


def test_team_size_covers_work_crowded_into_few_days():
    """Six staff-days open only on Saturday need six people, not one a day for six days."""
    every_day = np.ones(7, dtype=bool)
    assert team_size({ALL: 6.0}, every_day) == 1
    assert team_size({0b0100000: 6.0, ALL: 1.0}, every_day) == 6
    assert team_size({}, every_day) == 0


def _most_placed(patterns: dict[int, float], capacity: np.ndarray) -> float:
    """The most staff-days a transport LP places: each pattern's work on its open days, within capacity."""
    cells = [(mask, day) for mask in patterns for day in range(7) if mask >> day & 1]
    rows = [[1.0 if m == mask else 0.0 for m, _ in cells] for mask in patterns]
    rows += [[1.0 if d == day else 0.0 for _, d in cells] for day in range(7)]
    bounds = list(patterns.values()) + list(capacity)
    result = linprog(-np.ones(len(cells)), A_ub=rows, b_ub=bounds, bounds=(0, None), method="highs")
    return -result.fun


@settings(max_examples=60, deadline=None)
@given(
    patterns=st.dictionaries(st.integers(1, 127), st.floats(0.1, 5.0), min_size=1, max_size=5),
    capacity=st.lists(st.floats(0, 3), min_size=7, max_size=7),
)
def test_what_lacks_is_the_work_no_day_by_day_placement_reaches(patterns, capacity):
    """The staff-days lacking are exactly the work that the best placement on open days leaves out."""
    capacity = np.array(capacity)
    left_out = sum(patterns.values()) - _most_placed(patterns, capacity)
    assert most_lacking(patterns, capacity) == pytest.approx(left_out, abs=1e-6)


def test_a_long_week_still_finds_work_crowded_into_one_day():
    """In a 20-day week, one person a day lacks for three staff-days open only on day 12, not in total."""
    capacity = np.ones(20)
    assert most_lacking({1 << 12: 3.0}, capacity) == pytest.approx(2.0)
    assert most_lacking({(1 << 20) - 1: 3.0}, capacity) == 0.0
    assert finish({(1 << 20) - 1: 3.0}, capacity) == 2.0


def test_day_teams_take_fewest_people_then_fewest_staff_days_then_the_earliest_days():
    """Saturday-crowded work gets six on Saturday and one on Monday; even work fills the first days."""
    every_day = np.ones(7, dtype=bool)
    assert day_teams({0b0100000: 6.0, ALL: 1.0}, every_day).tolist() == [1, 0, 0, 0, 0, 6, 0]
    assert day_teams({ALL: 10.5}, every_day).tolist() == [2, 2, 2, 2, 2, 1, 0]
    assert day_teams({ALL: 3.0}, np.array([False, True] * 3 + [True])).tolist() == [0, 1, 0, 1, 0, 1, 0]
    assert day_teams({}, every_day).tolist() == [0] * 7
