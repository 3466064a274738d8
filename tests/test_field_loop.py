"""The field loop through files: route sheets out, filled-in outcome files back, re-plan, next sheets."""

from __future__ import annotations

import re

import pandas as pd
from campaign_helpers import small_merchants, started_store
from typer.testing import CliRunner

from planner.campaign.export import write_current_plan
from planner.campaign.replan import replan
from planner.campaign.store import CampaignStore
from planner.cli import app
from planner.report.load import load_plan
from planner.report.sheets import write_sheets

# What the field writes, cycled over a day's visits: Korean and English words, clock and ISO
# times, and a shop left blank (not visited).
FILLED = (("설치", "{hhmm}"), ("installed", "{date}T{hhmm}:00+09:00"), ("휴업", "{hhmm}"), ("", ""))


def _fill(form, date: str) -> dict[str, list[str]]:
    """Fill an outcome file in as a script would (pandas, same columns); return the shops by outcome."""
    table = pd.read_csv(form, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    shops: dict[str, list[str]] = {"installed": [], "closed": [], "": []}
    for k in range(len(table)):
        word, time = FILLED[k % len(FILLED)]
        hhmm = f"{10 + k // 6:02d}:{k % 6 * 10:02d}"
        table.loc[k, ["outcome", "time"]] = [word, time.format(hhmm=hhmm, date=date)]
        outcome = {"설치": "installed", "installed": "installed", "휴업": "closed"}.get(word, "")
        shops[outcome].append(table.loc[k, "merchant_id"])
    table.to_csv(form, index=False, encoding="utf-8-sig")
    return shops


def test_filled_in_sheets_import_as_they_are_and_the_next_day_leaves_installed_shops_out(tmp_path):
    """Day 1's outcome files, filled in by script, import unchanged; after the re-plan day 2's sheets
    hold no installed shop, and the closed and unvisited shops are planned again."""
    store_path = started_store(tmp_path / "campaign.sqlite", small_merchants())
    with CampaignStore(store_path) as store:
        folder = write_current_plan(store, tmp_path / "plan1")[0]
    plan = load_plan(folder).plan
    day1, day2 = sorted(plan.routes["date"].unique())[:2]
    forms = [p for p in write_sheets(plan, tmp_path / "sheets1", dates=[day1]) if p.suffix == ".csv"]
    assert forms
    shops: dict[str, list[str]] = {"installed": [], "closed": [], "": []}
    runner, said = CliRunner(), ""
    for form in forms:
        for outcome, ids in _fill(form, day1).items():
            shops[outcome] += ids
        done = runner.invoke(app, ["outcomes", "import", str(form), "--store", str(store_path)])
        assert done.exit_code == 0, done.output
        said += done.output
    skipped = re.findall(r"(\d+) without an outcome \(not visited\)", " ".join(said.split()))
    assert sum(map(int, skipped)) == len(shops[""])
    assert shops["installed"] and shops["closed"] and shops[""]
    with CampaignStore(store_path) as store:
        recorded = store.outcomes()
        assert sorted(recorded["merchant_id"]) == sorted(shops["installed"] + shops["closed"])
        replan(store, 1)
        folder = write_current_plan(store, tmp_path / "plan2")[0]
    replanned = load_plan(folder).plan
    later = replanned.routes[replanned.routes["date"] >= day2]
    forms = [p for p in write_sheets(replanned, tmp_path / "sheets2", dates=[day2]) if p.suffix == ".csv"]
    on_day2 = pd.concat([pd.read_csv(f, dtype=str, encoding="utf-8-sig") for f in forms])
    assert not set(on_day2["merchant_id"]) & set(shops["installed"])
    assert set(shops["closed"] + shops[""]) <= set(later["merchant_id"])
