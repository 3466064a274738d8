"""Interactive route maps (Leaflet via folium): local scripts, online tiles when reachable, plain offline."""

from __future__ import annotations

import html
import itertools
import math
import os
import shutil
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from planner.planning.plan import Plan
from planner.report.files import file_stem
from planner.report.legend import OSM_TILES, panel_spec, people
from planner.report.map_data import route_stops, shop_points, unassigned_points
from planner.report.markup import Call, Verbatim, script_literal, tooltip
from planner.report.outlines import outlines

if TYPE_CHECKING:  # reading boundaries is the CLI's job; maps only draw them
    from planner.io.boundaries import Boundaries

LEAFLET_DIR = "leaflet"  # folder copied next to the HTML files, with the panel's script and style
PANEL_FILES = ("planner-map.js", "planner-map.css")  # in assets/map, copied into LEAFLET_DIR
UNASSIGNED_COLOUR = "#e31a1c"
OUTLINE_COLOUR = "#555555"
# Triage priority -> (layer name, colour) on the merchants map.
PRIORITY_STYLE = {
    1: ("1 cannot pay now", "#d62728"),
    2: ("2 panel at risk", "#ff7f0e"),
    3: ("3 routine", "#1f77b4"),
}
GRID_LINES = 12  # about this many grid lines each way on the plain background
STOP_CSS = (
    "<style>.folium-map.leaflet-container{background:#f8f8f5}"
    ".stop-number{width:20px;height:20px;border-radius:10px;color:#fff;font:bold 11px/20px sans-serif;"
    "text-align:center;border:1px solid #fff;box-shadow:0 0 2px #000}"
    ".office{width:14px;height:14px;background:#ffd700;border:2px solid #000}"
    ".map-title{position:absolute;top:10px;left:60px;z-index:1000;background:#fff;padding:4px 8px;"
    "border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);font:14px sans-serif}</style>"
)


def plan_map(
    plan: Plan,
    day: str | None = None,
    merchants: pd.DataFrame | None = None,
    assets: str = "local",
    tiles: str | None = OSM_TILES,
    boundaries: Boundaries | None = None,
    assets_url: str = LEAFLET_DIR,
) -> folium.Map:
    """Draw a plan's routes: one colour per person (``person_colour``), one layer per worker-day.

    The page's panel is the legend (each person's colour, id and ``staff_name`` when the routes
    carry it) and the layer switch: by person, by day, show all / show none; it starts folded
    when it would be long. Online tiles are tried when the page opens; if they cannot load, the
    plain background with a faint grid stays, and the routes are drawn either way.

    Parameters
    ----------
    plan
        The plan to draw.
    day
        A date (``"2022-02-07"``) to draw that day only; None draws the whole week.
    merchants
        Merchants with ``merchant_id``, ``lat``, ``lon`` (and ``name``) to place unassigned shops
        when ``plan.unassigned`` carries no coordinates; without either they are not drawn.
    assets
        ``"local"``: Leaflet and the panel are loaded from ``leaflet/`` next to the HTML (see
        ``copy_assets``); ``"inline"``: they are embedded in the page (one bigger, self-contained
        file, e.g. for notebooks).
    tiles
        URL template of the online tiles (``{z}/{x}/{y}``); None never loads tiles.
    boundaries
        District or dong polygons (``planner.io.boundaries.read_boundaries``) drawn as outlines;
        None draws none.
    assets_url
        With ``assets="local"``, the folder of Leaflet and the panel relative to the page, e.g.
        ``../leaflet`` for maps sharing their city's copy.

    Returns
    -------
    folium.Map
        The map; only the tiles, if any, load from the network.
    """
    routes = plan.routes.sort_values(["date", "staff_id", "stop"])
    if day is not None:
        routes = routes[routes["date"] == str(day)]
    unassigned = _unassigned_located(plan.unassigned, merchants)
    office = (plan.district.office_lat, plan.district.office_lon)
    lats = np.concatenate([[office[0]], routes["lat"], unassigned["lat"]]).astype(float)
    lons = np.concatenate([[office[1]], routes["lon"], unassigned["lon"]]).astype(float)
    bounds = [[lats.min(), lons.min()], [lats.max(), lons.max()]]
    fmap = folium.Map(location=office, zoom_start=14, tiles=None, control_scale=True)
    _use_offline_assets(fmap, assets, assets_url)
    root = fmap.get_root()
    root.header.add_child(Verbatim(STOP_CSS))
    root.html.add_child(Verbatim(_title(plan, routes, day)))
    grid = _Grid(bounds)
    fmap.add_child(grid)
    crew = people(routes)
    order = {staff_id: k for k, staff_id in enumerate(crew)}
    days = sorted(routes["date"].unique())
    route_layers, route_rows = [], []
    # Sorted by date and staff id, so each worker-day's stops follow one another.
    keys = zip(routes["date"].tolist(), routes["staff_id"].astype(str).tolist(), strict=True)
    visits = zip(keys, route_stops(routes), strict=True)
    for (date, staff_id), rows in itertools.groupby(visits, key=lambda row: row[0]):
        stops = [stop for _, stop in rows]
        name = f"{date} {staff_id} ({len(stops)} stops)"
        layer = _worker_day(plan, stops, crew[staff_id]["colour"], name).add_to(fmap)
        route_layers.append(layer)
        route_rows.append({"day": days.index(date), "person": order[staff_id], "stops": len(stops)})
    others = []
    if boundaries is not None:
        others.append(_outline_layer(boundaries, bounds).add_to(fmap))
    if len(unassigned):
        others.append(_unassigned_layer(unassigned).add_to(fmap))
    folium.Marker(
        office,
        icon=folium.DivIcon(html='<div class="office"></div>', icon_size=(16, 16), icon_anchor=(8, 8)),
        z_index_offset=1000,  # above the stops that crowd around it
    ).add_child(
        tooltip(f"{plan.district.name_en} office ({plan.district.name_ko}청): start and end of every route")
    ).add_to(fmap)
    fmap.fit_bounds(bounds, padding=(20, 20))
    office_mark = {"symbol": "office", "colour": "", "label": "office: start and end of every route"}
    spec = panel_spec(crew, days, route_rows, [_other_row(layer) for layer in others], [office_mark], tiles)
    fmap.add_child(Call("plannerMap", fmap, spec, route_layers, others, grid))
    return fmap


