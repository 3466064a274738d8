"""Tests of the report commands (export, map, sheets, charts) on a plan folder, through CliRunner."""

from __future__ import annotations

import shutil

import pyogrio
import pytest
from report_fixtures import SMALL_MERCHANTS, report_run  # noqa: F401
from typer.testing import CliRunner

from planner.cli import app

runner = CliRunner()


@pytest.fixture
def plan_dir(report_run, tmp_path):  # noqa: F811
    """A copy of the small plan's output folder, as 'planner plan --out' left it."""
    for path in report_run.written.values():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_export_writes_a_geopackage_next_to_the_plan(plan_dir):
    """`planner export out --merchants f` writes out/plan.gpkg with all five layers."""
    result = runner.invoke(app, ["export", str(plan_dir), "--merchants", str(SMALL_MERCHANTS)])
    assert result.exit_code == 0, result.output
    layers = {name for name, _ in pyogrio.list_layers(plan_dir / "plan.gpkg")}
    assert {"merchants", "stops", "routes", "zones"} <= layers


def test_map_sheets_and_charts_need_only_the_plan_folder(plan_dir):
    """`planner map|sheets|charts out` write out/maps, out/sheets and out/charts from the folder alone."""
    for command, folder, first in (
        ("map", "maps", "jongno-gu-week.html"),
        ("sheets", "sheets", "index.html"),
        ("charts", "charts", "progress.png"),
    ):
        result = runner.invoke(app, [command, str(plan_dir)])
        assert result.exit_code == 0, result.output
        assert (plan_dir / folder / first).is_file()


def test_report_commands_explain_a_wrong_folder(tmp_path):
    """A folder without a plan gives exit code 1 and a one-line message naming the missing files."""
    result = runner.invoke(app, ["map", str(tmp_path)])
    assert result.exit_code == 1
    assert "missing routes.csv" in " ".join(result.output.split())
