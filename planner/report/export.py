"""Export a plan as GIS layers (GeoPackage or GeoJSON, EPSG:4326) for QGIS and similar tools."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from planner.planning.plan import Plan
from planner.report.colours import person_colour
from planner.schema import METRIC_CRS, WGS84

ZONE_BUFFER_M = 60.0  # around a zone's shops, so zones of one or two shops are still areas
LAYERS = ("merchants", "stops", "routes", "zones", "unassigned")
DRIVERS = {"GPKG": ".gpkg", "GeoJSON": ".geojson"}


def export_plan(
    plan: Plan, merchants_triaged: pd.DataFrame | None, path: str | Path, driver: str = "GPKG"
) -> dict[str, Path]:
    """Write a plan's layers in WGS84 (EPSG:4326) longitude/latitude.

    Layers: ``merchants`` (every shop with its triage columns), ``stops`` (one point per visit
    with its route attributes), ``routes`` (one line per worker-day, office -> stops -> office),
    ``zones`` (buffered convex hull of each zone's shops) and ``unassigned`` (points with the
    reason). Empty layers, and ``merchants`` without a merchants frame, are left out.

    Parameters
    ----------
    plan
        The plan, from ``planner.planning.plan.plan_district`` or ``planner.report.load.load_plan``.
    merchants_triaged
        Triaged merchants (``planner.planning.triage.triage``) or None; also locates unassigned shops
        when ``plan.unassigned`` has no ``lat``/``lon``.
    path
        ``driver="GPKG"``: the GeoPackage file, replaced if it exists. ``driver="GeoJSON"``: a
        folder that receives one ``<layer>.geojson`` per layer.
    driver
        ``"GPKG"`` or ``"GeoJSON"``.

    Returns
    -------
    dict
        Written path by layer name (all the same file for a GeoPackage).

    Raises
    ------
    ValueError
        If ``driver`` is not one of the two.
    """
    if driver not in DRIVERS:
        raise ValueError(f"driver must be one of {', '.join(DRIVERS)}, not {driver!r}")
    layers = plan_layers(plan, merchants_triaged)
    target = Path(path)
    written: dict[str, Path] = {}
    if driver == "GPKG":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
    else:
        target.mkdir(parents=True, exist_ok=True)
    for name, layer in layers.items():
        file = target if driver == "GPKG" else target / f"{name}{DRIVERS[driver]}"
        layer.to_file(file, layer=name, driver=driver, engine="pyogrio")
        written[name] = file
    return written


def plan_layers(plan: Plan, merchants_triaged: pd.DataFrame | None = None) -> dict[str, gpd.GeoDataFrame]:
    """The export's layers as GeoDataFrames in EPSG:4326, empty ones left out.

    Parameters
    ----------
    plan
        The plan.
    merchants_triaged
        The district's triaged merchants, for the ``merchants`` layer and the locations of
        unassigned shops; None leaves them out.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        By layer name (``LAYERS``), in that order.
    """
    layers = {
        "merchants": merchant_points(merchants_triaged) if merchants_triaged is not None else None,
        "stops": points(plan.routes),
        "routes": route_lines(plan),
        "zones": zone_polygons(plan, merchants_triaged),
        "unassigned": unassigned_points(plan, merchants_triaged),
    }
    return {name: layer for name, layer in layers.items() if layer is not None and len(layer)}


def points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Points at each row's ``lon``/``lat``, in EPSG:4326.

    Parameters
    ----------
    frame
        A table with ``lat`` and ``lon`` columns.

    Returns
    -------
    geopandas.GeoDataFrame
        Every column of ``frame`` (fresh index) and a point geometry.
    """
    geometry = shapely.points(frame["lon"].to_numpy(float), frame["lat"].to_numpy(float))
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=geometry, crs=WGS84)


def merchant_points(merchants: pd.DataFrame) -> gpd.GeoDataFrame:
    """Merchants as points; dates as ISO text so every GIS tool reads them alike.

    Parameters
    ----------
    merchants
        Merchants with ``lat`` and ``lon``.

    Returns
    -------
    geopandas.GeoDataFrame
        One point per merchant, blank text where a date is missing.
    """
    frame = merchants.copy()
    for column in frame.columns[frame.dtypes.map(pd.api.types.is_datetime64_any_dtype)]:
        frame[column] = frame[column].dt.strftime("%Y-%m-%d").fillna("")
    return points(frame)


