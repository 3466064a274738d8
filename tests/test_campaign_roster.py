"""Tests of campaigns planned with a roster: stored at the start, kept by every re-plan and export."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from campaign_helpers import JONGNO, copy_store, fast_settings, outcome_csv
from typer.testing import CliRunner

from planner.campaign.crews import CampaignRoster, load_roster
from planner.campaign.export import write_current_plan
from planner.campaign.ledger import conservation
from planner.campaign.outcomes import parse_outcomes, record_outcomes
from planner.campaign.replan import replan
from planner.campaign.run import simulation_inputs
from planner.campaign.setup import Campaign, init_campaign, load_campaign
from planner.campaign.store import CampaignStore
from planner.cli import app
from planner.errors import InputError
from planner.io.people import Person
from planner.io.read import read_merchants
from planner.io.roster import write_roster
from planner.planning.crew import crew_of, person_days
from planner.report.audit import audit_plan
from planner.report.notices import write_notices
from planner.settings import Settings

runner = CliRunner()
JONGNO_SAMPLE = Path(__file__).parents[1] / "data" / "samples" / "jongno-gu.csv"
JONGNO_SMALL = Path(__file__).parent / "data" / "jongno_small.csv"
# The week starts on a Monday; the day people start on Wednesday (campaign day 2). Their roster
# order is not their ids' order, so a seat by rank would hand a worker-day to the other person.
ROSTER = [
    Person("K1", "Kim Day", "north", "Jongno-gu", "We-Fr 09:00-18:00", "office", "office", "transit", True),
    Person(
        "A1", "Ahn Car", "north", "Jongno-gu", "We-Fr 09:00-18:00", "first_shop", "last_shop", "car", True
    ),
    Person("E1", "Choi Eve", "", None, "Mo-Sa 17:00-22:00", "first_shop", "last_shop", "walk", False),
]
PEOPLE = {p.staff_id: p for p in ROSTER}


def _settings() -> Settings:
    """Fast settings without a team size: the roster says who works."""
    return fast_settings(staff=None, time_limit_s=0.2)


@pytest.fixture(scope="module")
def roster_store(tmp_path_factory):
    """200 Jongno-gu shops planned with the roster; every shop of campaign day 2 promised."""
    merchants = read_merchants(JONGNO_SAMPLE).merchants.head(200)
    path = tmp_path_factory.mktemp("roster") / "base.sqlite"
    with CampaignStore(path) as opened:
        init_campaign(opened, merchants, Campaign(JONGNO, _settings(), scenario="full"), ROSTER)
        replan(opened, 0)
        write_notices(write_current_plan(opened, path.parent / "plan")[0], 120, day=2, store=opened)
    return path


@pytest.fixture
def store(roster_store, tmp_path):
    """A private, open copy of the roster campaign."""
    with CampaignStore(copy_store(roster_store, tmp_path)) as opened:
        yield opened


def _day_routes(store: CampaignStore, version: int, day: int) -> pd.DataFrame:
    """The visits of ``day`` in plan ``version``: shop, worker, stop and start, in route order."""
    visits = store.visits(plan_version=version)
    visits = visits[visits["day"] == day].sort_values(["staff_id", "stop"])
    return visits.loc[:, ["merchant_id", "staff_id", "stop", "start_s"]].reset_index(drop=True)


def _inside_own_shifts(visits: pd.DataFrame, settings: Settings) -> None:
    """Every visit is a roster person's, on a day they work, inside their own shift."""
    days = {(e.person.staff_id, e.day): e for e in person_days(ROSTER, settings)}
    assert len(visits) and set(visits["staff_id"]) <= set(PEOPLE)
    for row in visits.itertuples():
        shift = days[(row.staff_id, row.day)].shift_s
        assert shift[0] <= row.leave_office_s <= row.start_s < row.departure_s <= shift[1]


def test_the_first_plan_uses_only_the_roster_each_person_in_their_own_shift(store):
    """The stored roster comes back as given; the first plan's visits are its people's, within their shifts."""
    roster = load_roster(store, load_campaign(store).settings)
    assert roster.people == tuple(ROSTER)
    assert set(roster.pool_days["staff_id"]) <= {"E1"} and set(roster.pool_days["district"]) <= {"Jongno-gu"}
    visits = store.visits(status="planned", plan_version=store.current_plan_version())
    _inside_own_shifts(visits, load_campaign(store).settings)
    assert set(visits.loc[visits["day"] < 2, "staff_id"]) == {"E1"}  # the day people start on Wednesday
    assert set(roster.pool_days["staff_id"]) == {"E1"}


