"""Tests of re-planning a campaign and of its status: done shops kept, retries, pins, conservation."""

from __future__ import annotations

import pytest
from campaign_helpers import copy_store, day_outcomes, outcome_csv, small_merchants, started_store

from planner.campaign import replan as replan_module
from planner.campaign.ledger import conservation
from planner.campaign.outcomes import parse_outcomes, record_outcomes
from planner.campaign.replan import StoreChangedError, replan
from planner.campaign.status import campaign_status
from planner.campaign.store import CampaignStore
from planner.errors import InputError


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    """A started campaign (about 60 shops planned, two tries per closed shop), closed, to copy per test."""
    return started_store(tmp_path_factory.mktemp("replan") / "base.sqlite", small_merchants(), max_tries=2)


@pytest.fixture
def store(base_store, tmp_path):
    """A private, open copy of the started campaign."""
    with CampaignStore(copy_store(base_store, tmp_path)) as opened:
        yield opened


def _record(store: CampaignStore, rows: list[tuple], name: str = "field.csv") -> None:
    record_outcomes(store, parse_outcomes(outcome_csv(rows), name), name)


def test_replan_keeps_done_shops_and_conserves(store):
    """Installed shops stay done and out of the new plan; every other needing shop is placed or explained."""
    rows = day_outcomes(store, 0, lambda i: "closed" if i % 4 == 0 else "installed")
    _record(store, rows)
    done = store.visits(status="done")
    result = replan(store, 1)
    assert result.installed == len(done) > 0
    assert store.visits(status="done").equals(done)
    planned = store.visits(status="planned", plan_version=result.plan_version)
    assert planned["merchant_id"].isin(done["merchant_id"]).sum() == 0
    assert planned["day"].min() >= 1
    assert conservation(store) == []


def test_old_planned_visits_are_superseded_by_the_new_version(store):
    """After a re-plan, only the new version has planned visits; the old ones are superseded."""
    old = store.current_plan_version()
    result = replan(store, 1)
    assert result.plan_version == old + 1
    assert set(store.visits(status="planned")["plan_version"]) == {old + 1}
    assert (store.visits(plan_version=old)["status"] == "superseded").all()


def test_a_closed_shop_is_retried_on_another_day_then_given_up(store):
    """Closed on its day, a shop is planned on a different day; after max_tries closures it is unassigned."""
    shop, staff, date, _, _ = day_outcomes(store, 0)[0]
    _record(store, [(shop, staff, date, "closed", "10:00")], "day0.csv")
    replan(store, 0)  # the coordinator re-plans the same day: the shop must not come back to it
    again = store.visits(status="planned").set_index("merchant_id")
    retry_date = again.loc[shop, "date"]
    assert retry_date != date
    _record(store, [(shop, again.loc[shop, "staff_id"], retry_date, "not_found", "10:00")], "retry.csv")
    assert store.unassigned().set_index("merchant_id").loc[shop, "reason"] == "tries_exhausted"
    replan(store, 3)
    assert store.unassigned().set_index("merchant_id").loc[shop, "reason"] == "tries_exhausted"
    assert conservation(store) == []


def test_pin_under_way_keeps_todays_routes(store):
    """With --pin-under-way, today's unreported visits stay as they were and the rest starts tomorrow."""
    today = store.visits(status="planned")
    today = today[today["day"] == 0]
    result = replan(store, 0, pin_under_way=True)
    kept = store.visits(status="planned", plan_version=result.plan_version)
    columns = ["merchant_id", "staff_id", "stop", "start_s"]
    assert (
        kept[kept["day"] == 0][columns].reset_index(drop=True).equals(today[columns].reset_index(drop=True))
    )
    assert result.pinned == len(today) and result.from_day == 1
    assert conservation(store) == []


def test_a_day_outside_the_campaign_is_refused(store):
    """--day must be one of the campaign's days."""
    with pytest.raises(InputError, match="outside the campaign"):
        replan(store, 7)


def test_outcomes_imported_during_a_replan_abort_it(store, monkeypatch):
    """A re-plan whose inputs changed while it was computed writes nothing and says so."""
    rows = day_outcomes(store, 0)[:1]
    solve = replan_module.plan_district

    def plan_while_someone_imports(*args, **kwargs):
        with CampaignStore(store.path) as other:
            _record(other, rows)
        return solve(*args, **kwargs)

    monkeypatch.setattr(replan_module, "plan_district", plan_while_someone_imports)
    version = store.current_plan_version()
    with pytest.raises(StoreChangedError):
        replan(store, 1)
    assert store.current_plan_version() == version


def test_status_counts_add_up_and_flag_risk(store):
    """needing = installed + given up + planned + left; shops awaiting a re-plan put the campaign at
    risk, and after the re-plan only shops no shift reaches are left."""
    _record(store, day_outcomes(store, 0, lambda i: "closed" if i == 0 else "installed"))
    row = campaign_status(store).iloc[0]
    assert row["needing"] == row["installed"] + row["given_up"] + row["planned"] + row["left"]
    assert row["installed"] > 0 and bool(row["at_risk"])
    replan(store, 1)
    row = campaign_status(store).iloc[0]
    assert row["needing"] == row["installed"] + row["given_up"] + row["planned"] + row["left"]
    # what is left after the re-plan is only what no shift reaches, and that alone keeps it at risk
    assert row["left"] == row.get("left_no_time_window_fits", 0)
    assert row["projected_finish"] <= row["deadline"] and bool(row["at_risk"]) == (row["left"] > 0)
