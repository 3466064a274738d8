"""Tests of the interactive maps: layers, offline assets, and drawing in a real headless Chromium."""

from __future__ import annotations

import html
import json
import re
import threading
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

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

from planner.report.colours import person_colour
from planner.report.maps import merchants_map, plan_map, write_maps

OFFLINE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # the discard port: refused at once, as offline


def panel_spec(page: str) -> dict:
    """The data a page hands its panel script: people, days, routes, other layers, tiles."""
    start = re.search(r"plannerMap\(\w+, ", page).end()
    return json.JSONDecoder().raw_decode(page, start)[0]


@pytest.fixture(scope="module")
def maps(report_plan, report_triaged, tmp_path_factory):  # noqa: F811
    """The small plan's maps written to a folder."""
    return write_maps(report_plan, tmp_path_factory.mktemp("maps"), report_triaged, tiles=OFFLINE_TILES)


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
    spec = panel_spec(fmap.get_root().render())
    assert [p["id"] for p in spec["people"]] == sorted(worker_days(report_plan, day)["staff_id"])


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


def test_a_person_has_one_colour_on_the_week_and_each_day_map(maps, report_plan):  # noqa: F811
    """Each person's line, stop numbers and legend colour are the same on the week map and the day maps."""
    pages = [page.read_text(encoding="utf-8") for page in maps]
    for page in pages:
        for person in panel_spec(page)["people"]:
            assert person["colour"] == person_colour(person["id"])
    week = {p["id"]: p["colour"] for p in panel_spec(pages[0])["people"]}
    for page in pages[1:]:
        day = {p["id"]: p["colour"] for p in panel_spec(page)["people"]}
        assert day == {staff_id: week[staff_id] for staff_id in day}
        assert set(re.findall(r'"color": "(#\w+)"', page)) - {"#e31a1c"} == set(day.values())
    colours = [week[staff_id] for staff_id in sorted(week)]
    assert all(a != b for a, b in zip(colours, colours[1:], strict=False))


def with_people(plan, count=14):
    """``plan`` with its stops dealt to ``count`` numbered people a day, named in a staff_name column."""
    routes = plan.routes.sort_values(["date", "stop"]).copy()
    routes["staff_id"] = [f"11110-W{k % count + 1:03d}" for k in range(len(routes))]
    routes["staff_name"] = [f"<i>사람</i> {k % count + 1}" if k % count else "" for k in range(len(routes))]
    routes["stop"] = routes.groupby(["date", "staff_id"]).cumcount() + 1
    return replace(plan, routes=routes)


def test_legend_names_people_and_folds_when_long(report_plan):  # noqa: F811
    """The legend shows staff_name (id in brackets) where routes carry one; a long panel starts folded."""
    few = panel_spec(plan_map(report_plan).get_root().render())
    assert few["open"] and [p["label"] for p in few["people"]] == [p["id"] for p in few["people"]]
    many = panel_spec(plan_map(with_people(report_plan)).get_root().render())
    assert not many["open"]
    assert [p["label"] for p in many["people"][:2]] == ["11110-W001", "<i>사람</i> 2 (11110-W002)"]
    assert len(many["routes"]) == 14 * len(many["days"])


# Appended to a page: lists the legend's people, then presses show none and show all, counting routes.
PANEL_PROBE = """<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    function count() {
      return document.querySelectorAll("path.route").length + "/" +
        document.querySelectorAll(".leaflet-marker-icon.stop").length;
    }
    var people = Array.from(document.querySelectorAll(".planner-person .planner-label"));
    var out = "people=" + JSON.stringify(people.map(function (p) { return p.textContent; }));
    out += ";shown=" + count();
    document.querySelector(".planner-panel button.planner-none").click();
    out += ";none=" + count();
    var boxes = document.querySelectorAll(".planner-panel input:checked").length;
    document.querySelector(".planner-panel button.planner-all").click();
    out += ";checked=" + boxes + ";all=" + count() + ";tiles=";
    out += document.querySelectorAll("img.leaflet-tile-loaded").length + ";";
    var verdict = document.createElement("pre");
    verdict.id = "panel";
    verdict.textContent = out;
    document.body.appendChild(verdict);
  }, 500);
});
</script>"""


def probe_panel(page, tmp_path):
    """Open ``page`` with PANEL_PROBE in Chromium; return the probe's findings and the console lines."""
    probed = page.with_name("panel-probe.html")
    probed.write_text(page.read_text(encoding="utf-8").replace("</html>", PANEL_PROBE + "</html>"), "utf-8")
    done = browse(probed, tmp_path / "profile", "--enable-logging=stderr", "--v=0", "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    verdict = html.unescape(re.search(r'<pre id="panel">(.*?)</pre>', done.stdout).group(1))
    found = dict(part.split("=", 1) for part in verdict.rstrip(";").split(";"))
    return found, [line for line in done.stderr.splitlines() if ":CONSOLE" in line]


@needs_chromium
def test_chromium_legend_lists_each_person_once_and_show_none_hides_every_route(report_plan, tmp_path):  # noqa: F811
    """Offline, the legend lists each person once by name; show none hides every route and stop, show all restores."""
    plan = with_people(report_plan, count=5)
    page = write_maps(plan, tmp_path / "maps", tiles=OFFLINE_TILES)[0]
    found, console = probe_panel(page, tmp_path)
    assert console == []
    people = json.loads(found["people"])
    assert people == [f"<i>사람</i> {k} (11110-W00{k})" if k > 1 else "11110-W001" for k in range(1, 6)]
    days = plan.routes.drop_duplicates(["date", "staff_id"])
    assert found["shown"] == f"{len(days)}/{len(plan.routes)}"
    assert found["none"] == "0/0" and found["checked"] == "0"
    assert found["all"] == found["shown"] and found["tiles"] == "0"


@pytest.fixture
def tile_server():
    """A local tile server answering every tile with the same small PNG; yields its URL template."""
    body = (Path(__file__).parents[1] / "planner/report/assets/leaflet/images/layers.png").read_bytes()

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png"
    server.shutdown()
    server.server_close()


@needs_chromium
def test_chromium_shows_tiles_when_they_load(report_plan, tile_server, tmp_path):  # noqa: F811
    """With a reachable tile server the page draws its tiles under the routes, error-free."""
    page = write_maps(report_plan, tmp_path / "maps", tiles=tile_server)[0]
    found, console = probe_panel(page, tmp_path)
    assert console == []
    assert int(found["tiles"]) > 0
    assert found["all"] == found["shown"] != "0/0"
