"""Tests of how the planner command fails: one line and exit code 1, whatever went wrong."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from report_fixtures import report_run  # noqa: F401
from typer.testing import CliRunner

import planner.cli.plan
from planner.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def lines_of(text: str) -> list[str]:
    """The non-blank lines of a command's output."""
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize(
    "option",
    [
        ["--staff", "many"],
        ["--staff", "1e9"],
        ["--days", "7.9"],
        ["--start", "soon"],
        ["--cutoff", "2021-02-30"],
        ["--frobnicate"],
    ],
)
def test_bad_option_value_is_one_line_and_exit_1(small_merchants_path, tmp_path, option):
    """A value typer cannot parse, or an unknown option, ends in one `error:` line naming it, exit 1."""
    result = runner.invoke(app, ["plan", str(small_merchants_path), "--out", str(tmp_path), *option])
    assert result.exit_code == 1, result.output
    assert lines_of(result.output) == [lines_of(result.output)[0]]
    assert result.output.startswith("error: ") and option[0] in result.output
    assert "plan --help')" in result.output


def test_missing_argument_is_one_line_and_exit_1():
    """`planner plan` without its merchants file says so in one line, exit 1."""
    result = runner.invoke(app, ["plan"], prog_name="planner")
    assert result.exit_code == 1
    assert lines_of(result.output) == ["error: Missing argument 'merchants'. (see 'planner plan --help')"]


def test_help_still_works():
    """`planner plan --help` still prints the options and exits 0."""
    result = runner.invoke(app, ["plan", "--help"])
    assert result.exit_code == 0 and "--time-limit" in result.output


def test_error_after_the_progress_bar_is_the_only_line(small_merchants_path, tmp_path):
    """A plan that fails after its progress bar started prints its error alone: no bar line above it."""
    result = runner.invoke(app, ["plan", str(small_merchants_path), "-o", str(tmp_path), "--scenario", "x"])
    assert result.exit_code == 1
    assert lines_of(result.output) == ["error: unknown triage scenario 'x'; valid scenarios: targeted, full"]


def test_unexpected_error_is_one_line_unless_debugging(monkeypatch, small_merchants_path, tmp_path):
    """An unhandled exception prints `internal error: <type>: <message>`, exit 1; PLANNER_DEBUG=1 raises it."""

    def broken(*args, **kwargs):
        raise KeyError("lost column\nsecond line")

    monkeypatch.setattr(planner.cli.plan, "triage_file", broken)
    args = ["triage", str(small_merchants_path), "--out", str(tmp_path)]
    monkeypatch.delenv("PLANNER_DEBUG", raising=False)
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert lines_of(result.output) == [
        "error: internal error: KeyError: 'lost column\\nsecond line'; set PLANNER_DEBUG=1 for the traceback"
    ]
    monkeypatch.setenv("PLANNER_DEBUG", "1")
    assert isinstance(runner.invoke(app, args).exception, KeyError)


def test_python_dash_m_planner_runs_the_command():
    """`python -m planner --help` is the planner command."""
    done = subprocess.run(
        [sys.executable, "-m", "planner", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "Usage: planner" in done.stdout


@pytest.mark.parametrize("command", ["triage", "plan"])
def test_an_out_folder_that_cannot_be_made_is_one_line_naming_the_option(small_merchants_path, command):
    """`--out` naming a file is refused in one line naming --out, not a FileExistsError."""
    result = runner.invoke(app, [command, str(small_merchants_path), "--out", str(small_merchants_path)])
    assert result.exit_code == 1
    assert lines_of(result.output) == [
        f"error: --out {small_merchants_path}: cannot make that folder (File exists); "
        "give a folder to write into"
    ]


def test_a_file_system_refusal_is_one_line_naming_the_path(report_run, tmp_path):  # noqa: F811
    """A file where the sheets folder goes is one error line naming it, exit 1, no traceback."""
    plan_dir = tmp_path / "plan"
    shutil.copytree(report_run.written["routes"].parent, plan_dir)
    (plan_dir / "sheets").write_text("not a folder", encoding="utf-8")
    result = runner.invoke(app, ["sheets", str(plan_dir)])
    assert result.exit_code == 1
    assert lines_of(result.output) == [f"error: {plan_dir / 'sheets'}: File exists"]
