"""`planner verify`: written plans re-checked from their files, a district's or a city's."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pandas as pd
import pytest
from report_fixtures import SMALL_MERCHANTS, report_run  # noqa: F401
from typer.testing import CliRunner

import planner.city as city
from planner.cli import app
from planner.districts import find_district
from planner.executor import Executor
from planner.sample import write_sample
from planner.sample_city import generate_city
from planner.triage import needing, triage

runner = CliRunner()


def verify(*args):
    return runner.invoke(app, ["verify", *map(str, args)], terminal_width=200)


def edit_routes(folder, change) -> None:
    routes = pd.read_csv(folder / "routes.csv", dtype=str, keep_default_na=False)
    change(routes)
    routes.to_csv(folder / "routes.csv", index=False)


def test_a_written_plan_passes_and_a_hand_edit_that_breaks_a_rule_is_named(report_run, tmp_path):  # noqa: F811
    result = verify(report_run.written["routes"].parent, "--merchants", SMALL_MERCHANTS)
    assert result.exit_code == 0, result.output
    assert "every rule holds (1 plan folders re-checked)" in result.output

    edited = tmp_path / "edited"
    shutil.copytree(report_run.written["routes"].parent, edited)

    def visit_the_first_shop_again(routes: pd.DataFrame) -> None:
        first = routes.iloc[0]
        other = routes[(routes["staff_id"] != first["staff_id"]) | (routes["date"] != first["date"])]
        routes.loc[other.index[0], "merchant_id"] = first["merchant_id"]

    edit_routes(edited, visit_the_first_shop_again)
    result = verify(edited, "--merchants", SMALL_MERCHANTS)
    assert result.exit_code == 1
    first = pd.read_csv(report_run.written["routes"].parent / "routes.csv", dtype=str)["merchant_id"].iat[0]
    assert f"shop {first} is visited 2 times" in result.output
    assert "neither planned nor unassigned" in result.output  # the shop it replaced


@pytest.fixture(scope="module")
def city_plan(tmp_path_factory, fast_settings):
    """Two districts' full scenario planned into a city folder, with the merchants file."""
    districts = [find_district(n) for n in ("Jongno-gu", "Dobong-gu")]
    merchants = generate_city(scale=40 / 4150, districts=districts)
    folder = tmp_path_factory.mktemp("city")
    write_sample(merchants, folder / "merchants.csv")
    by_district = city.split_by_district(needing(triage(merchants, scenario="full")), districts)
    quick = replace(fast_settings, solver=replace(fast_settings.solver, time_limit_s=0.5, improve_s=0.0))
    city.plan_city(by_district, quick, folder / "plan", Executor())
    return folder


def test_a_city_plan_is_rechecked_district_by_district_or_for_a_sample(city_plan, tmp_path):
    result = verify(city_plan / "plan", "--merchants", city_plan / "merchants.csv")
    assert result.exit_code == 0, result.output
    assert "Jongno-gu" in result.output and "Dobong-gu" in result.output

    edited = tmp_path / "plan"
    shutil.copytree(city_plan / "plan", edited)

    def start_an_hour_before_the_shift(routes: pd.DataFrame) -> None:
        routes.loc[0, "leave_office"] = routes.loc[0, "date"] + "T08:00:00+09:00"

    edit_routes(edited / "dobong-gu", start_an_hour_before_the_shift)
    result = verify(edited, "--merchants", city_plan / "merchants.csv", "--district", "Jongno-gu")
    assert result.exit_code == 0, result.output  # the sample left the edited district out
    result = verify(edited, "--merchants", city_plan / "merchants.csv")
    assert result.exit_code == 1
    assert "Dobong-gu" in result.output and "outside the shift" in result.output
    result = verify(edited, "--merchants", city_plan / "merchants.csv", "--district", "Mapo-gu")
    assert result.exit_code == 1 and "no plan for mapo-gu" in " ".join(result.output.split())


def test_a_plan_for_another_week_is_rechecked_in_its_own_week(tmp_path):
    """The plan records its first day, so verify needs no --start to read its dates."""
    args = ["plan", str(SMALL_MERCHANTS), "--out", str(tmp_path), "--staff", "2", "--start", "2022-03-07"]
    made = runner.invoke(app, [*args, "--time-limit", "0.5", "--improve-time", "0"])
    assert made.exit_code == 0, made.output
    assert json.loads((tmp_path / "summary.json").read_text())["week_start"] == "2022-03-07"
    result = verify(tmp_path, "--merchants", SMALL_MERCHANTS)
    assert result.exit_code == 0, result.output
