"""Tests of boundary outlines on maps: polygons near the view, simplified, names kept as written."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from report_fixtures import SMALL_MERCHANTS, report_run  # noqa: F401
from typer.testing import CliRunner

from planner.cli import app
from planner.io.boundaries import parse_boundaries, read_boundaries
from planner.report.outlines import outlines
from planner.schema import WGS84

runner = CliRunner()
VIEW = [[37.56, 126.96], [37.60, 127.01]]  # around Jongno-gu's office


def dong_file(path: Path, names: list[str]) -> Path:
    """Two round dongs of Jongno-gu (hundreds of vertices each) and one far south, as GeoJSON."""
    centres = [(126.975, 37.575), (126.995, 37.585), (127.05, 37.40)]
    shapes = [shapely.Point(c).buffer(0.008, quad_segs=256) for c in centres]
    frame = gpd.GeoDataFrame(
        {"adm_nm": names, "adm_cd2": ["1111051500", "1111053000", "1168051000"]}, geometry=shapes, crs=WGS84
    )
    frame.to_file(path, driver="GeoJSON")
    return path


def test_outlines_keep_polygons_near_the_view_simplified_with_their_names(tmp_path):
    """Only polygons reaching the view are drawn, each named by the file's dong name, with far fewer points."""
    boundaries = read_boundaries(dong_file(tmp_path / "dong.geojson", ["청운효자동", "사직동", "역삼1동"]))
    drawn = outlines(boundaries, VIEW)
    assert [o.name for o in drawn] == ["청운효자동", "사직동"]
    for outline in drawn:
        (ring,) = outline.rings
        assert 8 < len(ring) < 200
        assert all(37.5 < lat < 37.7 and 126.9 < lon < 127.1 for lat, lon in ring)


def test_a_district_file_names_its_polygons_by_district():
    """Polygons with only a district column are named by the district's English name."""
    frame = gpd.GeoDataFrame(
        {"SIG_CD": ["11110"]}, geometry=[shapely.box(126.9, 37.5, 127.0, 37.6)], crs=WGS84
    )
    assert list(parse_boundaries(frame).polygons["name"]) == ["Jongno-gu"]


@pytest.fixture
def plan_dir(report_run, tmp_path):  # noqa: F811
    """A copy of the small plan's output folder."""
    for path in report_run.written.values():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_map_command_draws_boundaries_with_names_as_text(plan_dir, tmp_path):
    """`planner map --boundaries` adds an outline layer whose names reach the page only as escaped strings."""
    names = ["<img src=x onerror=alert(1)>동", "{{7*7}}동", "역삼1동"]
    path = dong_file(tmp_path / "dong.geojson", names)
    result = runner.invoke(app, ["map", str(plan_dir), "--boundaries", str(path), "--tiles", "none"])
    assert result.exit_code == 0, result.output
    page = (plan_dir / "maps" / "jongno-gu-week.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page and "tile.openstreetmap" not in page
    assert '"className": "outline"' in page
    start = re.search(r"plannerMap\(\w+, ", page).end()
    spec = json.JSONDecoder().raw_decode(page, start)[0]
    assert spec["tiles"] is None
    assert [o["label"] for o in spec["others"]][0] == "boundaries (2)"
    assert html.escape(names[0]) in json.loads(
        re.search(r'bindTooltip\(("[^"]*onerror[^"]*")', page).group(1)
    )


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--boundaries", "missing.geojson"], "no such boundaries file"),
        (["--tiles", "https://example.org/tiles.png"], "give a tile URL with {z}, {x} and {y}"),
    ],
)
def test_map_command_refuses_bad_outline_and_tile_options_in_one_line(plan_dir, options, expected):
    """A missing boundaries file or a tile URL without {z}/{x}/{y} is one error line, exit code 1."""
    result = runner.invoke(app, ["map", str(plan_dir), *options])
    assert result.exit_code == 1
    assert expected in result.output and len(result.output.strip().splitlines()) == 1
