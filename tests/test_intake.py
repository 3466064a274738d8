"""Tests of adding and correcting merchants in a running campaign (planner campaign add)."""

from __future__ import annotations

import pandas as pd
import pytest
from campaign_helpers import copy_store, day_outcomes, outcome_csv
from typer.testing import CliRunner

from planner.campaign.export import write_current_plan
from planner.campaign.intake import add_merchants_file
from planner.campaign.ledger import conservation
from planner.campaign.outcomes import parse_outcomes, record_outcomes
from planner.campaign.replan import replan
from planner.campaign.status import campaign_status
from planner.campaign.store import CampaignStore
from planner.cli import app
from planner.report.audit import audit_plan
from planner.samples.district import write_sample
from planner.settings import Settings


@pytest.fixture
def store(base_store, tmp_path):
    """A private, open copy of the started campaign with the first day's visits installed."""
    with CampaignStore(copy_store(base_store, tmp_path)) as opened:
        rows = day_outcomes(opened, 0)
        record_outcomes(opened, parse_outcomes(outcome_csv(rows), "day0.csv"), "day0.csv")
        yield opened


def _new_shop(like: pd.Series, merchant_id: str, **cells) -> dict:
    """A shop needing a panel at the place of ``like``, open every day from 09:00 to 21:00."""
    shop = like.to_dict() | {"merchant_id": merchant_id, "name": "new shop", "qr_status": "missing"}
    return shop | {"opening_hours": "Mo-Su 09:00-21:00", "active": True, "available_from": pd.NaT} | cells


def _write(rows: list[dict], path) -> object:
    """Merchants rows written as a merchants CSV file."""
    write_sample(pd.DataFrame(rows), path)
    return path


def _standing(store: CampaignStore) -> dict[str, set]:
    """The shops of the current plan by how they are counted: installed, planned, unassigned."""
    ids = store.shop_ids()
    return {k: set(ids[k]) for k in ("needing", "installed", "planned", "unassigned")}


def test_add_and_correct_then_replan_accounts_for_every_shop(store, tmp_path):
    """A new, a moved, a closed and an installed-then-closed shop: each counted once after the re-plan."""
    merchants = store.merchants().set_index("merchant_id", drop=False)
    planned = store.visits(status="planned").drop_duplicates("merchant_id").set_index("merchant_id")
    installed = store.visits(status="done")["merchant_id"].iloc[0]
    moved, closed = [m for m in planned.index if planned.at[m, "day"] > 0][:2]
    rows = [
        _new_shop(merchants.loc[moved], "NEW-1"),
        merchants.loc[moved].to_dict() | {"lat": merchants.at[moved, "lat"] + 0.001},
        merchants.loc[closed].to_dict() | {"active": False},
        merchants.loc[installed].to_dict() | {"active": False},
    ]
    result = add_merchants_file(store, _write(rows, tmp_path / "late.csv"))
    assert (result.added, result.pending) == (["NEW-1"], ["NEW-1"])
    assert result.corrected == sorted([moved, closed, installed])
    assert result.closed == sorted([closed, installed]) and result.left == {closed: "closed_down"}
    assert conservation(store) == []
    replan(store, 1)
    counted = _standing(store)
    assert conservation(store) == []
    assert installed in counted["installed"] and {"NEW-1", moved} <= counted["planned"]
    assert store.unassigned().set_index("merchant_id").at[closed, "reason"] == "closed_down"
    row = campaign_status(store).iloc[0]
    assert row["needing"] == row["installed"] + row["given_up"] + row["planned"] + row["left"]
    assert row["needing"] == len(counted["needing"]) and row["given_up_closed_down"] == 1
    folders = write_current_plan(store, tmp_path / "exported")
    assert audit_plan(folders[0], None, Settings()).problems == []  # closed_down is a valid reason


def test_a_shop_added_ready_on_day_4_is_planned_on_day_4_or_later(store, tmp_path):
    """The issue's check: after day 1's outcomes, a shop added with available_from day 4 is planned from then."""
    week = store.read_campaign()["settings"]["week"]
    ready = pd.Timestamp(week["start_date"]) + pd.Timedelta(days=4)
    like = store.merchants().iloc[0]
    add_merchants_file(store, _write([_new_shop(like, "LATE-1", available_from=ready)], tmp_path / "l.csv"))
    replan(store, 1)
    visit = store.visits(status="planned").set_index("merchant_id").loc["LATE-1"]
    assert visit["day"] >= 4 and visit["date"] >= f"{ready:%Y-%m-%d}"
    assert conservation(store) == []


def test_adding_the_same_file_twice_changes_nothing_the_second_time(store, tmp_path):
    """A file already taken in is all unchanged: no shop added, corrected or moved in the plan."""
    path = _write([_new_shop(store.merchants().iloc[0], "NEW-2")], tmp_path / "again.csv")
    add_merchants_file(store, path)
    before = store.counts(), store.unassigned()
    again = add_merchants_file(store, path)
    assert (again.added, again.corrected, again.unchanged) == ([], [], 1)
    assert store.counts() == before[0] and store.unassigned().equals(before[1])


def test_campaign_add_prints_the_changes_and_writes_the_rejects(store, tmp_path):
    """`planner campaign add` prints added/corrected/closed/unchanged and writes rejected rows to a file."""
    like = store.merchants().iloc[0]
    rows = pd.DataFrame([_new_shop(like, "NEW-3"), _new_shop(like, "BAD-1")]).assign(
        available_from=["", "soon"]
    )
    rows.to_csv(path := tmp_path / "add.csv", index=False)
    store.close()
    result = CliRunner().invoke(app, ["campaign", "add", str(path), "--store", store.path])
    assert result.exit_code == 0, result.output
    assert "added 1, corrected 0, closed 0, unchanged 0" in result.output
    rejects = pd.read_csv(tmp_path / "add.rejects.csv", encoding="utf-8-sig")
    assert rejects[["merchant_id", "column"]].values.tolist() == [["BAD-1", "available_from"]]


def test_a_shop_no_longer_due_leaves_the_work_and_comes_back_when_due_again(store, tmp_path):
    """Corrected to a working panel it is unassigned no_panel_due; corrected back it awaits the re-plan."""
    planned = store.visits(status="planned")
    shop = planned.loc[planned["day"] > 0, "merchant_id"].iloc[0]
    row = store.merchants().set_index("merchant_id", drop=False).loc[shop].to_dict()
    fixed = row | {"qr_status": "ok", "qr_issued": pd.Timestamp("2021-01-01"), "payment_errors": 0}
    assert add_merchants_file(store, _write([fixed], tmp_path / "ok.csv")).left == {shop: "no_panel_due"}
    assert shop not in set(store.visits(status="planned")["merchant_id"])
    assert conservation(store) == []
    back = add_merchants_file(store, _write([row], tmp_path / "back.csv"))
    assert (back.pending, back.left) == ([shop], {})
    assert store.unassigned().set_index("merchant_id").at[shop, "reason"] == "awaiting_replan"
    assert conservation(store) == []