def merchants_map(
    merchants_triaged: pd.DataFrame, district=None, assets: str = "local", tiles: str | None = OSM_TILES
) -> folium.Map:
    """Draw triaged merchants as dots: red cannot pay now, orange at risk, blue routine, grey fine.

    Parameters
    ----------
    merchants_triaged
        Merchants with the triage columns ``needs_panel``, ``priority`` and ``reason``.
    district
        A ``planner.geo.districts.District`` whose office is marked; None leaves it out.
    assets
        Where Leaflet comes from, as in ``plan_map``.
    tiles
        Online tiles tried when the page opens, as in ``plan_map``.

    Returns
    -------
    folium.Map
        One toggleable layer per priority (and one for shops that need nothing), drawn on canvas
        so that thousands of shops stay fluid, listed with their colours in the panel.
    """
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    _use_offline_assets(fmap, assets)
    fmap.get_root().header.add_child(Verbatim(STOP_CSS))
    lats, lons = merchants_triaged["lat"].astype(float), merchants_triaged["lon"].astype(float)
    bounds = [[lats.min(), lons.min()], [lats.max(), lons.max()]]
    grid = _Grid(bounds)
    fmap.add_child(grid)
    needed = merchants_triaged["needs_panel"].astype(bool)
    # Shops needing nothing first, so that the ones needing a panel are drawn on top.
    groups = [(("no panel needed", "#9e9e9e"), merchants_triaged[~needed])]
    for priority, style in PRIORITY_STYLE.items():
        groups.append((style, merchants_triaged[needed & (merchants_triaged["priority"] == priority)]))
    layers, rows = [], []
    for (label, colour), shops in groups:
        group = _Layer(name=f"{label} ({len(shops)})", show=bool(len(shops)))
        points = shop_points(shops)
        style = {"radius": 3, "color": colour, "weight": 1, "fill": True, "fillOpacity": 0.8}
        group.add_child(Call("plannerDots", group, {"style": style, "points": points}))
        layers.append(group.add_to(fmap))
        rows.append({"symbol": "dot", "colour": colour, "label": group.layer_name})
    marks = []
    if district is not None:
        folium.Marker(
            [district.office_lat, district.office_lon],
            icon=folium.DivIcon(html='<div class="office"></div>', icon_size=(16, 16), icon_anchor=(8, 8)),
        ).add_child(tooltip(f"{district.name_en} office")).add_to(fmap)
        marks.append({"symbol": "office", "colour": "", "label": f"{district.name_en} office"})
    fmap.fit_bounds(bounds)
    spec = panel_spec({}, [], [], rows, marks, tiles)
    fmap.add_child(Call("plannerMap", fmap, spec, [], layers, grid))
    return fmap


