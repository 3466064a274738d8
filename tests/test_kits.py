"""Tests of panel kits: the day's print order, packing lists in route order, and printable bag labels."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pandas as pd
import pytest
from report_fixtures import (  # noqa: F401
    HITS_PROBE,
    browse,
    hostile_texts,
    needs_chromium,
    plan_with_texts,
    report_plan,
    report_run,
)
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import InputError
from planner.io.spreadsheet import read_spreadsheet_csv
from planner.report.kits import PACKING_COLUMNS, PRINT_ORDER_COLUMNS, pick_day, read_plans, write_kits

runner = CliRunner()


@pytest.fixture(scope="module")
def plan_dir(report_run):  # noqa: F811
    """The small plan's output folder."""
    return report_run.written["routes"].parent


def test_print_order_lists_every_shop_of_the_day_due_the_evening_before(plan_dir, report_plan, tmp_path):  # noqa: F811
    """One row per shop planned that day, by worker and stop, due at 18:00 the day before."""
    plans = read_plans(plan_dir)
    date = pick_day(plans, day=0)
    written = write_kits(plans, tmp_path, date)
    order = read_spreadsheet_csv(tmp_path / f"print-order-{date}.csv")
    planned = report_plan.routes[report_plan.routes["date"] == date].sort_values(["staff_id", "stop"])
    assert tuple(order.columns) == PRINT_ORDER_COLUMNS
    assert order["merchant_id"].tolist() == planned["merchant_id"].tolist()
    assert set(order["due"]) == {"2022-02-06 18:00"} and set(order["district"]) == {"Jongno-gu"}
    assert written[0] == tmp_path / f"print-order-{date}.csv"
    assert not any(p.name.startswith("print-order-") and date not in p.name for p in written)


def test_packing_lists_follow_the_route_and_name_the_person(plan_dir, report_plan, tmp_path):  # noqa: F811
    """Each worker-day's list is in stop order; a routes.csv staff_name column is carried onto the bags."""
    folder = tmp_path / "named"
    shutil.copytree(plan_dir, folder)
    routes = pd.read_csv(folder / "routes.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    routes["staff_name"] = "김민수 " + routes["staff_id"].str[-2:]
    routes.to_csv(folder / "routes.csv", index=False)
    write_kits(read_plans(folder), tmp_path / "kits")
    lists = sorted((tmp_path / "kits" / "packing").glob("*.csv"))
    assert len(lists) == len(report_plan.routes.drop_duplicates(["date", "staff_id"]))
    for path in lists:
        bags = read_spreadsheet_csv(path)
        assert tuple(bags.columns) == PACKING_COLUMNS
        assert bags["stop"].astype(int).is_monotonic_increasing
        assert (bags["staff_name"] == "김민수 " + bags["staff_id"].str[-2:]).all()
    page = next((tmp_path / "kits").glob("labels-*.html")).read_text(encoding="utf-8")
    assert "김민수 01" in page


def test_kits_read_a_campaign_export_of_several_districts(plan_dir, tmp_path):
    """A folder of district plan folders (a campaign export) gives one print order over all of them."""
    for name in ("a-gu", "b-gu"):
        shutil.copytree(plan_dir, tmp_path / "export" / name)
    plans = read_plans(tmp_path / "export")
    order = pd.concat([p.routes for p in plans])
    write_kits(plans, tmp_path / "kits")
    total = sum(len(read_spreadsheet_csv(p)) for p in (tmp_path / "kits").glob("print-order-*.csv"))
    assert len(plans) == 2 and total == len(order)


def test_day_and_date_are_checked(plan_dir):
    """Both --day and --date, a bad date, or a day without visits is one InputError naming the dates."""
    plans = read_plans(plan_dir)
    with pytest.raises(InputError, match="not both"):
        pick_day(plans, 0, "2022-02-07")
    with pytest.raises(InputError, match="not a date"):
        pick_day(plans, None, "07/02/2022")
    with pytest.raises(
        InputError, match="no visit planned on 2022-03-01; the plans visit shops on 2022-02-07"
    ):
        pick_day(plans, None, "2022-03-01")
    assert pick_day(plans) is None and pick_day(plans, None, " 2022-02-07") == "2022-02-07"


def test_kits_command_writes_the_files_and_refuses_bad_options(plan_dir, tmp_path):
    """planner kits writes print order, labels and packing lists; a bad --day is one line and exit 1."""
    done = runner.invoke(app, ["kits", str(plan_dir), "--out", str(tmp_path / "k"), "--date", "2022-02-07"])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "k" / "print-order-2022-02-07.csv").is_file()
    assert (tmp_path / "k" / "labels-2022-02-07.html").is_file()
    failed = runner.invoke(app, ["kits", str(plan_dir), "--out", str(tmp_path / "k"), "--day", "-1"])
    assert failed.exit_code == 1 and failed.output.count("\n") == 1 and "--day -1" in failed.output


@pytest.fixture(scope="module")
def hostile_kits(report_plan, tmp_path_factory):  # noqa: F811
    """Kits of the small plan whose shop texts and staff ids are script and template payloads."""
    folder = tmp_path_factory.mktemp("hostile-kits")
    marker = folder / "evaluated"
    plan = plan_with_texts(report_plan, hostile_texts(marker))
    plan = replace(plan, routes=plan.routes.assign(staff_name="=HYPERLINK(1)"))
    return write_kits([plan], folder / "kits"), marker


def test_kit_texts_print_escaped_and_never_run_as_formulas(hostile_kits):
    """Labels escape shop texts (no markup made, no template run); CSV cells never start a formula."""
    written, marker = hostile_kits
    page = next(p for p in written if p.suffix == ".html").read_text(encoding="utf-8")
    assert not marker.exists()
    assert "<script" not in page and "<img" not in page and "{{7*7}}" in page
    assert "&lt;img src=x onerror=" in page
    order = written[0].read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(1)" in order and ",=HYPERLINK" not in order
    assert all(p.parent.name in ("kits", "packing") for p in written)


@needs_chromium
def test_chromium_opens_the_labels_without_console_errors_or_scripts(hostile_kits, tmp_path):
    """Opened in headless Chromium, a labels page of script payloads logs nothing and runs none."""
    written, _ = hostile_kits
    page = next(p for p in written if p.suffix == ".html")
    probed = page.with_name("probed.html")
    probed.write_text(page.read_text(encoding="utf-8").replace("</html>", HITS_PROBE + "</html>"), "utf-8")
    done = browse(probed, tmp_path / "profile", "--enable-logging=stderr", "--v=0", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert [line for line in done.stderr.splitlines() if ":CONSOLE" in line] == []
    assert "hits=0;" in done.stdout