def test_a_replan_from_day_two_offers_exactly_the_rosters_person_days_of_days_two_on():
    """A re-plan from day 2 plans with the person-days of days 2.. of the week, shifted to its own week."""
    campaign = Campaign(JONGNO, _settings())
    pool = pd.DataFrame(
        {"staff_id": ["E1", "E1"], "day": [1, 4], "district": "Jongno-gu", "shift": "evening"}
    )
    people, workdays = CampaignRoster(tuple(ROSTER), pool).districts(2)["Jongno-gu"]
    later = crew_of(people, campaign.settings_from(2), workdays)
    whole = person_days(ROSTER, campaign.settings, {"E1": [1, 4]})
    expected = {(e.day - 2, e.person.staff_id, e.shift_s[0] - 2 * 86_400) for e in whole if e.day >= 2}
    assert {(e.day, e.person.staff_id, e.shift_s[0]) for e in later.values()} == expected


def test_a_replan_from_day_two_keeps_each_promised_worker_day_with_its_person(store):
    """Every day-2 shop promised, one refuses the day before: the re-plan from day 2 keeps day 2's
    worker-days as sent (same staff_id and start times, less that shop), plans the rest with the
    roster and loses no shop."""
    before = _day_routes(store, 2, 2)
    assert set(before["staff_id"]) >= {"K1", "A1"}
    gone = before.loc[before["staff_id"] == "A1", "merchant_id"].iloc[2]
    row = (gone, "A1", "2022-02-08", "refused", "17:00")
    record_outcomes(store, parse_outcomes(outcome_csv([row]), "day1.csv"), "day1.csv")
    result = replan(store, 2)
    assert result.broken_promises.empty
    after = _day_routes(store, result.plan_version, 2)
    after = after[after["staff_id"].isin(before["staff_id"])].reset_index(drop=True)  # the pool may come too
    kept = before[before["merchant_id"] != gone].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        after[["merchant_id", "staff_id", "start_s"]], kept[["merchant_id", "staff_id", "start_s"]]
    )
    visits = store.visits(status="planned", plan_version=result.plan_version)
    _inside_own_shifts(visits, load_campaign(store).settings)
    assert conservation(store) == []


def test_the_export_carries_names_modes_and_the_roster_and_verifies(store, tmp_path):
    """A campaign export's routes name each person and their mode, keep roster.csv, and verify clean."""
    folder = write_current_plan(store, tmp_path / "plan")[0]
    routes = pd.read_csv(folder / "routes.csv", dtype=str, keep_default_na=False)
    assert {(s, PEOPLE[s].name, PEOPLE[s].mode) for s in routes["staff_id"]} == set(
        zip(routes["staff_id"], routes["staff_name"], routes["mode"], strict=True)
    )
    assert (folder / "roster.csv").is_file()
    assert audit_plan(folder, None, load_campaign(store).settings).problems == []


def test_a_store_from_before_rosters_still_replans_with_its_team(tmp_path):
    """A schema-4 store (no roster tables) opens, gains empty ones, and re-plans with its head count."""
    path = tmp_path / "old.sqlite"
    with CampaignStore(path) as opened:
        init_campaign(opened, read_merchants(JONGNO_SMALL).merchants, Campaign(JONGNO, fast_settings()))
    conn = sqlite3.connect(path)
    conn.executescript("DROP TABLE pool_days; DROP TABLE roster; PRAGMA user_version = 4;")
    conn.close()
    with CampaignStore(path) as opened:
        assert load_roster(opened, load_campaign(opened).settings) is None
        result = replan(opened, 0)
        visits = opened.visits(status="planned", plan_version=result.plan_version)
    assert result.planned > 0 and visits["staff_id"].str.startswith("11110-W").all()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--staff", "2", "--roster", "ROSTER"], "give either --staff N"),
        ([], "give either --staff N"),
        (["--roster", "ROSTER", "--team", "Jongno-gu=2"], "--team sizes a district's team"),
    ],
)
def test_init_takes_staff_or_a_roster_and_says_so_in_one_line(tmp_path, options, message):
    """--staff with --roster, neither, or --team with --roster: exit 1, one line, no store."""
    roster = write_roster(ROSTER, tmp_path / "roster.csv")
    store = tmp_path / "c.sqlite"
    args = [str(roster) if o == "ROSTER" else o for o in options]
    done = runner.invoke(app, ["campaign", "init", str(JONGNO_SMALL), "--store", str(store), *args])
    assert done.exit_code == 1 and message in done.output and len(done.output.strip().splitlines()) == 1
    assert not store.exists()


