"""Tests of reading a written plan back (planner.report.load) for the report commands."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from report_fixtures import report_loaded, report_plan, report_run  # noqa: F401

from planner.errors import InputError
from planner.planning.output import write_plan
from planner.planning.schedule import ROUTE_COLUMNS
from planner.report.load import load_plan


def test_loaded_routes_match_the_plan(report_loaded, report_plan):  # noqa: F811
    """Routes read back have every route column, with the same visits, days and times as planned."""
    loaded = report_loaded.plan.routes
    assert tuple(loaded.columns) == ROUTE_COLUMNS
    key = ["date", "staff_id", "stop"]
    planned = report_plan.routes.sort_values(key, ignore_index=True)
    loaded = loaded.sort_values(key, ignore_index=True)
    columns = ["merchant_id", "day", "arrival_s", "start_s", "departure_s", "travel_s", "service_s"]
    pd.testing.assert_frame_equal(loaded[columns], planned[columns], check_dtype=False)
    assert report_loaded.plan.summary() == report_plan.summary()


def test_unassigned_shops_get_their_location_from_the_merchants_file(report_loaded, report_plan):  # noqa: F811
    """With the merchants file, unassigned shops carry name and coordinates for maps and exports."""
    unassigned = report_loaded.plan.unassigned
    assert unassigned["merchant_id"].tolist() == report_plan.unassigned["merchant_id"].tolist()
    assert unassigned[["lat", "lon"]].notna().all().all()
    assert report_loaded.merchants is not None and "needs_panel" in report_loaded.merchants


def test_without_a_merchants_file_the_plan_still_loads(report_run, tmp_path):  # noqa: F811
    """A bare plan folder of an older planner (unassigned.csv with merchant_id and reason only)
    loads; merchants are then None and unassigned shops have no location."""
    folder = tmp_path / "bare"
    folder.mkdir()
    for path in report_run.written.values():
        (folder / path.name).write_bytes(path.read_bytes())
    unassigned = pd.read_csv(folder / "unassigned.csv", dtype=str)
    unassigned[["merchant_id", "reason"]].to_csv(folder / "unassigned.csv", index=False)
    loaded = load_plan(folder)
    assert loaded.merchants is None and "lat" not in loaded.plan.unassigned


def test_a_written_plan_reads_back_as_the_same_plan(report_plan, tmp_path):  # noqa: F811
    """load_plan(write_plan(plan)) is the plan: visits, unassigned shops with their details, zones,
    settings, scenario and cut-off, with no merchants file in the folder."""
    write_plan(report_plan, tmp_path)
    loaded = load_plan(tmp_path)
    assert loaded.merchants is None
    plan = loaded.plan
    for name in ("routes", "unassigned", "zones"):
        pd.testing.assert_frame_equal(getattr(plan, name), getattr(report_plan, name), obj=name)
    for name in ("district", "settings", "staff", "needing", "scenario", "cutoff"):
        assert getattr(plan, name) == getattr(report_plan, name), name
    assert plan.scenario == "targeted" and plan.cutoff == "2021-12-31"
    assert len(plan.unassigned) and plan.unassigned[["lat", "lon", "name"]].notna().all().all()


def test_a_plan_is_frozen(report_plan):  # noqa: F811
    """A plan cannot be patched after it is built; a changed plan is a new one."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        report_plan.scenario = "full"
    assert dataclasses.replace(report_plan, scenario="full").scenario == "full"
    assert report_plan.scenario == "targeted"


def test_a_folder_without_a_plan_is_an_input_error(tmp_path):
    """Pointing the report commands at the wrong folder says which plan files are missing."""
    with pytest.raises(InputError, match="routes.csv"):
        load_plan(tmp_path)
