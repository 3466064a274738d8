"""Tests of promises in a campaign: recorded in the store, checked against its plan, kept by the re-plan."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest
from campaign_helpers import copy_store, day_outcomes, outcome_csv, small_merchants, started_store
from typer.testing import CliRunner

from planner.campaign.export import write_current_plan
from planner.campaign.notices import BROKEN_FILE, keep_promises
from planner.campaign.outcomes import parse_outcomes, record_outcomes
from planner.campaign.replan import replan
from planner.campaign.store import MIGRATIONS, CampaignStore
from planner.cli import app
from planner.errors import InputError
from planner.geo.districts import find_district
from planner.io.spreadsheet import read_spreadsheet_csv
from planner.planning.promises import parse_notices
from planner.report.audit import audit_plan
from planner.report.notices import write_notices
from planner.settings import Settings

runner = CliRunner()


@pytest.fixture(scope="module")
def base_store(tmp_path_factory):
    """A started campaign of about 60 shops, closed, to copy per test."""
    return started_store(tmp_path_factory.mktemp("promises") / "base.sqlite", small_merchants())


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


def test_a_promise_the_solver_cannot_fit_is_released_and_the_district_solved_again():
    """Shop A left out with its promise is planned again on its own hours and listed; B stays narrowed."""
    settings = Settings()
    district = find_district("Dobong-gu")
    shops = pd.DataFrame(
        {"merchant_id": ["A", "B"], "opening_hours": ["Mo-Su 09:00-20:00"] * 2, "category": ["cafe"] * 2}
    )
    sent = pd.DataFrame(
        {
            "merchant_id": ["A", "B"],
            "date": ["2022-02-08"] * 2,
            "promise_from": ["10:00"] * 2,
            "promise_to": ["12:00"] * 2,
        }
    )
    promises = parse_notices(sent, settings.week).assign(day=1)
    calls = []

    def plan(work):
        calls.append(dict(zip(work[district]["merchant_id"], work[district]["opening_hours"], strict=True)))
        start = 86_400 + 11 * 3600
        visits = pd.DataFrame(
            {
                "merchant_id": ["A", "B"],
                "day": [1, 1],
                "start_s": [start + (3600 * 5 if len(calls) == 1 else 0), start],
            }
        )
        return {district: (visits, pd.DataFrame(columns=["merchant_id", "reason"]), {})}

    planned, broken = keep_promises(plan, {district: shops}, promises, settings)
    assert calls[0]["A"].startswith("off; 2022 Feb 08 10:00-") and calls[0]["B"] == calls[0]["A"]
    assert calls[1] == {"A": "Mo-Su 09:00-20:00", "B": calls[0]["B"]}
    assert broken["merchant_id"].tolist() == ["A"] and broken["why"].iloc[0].startswith("no room")
    assert district in planned


def test_a_notices_file_planner_did_not_write_is_refused_before_anything_is_recorded(store, tmp_path):
    """A damaged notices.csv in the folder: one InputError naming it, and no promise in the store."""
    folder = write_current_plan(store, tmp_path / "plan")[0]
    (folder / "notices.csv").write_text("merchant_id,date,promise_from,promise_to\nX,tomorrow,10:00,12:00\n")
    with pytest.raises(InputError, match=r"notices.csv row 2, column date: 'tomorrow' is not a date"):
        write_notices(folder, 120, day=1, store=store)
    assert store.notices().empty
