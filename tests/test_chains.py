"""Chains of zones that fill whole worker-days (planner.planning.chains)."""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np
import pytest

from planner.errors import PlannerError
from planner.geo.districts import find_district
from planner.planning import chains
from planner.planning.chains import Chain, WeekWork, open_days, split_chains, spread_slots
from planner.planning.shops import prepare_shops
from planner.planning.staffing import office_of
from planner.planning.triage import needing, triage
from planner.planning.week import Slot
from planner.routing.zones import hilbert_order, small_zones
from planner.samples.city import generate_city


def test_hilbert_order_steps_between_neighbouring_cells():
    """Along the order every step on a full grid moves to an adjacent cell, so chained zones touch."""
    grid = np.array([(x, y) for x in range(16) for y in range(16)], dtype=float)
    path = grid[hilbert_order(grid, bits=4)]
    assert sorted(map(tuple, path)) == sorted(map(tuple, grid))
    assert np.abs(np.diff(path, axis=0)).sum(axis=1).max() == 1


def test_chains_are_consecutive_runs_of_about_equal_shops():
    """Zones are cut into runs in their order, each with about the same number of shops."""
    zones = [np.arange(k * 10, k * 10 + 10) for k in range(12)]
    runs = split_chains(zones, 4)
    assert [len(chain) for chain in runs] == [3, 3, 3, 3]
    assert [z[0] for chain in runs for z in chain] == [z[0] for z in zones]


def test_leftover_slots_avoid_days_the_shops_are_closed():
    """A group closed on Monday gets worker-days from Tuesday on, one day each, earliest first."""
    free = {(d, s) for d in range(7) for s in range(3)}
    open_count = np.array([0, 5, 5, 5, 5, 5, 1])
    slots = spread_slots(free, 3, open_count)
    assert [(s.day, s.seat) for s in slots] == [(1, 0), (2, 0), (3, 0)]
    assert (1, 0) not in free and len(free) == 18


def test_leftovers_do_not_make_the_week_longer_while_earlier_days_have_seats():
    """Saturday is the plan's last day so far: leftovers take its free seats before Sunday's."""
    free = {(5, 0), (5, 1), (6, 0), (6, 1)}
    open_count = np.array([5, 5, 5, 5, 5, 5, 5])
    assert [(s.day, s.seat) for s in spread_slots(set(free), 2, open_count, last_day=5)] == [(5, 0), (5, 1)]
    assert [(s.day, s.seat) for s in spread_slots(set(free), 3, open_count, last_day=5)] == [
        (5, 0),
        (5, 1),
        (6, 0),
    ]
    assert [(s.day, s.seat) for s in spread_slots(set(free), 2, open_count)] == [(5, 0), (6, 0)]


def test_open_days_follow_opening_hours(small_shops, fast_settings):
    """A shop marked 'Mo off' cannot be served on day 0 (a Monday) but can on Tuesday."""
    days = open_days(small_shops, fast_settings)
    monday_off = small_shops["opening_hours"].str.contains("Mo off").to_numpy()
    assert monday_off.any()
    assert not days[monday_off, 0].any() and days[monday_off, 1].all()


def test_small_zones_are_compact_about_the_size_and_repeat():
    """Many small zones: about ``size`` shops each on average, each tighter than the whole, the same twice."""
    xy = np.random.default_rng(3).uniform(0, 10_000, (3000, 2))
    labels = small_zones(xy, 30)
    sizes = np.bincount(labels)
    assert sizes.min() > 0 and 25 <= sizes.mean() <= 35
    spread = max(xy[labels == z].std(axis=0).max() for z in range(len(sizes)))
    assert spread < xy.std(axis=0).min() / 5
    assert (labels == small_zones(xy, 30)).all()


def _chain_over(shops, settings, office_xy, days_of_work: float):
    """A chain over the shops nearest the office holding about ``days_of_work`` estimated days."""
    open_on = np.ones((len(shops), settings.week.days), dtype=bool)
    work = WeekWork(shops, office_xy, settings, open_on)
    order = np.argsort(np.hypot(*(shops[["x", "y"]].to_numpy() - office_xy).T))
    size = next(n for n in range(1, len(order) + 1) if work.work_s(order[:n]) >= days_of_work * work.day_s)
    members = [int(i) for i in order[:size]]
    slots = [Slot(day, seat) for day in range(2) for seat in range(3)]
    return Chain(work, [np.array(members)], slots), members


