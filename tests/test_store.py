"""Tests of the campaign store: migrations, WAL mode, transactions, and crash safety."""

from __future__ import annotations

import sqlite3
import sys

import pandas as pd
import pytest
from campaign_helpers import (
    copy_store,
    day_outcomes,
    kill_inside_transaction,
    outcome_csv,
    small_merchants,
)

from planner.campaign.ledger import conservation
from planner.campaign.outcomes import import_outcomes
from planner.campaign.store import MIGRATIONS, CampaignStore
from planner.errors import InputError
from planner.planning.triage import triage


def test_migrations_bring_an_empty_file_to_the_latest_version(tmp_path):
    """A new file gets every migration once; reopening it applies nothing again."""
    path = tmp_path / "new.sqlite"
    with CampaignStore(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
        assert set(store.counts()) == {"campaign", "merchants", "plans", "visits", "outcomes", "unassigned"}
        assert all(n == 0 for n in store.counts().values())
    with CampaignStore(path) as store:
        assert store.schema_version() == len(MIGRATIONS)


def _store_of_schema(path, version: int, insert: str):
    """A store file written by an older planner: the first ``version`` migrations, one row ``insert`` adds."""
    conn = sqlite3.connect(path)
    for migrate in MIGRATIONS[:version]:
        migrate(conn)
    conn.execute(insert)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()
    return path


def test_a_store_of_the_first_schema_keeps_its_lunch_times_under_their_new_name(tmp_path):
    """Opening a schema-1 file renames visits.break_start_s to lunch_start_s, values kept."""
    path = _store_of_schema(
        tmp_path / "old.sqlite",
        1,
        "INSERT INTO visits (plan_version, merchant_id, staff_id, day, date, stop, break_start_s, status) "
        "VALUES (1, 'M1', 'S-W001', 0, '2022-02-07', 1, 43200, 'planned')",
    )
    with CampaignStore(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
        assert store.visits(columns=("merchant_id", "lunch_start_s")).to_dict("records") == [
            {"merchant_id": "M1", "lunch_start_s": 43200}
        ]


def test_a_store_of_the_second_schema_opens_with_every_merchant_ready_now(tmp_path):
    """Opening a schema-2 file adds merchants.available_from, empty (NaT) for the shops it holds."""
    path = _store_of_schema(
        tmp_path / "old.sqlite",
        2,
        "INSERT INTO merchants (merchant_id, lat, lon, qr_issued, active, needs_panel, reason, priority) "
        "VALUES ('M1', 37.6, 127.0, '2022-01-05', 1, 1, 'issued_after_cutoff', 1)",
    )
    with CampaignStore(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
        merchants = store.merchants()
    assert merchants["merchant_id"].tolist() == ["M1"] and merchants["available_from"].isna().all()


def test_available_from_comes_back_with_its_time(tmp_path):
    """A merchant's available_from (date and Seoul time) is stored and read back unchanged."""
    shops = triage(small_merchants(n=3))
    shops["available_from"] = pd.to_datetime(
        ["2022-02-10 13:30", None, "2022-02-09"], format="ISO8601"
    ).as_unit("ns")
    with CampaignStore(tmp_path / "ready.sqlite") as store:
        store.write_merchants(shops)
        back = store.merchants().set_index("merchant_id")["available_from"]
    assert back.equals(shops.set_index("merchant_id")["available_from"].loc[back.index])


def test_store_files_use_wal_mode(tmp_path):
    """The journal is a write-ahead log, so readers never block the coordinator's writes."""
    with CampaignStore(tmp_path / "wal.sqlite") as store:
        assert store.journal_mode() == "wal"


def test_a_failed_transaction_writes_nothing(tmp_path):
    """An error inside a transaction rolls back every change made in it."""
    with CampaignStore(tmp_path / "tx.sqlite") as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.add_plan(0, {"note": "first"})
            raise RuntimeError("boom")
        assert store.counts()["plans"] == 0


def test_opening_a_missing_store_is_an_input_error(tmp_path):
    """Commands other than init refuse to create an empty store by accident."""
    with pytest.raises(InputError, match="campaign init"):
        CampaignStore.existing(tmp_path / "nothing.sqlite")


def test_merchants_come_back_as_stored(base_store):
    """Merchants read back keep their ids, coordinates, dates and triage."""
    merchants = small_merchants()
    with CampaignStore(base_store) as store:
        stored = store.merchants().set_index("merchant_id")
    original = merchants.set_index("merchant_id").loc[stored.index]
    assert (stored["lat"] == original["lat"]).all()
    day = "%Y-%m-%d"
    assert stored["qr_issued"].dt.strftime(day).equals(original["qr_issued"].dt.strftime(day))
    assert stored["needs_panel"].sum() > 40


def test_sigkill_during_an_import_leaves_the_store_as_before(base_store, tmp_path):
    """A process killed inside an import transaction leaves no outcome and no changed visit behind."""
    path = copy_store(base_store, tmp_path)
    with CampaignStore(path) as store:
        rows = day_outcomes(store, 0) + day_outcomes(store, 1)
        before, visits_before = store.counts(), store.visits()
    field = tmp_path / "field.csv"
    field.write_text(outcome_csv(rows), encoding="utf-8")
    code = (
        "from planner.campaign.store import CampaignStore\n"
        "from planner.campaign.outcomes import import_outcomes\n"
        f"import_outcomes(CampaignStore({str(path)!r}), {str(field)!r})\n"
    )
    kill_inside_transaction(path, [sys.executable, "-c", code])
    with CampaignStore(path) as store:
        assert store.counts() == before
        assert store.visits().equals(visits_before)
        assert conservation(store) == []
        assert import_outcomes(store, field).added == len(rows)  # the same import, not killed, works


def test_sigkill_during_a_replan_leaves_the_store_as_before(base_store, tmp_path):
    """A process killed while storing a new plan leaves the previous plan current and intact."""
    path = copy_store(base_store, tmp_path)
    with CampaignStore(path) as store:
        before, version = store.counts(), store.current_plan_version()
    code = (
        "from planner.campaign.store import CampaignStore\n"
        "from planner.campaign.replan import replan\n"
        f"replan(CampaignStore({str(path)!r}), 1)\n"
    )
    kill_inside_transaction(path, [sys.executable, "-c", code])
    with CampaignStore(path) as store:
        assert store.counts() == before
        assert store.current_plan_version() == version
        assert conservation(store) == []
