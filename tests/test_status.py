"""Tests of campaign status: shops no shift reaches are left, with their reason, and the week is not finished."""

from __future__ import annotations

import pandas as pd
import pytest
from campaign_helpers import JONGNO, day_outcomes, fast_settings, jongno_merchants, no_shift_ids, outcome_csv
from typer.testing import CliRunner

from planner.campaign.outcomes import import_outcomes
from planner.campaign.replan import replan
from planner.campaign.setup import Campaign, init_campaign
from planner.campaign.status import campaign_status
from planner.campaign.store import CampaignStore
from planner.cli import app


@pytest.fixture(scope="module")
def jongno_store(tmp_path_factory):
    """A Jongno-gu campaign (three workers) whose first two days' visits were all installed."""
    path = tmp_path_factory.mktemp("jongno") / "campaign.sqlite"
    settings = fast_settings(staff=3)
    with CampaignStore(path) as store:
        init_campaign(store, jongno_merchants(), Campaign(JONGNO, settings))
        replan(store, 0)
        for day in (0, 1):
            outcomes = path.parent / f"day{day}.csv"
            outcomes.write_text(outcome_csv(day_outcomes(store, day)))
            import_outcomes(store, outcomes)
    return path, len(no_shift_ids(jongno_merchants(), settings))


def test_shops_no_shift_reaches_are_left_with_their_reason(jongno_store):
    """The night shops count as left (no_time_window_fits), not as done: the week is not finished."""
    path, night = jongno_store
    with CampaignStore.existing(path) as store:
        row = campaign_status(store).iloc[0]
    assert night > 0
    assert row["left_no_time_window_fits"] == night and row["left"] >= night
    assert row["needing"] == row["installed"] + row["given_up"] + row["planned"] + row["left"]
    assert not row["finished"] and row["at_risk"]


def test_status_command_names_the_shops_left_and_why(jongno_store, tmp_path):
    """`planner status` prints the district's shops left with the reason no_time_window_fits; --csv counts them."""
    path, night = jongno_store
    result = CliRunner().invoke(app, ["status", "--store", str(path), "--csv", str(tmp_path / "s.csv")])
    text = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "s.csv")["left_no_time_window_fits"].tolist() == [night]
    assert f"Jongno-gu: {night} shops left, not finished (no_time_window_fits {night})" in text