@pytest.mark.parametrize(("days_of_work", "worker_days"), [(1.4, 1), (2.2, 2)])
def test_a_chain_ends_without_a_nearly_empty_worker_day(fast_settings, days_of_work, worker_days):
    """A chain's last shops fill the days they can; a remainder under 0.9 of a day is left for
    the second pass (with what the other chains left) instead of a worker-day of its own."""
    district = find_district("Jongno-gu")
    shops = prepare_shops(needing(triage(generate_city(0, 0.05, [district]), scenario="full")), fast_settings)
    shops = shops[shops["fits"]].reset_index(drop=True)
    chain, members = _chain_over(shops, fast_settings, office_of(district), days_of_work)
    chain.run(lambda fn, args: fn(args), threading.Event(), lambda done: None)
    assert len({(row["day"], row["seat"]) for row in chain.rows}) == worker_days
    served = [row["merchant_id"] for row in chain.rows]
    dropped = list(shops["merchant_id"].iloc[chain.dropped])
    assert sorted(served + dropped) == sorted(shops["merchant_id"].iloc[members])  # nobody lost, nobody twice
    assert chain.dropped or worker_days == 2


def test_a_chain_whose_worker_day_holds_no_work_stops_with_an_error(small_shops, fast_settings, monkeypatch):
    """A worker-day that holds no work makes a chain raise PlannerError at once instead of spinning."""
    monkeypatch.setattr(chains, "WORKDAY_FILL", 0.0)
    open_on = np.ones((len(small_shops), fast_settings.week.days), dtype=bool)
    work = WeekWork(
        small_shops,
        office_of(find_district("Jongno-gu")),
        fast_settings,
        open_on,
    )
    chain = Chain(work, [np.arange(len(small_shops))], [Slot(0, 0)])
    stop, raised = threading.Event(), []

    def run() -> None:
        try:
            chain.run(lambda fn, args: fn(args), stop, lambda done: None)
        except PlannerError as exc:
            raised.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=2)
    stop.set()  # ends a spinning chain, so the test fails rather than hangs
    thread.join()
    assert raised and "no work" in str(raised[0])


def test_too_few_leftover_worker_days_go_one_a_group_most_urgent_first(small_shops, fast_settings):
    """Two free worker-days for more groups of leftovers than that: the groups holding the most
    urgent shops get one each, so the urgent shops are among those placed."""
    from planner.planning.executor import make_executor

    shops = small_shops[small_shops["fits"]].reset_index(drop=True)
    settings = replace(fast_settings, solver=replace(fast_settings.solver, zone_max_stops=10))
    work = WeekWork(shops, office_of(find_district("Jongno-gu")), settings, open_days(shops, settings))
    dropped = list(range(len(shops)))
    groups = chains.leftover_groups(work, dropped)  # numbered west to east
    assert len(groups) >= 3
    shops["priority"] = 3
    shops.loc[groups[-1], "priority"] = 1  # the urgent shops are the easternmost group
    free = {(0, 0), (0, 1)}
    with make_executor(1) as executor:
        rows, _ = chains.solve_leftovers(work, dropped, free, executor)
    assert {(r["day"], r["seat"]) for r in rows} == {(0, 0), (0, 1)}
    placed = set(shops.index[shops["merchant_id"].isin({r["merchant_id"] for r in rows})])
    assert len(placed & set(groups[-1])) >= len(groups[-1]) // 2  # some may be closed on day 0


def test_leftover_groups_by_days_keep_shops_open_on_other_days_apart(small_shops, fast_settings):
    """Grouped by days, no group mixes shops open on Monday with shops closed on it; plain groups may."""
    shops = small_shops[small_shops["fits"]].reset_index(drop=True)
    work = WeekWork(
        shops, office_of(find_district("Jongno-gu")), fast_settings, open_days(shops, fast_settings)
    )
    dropped = list(range(len(shops)))
    assert len(set(map(tuple, work.open_on[dropped].tolist()))) > 1  # several opening patterns
    for group in chains.leftover_groups(work, dropped, by_days=True):
        assert len({tuple(row) for row in work.open_on[group].tolist()}) == 1
    assert sorted(i for g in chains.leftover_groups(work, dropped, by_days=True) for i in g) == dropped


def test_a_leftover_worker_day_given_but_not_used_is_free_again(small_shops, fast_settings, monkeypatch):
    """Three shops offered two worker-days use one; the other goes back to the free worker-days."""
    from planner.planning.executor import make_executor

    shops = small_shops[small_shops["fits"]].head(3).reset_index(drop=True)
    work = WeekWork(
        shops, office_of(find_district("Jongno-gu")), fast_settings, open_days(shops, fast_settings)
    )
    monkeypatch.setattr(chains, "LEFTOVER_MARGIN", 20.0)  # a small group asks for several worker-days
    free = {(0, 0), (1, 0), (2, 0), (3, 0)}
    with make_executor(1) as executor:
        rows, left = chains.solve_leftovers(work, [0, 1, 2], free, executor)
    used = {(r["day"], r["seat"]) for r in rows}
    assert not left and len(used) == 1
    assert free == {(0, 0), (1, 0), (2, 0), (3, 0)} - used
