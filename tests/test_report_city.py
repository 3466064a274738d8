"""Reports of a city plan and a campaign export: a folder per district, an index page, progress from the store."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest
from campaign_helpers import city_merchants, day_outcomes, outcome_csv, started_city_store
from report_fixtures import browse, needs_chromium
from typer.testing import CliRunner

from planner.campaign.export import write_current_plan
from planner.campaign.outcomes import import_outcomes
from planner.campaign.replan import replan
from planner.campaign.status import daily_progress
from planner.campaign.store import CampaignStore
from planner.cli import app
from planner.errors import InputError
from planner.report.audit import plan_folders
from planner.report.city import (
    CAMPAIGN_EXPORT,
    CITY_PLAN,
    PLAN,
    DistrictReport,
    PlanFolders,
    find_plan_folders,
    write_index,
)
from planner.report.load import installs_per_day

runner = CliRunner()
SLUGS = ["dobong-gu", "jung-gu"]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """A two-district campaign whose day 0 was installed, re-planned from day 1 and exported."""
    root = tmp_path_factory.mktemp("campaign")
    path = started_city_store(root / "campaign.sqlite", city_merchants())
    with CampaignStore(path) as store:
        (root / "day0.csv").write_text(outcome_csv(day_outcomes(store, 0)), encoding="utf-8")
        import_outcomes(store, root / "day0.csv")
        replan(store, 1)
        write_current_plan(store, root / "export")
    return path, root / "export"


@pytest.fixture
def export_dir(campaign, tmp_path):
    """A private copy of the campaign export."""
    return shutil.copytree(campaign[1], tmp_path / "export")


@pytest.fixture
def city_dir(campaign, tmp_path):
    """A folder laid out as 'planner plan --city' writes it: district folders and the city's files."""
    city = shutil.copytree(campaign[1], tmp_path / "city")
    for name in ("routes.csv", "unassigned.csv"):
        parts = [pd.read_csv(city / slug / name, dtype=str) for slug in SLUGS]
        pd.concat(parts).to_csv(city / name, index=False)
    (city / "summary.json").write_text(json.dumps({"districts": 2, "verified": True}), encoding="utf-8")
    return city


def test_plan_city_plan_and_campaign_export_are_told_apart(city_dir, export_dir):
    """A city plan (city summary.json) and an export (none) both yield their district folders; a district folder is a plan."""
    city, export = find_plan_folders(city_dir), find_plan_folders(export_dir)
    assert (city.kind, [f.name for f in city.folders]) == (CITY_PLAN, SLUGS)
    assert (export.kind, [f.name for f in export.folders]) == (CAMPAIGN_EXPORT, SLUGS)
    single = find_plan_folders(export_dir / "jung-gu")
    assert (single.kind, single.folders) == (PLAN, (export_dir / "jung-gu",))


def test_a_folder_of_no_plan_names_itself_and_what_was_expected(tmp_path):
    """An empty folder: one error naming it, the files missing and the commands that write plans."""
    with pytest.raises(InputError) as caught:
        find_plan_folders(tmp_path)
    message = str(caught.value)
    assert str(tmp_path) in message and "missing routes.csv" in message
    assert "planner plan --city" in message and "campaign export-plan" in message


def test_a_district_folder_missing_a_plan_file_is_named_not_passed_over(export_dir):
    """Reports and checks find the same district folders; one without routes.csv stops the report, named."""
    (export_dir / "dobong-gu" / "routes.csv").unlink()
    found = find_plan_folders(export_dir)
    assert [f.name for f in found.folders] == SLUGS == [f.name for f in plan_folders(export_dir)]
    result = runner.invoke(app, ["sheets", str(export_dir)])
    message = " ".join(result.output.split())
    assert result.exit_code == 1 and "dobong-gu: not a plan folder, missing routes.csv" in message


@pytest.mark.parametrize("folder", ["city_dir", "export_dir"])
def test_sheets_on_a_city_folder_write_each_district_and_an_index(folder, request):
    """`planner sheets CITY`: sheets/<district>/index.html per district and sheets/index.html linking them."""
    root = request.getfixturevalue(folder)
    result = runner.invoke(app, ["sheets", str(root)])
    assert result.exit_code == 0, result.output
    index = (root / "sheets" / "index.html").read_text(encoding="utf-8")
    for slug in SLUGS:
        assert (root / "sheets" / slug / "index.html").is_file()
        assert f'href="{slug}/index.html"' in index
    summary = json.loads((root / "jung-gu" / "summary.json").read_text(encoding="utf-8"))
    assert f'<td class="num">{summary["planned"]}</td>' in index
    assert str(root / "sheets" / "index.html") in " ".join(result.output.split())


def test_map_charts_and_export_on_a_campaign_export(export_dir, campaign):
    """map, charts (with the store) and export each write a folder per district and an index page."""
    store, _ = campaign
    for command, name, first in (
        ("map", "maps", None),
        ("charts", "charts", "progress.png"),
        ("export", "export", "plan.gpkg"),
    ):
        extra = ["--store", str(store)] if command == "charts" else []
        result = runner.invoke(app, [command, str(export_dir), *extra])
        assert result.exit_code == 0, result.output
        assert (export_dir / name / "index.html").is_file()
        for slug in SLUGS:
            files = [p.name for p in (export_dir / name / slug).iterdir()]
            assert (first in files) if first else any(f.endswith("-week.html") for f in files)
    charts = {p.name for p in (export_dir / "charts").glob("*.png")}
    assert charts == {"districts.png", "campaign-progress.png", "campaign-districts.png"}


