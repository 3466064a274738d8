"""A campaign's current plan written as plan folders: re-checked by the verifier, read by the reports."""

from __future__ import annotations

import json

import pandas as pd
from campaign_helpers import (
    city_merchants,
    day_outcomes,
    outcome_csv,
    small_merchants,
    started_city_store,
    started_store,
)
from typer.testing import CliRunner

from planner.campaign.outcomes import import_outcomes
from planner.campaign.replan import replan
from planner.campaign.store import CampaignStore
from planner.cli import app
from planner.io.read import read_merchants
from planner.report.audit import audit_plan
from planner.settings import Settings


def _import(store: CampaignStore, rows: list[tuple], path) -> None:
    path.write_text(outcome_csv(rows), encoding="utf-8")
    import_outcomes(store, path)


def test_after_outcomes_and_a_replan_the_written_plan_is_the_stored_one_and_passes(tmp_path):
    """After a day's outcomes and a re-plan, the folder holds the stored version's visits, no installed shop, and verifies."""
    path = started_store(tmp_path / "campaign.sqlite", small_merchants())
    with CampaignStore(path) as store:
        rows = day_outcomes(store, 0, lambda i: "closed" if i % 4 == 0 else "installed")
        _import(store, rows, tmp_path / "day0.csv")
        replan(store, 1)
        visits = store.visits(plan_version=store.current_plan_version())
        unassigned = store.unassigned()
    export = ["campaign", "export-plan", "--out", str(tmp_path / "plan"), "--store", str(path)]
    result = CliRunner().invoke(app, export)
    assert result.exit_code == 0, result.output
    folders = sorted((tmp_path / "plan").iterdir())
    assert [f.name for f in folders] == ["dobong-gu"]
    assert audit_plan(folders[0], None, Settings()).problems == []
    routes = pd.read_csv(folders[0] / "routes.csv")
    assert sorted(routes["merchant_id"]) == sorted(visits["merchant_id"])
    assert routes["date"].min() >= "2022-02-08"  # the re-plan starts on day 1
    installed = {r[0] for r in rows} - {r[0] for i, r in enumerate(rows) if i % 4 == 0}
    assert not installed & set(routes["merchant_id"])
    summary = json.loads((folders[0] / "summary.json").read_text(encoding="utf-8"))
    assert summary["needing"] == summary["planned"] + summary["unassigned"]
    assert summary["needing"] == visits["merchant_id"].nunique() + len(unassigned)


def test_a_city_store_is_written_district_by_district_and_a_hand_edit_is_caught(tmp_path):
    """After a city re-plan, --out gives a folder per district (a day under way included) that verifies; hand edits are named."""
    path = started_city_store(tmp_path / "campaign.sqlite", city_merchants())
    with CampaignStore(path) as store:
        _import(store, day_outcomes(store, 0)[:5], tmp_path / "day0.csv")  # the rest of day 0 under way
    replan_jung = ["replan", "--day", "0", "--pin-under-way", "--district", "Jung-gu", "--budget", "0"]
    result = CliRunner().invoke(app, [*replan_jung, "--store", str(path), "--out", str(tmp_path / "plan")])
    assert result.exit_code == 0, result.output
    folders = sorted((tmp_path / "plan").iterdir())
    assert [f.name for f in folders] == ["dobong-gu", "jung-gu"]
    assert all(audit_plan(f, None, Settings()).problems == [] for f in folders)
    jung = pd.read_csv(folders[1] / "routes.csv")
    under_way = jung[jung["date"] == "2022-02-07"].groupby("staff_id")["stop"]
    assert under_way.min().max() > 1  # a day kept under way starts at its first stop not yet reported
    last = under_way.idxmax().iat[0]
    jung.loc[last, "stop"] += 1  # a hand edit that skips a stop number
    jung.to_csv(folders[1] / "routes.csv", index=False)
    assert any(
        "not numbered one after another" in p for p in audit_plan(folders[1], None, Settings()).problems
    )
    dobong = pd.read_csv(folders[0] / "routes.csv")
    dobong.loc[1, "merchant_id"] = dobong.loc[0, "merchant_id"]  # one shop visited twice
    dobong.to_csv(folders[0] / "routes.csv", index=False)
    problems = audit_plan(folders[0], None, Settings()).problems
    assert f"shop {dobong.loc[0, 'merchant_id']} is visited 2 times" in problems


def test_a_store_without_a_campaign_is_a_one_line_error(tmp_path):
    """A store without a campaign is a one-line error and writes no folder."""
    with CampaignStore(tmp_path / "empty.sqlite"):
        pass
    result = CliRunner().invoke(
        app,
        [
            "campaign",
            "export-plan",
            "--out",
            str(tmp_path / "plan"),
            "--store",
            str(tmp_path / "empty.sqlite"),
        ],
    )
    assert result.exit_code != 0
    assert "no campaign here yet" in " ".join(result.output.split())
    assert not (tmp_path / "plan").exists()


def test_exported_merchants_quote_formula_text_and_read_back_unquoted(tmp_path):
    """The exported merchants file quotes a formula-like name for spreadsheets; sheets read the name as it was."""
    merchants = small_merchants(n=60)
    merchants["name"] = '=HYPERLINK("http://evil.example")'
    path = started_store(tmp_path / "campaign.sqlite", merchants)
    export = ["campaign", "export-plan", "--out", str(tmp_path / "plan"), "--store", str(path)]
    assert CliRunner().invoke(app, export).exit_code == 0
    folder = next((tmp_path / "plan").iterdir())
    text = next(folder.glob("merchants-*.csv")).read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    read = read_merchants(next(folder.glob("merchants-*.csv"))).merchants
    assert set(read["name"]) == {'=HYPERLINK("http://evil.example")'}
