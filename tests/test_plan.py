"""Tests of the week planner: conservation, verification, staffing and day preference."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from planner.geo.districts import find_district
from planner.planning.output import write_plan
from planner.planning.plan import plan_district
from planner.planning.verify import UNASSIGNED_REASONS
from planner.report.export import route_lines
from planner.report.load import load_plan
from planner.report.sheets import route_sheets


def test_every_needing_shop_is_planned_or_unassigned_with_a_reason(small_plan, small_needing):
    """Conservation: needing = planned + unassigned, and no shop appears twice."""
    planned = set(small_plan.routes["merchant_id"])
    left = set(small_plan.unassigned["merchant_id"])
    assert planned.isdisjoint(left)
    assert planned | left == set(small_needing["merchant_id"])
    assert small_plan.routes["merchant_id"].is_unique
    assert set(small_plan.unassigned["reason"]) <= set(UNASSIGNED_REASONS)


def test_shops_never_open_in_a_shift_are_unassigned_as_no_time_window_fits(small_plan, small_needing):
    """A bar open 19:00-02:00 cannot be visited in a 09:00-18:00 shift and says why."""
    night = small_needing.loc[small_needing["opening_hours"] == "Mo-Sa 19:00-02:00", "merchant_id"]
    assert len(night) > 0
    reasons = small_plan.unassigned.set_index("merchant_id")["reason"]
    assert all(reasons.get(m) == "no_time_window_fits" for m in night)


def test_no_more_workers_a_day_than_the_team(small_plan):
    """With staff=2 no day has more than two worker routes."""
    assert small_plan.routes.groupby("day")["staff_id"].nunique().max() <= 2


def test_stops_count_from_one_and_times_are_ordered(small_plan):
    """Each worker-day's stops are 1..n and arrival <= start < departure <= next arrival."""
    for _, route in small_plan.routes.groupby(["day", "staff_id"]):
        route = route.sort_values("stop")
        assert list(route["stop"]) == list(range(1, len(route) + 1))
        assert (route["arrival_s"] <= route["start_s"]).all()
        assert (route["start_s"] < route["departure_s"]).all()
        assert (route["departure_s"].to_numpy()[:-1] <= route["arrival_s"].to_numpy()[1:]).all()


def test_times_are_iso_with_seoul_offset(small_plan):
    """arrival/start/departure are ISO 8601 strings with the +09:00 offset."""
    assert small_plan.routes["start"].str.endswith("+09:00").all()
    assert small_plan.routes["start"].str.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d").all()


def test_work_goes_to_the_earliest_days(small_plan):
    """With a generous team the plan finishes early in the week instead of spreading out."""
    days_used = sorted(small_plan.routes["day"].unique())
    assert days_used == list(range(len(days_used)))  # no gaps
    assert days_used[-1] < 6


def test_too_small_a_team_leaves_shops_unassigned_for_capacity(small_needing, fast_settings):
    """One worker for one day cannot visit 50 shops: the rest are unassigned with reason capacity."""
    settings = replace(fast_settings, staff=1, week=replace(fast_settings.week, days=1))
    plan = plan_district(small_needing, find_district("Jongno-gu"), settings)
    reasons = plan.unassigned["reason"].value_counts()
    assert reasons.get("capacity", 0) > 0
    assert len(plan.routes) + len(plan.unassigned) == len(small_needing)
    assert plan.routes["day"].max() == 0


def test_priority_one_shops_are_kept_before_routine_ones(small_needing, fast_settings):
    """When not every shop fits, shops that cannot take payments are dropped last."""
    settings = replace(fast_settings, staff=1, week=replace(fast_settings.week, days=1))
    plan = plan_district(small_needing, find_district("Jongno-gu"), settings)
    dropped = small_needing.set_index("merchant_id").loc[plan.unassigned["merchant_id"], "priority"]
    kept = plan.routes["priority"]
    capacity = plan.unassigned["reason"].eq("capacity").to_numpy()
    assert np.mean(dropped.to_numpy()[capacity]) >= np.mean(kept)


def test_summary_counts_match_the_tables(small_plan, small_needing):
    """summary() reports needing, planned, unassigned and staff-days consistent with the routes."""
    summary = small_plan.summary()
    assert summary["needing"] == len(small_needing)
    assert summary["planned"] + summary["unassigned"] == summary["needing"]
    assert summary["staff_days"] == len(small_plan.routes.drop_duplicates(["day", "staff_id"]))
    assert summary["total_service_min"] > 0


def test_summary_reports_office_legs_and_idle_time(small_plan):
    """The way back to the office counts with the office legs; idle time lies inside the shifts."""
    summary, routes = small_plan.summary(), small_plan.routes
    out_legs_min = routes.loc[routes["stop"] == 1, "travel_s"].sum() / 60
    way_back_min = summary["office_legs_min"] - out_legs_min
    assert way_back_min > 0  # routes end at the office
    shifts_min = summary["staff_days"] * (9 * 60 - 60)  # 09:00-18:00 less lunch
    assert 0 <= summary["idle_min"] < shifts_min - summary["total_service_min"]


