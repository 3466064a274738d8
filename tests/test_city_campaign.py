"""Tests of a campaign of several districts in one store: teams, citywide and one-district re-plans, status."""

from __future__ import annotations

import signal
import sys

import pandas as pd
import pytest
from campaign_helpers import (
    CITY_DISTRICTS,
    city_merchants,
    copy_store,
    day_outcomes,
    kill_inside_transaction,
    outcome_csv,
    started_city_store,
)
from typer.testing import CliRunner

from planner.campaign.ledger import conservation
from planner.campaign.outcomes import parse_outcomes, record_outcomes
from planner.campaign.replan import replan
from planner.campaign.setup import Campaign, load_campaign
from planner.campaign.status import CITY, campaign_status
from planner.campaign.store import CampaignStore
from planner.cli import app
from planner.errors import InputError
from planner.planning.executor import make_executor
from planner.samples.district import write_sample

DOBONG, JUNG = (d.name_en for d in CITY_DISTRICTS)
KEY = ["merchant_id", "staff_id", "day", "stop", "start_s"]
runner = CliRunner()


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    """A started two-district campaign (Jung-gu with a team of 2, Dobong-gu of 1), closed, to copy per test."""
    path = tmp_path_factory.mktemp("city") / "base.sqlite"
    return started_city_store(path, city_merchants(), teams={JUNG: 2})


@pytest.fixture
def store(base_store, tmp_path):
    """A private, open copy of the started campaign."""
    with CampaignStore(copy_store(base_store, tmp_path)) as opened:
        yield opened


def _planned(store: CampaignStore) -> pd.DataFrame:
    """The current plan's visits with each shop's district."""
    visits = store.visits(status="planned", plan_version=store.current_plan_version())
    return visits.merge(store.merchants()[["merchant_id", "district"]], on="merchant_id")


def _record_day(store: CampaignStore, day: int) -> None:
    rows = day_outcomes(store, day, lambda i: "closed" if i % 5 == 0 else "installed")
    record_outcomes(store, parse_outcomes(outcome_csv(rows), "field.csv"), "field.csv")


def test_one_store_keeps_every_district_with_its_team(store):
    """The campaign names both districts and their teams; each district's routes use its own team."""
    campaign = load_campaign(store)
    assert campaign.districts == CITY_DISTRICTS
    assert campaign.team(CITY_DISTRICTS[0]) == 1 and campaign.team(CITY_DISTRICTS[1]) == 2
    planned = _planned(store)
    stored = {row["district"]: row for row in store.plans()["summary"].iloc[-1]["districts"]}
    for district in CITY_DISTRICTS:
        mine = planned[planned["district"] == district.name_en]
        assert len(mine) > 20
        assert mine["staff_id"].str.startswith(f"{district.code}-").all()  # the district's own staff
        assert mine.groupby("day")["staff_id"].nunique().max() <= campaign.team(district)
        assert stored[district.name_en]["staff_per_day"] == campaign.team(district)
    assert conservation(store) == []


def test_a_campaign_written_by_an_older_version_still_loads():
    """A stored one-district campaign (key ``district``) reads back as a campaign of that district."""
    data = Campaign(CITY_DISTRICTS[0]).to_dict()
    data["district"] = data.pop("districts")[0]
    del data["teams"]
    assert Campaign.from_dict(data).districts == CITY_DISTRICTS[:1]


def test_a_citywide_replan_on_two_processes_replans_every_district(store):
    """Outcomes of day 0 in both districts, then one re-plan from day 1 on two worker processes."""
    _record_day(store, 0)
    installed = set(store.visits(status="done")["merchant_id"])
    with make_executor(2) as executor:
        result = replan(store, 1, executor=executor)
    assert sorted(result.districts["district"]) == [DOBONG, JUNG]
    planned = _planned(store)
    assert set(planned["district"]) == {DOBONG, JUNG}
    assert planned["day"].min() >= 1 and not planned["merchant_id"].isin(installed).any()
    assert set(store.visits(status="planned")["plan_version"]) == {result.plan_version}
    assert conservation(store) == []


def test_a_one_district_replan_carries_the_other_districts_plan_unchanged(store):
    """replan --district Jung-gu re-plans Jung-gu only; Dobong-gu's visits and unassigned shops move as they were."""
    _record_day(store, 0)
    before = _planned(store)
    version = store.current_plan_version()
    left_before = store.unassigned(version)
    result = replan(store, 1, districts=[JUNG])
    after = _planned(store)
    dobong_before = before[before["district"] == DOBONG][KEY].reset_index(drop=True)
    dobong_after = after[after["district"] == DOBONG][KEY].reset_index(drop=True)
    pd.testing.assert_frame_equal(dobong_after, dobong_before)
    jung = after[after["district"] == JUNG]
    assert len(jung) > 0 and jung["day"].min() >= 1
    assert list(result.districts["district"]) == [JUNG]
    dobong_ids = set(store.merchants().query("district == @DOBONG")["merchant_id"])
    left_after = store.unassigned(result.plan_version)
    assert (
        left_after[left_after["merchant_id"].isin(dobong_ids)]
        .reset_index(drop=True)
        .equals(left_before[left_before["merchant_id"].isin(dobong_ids)].reset_index(drop=True))
    )
    assert set(store.visits(status="planned")["plan_version"]) == {result.plan_version}
    assert conservation(store) == []