def write_maps(
    plan: Plan,
    out_dir: str | Path,
    merchants: pd.DataFrame | None = None,
    *,
    tiles: str | None = OSM_TILES,
    boundaries: Boundaries | None = None,
    assets_dir: str | Path | None = None,
) -> list[Path]:
    """Write the week's map and one map per day as HTML, with Leaflet copied alongside.

    Files are ``<district slug>-week.html`` and ``<district slug>-<date>.html`` in ``out_dir``;
    they open offline from the folder (keep ``leaflet/`` next to them, or the shared
    ``assets_dir`` where it was). A person has the same colour on all of them.

    Parameters
    ----------
    plan
        The plan to draw.
    out_dir
        Folder to write into; created if needed.
    merchants
        Locates unassigned shops, as in ``plan_map``.
    tiles
        Online tiles tried when a page opens, as in ``plan_map``; None never asks the network.
    boundaries
        Outlines drawn on every map, as in ``plan_map``.
    assets_dir
        A Leaflet folder already written by ``copy_assets`` that several map folders share
        (a city's ``maps/leaflet``); the pages refer to it by a relative path. None copies
        one into ``out_dir``.

    Returns
    -------
    list of Path
        The HTML files written, the week's first.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    folder = copy_assets(out) if assets_dir is None else Path(assets_dir)
    url = Path(os.path.relpath(folder, out)).as_posix()
    slug = plan.district.slug
    written, stems = [], set()
    for day in [None, *sorted(plan.routes["date"].unique())]:
        path = out / f"{file_stem(slug + '-' + (day or 'week'), stems)}.html"
        plan_map(plan, day, merchants, tiles=tiles, boundaries=boundaries, assets_url=url).save(str(path))
        written.append(path)
    return written


def copy_assets(out_dir: str | Path) -> Path:
    """Copy Leaflet's files (with its licence) and the panel's into ``out_dir/leaflet``; return that folder.

    Parameters
    ----------
    out_dir
        The folder the maps are written to.

    Returns
    -------
    pathlib.Path
        ``out_dir/leaflet``.
    """
    assets = resources.files("planner.report") / "assets"
    target = Path(out_dir) / LEAFLET_DIR
    with resources.as_file(assets / LEAFLET_DIR) as folder:
        shutil.copytree(folder, target, dirs_exist_ok=True)
    for name in PANEL_FILES:
        (target / name).write_bytes((assets / "map" / name).read_bytes())
    return target


def _use_offline_assets(fmap: folium.Map, assets: str, url: str = LEAFLET_DIR) -> None:
    """Replace folium's CDN scripts and styles (Leaflet, jQuery, Bootstrap, fonts) by Leaflet and the panel."""
    script, style = PANEL_FILES
    if assets == "local":
        fmap.default_js = [("leaflet", f"{url}/leaflet.js"), ("planner_map", f"{url}/{script}")]
        fmap.default_css = [("leaflet_css", f"{url}/leaflet.css"), ("planner_css", f"{url}/{style}")]
        return
    if assets != "inline":
        raise ValueError(f"assets must be 'local' or 'inline', not {assets!r}")
    fmap.default_js, fmap.default_css = [], []
    folder = resources.files("planner.report") / "assets"
    css = "\n".join(
        (folder / name).read_text(encoding="utf-8") for name in (f"{LEAFLET_DIR}/leaflet.css", f"map/{style}")
    )
    js = "\n".join(
        (folder / name).read_text(encoding="utf-8") for name in (f"{LEAFLET_DIR}/leaflet.js", f"map/{script}")
    )
    fmap.get_root().header.add_child(Verbatim(f"<style>{css}</style><script>{js}</script>"))


def _title(plan: Plan, routes: pd.DataFrame, day: str | None) -> str:
    when = day or "week"
    workers = routes["staff_id"].nunique()
    text = f"{plan.district.name_en} {when}: {workers} workers, {len(routes)} shops, {len(plan.unassigned)} unassigned"
    return f'<div class="map-title">{html.escape(text)}</div>'


def _other_row(layer: folium.FeatureGroup) -> dict:
    symbol, colour = layer.legend_symbol  # set where the layer is made
    return {"symbol": symbol, "colour": colour, "label": layer.layer_name}


