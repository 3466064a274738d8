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

from planner.errors import InputError
from planner.report.sheets import OUTCOME_FORM_COLUMNS, route_svg, sheet_rows, write_sheets
from planner.settings import Settings


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


def _worker_day(plan, k: int = 0) -> pd.DataFrame:
    """The k-th worker-day's visits of ``plan`` in stop order."""
    routes = plan.routes.sort_values(["date", "staff_id", "stop"])
    keys = routes[["date", "staff_id"]].drop_duplicates().iloc[k]
    return routes[(routes["date"] == keys["date"]) & (routes["staff_id"] == keys["staff_id"])]


def test_each_stop_shows_minutes_and_mode_to_the_next():
    """A stop's next leg is the next visit's travel_s in minutes, walked when short, by transit when far."""
    visits = pd.DataFrame(
        {
            "stop": [1, 2, 3],
            "lat": [37.5700, 37.5703, 37.6000],
            "lon": [126.9800, 126.9802, 127.0300],
            "travel_s": [120, 61, 1500],
            "start": ["2022-02-07T10:00:00+09:00"] * 3,
            "departure": ["2022-02-07T10:07:00+09:00"] * 3,
            **{c: "x" for c in ("merchant_id", "name", "address", "opening_hours", "category", "reason")},
        }
    )
    office = (37.5735, 126.979)
    rows = sheet_rows(visits, Settings().travel, office)
    assert rows["next_min"].tolist()[:2] == [2, 25] and rows["next_mode"].tolist()[:2] == ["walk", "transit"]
    assert rows["next_min"].iloc[2] > 0 and rows["next_mode"].iloc[2] == "transit"  # back to the office
    ending = sheet_rows(visits.assign(mode=["car", "car", "car"]), Settings().travel, office, to_office=False)
    assert ending["next_mode"].tolist() == ["car", "car", ""] and ending["next_min"].iloc[2] == -1


def test_the_lunch_row_sits_between_the_stops_around_the_break(report_plan, tmp_path):  # noqa: F811
    """The lunch row follows the last stop starting before the break, on the printed and the phone page."""
    written = write_sheets(report_plan, tmp_path)
    visits = _worker_day(report_plan)
    before = int((visits["start_s"] < visits["lunch_start_s"].iloc[0]).sum())
    assert 0 < before < len(visits)
    day, phone = written[1].read_text("utf-8"), written[2].read_text("utf-8")
    section = day.split('<section class="worker">')[1]
    rows = re.findall(r'<tr class="(stop|lunch)"', section)
    assert rows.index("lunch") == before and rows.count("lunch") == 1
    cards = re.findall(r'<article class="(stop|lunch)"', phone)
    assert cards.index("lunch") == before and cards.count("stop") == len(visits)


def test_labels_are_korean_by_default_and_english_on_request(report_plan, tmp_path):  # noqa: F811
    """Headers read 예정/결과/메모 by default and Planned/Outcome/Note with lang='en'; others are refused."""
    korean = write_sheets(report_plan, tmp_path / "ko")[1].read_text("utf-8")
    english = write_sheets(report_plan, tmp_path / "en", lang="en")[1].read_text("utf-8")
    assert "<th>예정</th>" in korean and "<th>결과</th>" in korean and "설치 · 휴업" in korean
    assert "<th>Planned</th>" in english and "<th>Outcome</th>" in english and "<th>예정</th>" not in english
    assert "installed · closed" in english
    with pytest.raises(InputError, match="--lang 'fr'"):
        write_sheets(report_plan, tmp_path / "fr", lang="fr")


def test_phone_page_has_a_card_and_a_map_link_per_stop(sheets, report_plan):  # noqa: F811
    """A phone page fits the screen and holds one card with a geo: link per stop, no phone links."""
    visits = _worker_day(report_plan)
    page = sheets[2].read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert page.count('<article class="stop"') == len(visits)
    links = re.findall(r'href="geo:(-?[\d.]+),(-?[\d.]+)"', page)
    assert [(round(float(a), 5), round(float(b), 5)) for a, b in links] == [
        (round(a, 5), round(b, 5)) for a, b in zip(visits["lat"], visits["lon"], strict=True)
    ]
    assert "tel:" not in page and "<script" not in page and not re.search(r'(src|href)="https?:', page)


def test_staff_names_and_modes_from_a_roster_plan_reach_the_sheets(report_run, tmp_path):  # noqa: F811
    """A routes.csv with staff_name and mode: the outcome file names the person, legs show the mode."""
    from shutil import copytree

    from planner.report.load import load_plan

    folder = copytree(report_run.written["routes"].parent, tmp_path / "roster")
    routes = pd.read_csv(folder / "routes.csv", dtype=str, keep_default_na=False)
    routes.assign(staff_name="김민지", mode="car").to_csv(folder / "routes.csv", index=False)
    written = write_sheets(load_plan(folder).plan, tmp_path / "sheets")
    form = pd.read_csv(written[3], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert tuple(form.columns) == OUTCOME_FORM_COLUMNS and set(form["staff_name"]) == {"김민지"}
    assert "김민지" in written[1].read_text("utf-8") and "분 차량" in written[2].read_text("utf-8")


def test_sheets_command_writes_one_day_or_names_a_day_without_visits(report_run, tmp_path):  # noqa: F811
    """`planner sheets --date D --lang en` writes only day D; a day without visits is one error line."""
    from shutil import copytree

    from typer.testing import CliRunner

    from planner.cli import app

    folder = copytree(report_run.written["routes"].parent, tmp_path / "plan")
    day = sorted(report_run.plan.routes["date"].unique())[-1]
    runner = CliRunner()
    done = runner.invoke(app, ["sheets", str(folder), "--date", day, "--lang", "en"])
    assert done.exit_code == 0, done.output
    assert {p.name for p in (folder / "sheets").glob("20*.html") if "-W" not in p.name} == {f"{day}.html"}
    refused = runner.invoke(app, ["sheets", str(folder), "--date", "2030-01-01"])
    assert refused.exit_code == 1 and refused.output.count("\n") == 1
    assert "--date '2030-01-01': no visits that day" in refused.output


@needs_chromium
def test_chromium_opens_day_and_phone_pages_without_errors(sheets, report_plan, tmp_path):  # noqa: F811
    """The printable day page and a phone page open in Chromium without console errors; cards = stops."""
    for page, cards in ((sheets[1], None), (sheets[2], len(_worker_day(report_plan)))):
        done = browse(page, tmp_path / "profile", "--enable-logging=stderr", "--v=0", "--dump-dom")
        assert done.returncode == 0, done.stderr[-2000:]
        assert [line for line in done.stderr.splitlines() if ":CONSOLE" in line] == []
        if cards is not None:
            assert done.stdout.count('<article class="stop"') == cards


@needs_chromium
def test_chromium_prints_at_least_20_stops_a_page(report_plan, tmp_path):  # noqa: F811
    """One worker-day of every stop of the plan prints on A4 in at most one page per 20 stops."""
    routes = report_plan.routes.sort_values(["date", "staff_id", "stop"]).copy()
    first = routes.iloc[0]
    for column in ("date", "day", "staff_id", "lunch_start_s", "leave_office_s", "back_office_s"):
        routes[column] = first[column]
    routes["stop"] = range(1, len(routes) + 1)
    assert len(routes) >= 40
    written = write_sheets(replace(report_plan, routes=routes), tmp_path / "long")
    pdf = tmp_path / "day.pdf"
    done = browse(written[1], tmp_path / "profile", "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert done.returncode == 0, done.stderr[-2000:]
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))
    assert 1 <= pages <= -(-len(routes) // 20)
