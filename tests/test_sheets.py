"""Tests of the printable route sheets: one page and CSV per worker-day, Korean text, no tiles or scripts."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from report_fixtures import report_loaded, report_plan, report_run  # noqa: F401

from planner.report.sheets import SHEET_COLUMNS, route_svg, write_sheets


@pytest.fixture(scope="module")
def sheets(report_plan, tmp_path_factory):  # noqa: F811
    """The small plan's route sheets written to a folder."""
    return write_sheets(report_plan, tmp_path_factory.mktemp("sheets"))


def test_one_page_and_one_csv_per_worker_day_and_an_index(sheets, report_plan):  # noqa: F811
    """index.html comes first, then <date>-<staff>.html and .csv for every worker-day."""
    days = report_plan.routes.drop_duplicates(["date", "staff_id"]).sort_values(["date", "staff_id"])
    stems = [f"{d.date}-{d.staff_id}" for d in days.itertuples()]
    assert [p.name for p in sheets] == ["index.html"] + [f"{s}.{x}" for s in stems for x in ("html", "csv")]
    index = sheets[0].read_text(encoding="utf-8")
    assert all(f'href="{s}.html"' in index for s in stems)


def test_csv_lists_the_stops_in_order_with_an_empty_notes_column(sheets, report_plan):  # noqa: F811
    """Each CSV has the sheet columns, stops 1..n in order, the shops' Korean names, and blank notes."""
    first = report_plan.routes.sort_values(["date", "staff_id", "stop"])
    first = first[(first["date"] == first["date"].iloc[0]) & (first["staff_id"] == first["staff_id"].iloc[0])]
    table = pd.read_csv(sheets[2], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert tuple(table.columns) == SHEET_COLUMNS
    assert table["stop"].tolist() == [str(i) for i in range(1, len(first) + 1)]
    assert table["name"].tolist() == first["name"].tolist()
    assert (table["notes"] == "").all()
    assert sheets[2].read_bytes().startswith(b"\xef\xbb\xbf")  # spreadsheets then read Korean right


def test_page_is_utf8_korean_with_a_cjk_font_stack_and_no_scripts(sheets, report_plan):  # noqa: F811
    """A sheet declares UTF-8, prefers Korean fonts, shows Korean names, and loads nothing external."""
    page = sheets[1].read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page
    assert '"Noto Sans CJK KR"' in page and '"Malgun Gothic"' in page
    assert report_plan.routes.sort_values(["date", "staff_id", "stop"])["name"].iloc[0] in page
    assert "종로구" in page
    assert "<script" not in page and not re.search(r'(src|href)="https?:', page)


def test_page_has_a_route_sketch_with_every_stop(sheets):
    """The inline SVG draws the route line, the office and one numbered circle per stop."""
    page = sheets[1].read_text(encoding="utf-8")
    table = pd.read_csv(sheets[2], encoding="utf-8-sig")
    svg = re.search(r"<svg.*?</svg>", page, re.S).group(0)
    assert "<polyline" in svg and 'class="office"' in svg
    assert svg.count("<circle") == len(table)


def test_route_svg_fits_its_box_and_closes_at_the_office():
    """Sketch points stay inside the drawing and the line ends where it began (the office)."""
    visits = pd.DataFrame({"lat": [37.57, 37.58, 37.56], "lon": [126.98, 126.99, 126.97], "stop": [1, 2, 3]})
    svg = route_svg(visits, (37.5735, 126.979))
    points = re.search(r'points="([^"]+)"', svg).group(1).split()
    xy = [tuple(map(float, p.split(","))) for p in points]
    assert xy[0] == xy[-1] and len(xy) == 5
    assert all(0 <= x <= 360 and 0 <= y <= 260 for x, y in xy)


def test_sheets_from_a_loaded_plan_show_office_times(report_loaded, tmp_path):  # noqa: F811
    """Plans read back from files keep the office and lunch times, so their sheets show them."""
    written = write_sheets(report_loaded.plan, tmp_path)
    page = written[1].read_text(encoding="utf-8")
    assert "leave office" in page and "Route sheet" in page


def test_sheets_from_a_plan_folder_without_office_times_leave_them_blank(report_run, tmp_path):  # noqa: F811
    """A routes.csv written without office columns still gives sheets, without those times."""
    from shutil import copytree

    from planner.report.load import load_plan

    folder = copytree(report_run.written["routes"].parent, tmp_path / "old")
    routes = pd.read_csv(folder / "routes.csv", dtype=str)
    routes.drop(columns=["leave_office", "back_office", "lunch_start"]).to_csv(
        folder / "routes.csv", index=False
    )
    written = write_sheets(load_plan(folder).plan, tmp_path / "sheets")
    page = written[1].read_text(encoding="utf-8")
    assert "leave office" not in page and "Route sheet" in page


def test_route_svg_of_staff_reporting_at_their_first_shop_starts_at_stop_one():
    """Without the way out the line has one point fewer and begins at the first stop's circle."""
    visits = pd.DataFrame({"lat": [37.57, 37.58, 37.56], "lon": [126.98, 126.99, 126.97], "stop": [1, 2, 3]})
    svg = route_svg(visits, (37.5735, 126.979), back_to_office=True, from_office=False)
    points = re.search(r'points="([^"]+)"', svg).group(1).split()
    first = re.search(r'<circle cx="([^"]+)" cy="([^"]+)"', svg).groups()
    assert len(points) == 4 and points[0] == ",".join(first)
