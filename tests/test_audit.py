"""`planner verify`: written plans re-checked from their files, a district's or a city's."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import replace

import pandas as pd
import pytest
from report_fixtures import SMALL_MERCHANTS, report_run  # noqa: F401
from typer.testing import CliRunner

import planner.planning.city as city
from planner.cli import app
from planner.geo.districts import find_district
from planner.planning.executor import Executor
from planner.planning.triage import needing, triage
from planner.samples.city import generate_city
from planner.samples.district import write_sample

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


@pytest.fixture
def edited(report_run, tmp_path):  # noqa: F811
    """A copy of the small written plan to edit by hand."""
    folder = tmp_path / "edited"
    shutil.copytree(report_run.written["routes"].parent, folder)
    return folder


def fails_naming(folder, *words) -> str:
    """Run verify on ``folder``, require exit 1 and every one of ``words`` in its output."""
    result = verify(folder, "--merchants", SMALL_MERCHANTS)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    output = " ".join(result.output.split())  # the console wraps long lines
    for word in words:
        assert word in output, result.output
    return output


def moved(text: str, seconds: int) -> str:
    """An ISO time of routes.csv moved by ``seconds``, in the same offset."""
    return (dt.datetime.fromisoformat(text) + dt.timedelta(seconds=seconds)).isoformat()


def in_offset(text: str, hours: int) -> str:
    """The same instant written at another UTC offset (``Z`` for UTC)."""
    instant = dt.datetime.fromisoformat(text).astimezone(dt.timezone(dt.timedelta(hours=hours)))
    return instant.isoformat().replace("+00:00", "Z")


TIME_COLUMNS = ("arrival", "start", "departure", "leave_office", "back_office", "lunch_start")


def test_a_visit_shorter_than_its_category_service_fails_in_clock_time(edited):
    """A one-minute visit fails verify, said in Seoul clock time against the category's service."""

    def one_minute(routes: pd.DataFrame) -> None:
        routes.loc[0, "departure"] = moved(routes.loc[0, "start"], 60)

    edit_routes(edited, one_minute)
    routes = pd.read_csv(edited / "routes.csv", dtype=str)
    start = dt.datetime.fromisoformat(routes.loc[0, "start"]).strftime("%Y-%m-%d %H:%M")
    fails_naming(edited, f"shop {routes.loc[0, 'merchant_id']}", "lasts 1 min", start)


def test_a_day_that_ends_before_the_way_back_to_the_office_fails(edited):
    """Back at the office one second after the last visit fails verify: the leg back is checked."""

    def back_at_once(routes: pd.DataFrame) -> None:
        day = (routes["staff_id"] == routes.loc[0, "staff_id"]) & (routes["date"] == routes.loc[0, "date"])
        routes.loc[day, "back_office"] = moved(routes.loc[day, "departure"].iat[-1], 1)

    edit_routes(edited, back_at_once)
    fails_naming(edited, "back at the office at", "of travel")


def test_an_offset_edited_from_seoul_to_minus_three_hours_fails(edited):
    """Writing -03:00 for +09:00 on a visit moves it 12 hours, and verify says so."""

    def minus_three(routes: pd.DataFrame) -> None:
        for column in ("arrival", "start", "departure"):
            routes.loc[2, column] = routes.loc[2, column].replace("+09:00", "-03:00")

    edit_routes(edited, minus_three)
    shop = pd.read_csv(edited / "routes.csv", dtype=str).loc[2, "merchant_id"]
    fails_naming(edited, f"shop {shop}", "outside its opening hours")


@pytest.mark.parametrize("hours", [0, -3])
def test_the_same_instants_at_another_offset_pass(edited, hours):
    """A valid plan rewritten in UTC or at -03:00 (the same instants) still verifies."""

    def rewrite(routes: pd.DataFrame) -> None:
        for column in TIME_COLUMNS:
            routes[column] = [in_offset(t, hours) if t else t for t in routes[column]]

    edit_routes(edited, rewrite)
    assert (
        pd.read_csv(edited / "routes.csv", dtype=str)["start"]
        .str.endswith("Z" if hours == 0 else "-03:00")
        .all()
    )
    result = verify(edited, "--merchants", SMALL_MERCHANTS)
    assert result.exit_code == 0, result.output


def test_a_stop_moved_away_from_its_shop_fails(edited):
    """Stop coordinates 6 km from the shop's position in the merchants file fail verify."""

    def six_km_north(routes: pd.DataFrame) -> None:
        routes.loc[1, "lat"] = str(float(routes.loc[1, "lat"]) + 0.054)

    edit_routes(edited, six_km_north)
    shop = pd.read_csv(edited / "routes.csv", dtype=str).loc[1, "merchant_id"]
    fails_naming(edited, f"shop {shop}", "m from the shop's position")


def test_summary_counts_that_disagree_with_the_routes_fail(edited):
    """A summary.json whose counts were edited fails verify, naming the count."""
    summary = json.loads((edited / "summary.json").read_text(encoding="utf-8"))
    summary["planned"] += 3
    (edited / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    fails_naming(edited, f"summary.json: planned is {summary['planned']}")


def test_an_unknown_merchant_id_is_a_violation_named_by_id(edited):
    """A visit to an id the merchants file does not have is named, not a KeyError."""

    def unknown_shop(routes: pd.DataFrame) -> None:
        routes.loc[3, "merchant_id"] = "NO-SUCH-SHOP"

    edit_routes(edited, unknown_shop)
    fails_naming(edited, "shop NO-SUCH-SHOP is in the plan but is not one of the shops that need a panel")


def test_an_unreadable_time_is_one_line_naming_file_row_and_column(edited):
    """A time that is not one gives one error line with the file, row and column, no traceback."""

    def garbage(routes: pd.DataFrame) -> None:
        routes.loc[4, "arrival"] = "half past nine"

    edit_routes(edited, garbage)
    output = fails_naming(edited, "routes.csv row 6, column arrival: 'half past nine' is not a time")
    assert "Traceback" not in output


@pytest.mark.parametrize("staff_id", ["{{7*7}}", "../../escaped", "11140-W001", "11110-W999"])
def test_a_worker_day_renamed_outside_the_district_team_fails(edited, staff_id):
    """A worker-day whose staff_id is not <district code>-W<nnn> within the team fails verify."""

    def rename_a_worker_day(routes: pd.DataFrame) -> None:
        day = (routes["staff_id"] == routes.loc[0, "staff_id"]) & (routes["date"] == routes.loc[0, "date"])
        routes.loc[day, "staff_id"] = staff_id

    edit_routes(edited, rename_a_worker_day)
    fails_naming(edited, f"routes.csv: staff_id {staff_id!r} is not a worker of Jongno-gu")


def test_a_summary_nested_too_deep_is_one_line_naming_the_file(edited):
    """A summary.json of 200,000 nested brackets is refused naming the file, not a RecursionError."""
    (edited / "summary.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    fails_naming(edited, "summary.json: not a summary 'planner plan' wrote")


@pytest.mark.parametrize("stop", ["1e300", "-9.3e18"])
def test_a_stop_number_past_int64_is_one_line_naming_row_and_column(edited, stop):
    """A stop number too large for the table is 'not a stop number' at its row, not an OverflowError."""

    def huge_stop(routes: pd.DataFrame) -> None:
        routes.loc[3, "stop"] = stop

    edit_routes(edited, huge_stop)
    fails_naming(edited, f"routes.csv row 5, column stop: '{stop}' is not a stop number")
