"""Tests of the planner command through typer's CliRunner."""

from __future__ import annotations

import json

import pandas as pd
from typer.testing import CliRunner

from planner.cli import app
from planner.planning.plan import UNASSIGNED_COLUMNS

runner = CliRunner()


def test_help_names_every_step():
    """`planner --help` lists the sample, triage, plan and demo commands."""
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("sample", "triage", "plan", "demo"):
        assert command in result.output


def test_triage_writes_decisions_and_prints_counts(small_merchants_path, tmp_path):
    """`planner triage` writes triage.csv with a decision per shop and prints counts by reason."""
    result = runner.invoke(app, ["triage", str(small_merchants_path), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    triaged = pd.read_csv(tmp_path / "triage.csv")
    assert len(triaged) == 90
    assert {"needs_panel", "reason", "priority"} <= set(triaged.columns)
    assert "total" in result.output


def test_plan_writes_the_three_outputs(small_merchants_path, tmp_path):
    """`planner plan` writes routes.csv, unassigned.csv and summary.json that agree with each other."""
    args = [
        "plan",
        str(small_merchants_path),
        "--out",
        str(tmp_path),
        "--time-limit",
        "1",
        "--staff",
        "2",
        "--improve-time",
        "1",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    routes = pd.read_csv(tmp_path / "routes.csv")
    unassigned = pd.read_csv(tmp_path / "unassigned.csv")
    summary = json.loads((tmp_path / "summary.json").read_text())
    expected = ["staff_id", "date", "stop", "merchant_id", "lat", "lon", "arrival", "start", "departure"]
    assert list(routes.columns[:9]) == expected
    assert list(unassigned.columns) == list(UNASSIGNED_COLUMNS)  # why, and the shop's details
    assert summary["planned"] == len(routes)
    assert summary["needing"] == len(routes) + len(unassigned)
    for key in ("unassigned", "staff_days", "last_day_used", "total_travel_min", "total_service_min"):
        assert key in summary


def test_broken_rows_go_to_a_reject_file_and_good_rows_are_planned(small_merchants_path, tmp_path):
    """A file with a broken row still plans the good rows and writes the bad one to a reject file."""
    frame = pd.read_csv(small_merchants_path, dtype=str)
    frame.loc[3, "lat"] = "not a number"
    frame.loc[5, "merchant_id"] = frame.loc[4, "merchant_id"]
    broken = tmp_path / "broken.csv"
    frame.to_csv(broken, index=False)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["plan", str(broken), "--out", str(out), "--time-limit", "1", "--staff", "2", "--improve-time", "1"],
    )
    assert result.exit_code == 0, result.output
    rejects = pd.read_csv(out / "broken.rejects.csv")
    assert {"lat", "merchant_id"} <= set(rejects["column"])
    planned = set(pd.read_csv(out / "routes.csv")["merchant_id"]) | set(
        pd.read_csv(out / "unassigned.csv")["merchant_id"]
    )
    assert frame.loc[3, "merchant_id"] not in planned


def test_missing_column_is_a_one_line_error(tmp_path):
    """A file without coordinates exits with code 1 and names the file and the column."""
    bad = tmp_path / "no_coords.csv"
    bad.write_text("merchant_id,name\nA1,shop\n", encoding="utf-8")
    result = runner.invoke(app, ["plan", str(bad), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "no_coords.csv" in result.output
    assert "lat" in result.output


def test_unknown_district_is_an_error(small_merchants_path, tmp_path):
    """Asking for a district that does not exist exits with code 1 and lists the valid names."""
    result = runner.invoke(
        app, ["plan", str(small_merchants_path), "--district", "Atlantis", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "Jongno-gu" in result.output


def test_sample_writes_a_readable_file(tmp_path):
    """`planner sample` writes merchants that the reader accepts without rejects."""
    target = tmp_path / "dobong.csv"
    result = runner.invoke(app, ["sample", "Dobong-gu", "--n", "200", "--out", str(target)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(target)
    assert len(frame) == 200
    assert frame["district"].eq("Dobong-gu").all()


def test_tables_wrap_long_headers_on_a_narrow_terminal_instead_of_cutting_them():
    """A narrow terminal shows every letter of the staffing table's headers, wrapped."""
    from rich.console import Console

    from planner.cli.common import table_of

    frame = pd.DataFrame(
        {name: [123456] for name in ("district", "needing", "work_h", "lower_bound", "staff", "staff_days")}
        | {"last_day_used": ["2022-02-13"], "plans_tried": [4]}
    )
    console = Console(width=60, record=True)
    console.print(table_of(frame, "Staffing"))
    text = console.export_text()
    assert "…" not in text  # rich's default cuts "lower_bound" to "lowe…"


def test_plan_for_staff_who_go_straight_to_their_shops(small_merchants_path, tmp_path):
    """--start-at-first-shop --open-routes: each worker-day starts at its first shop and ends at its last stop."""
    args = ["plan", str(small_merchants_path), "--out", str(tmp_path), "--time-limit", "1", "--staff", "2"]
    result = runner.invoke(app, [*args, "--improve-time", "1", "--start-at-first-shop", "--open-routes"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert (summary["start_at"], summary["end_at"]) == ("first_shop", "last_shop")
    assert summary["office_legs_min"] == 0
    routes = pd.read_csv(tmp_path / "routes.csv")
    first = routes[routes["stop"] == 1]
    assert (first["leave_office"] == first["arrival"]).all()
    last = routes.groupby(["date", "staff_id"]).tail(1)
    assert (last["back_office"] == last["departure"]).all()


def test_header_only_file_with_a_district_writes_an_empty_plan(tmp_path):
    """A header-only file planned for a district writes an empty plan that verify accepts, no traceback."""
    path = tmp_path / "header.csv"
    path.write_text("merchant_id,district,lat,lon\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", str(path), "--district", "Jongno-gu", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "summary.json").read_text())["needing"] == 0
    checked = runner.invoke(app, ["verify", str(out), "--merchants", str(path)])
    assert checked.exit_code == 0, checked.output


def test_district_absent_from_the_file_writes_an_empty_plan(small_merchants_path, tmp_path):
    """Planning a district the file has no shop of gives an empty verified plan and says so."""
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["plan", str(small_merchants_path), "--district", "Mapo-gu", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "no shop" in result.output
    assert pd.read_csv(out / "routes.csv").empty


def test_rejected_count_is_rows_not_problems(tmp_path):
    """A row with two problems counts once in the "N rows rejected" line."""
    path = tmp_path / "two.csv"
    path.write_text("merchant_id,district,lat,lon\nA1,Atlantis,north,126.98\nA2,Jongno-gu,37.57,126.98\n")
    result = runner.invoke(app, ["triage", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert len(pd.read_csv(tmp_path / "out" / "two.rejects.csv")) == 2
    assert "1 rows rejected" in result.output


def test_encoding_option_reads_a_file_in_that_encoding(tmp_path):
    """`--encoding latin-1` reads a Latin-1 file as written instead of guessing UTF-8 or CP949."""
    path = tmp_path / "latin.csv"
    path.write_bytes(
        "merchant_id,name,district,lat,lon\nA1,Café Noël,Jongno-gu,37.57,126.98\n".encode("latin-1")
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["triage", str(path), "--out", str(out), "--encoding", "latin-1"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out / "triage.csv")["name"].tolist() == ["Café Noël"]


def test_plan_map_and_verify_take_the_encoding_of_the_merchants_file(tmp_path):
    """plan, map --merchants and verify --merchants accept --encoding for a CP949 merchants file."""
    path = tmp_path / "cp949.csv"
    path.write_bytes("merchant_id,name,district,lat,lon\n".encode("cp949"))
    out = tmp_path / "out"
    steps = [
        ["plan", str(path), "--district", "종로구", "--out", str(out), "--encoding", "cp949"],
        ["map", str(out), "--merchants", str(path), "--encoding", "cp949"],
        ["verify", str(out), "--merchants", str(path), "--encoding", "cp949"],
    ]
    for args in steps:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args[0], result.output)


def test_tables_into_a_file_or_pipe_are_plain_and_whole():
    """Off a terminal a wide table prints one line per row, no box and nothing wrapped at 80 columns."""
    import io

    from rich.console import Console

    from planner.cli.common import table_of

    frame = pd.DataFrame({f"column_with_a_long_name_{k}": [k * 1000, None] for k in range(6)})
    frame.insert(0, "district", ["Jongno-gu", "[b]Jung-gu"])
    out = io.StringIO()
    Console(file=out, width=80).print(table_of(frame, "Wide"), crop=False)
    lines = out.getvalue().splitlines()
    assert lines[1].split() == list(frame.columns) and len(lines[1]) > 80
    assert lines[3].split() == ["Jongno-gu", *(f"{k * 1000}.0" for k in range(6))]
    assert lines[4].split() == ["[b]Jung-gu"]  # missing values blank, markup-like text as typed
    assert not any(c in out.getvalue() for c in "│┃━─")


def test_commands_piped_print_every_line_whole(tmp_path):
    """A message longer than 80 columns comes through a pipe on one line."""
    import subprocess
    import sys

    target = tmp_path / ("a-folder-with-a-rather-long-name-" * 3) / "merchants.csv"
    target.parent.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "planner", "sample", "Jongno-gu", "--n", "10", "--out", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"wrote 10 merchants of Jongno-gu to {target}"]
