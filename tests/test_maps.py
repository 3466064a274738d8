"""Tests of the interactive maps: layers, offline assets, and drawing in a real headless Chromium."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace

import folium
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_fixtures import (  # noqa: F401
    HITS_PROBE,
    browse,
    hostile_texts,
    needs_chromium,
    plan_with_texts,
    report_plan,
    report_run,
    report_triaged,
    shop_texts,
)

from planner.report.maps import merchants_map, plan_map, write_maps


@pytest.fixture(scope="module")
def maps(report_plan, report_triaged, tmp_path_factory):  # noqa: F811
    """The small plan's maps written to a folder."""
    return write_maps(report_plan, tmp_path_factory.mktemp("maps"), report_triaged)


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


@pytest.fixture(scope="module")
def hostile(report_plan, report_triaged, tmp_path_factory):  # noqa: F811
    """The small plan and its merchants with hostile texts, the template marker, and the maps written."""
    folder = tmp_path_factory.mktemp("hostile-maps")
    marker = folder / "evaluated"
    texts = hostile_texts(marker)
    plan = plan_with_texts(report_plan, texts)
    triaged = report_triaged.assign(
        name=[texts[i % len(texts)] for i in range(len(report_triaged))],
        reason=[texts[-1 - i % len(texts)] for i in range(len(report_triaged))],
    )
    pages = [*write_maps(plan, folder / "maps"), folder / "merchants.html"]
    merchants_map(triaged).save(str(pages[-1]))
    return plan, marker, pages


def bound_texts(page: str) -> list[str]:
    """Every JSON string literal in a page's scripts, decoded (tooltips, popups, layer names)."""
    return [json.loads(s) for s in re.findall(r'"(?:[^"\\\n]|\\.)*"', page)]


def test_shop_texts_are_never_evaluated_as_templates(hostile):
    """Template syntax in shop and staff texts is shown as typed: nothing computed, no command run."""
    _, marker, pages = hostile
    for path in pages:
        page = path.read_text(encoding="utf-8")
        assert "{{7*7}}" in page and "{# gone #}" in page
        assert "tmplated" not in page and "loopedlooped" not in page
    assert not marker.exists()


def test_shop_texts_stay_inside_their_script_strings(hostile):
    """Script payloads cannot close their string or the script: no raw markup or line separators."""
    plan, _, pages = hostile
    for path in pages:
        page = path.read_text(encoding="utf-8")
        assert page.count("<script") == page.count("</script>")
        assert "<img src=x" not in page and "<svg onload" not in page and "<b>굵게" not in page
        assert "\u2028" not in page and "\u2029" not in page and "\x00" not in page
    decoded = "\n".join(bound_texts(pages[0].read_text(encoding="utf-8")))
    assert html.escape(plan.routes["name"].iloc[0]) in decoded
    assert html.escape(plan.routes["staff_id"].iloc[0]) in decoded


# Copies every tooltip and popup into the page as Leaflet would show them (innerHTML of the content).
SHOW_ALL = """<script>
window.addEventListener("load", function () {
  var shown = document.createElement("div");
  shown.id = "shown";
  MAP.eachLayer(function (layer) {
    [layer.getTooltip && layer.getTooltip(), layer.getPopup && layer.getPopup()].forEach(function (t) {
      if (t) {
        var box = document.createElement("div");
        box.innerHTML = t.getContent();
        shown.appendChild(box);
      }
    });
  });
  document.body.appendChild(shown);
});
</script>"""


@needs_chromium
def test_chromium_runs_no_script_from_shop_texts(hostile, tmp_path):
    """In Chromium, with every tooltip and popup shown, no injected script runs and payloads read as text."""
    plan, _, pages = hostile
    page = pages[0].read_text(encoding="utf-8")
    map_name = re.search(r"var (map_\w+) = L\.map\(", page).group(1)
    probe = SHOW_ALL.replace("MAP", map_name) + HITS_PROBE
    probed = pages[0].with_name("probed.html")
    probed.write_text(page.replace("</html>", probe + "</html>"), encoding="utf-8")
    done = browse(probed, tmp_path / "profile", "--enable-logging=stderr", "--v=0", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    assert [line for line in done.stderr.splitlines() if ":CONSOLE" in line] == []
    dom = done.stdout
    assert "hits=0;" in dom
    shown = dom[dom.index('<div id="shown">') :]
    assert "{{7*7}}" in shown and "tmplated" not in shown
    assert "&lt;img src=x onerror=" in shown and '<img src="x"' not in shown
    assert "&lt;/script&gt;&lt;script&gt;" in shown
    layers = dom[dom.index("leaflet-control-layers") : dom.index('<div id="shown">')]
    assert html.escape(plan.routes["staff_id"].iloc[0], quote=False) in layers


def first_stops(plan, count=6):
    """``plan`` cut to its first ``count`` visits, to keep property tests quick."""
    return replace(plan, routes=plan.routes.iloc[:count])


@pytest.fixture(scope="module")
def marker_dir(tmp_path_factory):
    """A folder where template payloads would leave their marker."""
    return tmp_path_factory.mktemp("marker")


@given(data=st.data())
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_is_drawn_verbatim_and_never_run(report_plan, marker_dir, data):  # noqa: F811
    """Property: any shop or staff text reaches the page only as an escaped string, shown as typed."""
    marker = marker_dir / "evaluated"
    texts = data.draw(st.lists(shop_texts(marker), min_size=1, max_size=3))
    page = plan_map(first_stops(plan_with_texts(report_plan, texts))).get_root().render()
    plain_page = plan_map(first_stops(plan_with_texts(report_plan, ["plain"]))).get_root().render()
    for tag in ("<script", "</script>", "<div", "<style", "<img", "<svg", "<b>"):
        assert page.count(tag) == plain_page.count(tag), tag
    assert "\u2028" not in page and "\u2029" not in page
    decoded = "\n".join(bound_texts(page))
    for text in texts:
        assert html.escape(text) in decoded
    assert not marker.exists()


def test_dates_written_with_slashes_stay_in_the_maps_folder(report_plan, tmp_path):  # noqa: F811
    """A plan whose dates hold slashes (2022/02/07, as pandas reads them) still gives one map a day, in its folder."""
    first = report_plan.routes[report_plan.routes["date"] == report_plan.routes["date"].min()]
    plan = replace(report_plan, routes=first.assign(date=first["date"].str.replace("-", "/")))
    written = write_maps(plan, tmp_path / "maps")
    assert [p.name for p in written] == [
        "jongno-gu-week.html",
        f"jongno-gu-{first['date'].iloc[0].replace('-', '_')}.html",
    ]
    assert all(p.parent == tmp_path / "maps" and p.is_file() for p in written)
