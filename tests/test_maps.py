"""Tests of the interactive maps: layers, offline assets, and drawing in a real headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import folium
import pytest
from report_fixtures import report_plan, report_run, report_triaged  # noqa: F401

from planner.report.maps import merchants_map, plan_map, write_maps

CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (.ci/run installs Debian's chromium)"
)
BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--virtual-time-budget=5000",
    "--window-size=1200,900",
)


@pytest.fixture(scope="module")
def maps(report_plan, report_triaged, tmp_path_factory):  # noqa: F811
    """The small plan's maps written to a folder."""
    return write_maps(report_plan, tmp_path_factory.mktemp("maps"), report_triaged)


def browse(page: Path, profile: Path, *flags: str) -> subprocess.CompletedProcess:
    """Open ``page`` in headless Chromium with ``flags``; return the finished process."""
    command = [CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={profile}", *flags, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def worker_days(plan, day=None):
    routes = plan.routes if day is None else plan.routes[plan.routes["date"] == day]
    return routes.drop_duplicates(["date", "staff_id"])


def test_one_map_for_the_week_and_one_per_day(maps, report_plan):  # noqa: F811
    """write_maps writes <slug>-week.html then <slug>-<date>.html for every planned day."""
    days = sorted(report_plan.routes["date"].unique())
    assert [p.name for p in maps] == [f"jongno-gu-{d}.html" for d in ["week", *days]]


def test_layer_per_worker_day_and_one_for_unassigned(report_plan, report_triaged):  # noqa: F811
    """The day map has one toggleable layer per worker that day, plus the unassigned shops."""
    day = report_plan.routes["date"].min()
    fmap = plan_map(report_plan, day, report_triaged)
    names = [c.layer_name for c in fmap._children.values() if isinstance(c, folium.FeatureGroup)]
    expected = [f"{r.date} {r.staff_id}" for r in worker_days(report_plan, day).itertuples()]
    assert [n.rsplit(" (", 1)[0] for n in names if not n.startswith("unassigned")] == sorted(expected)
    assert sum(n.startswith("unassigned") for n in names) == (not report_plan.unassigned.empty)
    assert any(isinstance(c, folium.LayerControl) for c in fmap._children.values())


def test_pages_load_only_local_files(maps):
    """No script, style or image comes from the network; every file a page names exists beside it."""
    for page in maps:
        text = page.read_text(encoding="utf-8")
        targets = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', text)
        assert targets, "the page should load Leaflet from a local file"
        for target in targets:
            assert not re.match(r"(https?:)?//", target), target
            assert (page.parent / target).is_file(), target
    assert (maps[0].parent / "leaflet" / "LICENSE").is_file()


def test_popups_show_name_hours_and_arrival(report_plan):  # noqa: F811
    """A stop's popup names the shop, its opening hours and the planned arrival time."""
    visit = report_plan.routes.iloc[0]
    page = plan_map(report_plan, visit["date"]).get_root().render()
    assert visit["name"] in page
    assert visit["opening_hours"] in page
    assert f"arrive {visit['arrival'][11:16]}" in page


def test_inline_assets_make_one_self_contained_page(report_plan):  # noqa: F811
    """assets='inline' embeds Leaflet so the page needs no file beside it."""
    page = plan_map(report_plan, assets="inline").get_root().render()
    assert "leaflet/leaflet.js" not in page
    assert "Leaflet 1.9.4" in page


@needs_chromium
def test_chromium_draws_routes_and_stops_without_errors(maps, report_plan, tmp_path):  # noqa: F811
    """Opened from disk in headless Chromium, a day map draws each route line and numbered stop, error-free."""
    day = report_plan.routes["date"].min()
    page = next(p for p in maps if p.name.endswith(f"{day}.html"))
    done = browse(page, tmp_path / "profile", "--enable-logging=stderr", "--v=0", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    routes = re.findall(r'<path class="route leaflet-interactive"', done.stdout)
    assert len(routes) == len(worker_days(report_plan, day))
    stops = re.findall(r'class="leaflet-marker-icon stop', done.stdout)
    assert len(stops) == int((report_plan.routes["date"] == day).sum())


@needs_chromium
def test_chromium_screenshot_of_the_week(maps, tmp_path):
    """The week map renders to a non-blank screenshot (kept in the test's folder for a look)."""
    shot = tmp_path / "week.png"
    done = browse(maps[0], tmp_path / "profile", f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 5_000


def test_merchants_map_has_a_layer_per_priority(report_triaged):  # noqa: F811
    """The triage map shows shops needing nothing and each priority as its own layer, with counts."""
    fmap = merchants_map(report_triaged)
    names = [c.layer_name for c in fmap._children.values() if isinstance(c, folium.FeatureGroup)]
    needed = report_triaged["needs_panel"]
    assert names[0] == f"no panel needed ({int((~needed).sum())})"
    assert len(names) == 4 and names[1].startswith("1 cannot pay now")
