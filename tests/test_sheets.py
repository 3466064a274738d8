"""Tests of the printable route sheets: one page and CSV per worker-day, Korean text, no tiles or scripts."""

from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape
from report_fixtures import (  # noqa: F401
    HITS_PROBE,
    browse,
    hostile_texts,
    needs_chromium,
    plan_with_texts,
    report_loaded,
    report_plan,
    report_run,
    shop_texts,
)

from planner.report.sheets import OUTCOME_FORM_COLUMNS, route_svg, write_sheets


@pytest.fixture(scope="module")
def sheets(report_plan, tmp_path_factory):  # noqa: F811
    """The small plan's route sheets written to a folder."""
    return write_sheets(report_plan, tmp_path_factory.mktemp("sheets"))


def test_a_printable_page_per_day_and_a_phone_page_and_outcome_file_per_worker_day(sheets, report_plan):  # noqa: F811
    """index.html first; per day <date>.html, then <date>-<staff>.html and .csv for each of its workers."""
    days = report_plan.routes.drop_duplicates(["date", "staff_id"]).sort_values(["date", "staff_id"])
    expected = ["index.html"]
    for date, workers in days.groupby("date", sort=True):
        expected.append(f"{date}.html")
        expected += [f"{date}-{w}.{x}" for w in workers["staff_id"] for x in ("html", "csv")]
    assert [p.name for p in sheets] == expected
    index = sheets[0].read_text(encoding="utf-8")
    assert all(f'href="{name}"' in index for name in expected[1:])


def test_outcome_file_lists_the_visits_in_route_order_with_blank_outcomes(sheets, report_plan):  # noqa: F811
    """Each CSV has the outcome columns, stops 1..n in order, the Korean names, and blank outcome, time, note."""
    first = report_plan.routes.sort_values(["date", "staff_id", "stop"])
    first = first[(first["date"] == first["date"].iloc[0]) & (first["staff_id"] == first["staff_id"].iloc[0])]
    form = next(p for p in sheets if p.suffix == ".csv")
    table = pd.read_csv(form, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert tuple(table.columns) == tuple(c for c in OUTCOME_FORM_COLUMNS if c != "staff_name")
    assert table["stop"].tolist() == [str(i) for i in range(1, len(first) + 1)]
    assert table["name"].tolist() == first["name"].tolist()
    assert table["planned"].tolist() == first["start"].str.slice(11, 16).tolist()
    assert (table[["outcome", "time", "note"]] == "").all().all()
    assert form.read_bytes().startswith(b"\xef\xbb\xbf")  # spreadsheets then read Korean right


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
    table = pd.read_csv(sheets[3], encoding="utf-8-sig")
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
    written = write_sheets(report_loaded.plan, tmp_path, lang="en")
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
    written = write_sheets(load_plan(folder).plan, tmp_path / "sheets", lang="en")
    page = written[1].read_text(encoding="utf-8")
    assert "leave office" not in page and "Lunch" not in page and "Route sheet" in page


def test_route_svg_of_staff_reporting_at_their_first_shop_starts_at_stop_one():
    """Without the way out the line has one point fewer and begins at the first stop's circle."""
    visits = pd.DataFrame({"lat": [37.57, 37.58, 37.56], "lon": [126.98, 126.99, 126.97], "stop": [1, 2, 3]})
    svg = route_svg(visits, (37.5735, 126.979), open_routes=False, open_start=True)
    points = re.search(r'points="([^"]+)"', svg).group(1).split()
    first = re.search(r'<circle cx="([^"]+)" cy="([^"]+)"', svg).groups()
    assert len(points) == 4 and points[0] == ",".join(first)


@pytest.fixture(scope="module")
def hostile(report_plan, tmp_path_factory):  # noqa: F811
    """The small plan's sheets with hostile shop texts and staff ids, and the template marker."""
    folder = tmp_path_factory.mktemp("hostile-sheets")
    marker = folder / "evaluated"
    return write_sheets(plan_with_texts(report_plan, hostile_texts(marker)), folder / "sheets"), marker


def test_sheet_texts_show_as_typed_and_never_run(hostile):
    """Template and script text in shops and staff ids prints escaped: nothing computed, no markup made."""
    written, marker = hostile
    pages = [p.read_text(encoding="utf-8") for p in written if p.suffix == ".html"]
    assert not marker.exists()
    for page in pages:
        assert "<script" not in page and "<img" not in page and "<svg onload" not in page
        assert "tmplated" not in page and "loopedlooped" not in page
    sheet = pages[1]
    assert "{{7*7}}" in sheet and "{# gone #}" in sheet
    assert "&lt;img src=x onerror=" in sheet and "&lt;/script&gt;&lt;script&gt;" in sheet


def test_staff_ids_cannot_steer_sheet_files(report_plan, tmp_path):  # noqa: F811
    """Staff ids with slashes, dots, NUL or great length still give one sheet each, inside the folder."""
    staff = ["../../outside/", "a/b\\c\x00", "a_b_c_", "종" * 200]
    plan = plan_with_texts(report_plan, staff)
    written = write_sheets(plan, tmp_path / "sheets")
    days = plan.routes.drop_duplicates(["date", "staff_id"])
    assert len(written) == 1 + days["date"].nunique() + 2 * len(days) == len(set(written))
    assert all(p.parent == tmp_path / "sheets" and p.is_file() for p in written)
    assert all(len(p.name.encode()) < 200 for p in written)
    index = written[0].read_text(encoding="utf-8")
    assert all(f'href="{p.name}"' in index for p in written[1:])


@needs_chromium
def test_chromium_runs_no_script_from_sheet_texts(hostile, tmp_path):
    """Opened in Chromium, a sheet full of script payloads runs none of them."""
    written, _ = hostile
    probed = written[1].with_name("probed.html")
    probed.write_text(
        written[1].read_text(encoding="utf-8").replace("</html>", HITS_PROBE + "</html>"), "utf-8"
    )
    done = browse(probed, tmp_path / "profile", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "hits=0;" in done.stdout
    assert "{{7*7}}" in done.stdout and '<img src="x"' not in done.stdout


@pytest.fixture(scope="module")
def marker_dir(tmp_path_factory):
    """A folder where template payloads would leave their marker."""
    return tmp_path_factory.mktemp("marker")


@given(data=st.data())
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_prints_escaped_on_sheets(report_plan, marker_dir, data):  # noqa: F811
    """Property: any shop or staff text appears on the sheets HTML-escaped, in files inside the folder."""
    marker = marker_dir / "evaluated"
    texts = data.draw(st.lists(shop_texts(marker), min_size=1, max_size=3))
    plan = plan_with_texts(report_plan, texts)
    plan = replace(plan, routes=plan.routes.iloc[:6])
    plain = plan_with_texts(report_plan, ["plain"])
    plain = replace(plain, routes=plain.routes.iloc[:6])
    with tempfile.TemporaryDirectory() as folder:
        written = write_sheets(plan, Path(folder) / "texts")
        baseline = write_sheets(plain, Path(folder) / "plain")
        assert [p.parent for p in written] == [Path(folder) / "texts"] * len(written)
        pages = "\n".join(p.read_bytes().decode("utf-8") for p in written if p.suffix == ".html")
        plain_pages = "\n".join(p.read_bytes().decode("utf-8") for p in baseline if p.suffix == ".html")
    for tag in ("<script", "<tr", "<td", "<svg", "<img", "<b>", "<a "):
        assert pages.count(tag) == plain_pages.count(tag), tag
    for text in texts:
        assert str(escape(text)) in pages
    assert not marker.exists()