def test_a_district_outside_the_campaign_is_refused(store):
    """Re-planning a district the campaign does not cover names the campaign's districts; nothing is stored."""
    version = store.current_plan_version()
    with pytest.raises(InputError, match="Dobong-gu, Jung-gu"):
        replan(store, 1, districts=["Jongno-gu"])
    assert store.current_plan_version() == version


def test_status_has_a_row_per_district_and_a_city_row_that_adds_up(store):
    """The city row is the sum of the districts; every row conserves shops."""
    _record_day(store, 0)
    table = campaign_status(store).set_index("district")
    assert list(table.index) == [DOBONG, JUNG, CITY]
    for column in ("needing", "installed", "given_up", "planned", "left"):
        assert table.loc[CITY, column] == table.loc[[DOBONG, JUNG], column].sum()
    assert (
        table["needing"] == table["installed"] + table["given_up"] + table["planned"] + table["left"]
    ).all()
    assert table.loc[CITY, "at_risk"] == table.loc[[DOBONG, JUNG], "at_risk"].any()


def test_sigkill_during_a_citywide_replan_leaves_the_store_as_before(base_store, tmp_path):
    """A citywide re-plan on two processes killed while storing leaves the previous plan current and intact."""
    path = copy_store(base_store, tmp_path)
    with CampaignStore(path) as store:
        before, visits_before = store.counts(), store.visits()
    code = (
        "from planner.campaign.store import CampaignStore\n"
        "from planner.campaign.replan import replan\n"
        "from planner.planning.executor import make_executor\n"
        "with make_executor(2) as executor:\n"
        f"    replan(CampaignStore({str(path)!r}), 1, executor=executor)\n"
    )
    kill_inside_transaction(path, [sys.executable, "-c", code])
    with CampaignStore(path) as store:
        assert store.counts() == before
        assert store.visits().equals(visits_before)
        assert conservation(store) == []


def test_the_commands_start_replan_and_report_a_campaign_of_every_district_in_the_file(tmp_path):
    """init without --district takes every district of the file; replan --district and status per district."""
    merchants, path = tmp_path / "merchants.csv", tmp_path / "campaign.sqlite"
    write_sample(city_merchants(n=200), merchants)
    init = ["campaign", "init", merchants, "--staff", "1", "--team", "Jung-gu=2", "--store", path]
    result = runner.invoke(app, [*map(str, init), "--time-limit", "0.3", "--improve-time", "0"])
    assert result.exit_code == 0, result.output
    assert "Re-planned districts" in result.output
    with CampaignStore(path) as opened:
        campaign = load_campaign(opened)
        assert set(campaign.districts) == set(CITY_DISTRICTS) and campaign.teams == {JUNG: 2}
        dobong_before = _planned(opened).query("district == @DOBONG")[KEY].reset_index(drop=True)
    replan_args = ["replan", "--day", "1", "--district", "Jung-gu", "--workers", "2", "--store", str(path)]
    result = runner.invoke(app, replan_args)
    assert result.exit_code == 0, result.output
    with CampaignStore(path) as opened:
        after = _planned(opened)
        assert after.query("district == @JUNG")["day"].min() >= 1
        pd.testing.assert_frame_equal(
            after.query("district == @DOBONG")[KEY].reset_index(drop=True), dobong_before
        )
        assert conservation(opened) == []
    result = runner.invoke(app, ["status", "--store", str(path)])
    assert result.exit_code == 0, result.output
    assert all(name in result.output for name in (DOBONG, JUNG, CITY))
    bad = runner.invoke(app, [*map(str, init[:-2]), "--team", "Jung-gu=none", "--store", str(tmp_path / "x")])
    assert bad.exit_code == 1 and "NAME=WORKERS" in bad.output


def test_ctrl_c_during_a_citywide_replan_exits_130_and_writes_nothing(base_store, tmp_path):
    """Ctrl-C while the new plan is being stored rolls it back: exit code 130, the store as before."""
    path = copy_store(base_store, tmp_path)
    with CampaignStore(path) as store:
        before, visits_before = store.counts(), store.visits()
    command = [sys.executable, "-c", "from planner.cli import app; app()", "replan", "--day", "1"]
    printed = kill_inside_transaction(path, [*command, "--workers", "2", "--store", str(path)], signal.SIGINT)
    assert printed.startswith("exit 130") and "interrupted" in printed
    with CampaignStore(path) as store:
        assert store.counts() == before
        assert store.visits().equals(visits_before)
