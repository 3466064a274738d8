"""Interactive route maps (Leaflet via folium) that open offline: no tiles, no CDN."""

from __future__ import annotations

import html
import json
import math
import shutil
from importlib import resources
from pathlib import Path

import folium
import numpy as np
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from planner.planning.plan import Plan
from planner.report.files import file_stem

LEAFLET_DIR = "leaflet"  # folder copied next to the HTML files
LEAFLET_JS = ("leaflet.js", "leaflet.css")
# Distinct, print-safe colours; workers beyond these reuse them in order.
WORKER_COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#393b79",
    "#637939",
)
UNASSIGNED_COLOUR = "#e31a1c"
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
    plan: Plan, day: str | None = None, merchants: pd.DataFrame | None = None, assets: str = "local"
) -> folium.Map:
    """Draw a plan's routes on a plain background: one colour and layer per worker-day.

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
        ``"local"``: Leaflet is loaded from ``leaflet/`` next to the HTML (see ``copy_assets``);
        ``"inline"``: Leaflet is embedded in the page (one bigger, self-contained file, e.g. for
        notebooks).

    Returns
    -------
    folium.Map
        The map; nothing on it loads from the network.
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
    _use_offline_assets(fmap, assets)
    root = fmap.get_root()
    root.header.add_child(_Verbatim(STOP_CSS))
    root.html.add_child(_Verbatim(_title(plan, routes, day)))
    fmap.add_child(_Grid(bounds))
    # A day's map: one colour per worker; the week's: one per worker-day, so days stand apart.
    keys = routes["staff_id"] if day is not None else routes["date"] + " " + routes["staff_id"]
    colour_of = {key: WORKER_COLOURS[i % len(WORKER_COLOURS)] for i, key in enumerate(sorted(set(keys)))}
    for (date, staff_id), visits in routes.groupby(["date", "staff_id"], sort=True):
        colour = colour_of[staff_id if day is not None else f"{date} {staff_id}"]
        _worker_day(plan, visits, colour, f"{date} {staff_id} ({len(visits)} stops)").add_to(fmap)
    if len(unassigned):
        _unassigned_layer(unassigned).add_to(fmap)
    folium.Marker(
        office,
        icon=folium.DivIcon(html='<div class="office"></div>', icon_size=(16, 16), icon_anchor=(8, 8)),
        z_index_offset=1000,  # above the stops that crowd around it
    ).add_child(
        _tooltip(f"{plan.district.name_en} office ({plan.district.name_ko}청): start and end of every route")
    ).add_to(fmap)
    _LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds(bounds, padding=(20, 20))
    return fmap


def merchants_map(merchants_triaged: pd.DataFrame, district=None, assets: str = "local") -> folium.Map:
    """Draw triaged merchants as dots: red cannot pay now, orange at risk, blue routine, grey fine.

    Parameters
    ----------
    merchants_triaged
        Merchants with the triage columns ``needs_panel``, ``priority`` and ``reason``.
    district
        A ``planner.geo.districts.District`` whose office is marked; None leaves it out.
    assets
        Where Leaflet comes from, as in ``plan_map``.

    Returns
    -------
    folium.Map
        One toggleable layer per priority (and one for shops that need nothing), drawn on canvas
        so that thousands of shops stay fluid.
    """
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    _use_offline_assets(fmap, assets)
    fmap.get_root().header.add_child(_Verbatim(STOP_CSS))
    lats, lons = merchants_triaged["lat"].astype(float), merchants_triaged["lon"].astype(float)
    bounds = [[lats.min(), lons.min()], [lats.max(), lons.max()]]
    fmap.add_child(_Grid(bounds))
    needed = merchants_triaged["needs_panel"].astype(bool)
    # Shops needing nothing first, so that the ones needing a panel are drawn on top.
    groups = [(("no panel needed", "#9e9e9e"), merchants_triaged[~needed])]
    for priority, style in PRIORITY_STYLE.items():
        groups.append((style, merchants_triaged[needed & (merchants_triaged["priority"] == priority)]))
    for (label, colour), shops in groups:
        group = folium.FeatureGroup(name=f"{label} ({len(shops)})", show=bool(len(shops)))
        for shop in shops.itertuples(index=False):
            folium.CircleMarker(
                [shop.lat, shop.lon],
                radius=3,
                color=colour,
                weight=1,
                fill=True,
                fill_opacity=0.8,
            ).add_child(_tooltip(f"{shop.name}: {shop.reason or 'ok'}")).add_to(group)
        group.add_to(fmap)
    if district is not None:
        folium.Marker(
            [district.office_lat, district.office_lon],
            icon=folium.DivIcon(html='<div class="office"></div>', icon_size=(16, 16), icon_anchor=(8, 8)),
        ).add_child(_tooltip(f"{district.name_en} office")).add_to(fmap)
    _LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds(bounds)
    return fmap


def write_maps(plan: Plan, out_dir: str | Path, merchants: pd.DataFrame | None = None) -> list[Path]:
    """Write the week's map and one map per day as HTML, with Leaflet copied alongside.

    Files are ``<district slug>-week.html`` and ``<district slug>-<date>.html`` in ``out_dir``;
    they open offline from the folder (keep ``leaflet/`` next to them).

    Parameters
    ----------
    plan
        The plan to draw.
    out_dir
        Folder to write into; created if needed.
    merchants
        Locates unassigned shops, as in ``plan_map``.

    Returns
    -------
    list of Path
        The HTML files written, the week's first.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out)
    slug = plan.district.slug
    written, stems = [], set()
    for day in [None, *sorted(plan.routes["date"].unique())]:
        path = out / f"{file_stem(slug + '-' + (day or 'week'), stems)}.html"
        plan_map(plan, day, merchants).save(str(path))
        written.append(path)
    return written


