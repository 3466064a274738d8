"""Tests of promises in a campaign: recorded in the store, checked against its plan, kept by the re-plan."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from campaign_helpers import (
    JONGNO,
    copy_store,
    day_outcomes,
    fast_settings,
    outcome_csv,
)
from typer.testing import CliRunner

from planner.campaign.export import write_current_plan
from planner.campaign.ledger import conservation
from planner.campaign.notices import BROKEN_FILE
from planner.campaign.outcomes import parse_outcomes, record_outcomes
from planner.campaign.replan import replan
from planner.campaign.setup import Campaign, init_campaign
from planner.campaign.store import MIGRATIONS, CampaignStore
from planner.cli import app
from planner.errors import InputError
from planner.io.read import read_merchants
from planner.io.spreadsheet import read_spreadsheet_csv
from planner.report.audit import audit_plan
from planner.report.notices import write_notices
from planner.settings import Settings

runner = CliRunner()
JONGNO_SAMPLE = Path(__file__).parents[1] / "data" / "samples" / "jongno-gu.csv"
ROUTE_KEYS = ["merchant_id", "staff_id", "stop", "start_s"]


@pytest.fixture(scope="module")
def promised_store(tmp_path_factory):
    """300 Jongno-gu shops, all in the campaign (about 290 to plan), 3 workers a day; day 1 promised."""
    merchants = read_merchants(JONGNO_SAMPLE).merchants.head(300)
    path = tmp_path_factory.mktemp("kept") / "base.sqlite"
    with CampaignStore(path) as opened:
        settings = fast_settings(staff=3, time_limit_s=0.2)
        init_campaign(opened, merchants, Campaign(JONGNO, settings, scenario="full"))
        replan(opened, 0)
        write_notices(write_current_plan(opened, path.parent / "plan")[0], 120, day=1, store=opened)
    return path


@pytest.fixture
def promised(promised_store, tmp_path):
    """A private, open copy of the promised campaign."""
    with CampaignStore(copy_store(promised_store, tmp_path)) as opened:
        yield opened


def _day_routes(store: CampaignStore, version: int, day: int) -> pd.DataFrame:
    """The visits of ``day`` in plan ``version``: shop, worker, stop and start, in route order."""
    visits = store.visits(plan_version=version)
    visits = visits[visits["day"] == day].sort_values(["staff_id", "stop"])
    return visits.loc[:, ROUTE_KEYS].reset_index(drop=True)


@pytest.fixture
def store(base_store, tmp_path):
    """A private, open copy of the started campaign."""
    with CampaignStore(copy_store(base_store, tmp_path)) as opened:
        yield opened


def test_a_store_of_schema_2_opens_and_gains_the_notices_table(tmp_path):
    """A file written before notices existed migrates: it opens, at the latest schema, with no promises."""
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS[:2]:
        migration(conn)
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with CampaignStore(path) as opened:
        assert opened.schema_version() == len(MIGRATIONS)
        assert opened.notices().empty


def test_notices_of_a_stale_export_are_refused_and_nothing_is_written(store, tmp_path):
    """Notices from a folder that is not the current plan: one InputError, no promise recorded, no file."""
    folder = write_current_plan(store, tmp_path / "plan")[0]
    replan(store, 1)
    with pytest.raises(InputError, match="are not visits of plan \\d+ in .*export the current plan"):
        write_notices(folder, 120, day=1, store=store)
    assert store.notices().empty and not (folder / "notices.csv").exists()


def test_replan_after_a_day_keeps_the_promises_it_can_and_names_the_broken(store, tmp_path):
    """Promises for day 1, then day 0 with closed shops to fit again: the re-plan visits every promised
    shop inside its promise, except one made impossible (before the shift), which it names and still plans."""
    folder = write_current_plan(store, tmp_path / "plan")[0]
    sent = write_notices(folder, 120, day=1, store=store).notices
    assert len(store.notices()) == len(sent) > 2
    impossible = sent.iloc[0]
    store.add_notices(1, sent.iloc[[0]].assign(promise_from="05:00", promise_to="06:00"))
    rows = day_outcomes(store, 0, lambda i: "closed" if i % 2 else "installed")
    record_outcomes(store, parse_outcomes(outcome_csv(rows), "day0.csv"), "day0.csv")
    result = replan(store, 1)
    visits = store.visits(status="planned", plan_version=result.plan_version)
    promised = sent.iloc[1:].merge(visits, on=["merchant_id", "date"])
    assert len(promised) == len(sent) - 1
    start = promised["start_s"] % 86_400
    begin = promised["promise_from"].map(lambda t: 3600 * int(t[:2]) + 60 * int(t[3:]))
    end = promised["promise_to"].map(lambda t: 3600 * int(t[:2]) + 60 * int(t[3:]))
    assert ((begin <= start) & (start <= end)).all()
    assert result.broken_promises["merchant_id"].tolist() == [impossible["merchant_id"]]
    assert "not open long enough" in result.broken_promises["why"].iloc[0]
    assert impossible["merchant_id"] in set(visits["merchant_id"])  # released, not lost
    assert result.summary()["promises_broken"] == 1


def test_replan_command_lists_broken_promises_and_the_export_lets_verify_check_them(store, tmp_path):
    """planner replan --out writes broken-promises.csv and one line; verify on the export names the shop."""
    folder = write_current_plan(store, tmp_path / "plan")[0]
    sent = write_notices(folder, 120, day=1, store=store).notices
    store.add_notices(1, sent.iloc[[0]].assign(promise_from="05:00", promise_to="06:00"))
    path, shop = store.path, sent["merchant_id"].iloc[0]
    store.close()
    out = tmp_path / "replanned"
    done = runner.invoke(app, ["replan", "--day", "1", "--store", path, "--out", str(out), "--budget", "0"])
    assert done.exit_code == 0, done.output
    assert f"1 promises broken: {shop} on {sent['date'].iloc[0]}" in done.output
    assert read_spreadsheet_csv(out / BROKEN_FILE)["merchant_id"].tolist() == [shop]
    problems = audit_plan(out / folder.name, None, Settings()).problems
    assert [p for p in problems if "promised" in p] == [p for p in problems if p.startswith(f"shop {shop}")]
    assert len(problems) == 1 and "promised 2022-02-08 05:00-06:00" in problems[0]


def test_a_notices_file_planner_did_not_write_is_refused_before_anything_is_recorded(store, tmp_path):
    """A damaged notices.csv in the folder: one InputError naming it, and no promise in the store."""
    folder = write_current_plan(store, tmp_path / "plan")[0]
    (folder / "notices.csv").write_text("merchant_id,date,promise_from,promise_to\nX,tomorrow,10:00,12:00\n")
    with pytest.raises(InputError, match=r"notices.csv row 2, column date: 'tomorrow' is not a date"):
        write_notices(folder, 120, day=1, store=store)
    assert store.notices().empty


def test_a_replan_with_nothing_changed_keeps_every_promise_and_its_worker_days(promised):
    """Every day-1 shop promised, nothing reported: the re-plan breaks no promise, keeps day 1's
    worker-days as they were sent (worker, order, start), and loses no shop."""
    sent = promised.notices()
    assert len(sent) > 100
    result = replan(promised, 1)
    assert result.broken_promises.empty and "promises_broken" not in result.summary()
    pd.testing.assert_frame_equal(_day_routes(promised, result.plan_version, 1), _day_routes(promised, 2, 1))
    assert conservation(promised) == []
    assert result.planned + len(result.unassigned) == len(promised.merchants().query("needs_panel == 1"))


def test_a_shop_given_up_leaves_its_worker_day_and_the_others_keep_theirs(promised):
    """A promised day-1 shop refuses the day before: it is out of its worker-day, whose other visits
    keep their stop order and start times; no promise is broken."""
    before = _day_routes(promised, 2, 1)
    gone = before["merchant_id"].iloc[3]
    row = (gone, before["staff_id"].iloc[3], "2022-02-07", "refused", "17:00")
    record_outcomes(promised, parse_outcomes(outcome_csv([row]), "day0.csv"), "day0.csv")
    result = replan(promised, 1)
    after = _day_routes(promised, result.plan_version, 1)
    assert gone not in set(after["merchant_id"])
    kept = before[before["merchant_id"] != gone]
    pd.testing.assert_frame_equal(
        after[["merchant_id", "staff_id", "start_s"]],
        kept[["merchant_id", "staff_id", "start_s"]].reset_index(drop=True),
    )
    assert after.groupby("staff_id")["stop"].apply(lambda s: list(s) == list(range(1, len(s) + 1))).all()
    assert result.broken_promises.empty and conservation(promised) == []


def test_a_shop_whose_hours_changed_is_listed_as_broken_and_its_worker_day_keeps_the_rest(promised):
    """A promised shop now closed on its promised day: its promise is listed as broken with why, the
    shop is still planned or unassigned, and every other day-1 promise is kept."""
    before = _day_routes(promised, 2, 1)
    shop = before["merchant_id"].iloc[3]
    merchants = promised.merchants()
    changed = merchants["merchant_id"] == shop
    merchants.loc[changed, "opening_hours"] = "Mo,We-Su 09:00-20:00"  # 2022-02-08 is a Tuesday
    promised.write_merchants(merchants[changed], update=True)
    result = replan(promised, 1)
    assert result.broken_promises["merchant_id"].tolist() == [shop]
    assert "not open" in result.broken_promises["why"].iloc[0]
    after = _day_routes(promised, result.plan_version, 1)
    pd.testing.assert_frame_equal(
        after[["merchant_id", "start_s"]],
        before.loc[before["merchant_id"] != shop, ["merchant_id", "start_s"]].reset_index(drop=True),
    )
    assert conservation(promised) == []
