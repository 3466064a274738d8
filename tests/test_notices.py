"""Tests of merchant notices: promised windows around planned starts, notices.csv, and verify keeping them."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from report_fixtures import SMALL_MERCHANTS, report_plan, report_run  # noqa: F401
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import InputError
from planner.io.spreadsheet import read_spreadsheet_csv
from planner.planning.promises import NOTICE_COLUMNS, PROMISE_STEP_S, make_notices, promise_window
from planner.report.audit import audit_plan
from planner.report.notices import write_notices
from planner.settings import Settings

runner = CliRunner()
HOUR = 3600


def test_promise_starts_on_the_half_hour_before_the_start():
    """A 10:47 start in a shop open all day is promised 10:30-12:30."""
    assert promise_window(10 * HOUR + 47 * 60, ((9 * HOUR, 18 * HOUR),), 2 * HOUR) == (
        10.5 * HOUR,
        12.5 * HOUR,
    )


def test_promise_is_moved_inside_the_opening_hours():
    """A shop opening 10:15 is promised from 10:15; one closing 12:00 gets a promise ending at 12:00."""
    assert promise_window(10 * HOUR + 20 * 60, ((10.25 * HOUR, 18 * HOUR),), 2 * HOUR) == (
        10.25 * HOUR,
        12.25 * HOUR,
    )
    assert promise_window(11 * HOUR + 10 * 60, ((9 * HOUR, 12 * HOUR),), 2 * HOUR) == (10 * HOUR, 12 * HOUR)


@given(
    start=st.integers(0, 7 * 86_400),
    opening=st.tuples(st.integers(0, 7 * 86_400), st.integers(0, 86_400)),
    window_min=st.integers(30, 720),
)
def test_the_planned_start_always_lies_inside_its_promise(start, opening, window_min):
    """Property: whatever the hours and length, from <= start <= to and the promise is no longer than asked."""
    first, length = opening
    windows = ((first, first + length),) if first <= start <= first + length else ()
    begin, end = promise_window(start, windows, 60 * window_min)
    assert begin <= start <= end and end - begin <= 60 * window_min
    if windows:
        assert first <= begin and end <= first + length
    else:
        assert begin % PROMISE_STEP_S == 0


def test_make_notices_refuses_a_window_out_of_range(report_plan):  # noqa: F811
    """--window-min below 30 or above 720 minutes is one InputError naming the option."""
    with pytest.raises(InputError, match="--window-min 10: give 30 to 720 minutes"):
        make_notices(report_plan.routes, report_plan.settings.week, 10)


@pytest.fixture()
def folder(report_run, tmp_path):  # noqa: F811
    """A private copy of the small plan's folder."""
    target = tmp_path / "plan"
    shutil.copytree(report_run.written["routes"].parent, target)
    return target


def test_notices_csv_promises_every_shop_of_the_day(folder, report_plan):  # noqa: F811
    """notices.csv holds one promise per shop planned that day, holding its start; days add up."""
    first = write_notices(folder, 120, day=0, out_dir=folder.parent / "send")
    table = read_spreadsheet_csv(folder / "notices.csv")
    day0 = report_plan.routes[report_plan.routes["date"] == "2022-02-07"]
    assert tuple(table.columns) == NOTICE_COLUMNS
    assert sorted(table["merchant_id"]) == sorted(day0["merchant_id"])
    starts = dict(zip(day0["merchant_id"], day0["start"].str.slice(11, 16), strict=True))
    assert all(
        a <= starts[m] <= b
        for m, a, b in table[["merchant_id", "promise_from", "promise_to"]].itertuples(index=False)
    )
    assert first.written[-1] == folder.parent / "send" / "notices-2022-02-07.csv"
    write_notices(folder, 120, date="2022-02-08")
    both = read_spreadsheet_csv(folder / "notices.csv")
    assert len(both) == len(report_plan.routes) and set(both["date"]) == {"2022-02-07", "2022-02-08"}


def test_verify_names_each_broken_promise(folder):
    """A plan folder whose notices.csv promises other times: one problem per broken promise, naming the shop."""
    write_notices(folder, 120, day=0)
    table = read_spreadsheet_csv(folder / "notices.csv")
    table.loc[0, ["promise_from", "promise_to"]] = ["06:00", "07:00"]
    extra = pd.DataFrame(
        [["T9999", "x", "2022-02-08", "10:00", "12:00", "11110-W001"]], columns=list(NOTICE_COLUMNS)
    )
    pd.concat([table, extra]).to_csv(folder / "notices.csv", index=False)
    problems = audit_plan(folder, _merchants(), Settings()).problems
    assert len(problems) == 2
    assert (
        problems[0].startswith(f"shop {table.loc[0, 'merchant_id']} (")
        and "promised 2022-02-07 06:00-07:00" in problems[0]
    )
    assert problems[1] == "shop T9999: promised 2022-02-08 10:00-12:00, but it is not in the plan"


def test_verify_keeps_quiet_when_the_plan_keeps_its_promises(folder):
    """Notices written from the plan itself break no rule."""
    write_notices(folder, 90)
    assert audit_plan(folder, _merchants(), Settings()).problems == []


def test_a_bad_notices_cell_is_one_line_naming_file_row_and_column(folder):
    """A promise time that is not HH:MM fails verify in one line naming the file, row and column."""
    write_notices(folder, 120, day=0)
    table = read_spreadsheet_csv(folder / "notices.csv")
    table.loc[1, "promise_to"] = "noon"
    table.to_csv(folder / "notices.csv", index=False)
    with pytest.raises(InputError, match=r"notices.csv row 3, column promise_to: 'noon' is not a clock time"):
        audit_plan(folder, _merchants(), Settings())


def test_notices_command_prints_what_it_wrote(folder):
    """planner notices FOLDER --day 0 writes notices.csv and says how many shops were promised."""
    done = runner.invoke(app, ["notices", str(folder), "--day", "0", "--window-min", "60"])
    assert done.exit_code == 0, done.output
    assert "60-minute window on 2022-02-07" in done.output and (folder / "notices.csv").is_file()


def _merchants() -> pd.DataFrame:
    from planner.io.read import read_merchants

    return read_merchants(SMALL_MERCHANTS).merchants


def test_opening_hours_that_do_not_parse_name_the_routes_row(folder):
    """A hand-edited routes.csv whose opening hours do not parse: one InputError naming file and row."""
    routes = pd.read_csv(folder / "routes.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    routes.loc[2, "opening_hours"] = "whenever"
    routes.to_csv(folder / "routes.csv", index=False)
    with pytest.raises(InputError, match=r"routes.csv row 4, column opening_hours: opening_hours 'whenever'"):
        write_notices(folder, 120)