def copy_assets(out_dir: str | Path) -> Path:
    """Copy Leaflet's files (with its licence) into ``out_dir/leaflet``; return that folder.

    Parameters
    ----------
    out_dir
        The folder the maps are written to.

    Returns
    -------
    pathlib.Path
        ``out_dir/leaflet``.
    """
    source = resources.files("planner.report") / "assets" / LEAFLET_DIR
    target = Path(out_dir) / LEAFLET_DIR
    with resources.as_file(source) as folder:
        shutil.copytree(folder, target, dirs_exist_ok=True)
    return target


def _use_offline_assets(fmap: folium.Map, assets: str) -> None:
    """Replace folium's CDN scripts and styles (Leaflet, jQuery, Bootstrap, fonts) by Leaflet alone."""
    if assets == "local":
        fmap.default_js = [("leaflet", f"{LEAFLET_DIR}/leaflet.js")]
        fmap.default_css = [("leaflet_css", f"{LEAFLET_DIR}/leaflet.css")]
        return
    if assets != "inline":
        raise ValueError(f"assets must be 'local' or 'inline', not {assets!r}")
    fmap.default_js, fmap.default_css = [], []
    folder = resources.files("planner.report") / "assets" / LEAFLET_DIR
    css = (folder / "leaflet.css").read_text(encoding="utf-8")
    script = (folder / "leaflet.js").read_text(encoding="utf-8")
    fmap.get_root().header.add_child(_Verbatim(f"<style>{css}</style><script>{script}</script>"))


def _title(plan: Plan, routes: pd.DataFrame, day: str | None) -> str:
    when = day or "week"
    workers = routes["staff_id"].nunique()
    text = f"{plan.district.name_en} {when}: {workers} workers, {len(routes)} shops, {len(plan.unassigned)} unassigned"
    return f'<div class="map-title">{html.escape(text)}</div>'


class _Grid(MacroElement):
    """Faint latitude/longitude lines, not clickable, so a plain background still shows scale."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        L.layerGroup({{ this.lines|tojson }}.map(function (line) {
            return L.polyline(line, {color: "#d0d0d0", weight: 1, interactive: false});
        })).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, bounds: list[list[float]]) -> None:
        super().__init__()
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


def _script_string(text: str) -> str:
    """``text`` as a JavaScript string literal that cannot end its ``<script>`` or run as code.

    JSON with ``<``, ``>``, ``&`` and the line separators U+2028/U+2029 escaped: inside a script
    element no ``</script>`` or ``<!--`` can appear, and unlike a template literal nothing in
    it (``${...}``) is evaluated.
    """
    literal = json.dumps(text, ensure_ascii=False)
    for char in ("<", ">", "&", "\u2028", "\u2029"):
        literal = literal.replace(char, f"\\u{ord(char):04x}")
    return literal


class _Verbatim(Element):
    """Markup placed in the page exactly as given.

    branca compiles the text of an ``Element`` (and the output of every ``MacroElement``) as a
    Jinja template, so text from a merchants or routes file must never reach one: a name like
    ``{{ ... }}`` would run on the planner's machine. This element's ``render`` skips the template.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class _Bind(MacroElement):
    """Binds a tooltip or popup to its parent layer; the content is HTML the caller escaped."""

    def __init__(self, method: str, content: str, options: dict) -> None:
        super().__init__()
        self.method, self.content, self.options = method, content, options

    def render(self, **kwargs) -> None:
        call = f"{self._parent.get_name()}.{self.method}({_script_string(self.content)}, {json.dumps(self.options)});"
        self.get_root().script.add_child(_Verbatim(call), name=self.get_name())