def test_a_large_team_plans_every_shop_that_has_a_window(small_needing, fast_settings):
    """With more workers than needed nothing is dropped for capacity, Monday-closed shops included."""
    plan = plan_district(small_needing, find_district("Jongno-gu"), replace(fast_settings, staff=20))
    assert set(plan.unassigned["reason"]) <= {"no_time_window_fits"}
    monday_closed = set(
        small_needing.loc[small_needing["opening_hours"].str.contains("Mo off"), "merchant_id"]
    )
    assert monday_closed and monday_closed <= set(plan.routes["merchant_id"])
    assert (plan.routes.loc[plan.routes["merchant_id"].isin(monday_closed), "day"] != 0).all()


def test_staff_who_report_at_their_first_shop_start_work_there(
    small_needing, fast_settings, small_plan, tmp_path
):
    """--start-at-first-shop: no way out from the office, the day starts with the first visit;
    the written plan says so, and sheets and route lines drawn from it start at the first shop."""
    solver = replace(fast_settings.solver, open_start=True)
    plan = plan_district(
        small_needing, find_district("Jongno-gu"), replace(fast_settings, staff=2, solver=solver)
    )
    firsts = plan.routes[plan.routes["stop"] == 1]
    assert (firsts["travel_s"] == 0).all()
    assert (firsts["arrival_s"] == firsts["leave_office_s"]).all()
    assert len(plan.routes) + len(plan.unassigned) == len(small_needing)
    # the legs left are the ways back, and they are shorter than the office plan's two ways
    assert 0 < plan.summary()["office_legs_min"] < small_plan.summary()["office_legs_min"]
    write_plan(plan, tmp_path)
    loaded = load_plan(tmp_path).plan
    assert loaded.settings.solver.open_start and not loaded.settings.solver.open_routes
    sheet = route_sheets(loaded)[0]
    assert not sheet.from_office and sheet.to_office
    first = loaded.routes.sort_values(["date", "staff_id", "stop"]).iloc[0]
    line = route_lines(loaded).iloc[0].geometry
    assert line.coords[0] == pytest.approx((first["lon"], first["lat"]))
    office = loaded.district.office_lon, loaded.district.office_lat
    assert line.coords[-1] == pytest.approx(office)


def test_district_without_needing_shops_gets_an_empty_verified_plan(small_needing, fast_settings):
    """With no shop needing a panel the plan has no route and no one unassigned, instead of a crash."""
    plan = plan_district(small_needing.iloc[:0], find_district("Mapo-gu"), fast_settings)
    assert plan.routes.empty and plan.unassigned.empty
    assert plan.summary()["needing"] == 0 and plan.summary()["planned"] == 0


@pytest.fixture(scope="module")
def late_plan(small_needing, fast_settings):
    """Twelve shops with one worker a day: three ready on Thursday, one at 13:00 Tuesday, one after the week."""
    shops = small_needing[small_needing["opening_hours"] == "Mo-Sa 10:00-21:00; Su off"].head(12).copy()
    ready = [pd.Timestamp("2022-02-10")] * 3 + [pd.Timestamp("2022-02-08 13:00"), pd.Timestamp("2022-02-20")]
    shops["available_from"] = ready + [pd.NaT] * (len(shops) - len(ready))
    settings = replace(fast_settings, staff=1, solver=replace(fast_settings.solver, improve_s=0.0))
    return shops, plan_district(shops, find_district("Jongno-gu"), settings)


def test_no_visit_starts_before_the_shop_is_available(late_plan):
    """Shops ready on Thursday are visited Thursday or later; the one ready at 13:00 not before then."""
    shops, plan = late_plan
    visits = plan.routes.merge(shops[["merchant_id", "available_from"]], on="merchant_id")
    starts = pd.to_datetime(visits["start"].str[:19])
    ready = visits["available_from"].notna()
    assert ready.sum() == 4
    assert (starts[ready] >= visits.loc[ready, "available_from"]).all()
    assert set(shops["merchant_id"].iloc[:3]) <= set(visits.loc[visits["day"] >= 3, "merchant_id"])


def test_a_shop_ready_only_after_the_week_is_unassigned_as_not_available(late_plan, tmp_path):
    """A shop available after the week's end is unassigned as not_available_in_week, its date shown."""
    shops, plan = late_plan
    late = shops["merchant_id"].iloc[4]
    row = plan.unassigned.set_index("merchant_id").loc[late]
    assert (row["reason"], row["available_from"]) == ("not_available_in_week", "2022-02-20")
    written = pd.read_csv(write_plan(plan, tmp_path)["unassigned"], dtype=str, keep_default_na=False)
    assert written.set_index("merchant_id").loc[late, "available_from"] == "2022-02-20"
