"""Tests of staffing: the nearest-neighbour lower bound, confirmed teams and the finish curve."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from planner.geo.districts import find_district
from planner.geo.travel import travel_time_s
from planner.planning.shops import prepare_shops
from planner.planning.staffing import (
    confirm_staff,
    fewest_worker_days,
    finish_curve,
    lower_bound_staff,
    nearest_neighbour_work_s,
    search_settings,
)
from planner.planning.triage import needing, triage
from planner.planning.week import workday_s
from planner.samples.district import generate_merchants
from planner.settings import Settings


@pytest.fixture(scope="module")
def two_day_settings() -> Settings:
    """A two-day week with small zones and the search's short budgets, no improvement phase."""
    settings = search_settings(Settings(), time_limit_s=0.5, improve_s=0.0)
    return replace(
        settings,
        week=replace(settings.week, days=2),
        solver=replace(settings.solver, zone_max_stops=40),
    )


@pytest.fixture(scope="module")
def dobong_shops():
    """120 Dobong-gu merchants, full scenario."""
    return needing(triage(generate_merchants(find_district("Dobong-gu"), n=120), scenario="full"))


def test_lower_bound_adds_service_and_travel_from_the_nearest_neighbour():
    """Three shops 100 m apart in a row: three services plus three 100 m walks."""
    settings = Settings()
    shops = pd.DataFrame({"x": [0.0, 100.0, 200.0], "y": [0.0, 0.0, 0.0], "service_s": [360, 360, 360]})
    walk_s = math.ceil(100 * settings.travel.circuity / settings.travel.walk_speed_mps)
    assert nearest_neighbour_work_s(shops, settings) == 3 * 360 + 3 * walk_s
    assert fewest_worker_days(shops, settings) == 1
    assert lower_bound_staff(4, days=3) == 2


def test_confirmed_team_leaves_no_shop_for_capacity_and_is_not_below_the_bound(
    dobong_shops, two_day_settings
):
    """The team confirm_staff returns has a verified plan with nothing unassigned for capacity."""
    result = confirm_staff(dobong_shops, find_district("Dobong-gu"), two_day_settings)
    assert result.staff is not None and result.staff >= result.lower_bound
    assert result.trials[result.staff] == 0
    assert all(left > 0 for staff, left in result.trials.items() if staff < result.staff)
    assert result.last_day_used <= str(two_day_settings.week.date_of(1))


def test_staffing_reports_the_shops_no_shift_reaches(small_needing, two_day_settings):
    """Jongno-gu's night shops: the confirmed team serves the rest, and the row says how many no shift
    reaches and why (no_time_window_fits), so the week is not shown as finishing."""
    shops = prepare_shops(small_needing, two_day_settings)
    night = int((~shops["fits"]).sum())
    result = confirm_staff(small_needing, find_district("Jongno-gu"), two_day_settings)
    assert night > 0 and result.staff is not None
    assert result.no_shift == {"no_time_window_fits": night}
    row = result.row()
    assert row["no_shift"] == night and row["left_no_time_window_fits"] == night


def test_a_bigger_team_does_not_finish_later(dobong_shops, two_day_settings):
    """The finish curve: three workers need no more days than one, and the bound falls too."""
    curve = finish_curve(dobong_shops, find_district("Dobong-gu"), two_day_settings, [1, 3], max_days=6)
    one, three = curve.set_index("staff").loc[1], curve.set_index("staff").loc[3]
    assert three["days_lower_bound"] <= one["days_lower_bound"]
    assert three["days_planned"] <= one["days_planned"] <= 6


def test_a_shop_next_to_the_office_counts_the_office_leg_in_the_bound():
    """A shop 10 m from the office and 1 km from the others is reached from the office at best."""
    settings = Settings()
    shops = pd.DataFrame({"x": [0.0, 1000.0, 1100.0], "y": [0.0, 0.0, 0.0], "service_s": [360, 360, 360]})
    office = np.array([0.0, 10.0])
    with_office = nearest_neighbour_work_s(shops, settings, office)
    legs_m = settings.travel.circuity * np.array([10.0, 100.0, 100.0])
    assert with_office == 3 * 360 + travel_time_s(legs_m, settings.travel).sum()
    assert with_office < nearest_neighbour_work_s(shops, settings)


def test_reporting_at_the_first_shop_saves_at_most_one_hop_a_worker_day_in_the_bound():
    """Two far groups of 40 shops 41 m apart, each just over a worker-day with every hop counted:
    three worker-days from the office, two when each worker-day reaches its first shop for free."""
    settings = Settings()
    day, per_group = workday_s(settings), 40
    hop = int(travel_time_s(np.array([41.0 * settings.travel.circuity]), settings.travel)[0])
    service = (day - (per_group - 1) * hop) // per_group
    assert per_group * (service + hop) > day  # a group's service and all its hops overfill a day
    row = np.arange(per_group) * 41.0
    shops = pd.DataFrame({"x": np.r_[row, 50_000 + row], "y": 0.0, "service_s": service})
    open_start = replace(settings, solver=replace(settings.solver, open_start=True))
    assert nearest_neighbour_work_s(shops, settings) == 2 * per_group * (service + hop)
    assert fewest_worker_days(shops, settings) == 3
    assert fewest_worker_days(shops, open_start) == 2