def test_init_refuses_a_roster_that_leaves_a_district_without_anyone(tmp_path):
    """A roster of another district's people only: one line naming the district, nothing stored."""
    other = [Person("X1", "Yoon", "", "Dobong-gu", "Mo-Fr 09:00-18:00", "office", "office", "transit", True)]
    roster = write_roster(other, tmp_path / "roster.csv")
    store = tmp_path / "c.sqlite"
    done = runner.invoke(
        app, ["campaign", "init", str(JONGNO_SMALL), "--store", str(store), "--roster", str(roster)]
    )
    assert done.exit_code == 1 and "no person works in Jongno-gu" in done.output
    with CampaignStore(store) as opened:
        assert opened.read_campaign() is None


def test_init_command_reads_the_roster_writes_its_rejects_beside_the_store_and_plans_with_it(tmp_path):
    """campaign init --roster: a bad row goes to <roster>.rejects.csv beside the store; the plan uses the rest."""
    roster = write_roster(ROSTER, tmp_path / "roster.csv")
    with roster.open("a", encoding="utf-8") as file:
        file.write("Z9,Bad Hours,,Jongno-gu,every day,office,office,walk,yes\n")
    store = tmp_path / "campaign" / "c.sqlite"
    store.parent.mkdir()
    args = ["--roster", str(roster), "--store", str(store), "--time-limit", "0.3", "--improve-time", "0"]
    done = runner.invoke(app, ["campaign", "init", str(JONGNO_SMALL), *args])
    assert done.exit_code == 0, done.output
    assert "1 rows rejected" in done.output and (store.parent / "roster.rejects.csv").is_file()
    with CampaignStore(store) as opened:
        assert opened.roster()["staff_id"].tolist() == ["K1", "A1", "E1"]
        visits = opened.visits(status="planned", plan_version=opened.current_plan_version())
    assert len(visits) and set(visits["staff_id"]) <= set(PEOPLE)


def test_simulating_a_roster_campaign_asks_for_a_head_count(store):
    """The simulation plans head counts: a roster campaign without --staff is one clear InputError."""
    with pytest.raises(InputError, match="plans with a roster; simulating it needs --staff"):
        simulation_inputs(None, store.path, [], None, _settings())


def test_a_replan_when_nobody_of_the_roster_works_the_days_left_leaves_shops_for_capacity(store):
    """On the last day, a Sunday, nobody of the roster works: every shop left is unassigned for
    capacity (more people would help), not for its hours."""
    result = replan(store, 6)
    assert result.planned == 0 and set(result.unassigned["reason"]) == {"capacity"}
    assert conservation(store) == []


def test_a_replan_from_day_two_keeps_no_lunch_as_no_lunch(store, tmp_path):
    """The evening person takes no lunch: a re-plan from day 2 stores their routes without one and exports clean."""
    result = replan(store, 2)
    visits = store.visits(status="planned", plan_version=result.plan_version)
    evening = visits[(visits["staff_id"] == "E1") & (visits["day"] >= 2)]
    assert len(evening) and (evening["lunch_start_s"] == -1).all()
    folder = write_current_plan(store, tmp_path / "plan")[0]
    assert audit_plan(folder, None, load_campaign(store).settings).problems == []


def test_a_replan_sends_the_pool_again_to_the_work_left(store):
    """The pool was sent on the first evenings only; a re-plan from day 2 sends it on the days left,
    stores where it goes, and a re-plan of the same day finds it there."""
    assert (load_roster(store, load_campaign(store).settings).pool_days["day"] < 2).all()
    result = replan(store, 2)
    pool = load_roster(store, load_campaign(store).settings).pool_days
    assert (pool["day"] >= 2).any() and set(pool["staff_id"]) == {"E1"}
    visits = store.visits(status="planned", plan_version=result.plan_version)
    sent = {(s, d) for s, d in zip(pool["staff_id"], pool["day"], strict=True)}
    pooled = visits[visits["staff_id"] == "E1"]
    assert len(pooled) and {(s, d) for s, d in zip(pooled["staff_id"], pooled["day"], strict=True)} <= sent
    assert conservation(store) == []


def test_init_says_what_a_short_roster_lacks_before_planning(tmp_path):
    """One Saturday person for a district's week: campaign init names the district and the staff-days short."""
    one = [Person("S1", "Seo Sat", "", "Jongno-gu", "Sa 10:00-15:00", "office", "office", "walk", False)]
    roster = write_roster(one, tmp_path / "roster.csv")
    args = ["--roster", str(roster), "--store", str(tmp_path / "c.sqlite"), "--time-limit", "0.3"]
    done = runner.invoke(app, ["campaign", "init", str(JONGNO_SMALL), *args, "--improve-time", "0"])
    assert done.exit_code == 0, done.output
    assert "Jongno-gu: the roster is" in done.output and "staff-days short" in done.output