class _Layer(folium.FeatureGroup):
    """A folium feature group whose script is written directly, not through two compiled templates.

    branca compiles a Jinja template for every element it renders; with a layer per worker-day
    that was most of the time left in writing a large district's maps.
    """

    def render(self, **kwargs) -> None:
        """Declare the layer (added to its map when shown), then render what it holds.

        Parameters
        ----------
        **kwargs
            Passed on to the children's ``render``.
        """
        name = self.get_name()
        shown = f".addTo({self._parent.get_name()})" if self.show else ""
        script = f"var {name} = L.featureGroup({script_literal(self.options)}){shown};"
        self.get_root().script.add_child(Verbatim(script), name=name)
        for child in self._children.values():
            child.render(**kwargs)


class _Grid(MacroElement):
    """Faint latitude/longitude lines, not clickable, so a plain background still shows scale."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup({{ this.lines|tojson }}.map(function (line) {
            return L.polyline(line, {color: "#d0d0d0", weight: 1, interactive: false});
        })).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
        self._name = "grid"
        (lat0, lon0), (lat1, lon1) = bounds
        span = max(lat1 - lat0, lon1 - lon0, 0.005)
        base = 10 ** math.floor(math.log10(span / GRID_LINES))
        step = next(base * k for k in (1, 2, 5, 10) if base * k >= span / GRID_LINES)
        pad = span  # room to pan and zoom out
        lats = np.arange(math.floor((lat0 - pad) / step) * step, lat1 + pad, step).round(6)
        lons = np.arange(math.floor((lon0 - pad) / step) * step, lon1 + pad, step).round(6)
        self.lines = [[[lat, lon0 - pad], [lat, lon1 + pad]] for lat in lats.tolist()] + [
            [[lat0 - pad, lon], [lat1 + pad, lon]] for lon in lons.tolist()
        ]


def _worker_day(plan: Plan, stops: list[list], colour: str, name: str) -> folium.FeatureGroup:
    """One worker-day's layer: the route line (from the office and back, unless open) and numbered stops.

    The line and stops (from ``route_stops``) are one data literal drawn by the page's
    ``plannerRoute``: a folium element per stop would cost a template compile each, minutes for
    a large district's week.
    """
    group = _Layer(name=name)
    office = [plan.district.office_lat, plan.district.office_lon]
    path = [stop[:2] for stop in stops]
    if not plan.settings.solver.open_start:
        path.insert(0, office)
    if not plan.settings.solver.open_routes:
        path.append(office)
    route = {"color": colour, "path": path, "tip": html.escape(name), "stops": stops}
    group.add_child(Call("plannerRoute", group, route))
    return group


def _outline_layer(boundaries: Boundaries, bounds: list[list[float]]) -> folium.FeatureGroup:
    """The boundary polygons near the view as thin dashed outlines, each named in its tooltip."""
    shapes = outlines(boundaries, bounds)
    group = _Layer(name=f"boundaries ({len(shapes)})")
    group.legend_symbol = ("outline", OUTLINE_COLOUR)
    for shape in shapes:
        folium.Polygon(
            shape.rings, color=OUTLINE_COLOUR, weight=1.5, dash_array="5 4", fill=False, class_name="outline"
        ).add_child(tooltip(shape.name)).add_to(group)
    return group


def _unassigned_located(unassigned: pd.DataFrame, merchants: pd.DataFrame | None) -> pd.DataFrame:
    """Unassigned shops with coordinates (and a name), from the plan or the merchants frame."""
    frame = unassigned.loc[:, ["merchant_id", "reason"]]
    if {"lat", "lon"} <= set(unassigned.columns):
        frame = unassigned.copy()
    elif merchants is not None:
        detail = merchants.loc[:, [c for c in ("merchant_id", "name", "lat", "lon") if c in merchants]]
        frame = frame.merge(detail, on="merchant_id", how="left")
    else:
        return frame.iloc[:0].assign(lat=[], lon=[], name=[])
    if "name" not in frame:
        frame["name"] = ""
    return frame[np.isfinite(frame["lat"].to_numpy(float))]


def _unassigned_layer(unassigned: pd.DataFrame) -> folium.FeatureGroup:
    group = _Layer(name=f"unassigned ({len(unassigned)})")
    group.legend_symbol = ("ring", UNASSIGNED_COLOUR)
    points = unassigned_points(unassigned)
    style = {"radius": 6, "color": UNASSIGNED_COLOUR, "weight": 2, "fill": True, "fillOpacity": 0.2}
    return group.add_child(Call("plannerDots", group, {"style": style, "points": points}))