def _tooltip(text: str) -> _Bind:
    """A tooltip showing ``text`` as plain text, following the mouse."""
    return _Bind("bindTooltip", html.escape(text), {"sticky": True})


def _popup(content: str) -> _Bind:
    """A popup of ``content``, HTML in which the caller escaped every piece of shop text."""
    return _Bind("bindPopup", content, {"maxWidth": 320})


class _LayerControl(folium.LayerControl):
    """folium's layer switcher, with the layer names (staff ids, dates) escaped and kept out of templates."""

    def render(self, **kwargs) -> None:
        layers = [
            item
            for item in self._parent._children.values()
            if isinstance(item, folium.map.Layer) and item.control
        ]
        base, overlays = [
            "{"
            + ",".join(f"{_script_string(html.escape(i.layer_name))}: {i.get_name()}" for i in group)
            + "}"
            for group in ([i for i in layers if not i.overlay], [i for i in layers if i.overlay])
        ]
        options = json.dumps(self.options)  # position and flags set in code, no file text
        call = f"L.control.layers({base}, {overlays}, {options}).addTo({self._parent.get_name()});"
        self.get_root().script.add_child(_Verbatim(call), name=self.get_name())


def _worker_day(plan: Plan, visits: pd.DataFrame, colour: str, name: str) -> folium.FeatureGroup:
    """One worker-day's layer: the route line (from the office and back, unless open) and numbered stops."""
    group = folium.FeatureGroup(name=name)
    office = [plan.district.office_lat, plan.district.office_lon]
    path = visits[["lat", "lon"]].to_numpy().tolist()
    if not plan.settings.solver.open_start:
        path.insert(0, office)
    if not plan.settings.solver.open_routes:
        path.append(office)
    route = folium.PolyLine(path, color=colour, weight=3, opacity=0.8, class_name="route")
    route.add_child(_tooltip(name)).add_to(group)
    for visit in visits.itertuples(index=False):
        number = f'<div class="stop-number" style="background:{colour}">{int(visit.stop)}</div>'
        folium.Marker(
            [visit.lat, visit.lon],
            icon=folium.DivIcon(html=number, icon_size=(20, 20), icon_anchor=(10, 10), class_name="stop"),
        ).add_child(_tooltip(f"{int(visit.stop)}. {visit.name}")).add_child(
            _popup(_stop_popup(visit))
        ).add_to(group)
    return group


def _stop_popup(visit) -> str:
    rows = [
        ("", f"<b>{int(visit.stop)}. {html.escape(str(visit.name))}</b>"),
        ("address", html.escape(str(visit.address))),
        ("opening hours", html.escape(str(visit.opening_hours))),
        (
            "planned",
            html.escape(
                f"arrive {str(visit.arrival)[11:16]}, work {str(visit.start)[11:16]}-{str(visit.departure)[11:16]}"
            ),
        ),
        ("why", html.escape(str(visit.reason))),
        ("shop id", html.escape(str(visit.merchant_id))),
    ]
    return "<br>".join(f"{label + ': ' if label else ''}{value}" for label, value in rows)


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
    group = folium.FeatureGroup(name=f"unassigned ({len(unassigned)})")
    for shop in unassigned.itertuples(index=False):
        text = f"<b>not planned</b>: {html.escape(str(shop.name))}<br>why: {html.escape(str(shop.reason))}"
        folium.CircleMarker(
            [shop.lat, shop.lon], radius=6, color=UNASSIGNED_COLOUR, weight=2, fill=True, fill_opacity=0.2
        ).add_child(_popup(text)).add_to(group)
    return group
