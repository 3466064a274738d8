"""Tests that the verifier catches each kind of broken plan."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.errors import PlanVerificationError
from planner.geo.districts import find_district
from planner.geo.travel import project
from planner.planning.verify import plan_violations, verify_plan


@pytest.fixture(scope="module")
def office_xy():
    """The Jongno-gu office in metres."""
    d = find_district("Jongno-gu")
    return project(np.array([d.office_lat]), np.array([d.office_lon]))[0]


def violations(plan, shops, office_xy, settings, routes=None, unassigned=None, staff=None):
    return plan_violations(
        plan.routes if routes is None else routes,
        plan.unassigned if unassigned is None else unassigned,
        shops,
        office_xy,
        settings,
        staff,
    )


def test_a_good_plan_passes(small_plan, small_shops, office_xy, fast_settings):
    """The planner's own plan has no violations."""
    assert violations(small_plan, small_shops, office_xy, fast_settings, staff=2) == []


def test_a_shop_visited_twice_is_caught(small_plan, small_shops, office_xy, fast_settings):
    """Duplicating a visit is reported as a shop visited twice."""
    routes = pd.concat([small_plan.routes, small_plan.routes.iloc[[0]]], ignore_index=True)
    found = violations(small_plan, small_shops, office_xy, fast_settings, routes=routes)
    assert any("visited 2 times" in p for p in found)


def test_a_lost_shop_breaks_conservation(small_plan, small_shops, office_xy, fast_settings):
    """Removing a visit without marking the shop unassigned is reported."""
    routes = small_plan.routes.iloc[1:]
    found = violations(small_plan, small_shops, office_xy, fast_settings, routes=routes)
    assert any("neither planned nor unassigned" in p for p in found)


def test_service_outside_opening_hours_is_caught(small_plan, small_shops, office_xy, fast_settings):
    """Moving a visit to 03:00 is reported as outside the opening hours."""
    routes = small_plan.routes.copy()
    day0 = routes["day"].iat[0] * 86_400
    routes.loc[routes.index[0], ["arrival_s", "start_s", "departure_s"]] = [
        day0 + 10_800,
        day0 + 10_800,
        day0 + 11_000,
    ]
    found = violations(small_plan, small_shops, office_xy, fast_settings, routes=routes)
    assert any("outside its opening hours" in p for p in found)


def test_impossible_travel_is_caught(small_plan, small_shops, office_xy, fast_settings):
    """Arriving at the next shop sooner than the travel model allows is reported."""
    routes = small_plan.routes.copy()
    second = routes.index[(routes["stop"] == 2)][0]
    first = routes.index[
        (routes["stop"] == 1)
        & (routes["staff_id"] == routes.at[second, "staff_id"])
        & (routes["day"] == routes.at[second, "day"])
    ][0]
    routes.at[second, "arrival_s"] = routes.at[first, "departure_s"]
    routes.at[second, "start_s"] = routes.at[first, "departure_s"]
    routes.at[second, "departure_s"] = routes.at[first, "departure_s"] + routes.at[second, "service_s"]
    found = violations(small_plan, small_shops, office_xy, fast_settings, routes=routes)
    assert any("of travel" in p for p in found)


def test_too_many_workers_in_a_day_is_caught(small_plan, small_shops, office_xy, fast_settings):
    """A plan using more workers than the team has is reported."""
    found = violations(small_plan, small_shops, office_xy, fast_settings, staff=0)
    assert any("only 0 available" in p for p in found)


def test_unknown_unassigned_reason_is_caught(small_plan, small_shops, office_xy, fast_settings):
    """Every unassigned shop needs a known reason."""
    unassigned = small_plan.unassigned.copy()
    unassigned["reason"] = "because"
    found = violations(small_plan, small_shops, office_xy, fast_settings, unassigned=unassigned)
    assert any("without a valid reason" in p for p in found)


def test_verify_plan_raises_with_the_violations(small_plan, small_shops, office_xy, fast_settings):
    """verify_plan raises PlanVerificationError listing the problems."""
    with pytest.raises(PlanVerificationError, match="failed verification"):
        verify_plan(small_plan.routes.iloc[1:], small_plan.unassigned, small_shops, office_xy, fast_settings)


def test_a_visit_before_the_shop_is_available_is_caught(small_plan, small_shops, office_xy, fast_settings):
    """A visit starting before its shop's available_from is an error naming the shop and the time."""
    first = small_plan.routes.sort_values("start_s").iloc[0]
    week = fast_settings.week
    ready = pd.Timestamp(week.start_date) + pd.Timedelta(seconds=int(first["start_s"]) + 3600)
    shops = small_shops.assign(available_from=pd.NaT)
    shops.loc[shops["merchant_id"] == first["merchant_id"], "available_from"] = ready
    found = violations(small_plan, shops, office_xy, fast_settings, staff=2)
    assert len(found) == 1
    assert f"shop {first['merchant_id']}" in found[0] and "before the shop is available" in found[0]
    assert f"({ready:%Y-%m-%d %H:%M})" in found[0]


def test_available_from_as_text_is_checked_too(small_plan, small_shops, office_xy, fast_settings):
    """available_from read back as text (triage.csv), dates and times mixed, is checked the same way."""
    first = small_plan.routes.sort_values("start_s").iloc[0]
    ready = pd.Timestamp(fast_settings.week.start_date) + pd.Timedelta(seconds=int(first["start_s"]) + 60)
    shops = small_shops.assign(available_from="2022-02-01")
    shops.loc[shops["merchant_id"] == first["merchant_id"], "available_from"] = f"{ready:%Y-%m-%dT%H:%M}"
    found = violations(small_plan, shops, office_xy, fast_settings, staff=2)
    assert len(found) == 1 and "before the shop is available" in found[0]