def route_lines(plan: Plan) -> gpd.GeoDataFrame:
    """One LineString per worker-day: office, the stops in order, then the office again.

    Open routes (``settings.solver.open_routes``) end at the last shop; with
    ``settings.solver.open_start`` they start at the first one.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    geopandas.GeoDataFrame
        ``staff_id``, ``date``, ``stops``, ``travel_min``, ``service_min``, ``colour`` (the
        person's colour on the maps, ``#rrggbb``) and the line.
    """
    office = (plan.district.office_lon, plan.district.office_lat)
    back, out = not plan.settings.solver.open_routes, not plan.settings.solver.open_start
    records = []
    ordered = plan.routes.sort_values(["date", "staff_id", "stop"])
    for (date, staff_id), visits in ordered.groupby(["date", "staff_id"], sort=True):
        stops = list(zip(visits["lon"], visits["lat"], strict=True))
        coords = ([office] if out else []) + stops + ([office] if back else [])
        if len(coords) == 1:  # one shop, no office leg: a line needs two points
            coords *= 2
        records.append(
            {
                "staff_id": staff_id,
                "date": date,
                "stops": len(visits),
                "travel_min": round(float(visits["travel_s"].sum()) / 60, 1),
                "service_min": round(float(visits["service_s"].sum()) / 60, 1),
                "colour": person_colour(staff_id),
                "geometry": shapely.LineString(coords),
            }
        )
    columns = ["staff_id", "date", "stops", "travel_min", "service_min", "colour", "geometry"]
    return gpd.GeoDataFrame(pd.DataFrame(records, columns=columns), geometry="geometry", crs=WGS84)


def zone_polygons(plan: Plan, merchants_triaged: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """Each zone's area: the convex hull of its shops, buffered by ``ZONE_BUFFER_M`` metres.

    Parameters
    ----------
    plan
        The plan, with its ``zones`` table.
    merchants_triaged
        The district's triaged merchants, for the locations of unassigned shops; None uses the
        locations the plan holds.

    Returns
    -------
    geopandas.GeoDataFrame
        ``zone``, ``shops`` and the polygon, in EPSG:4326; empty when no shop has a zone.
    """
    located = _locations(plan, merchants_triaged)
    zones = plan.zones.merge(located, on="merchant_id", how="inner")
    zones = zones[zones["zone"].to_numpy() >= 0]
    if zones.empty:
        return gpd.GeoDataFrame({"zone": [], "shops": []}, geometry=[], crs=WGS84)
    shops = points(zones).to_crs(METRIC_CRS)
    hulls = shops.dissolve(by="zone", aggfunc={"merchant_id": "count"})
    hulls = hulls.rename(columns={"merchant_id": "shops"})
    hulls["geometry"] = hulls.geometry.convex_hull.buffer(ZONE_BUFFER_M)
    return hulls.reset_index().loc[:, ["zone", "shops", "geometry"]].to_crs(WGS84)


def unassigned_points(plan: Plan, merchants_triaged: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """Unassigned shops with a known location, as points with their reason.

    Parameters
    ----------
    plan
        The plan.
    merchants_triaged
        The district's triaged merchants, for the shops' locations when ``plan.unassigned`` has
        none; None then gives an empty layer.

    Returns
    -------
    geopandas.GeoDataFrame
        ``merchant_id``, ``reason``, and the shop's name, address and point where known.
    """
    frame = plan.unassigned
    if not {"lat", "lon"} <= set(frame.columns):
        if merchants_triaged is None:
            return gpd.GeoDataFrame(frame.iloc[:0], geometry=[], crs=WGS84)
        detail = merchants_triaged.loc[:, ["merchant_id", "name", "address", "lat", "lon"]]
        frame = frame.loc[:, ["merchant_id", "reason"]].merge(detail, on="merchant_id", how="left")
    frame = frame[np.isfinite(frame["lat"].to_numpy(float))]
    return points(frame)


def _locations(plan: Plan, merchants_triaged: pd.DataFrame | None) -> pd.DataFrame:
    """Latitude and longitude of every shop the plan knows, planned ones first."""
    parts = [plan.routes.loc[:, ["merchant_id", "lat", "lon"]]]
    if {"lat", "lon"} <= set(plan.unassigned.columns):
        parts.append(plan.unassigned.loc[:, ["merchant_id", "lat", "lon"]])
    if merchants_triaged is not None:
        parts.append(merchants_triaged.loc[:, ["merchant_id", "lat", "lon"]])
    located = pd.concat(parts, ignore_index=True).dropna().drop_duplicates("merchant_id")
    return located.astype({"lat": float, "lon": float})
