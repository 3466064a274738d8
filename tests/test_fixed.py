"""Tests of fixed worker-days: kept as they are by the plan, released when they no longer hold."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from planner.geo.districts import find_district
from planner.planning.fixed import FIXED_COLUMNS, hold_fixed
from planner.planning.plan import plan_district

JONGNO = find_district("Jongno-gu")


@pytest.fixture(scope="module")
def quick(fast_settings):
    """Two workers a day, no improvement pass: a plan in about a second."""
    return replace(fast_settings, staff=2, solver=replace(fast_settings.solver, improve_s=0.0))


def _fixed_rows(routes: pd.DataFrame, day: int) -> pd.DataFrame:
    """The visits of ``day`` as fixed rows, each worker's seat its rank among the day's workers."""
    visits = routes[routes["day"] == day]
    seat = visits["staff_id"].rank(method="dense").astype(int) - 1
    return visits.assign(seat=seat).loc[:, list(FIXED_COLUMNS)].reset_index(drop=True)


def test_a_plan_keeps_its_fixed_worker_days_and_plans_every_other_shop_around_them(
    small_plan, small_needing, quick
):
    """Day 1 of a plan given as fixed: the new plan has those visits with the same worker, order and
    start, no other visit on their worker-days, and every other shop planned or unassigned."""
    fixed = _fixed_rows(small_plan.routes, 1)
    kept, why = hold_fixed(fixed, small_needing, JONGNO, quick)
    assert why == {} and len(kept) == len(fixed) > 0
    plan = plan_district(small_needing, JONGNO, quick, fixed=kept)
    keys = ["staff_id", "stop", "merchant_id", "start_s"]
    old = small_plan.routes[small_plan.routes["day"] == 1]
    new = plan.routes[plan.routes["staff_id"].isin(old["staff_id"]) & (plan.routes["day"] == 1)]
    pd.testing.assert_frame_equal(new[keys].reset_index(drop=True), old[keys].reset_index(drop=True))
    assert plan.routes["merchant_id"].nunique() + len(plan.unassigned) == len(small_needing)


def test_a_worker_day_that_no_longer_holds_is_released_whole_with_why(small_plan, small_needing, quick):
    """Travel three times slower: a worker-day whose old starts it makes too early is released whole,
    each of its shops with the broken rule; the others are kept entire."""
    fixed = pd.concat([_fixed_rows(small_plan.routes, d) for d in (0, 1)], ignore_index=True)
    slow = replace(quick, travel=replace(quick.travel, circuity=3.75))
    kept, why = hold_fixed(fixed, small_needing, JONGNO, slow)
    assert why and all(text.startswith("its worker-day no longer holds: ") for text in why.values())
    released = fixed[fixed["merchant_id"].isin(why)]
    assert len(kept) + len(released) == len(fixed)
    worker_days = set(zip(released["day"], released["seat"], strict=True))
    assert not worker_days & set(zip(kept["day"], kept["seat"], strict=True))


def test_a_visit_its_shop_no_longer_allows_leaves_and_its_worker_day_keeps_the_rest(
    small_plan, small_needing, quick
):
    """A fixed shop now closed on its day: that visit alone leaves, the others renumbered in order."""
    fixed = _fixed_rows(small_plan.routes, 1)
    shop = fixed["merchant_id"].iloc[0]
    closed = small_needing.assign(
        opening_hours=small_needing["opening_hours"].where(
            small_needing["merchant_id"] != shop, "Mo,We-Su 09:00-20:00"
        )
    )  # 2022-02-08, day 1, is a Tuesday
    kept, why = hold_fixed(fixed, closed, JONGNO, quick)
    assert why == {shop: "the shop's hours no longer hold its planned visit"}
    rest = fixed[fixed["merchant_id"] != shop]
    assert kept["merchant_id"].tolist() == rest["merchant_id"].tolist()
    assert (
        kept.groupby(["day", "seat"])["stop"].apply(list)
        == rest.groupby(["day", "seat"])["stop"].apply(lambda s: list(range(1, len(s) + 1)))
    ).all()
