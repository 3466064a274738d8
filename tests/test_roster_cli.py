"""Tests of `planner staffing` with rosters: --roster, --pool and --roster-out, through typer's CliRunner."""

from __future__ import annotations

import re

import pandas as pd
from typer.testing import CliRunner

from planner.cli import app
from planner.io.roster import read_roster
from planner.planning.workforce import ALLOCATION_COLUMNS
from planner.settings import Settings

runner = CliRunner()
ROSTER = """staff_id,name,team,district,availability,start,end,mode,lunch
J1,Kim,district,Jongno-gu,,,,,
P1,Park,card,,Mo-Fr 09:00-18:00,first_shop,last_shop,transit,yes
E1,Han,card,,Mo-Sa 17:00-22:00,first_shop,last_shop,transit,no
X1,Bad,card,Atlantis,,,,,
"""


def roster_file(tmp_path, text: str = ROSTER):
    """A roster file (by default one district person, two pool people and one bad row)."""
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_staffing_roster_prints_the_shortfall_and_writes_rejects(small_merchants_path, tmp_path):
    """--roster prints the work by shift, the staff-days short per district and writes the bad rows."""
    out = tmp_path / "out" / "pool.csv"
    one_person = "\n".join(ROSTER.splitlines()[i] for i in (0, 1, 4))  # J1 and the bad row: short on Monday
    args = [
        "staffing",
        str(small_merchants_path),
        "--days",
        "1",
        "--roster",
        str(roster_file(tmp_path, one_person)),
    ]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "read 1 person" in result.output and "1 rows rejected" in result.output
    assert "Roster against the work" in result.output
    assert "Jongno-gu: the roster is" in result.output and "staff-days short" in result.output
    assert (out.parent / "roster.rejects.csv").is_file()
    assert "Staff versus finish day" not in result.output  # estimates only: no plans searched


def test_staffing_roster_without_out_writes_rejects_beside_the_roster(
    small_merchants_path, tmp_path, monkeypatch
):
    """Without --out the bad roster rows go beside the roster, not into the folder staffing runs in."""
    monkeypatch.chdir(tmp_path / "..")
    roster = roster_file(tmp_path)
    result = runner.invoke(app, ["staffing", str(small_merchants_path), "--roster", str(roster)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "roster.rejects.csv").is_file()
    assert not (tmp_path / ".." / "roster.rejects.csv").exists()


def test_staffing_takes_a_settings_file(small_merchants_path, tmp_path):
    """--settings gives staffing its week: a three-day week proposes teams for three dates."""
    settings = tmp_path / "settings.toml"
    settings.write_text("[week]\ndays = 3\n", encoding="utf-8")
    args = ["staffing", str(small_merchants_path), "--estimate", "--settings", str(settings)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2022-02-09" in result.output and "2022-02-10" not in result.output


def test_staffing_pool_writes_the_allocation(small_merchants_path, tmp_path):
    """--pool prints finish days without and with the pool and writes one row per person and day sent."""
    out = tmp_path / "pool.csv"
    args = ["staffing", str(small_merchants_path), "--pool", str(roster_file(tmp_path)), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Estimated finish without and with the pool" in result.output
    allocation = pd.read_csv(out, encoding="utf-8-sig")
    assert tuple(allocation.columns) == ALLOCATION_COLUMNS
    assert set(allocation["staff_id"]) <= {"P1", "E1"} and len(allocation) > 0
    assert set(allocation["district"]) == {"Jongno-gu"}


def test_staffing_roster_out_writes_a_roster_that_reads_back(small_merchants_path, tmp_path):
    """--roster-out writes day and evening teams as a roster file that read_roster accepts whole."""
    out = tmp_path / "proposal.csv"
    args = ["staffing", str(small_merchants_path), "--time-limit", "0.2", "--improve-time", "0"]
    result = runner.invoke(app, [*args, "--roster-out", str(out)])
    assert result.exit_code == 0, result.output
    read = read_roster(out, Settings())
    assert read.rejects.empty
    assert {p.team for p in read.people} == {"day", "evening"}
    assert all(p.staff_id.startswith("11110-") for p in read.people)


def test_staffing_estimate_proposes_teams_per_day_without_plans(small_merchants_path, tmp_path):
    """--estimate prints each district's people per day and writes them as a roster; the plan it gives leaves no evening shop."""
    out = tmp_path / "proposal.csv"
    result = runner.invoke(
        app, ["staffing", str(small_merchants_path), "--estimate", "--roster-out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Proposed teams: people per day" in result.output and "2022-02-13" in result.output
    people = read_roster(out, Settings()).people
    assert {p.team for p in people} == {"day", "evening"}
    planned = tmp_path / "plan"
    args = [
        "plan",
        str(small_merchants_path),
        "--scenario",
        "full",
        "--roster",
        str(out),
        "--out",
        str(planned),
    ]
    result = runner.invoke(app, [*args, "--time-limit", "0.2", "--improve-time", "0"])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(planned / "unassigned.csv").empty


def test_a_roster_without_staff_id_is_one_error_line(small_merchants_path, tmp_path):
    """A roster whose header lacks staff_id stops staffing with exit code 1 and one line naming the file."""
    path = tmp_path / "people.csv"
    path.write_text("name\nKim\n", encoding="utf-8")
    result = runner.invoke(app, ["staffing", str(small_merchants_path), "--roster", str(path)])
    assert result.exit_code == 1
    assert "people.csv: no 'staff_id' column" in result.output
    assert len(result.output.strip().splitlines()) == 1  # no work table printed before it


def test_roster_out_with_a_roster_is_one_error_line_not_ignored(small_merchants_path, tmp_path):
    """--roster-out beside --roster (which skips the team search) stops with one line and writes nothing."""
    out = tmp_path / "proposal.csv"
    args = ["staffing", str(small_merchants_path), "--roster", str(roster_file(tmp_path))]
    result = runner.invoke(app, [*args, "--roster-out", str(out)])
    assert result.exit_code == 1
    assert "--roster-out writes the roster the team search proposes" in result.output
    assert not out.exists()


def test_staffing_pool_says_the_city_last_day_with_the_pool_and_fixed(small_merchants_path, tmp_path):
    """--pool says the city's last day with the pool sent day by day and fixed, the pool no later."""
    out = tmp_path / "pool.csv"
    args = ["staffing", str(small_merchants_path), "--pool", str(roster_file(tmp_path)), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    found = re.search(
        r"last day \(estimate\): (\S+) with the pool sent day by day, (\S+) with each pool", said
    )
    assert found, result.output
    assert found.group(1) <= found.group(2)  # ISO dates compare as text
