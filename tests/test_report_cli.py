"""Tests of the report commands (export, map, sheets, charts) on a plan folder, through CliRunner."""

from __future__ import annotations

import shutil

import pyogrio
import pytest
from report_fixtures import SMALL_MERCHANTS, report_run, report_triaged  # noqa: F401
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


def _store_with_installs(path, triaged):
    """A campaign store with the small file's merchants and four outcomes on two days."""
    import pandas as pd

    from planner.campaign.store import OUTCOME_FIELDS, CampaignStore

    ids = triaged.loc[triaged["needs_panel"], "merchant_id"].tolist()[:3]
    rows = [
        (ids[0], "W001", "2022-02-07", "installed", "10:00"),
        (ids[1], "W001", "2022-02-07", "closed", "10:30"),
        (ids[1], "W001", "2022-02-08", "installed", "11:00"),
        (ids[2], "W002", "2022-02-08", "installed", "11:30"),
    ]
    frame = pd.DataFrame(rows, columns=["merchant_id", "staff_id", "date", "outcome", "time"])
    frame = frame.assign(note="", source_file="field.csv", source_row=range(2, 6))
    with CampaignStore(path) as store:
        store.write_merchants(triaged)
        store.add_outcomes(frame.loc[:, list(OUTCOME_FIELDS)])


def test_installs_per_day_counts_installed_shops_of_the_district(report_triaged, tmp_path):  # noqa: F811
    """Only 'installed' outcomes count, per date, and only for the district asked for."""
    from planner.report.load import installs_per_day

    store = tmp_path / "campaign.sqlite"
    _store_with_installs(store, report_triaged)
    assert installs_per_day(store, "Jongno-gu").to_dict() == {"2022-02-07": 1, "2022-02-08": 2}
    assert installs_per_day(store, "Gangnam-gu").empty
    assert installs_per_day(store).sum() == 3


def test_charts_draw_installs_from_a_store(plan_dir, report_triaged, tmp_path):  # noqa: F811
    """`planner charts out --store f` writes the progress chart with the recorded installs; a wrong path is one line."""
    store = tmp_path / "campaign.sqlite"
    _store_with_installs(store, report_triaged)
    result = runner.invoke(app, ["charts", str(plan_dir), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert (plan_dir / "charts" / "progress.png").is_file()
    result = runner.invoke(app, ["charts", str(plan_dir), "--store", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 1
    assert "no campaign file here" in " ".join(result.output.split())