def test_city_maps_share_one_leaflet_folder(city_dir):
    """`planner map CITY` writes Leaflet once, in maps/leaflet; every district page loads it from there."""
    result = runner.invoke(app, ["map", str(city_dir), "--tiles", "none"])
    assert result.exit_code == 0, result.output
    maps = city_dir / "maps"
    assert (maps / "leaflet" / "leaflet.js").is_file() and (maps / "leaflet" / "LICENSE").is_file()
    pages = sorted(maps.glob("*/*.html"))
    assert {page.parent.name for page in pages} == set(SLUGS)
    for slug in SLUGS:
        assert not (maps / slug / "leaflet").exists()
    for page in pages:
        targets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page.read_text(encoding="utf-8"))
        assert targets and all(target.startswith("../leaflet/") for target in targets), targets
        assert all((page.parent / target).is_file() for target in targets)


def test_index_escapes_district_names_and_links(tmp_path):
    """Names from files are text on the index page, and links are URL-quoted."""
    out = tmp_path / "sheets"
    page = out / "<b>x</b>" / "index.html"
    report = DistrictReport(tmp_path, {"district": "<script>alert(1)</script>", "needing": 3}, [page])
    source = PlanFolders(tmp_path, CAMPAIGN_EXPORT, ())
    text = write_index([report], out, "Sheets & <i>", source).read_text("utf-8")
    assert "<script>alert" not in text and "&lt;script&gt;" in text
    assert 'href="%3Cb%3Ex%3C/b%3E/index.html"' in text and "Sheets &amp; &lt;i&gt;" in text


@needs_chromium
def test_city_index_opens_in_chromium_without_console_errors(export_dir, tmp_path):
    """The sheets index of a campaign export logs nothing to Chromium's console."""
    assert runner.invoke(app, ["sheets", str(export_dir)]).exit_code == 0
    done = browse(
        export_dir / "sheets" / "index.html",
        tmp_path / "profile",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert [line for line in done.stderr.splitlines() if ":CONSOLE" in line] == []
    assert "dobong-gu/index.html" in done.stdout


def test_progress_after_a_replan_counts_the_installs_already_done(campaign):
    """After day 0's installs and a re-plan, day 0 shows them done and the plan projects on from there."""
    store_path, _ = campaign
    with CampaignStore.existing(store_path) as store:
        daily = daily_progress(store)
        installed = store.outcomes()["merchant_id"].nunique()
    assert daily["installed"].iloc[0] == installed > 0
    assert daily["planned"].iloc[0] == 0 and daily["planned"].iloc[1:].sum() > 0
    assert daily["projected"].iloc[-1] == installed + daily["planned"].sum()
    assert daily["projected"].iloc[-1] <= daily.attrs["needing"]


def test_installs_of_a_one_district_store_with_blank_districts_count(tmp_path):
    """A store whose shops' district is blank counts their installs for the district asked for."""
    from planner.campaign.store import OUTCOME_FIELDS
    from planner.planning.triage import triage

    merchants = triage(city_merchants(n=60)).assign(district="")
    frame = pd.DataFrame(
        [(merchants["merchant_id"].iloc[0], "W001", "2022-02-07", "installed", "10:00", "", "f.csv", 2)],
        columns=list(OUTCOME_FIELDS),
    )
    with CampaignStore(tmp_path / "c.sqlite") as store:
        store.write_merchants(merchants)
        store.add_outcomes(frame)
    assert installs_per_day(tmp_path / "c.sqlite", "Jongno-gu").to_dict() == {"2022-02-07": 1}


def test_status_prints_a_row_per_district_whole_and_writes_csv(campaign, tmp_path):
    """`planner status --csv`: one line per district and the city, unwrapped off a terminal; the CSV holds the same rows."""
    store, _ = campaign
    target = tmp_path / "status.csv"
    result = runner.invoke(app, ["status", "--store", str(store), "--csv", str(target)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(line for line in lines if line.startswith("district"))
    assert header.split() == [
        "district", "needing", "installed", "given_up", "planned", "left", "last_day", "projected_finish", "at_risk",
    ]  # fmt: skip
    table = pd.read_csv(target)
    assert list(table["district"]) == ["Dobong-gu", "Jung-gu", "city"]
    for row in table.itertuples():
        shown = next(line for line in lines if line.startswith(f"{row.district} "))
        assert shown.split()[:6] == [
            str(v) for v in (row.district, row.needing, row.installed, row.given_up, row.planned, row.left)
        ]
    assert not any("│" in line for line in lines)


def test_districts_written_in_two_processes_give_the_same_files(export_dir, tmp_path):
    """`--processes 2` writes the same sheets, index page included, as one process does."""
    other = shutil.copytree(export_dir, tmp_path / "other")
    for root, processes in ((export_dir, "1"), (other, "2")):
        result = runner.invoke(app, ["sheets", str(root), "--processes", processes])
        assert result.exit_code == 0, result.output
    files = [
        sorted(p.relative_to(root) for p in (root / "sheets").rglob("*")) for root in (export_dir, other)
    ]
    assert files[0] == files[1] and len(files[0]) > 3
    index = [(root / "sheets" / "index.html").read_text(encoding="utf-8") for root in (export_dir, other)]
    assert index[0].replace("in export;", "in other;") == index[1]
