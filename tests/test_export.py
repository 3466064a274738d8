"""Tests of the GIS export: layers, geometry types, CRS and the route lines' shape."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import pytest
import shapely
from report_fixtures import report_plan, report_run, report_triaged  # noqa: F401

from planner.report.colours import person_colour
from planner.report.export import export_plan, route_lines

EXPECTED = {
    "merchants": "Point",
    "stops": "Point",
    "routes": "LineString",
    "zones": "Polygon",
    "unassigned": "Point",
}


@pytest.fixture(scope="module")
def gpkg(report_plan, report_triaged, tmp_path_factory):  # noqa: F811
    """The small plan exported as a GeoPackage."""
    path = tmp_path_factory.mktemp("export") / "plan.gpkg"
    export_plan(report_plan, report_triaged, path)
    return path


def test_geopackage_has_every_layer_with_its_geometry_type(gpkg, report_plan):  # noqa: F811
    """The GeoPackage holds merchants, stops, routes, zones and unassigned with the right geometry types."""
    layers = dict(pyogrio.list_layers(gpkg).tolist())
    expected = dict(EXPECTED)
    if report_plan.unassigned.empty:
        expected.pop("unassigned")
    assert layers == expected


def test_layers_are_in_wgs84(gpkg):
    """Every layer is in EPSG:4326 longitude/latitude."""
    for layer in ("stops", "routes", "zones"):
        assert pyogrio.read_info(gpkg, layer=layer)["crs"] == "EPSG:4326"


def test_one_route_line_per_worker_day_from_and_back_to_the_office(gpkg, report_plan):  # noqa: F811
    """Each worker-day is one line that starts and ends at the district office and passes every stop."""
    routes = gpd.read_file(gpkg, layer="routes")
    visits = report_plan.routes
    assert len(routes) == len(visits.drop_duplicates(["date", "staff_id"]))
    office = (report_plan.district.office_lon, report_plan.district.office_lat)
    for line in routes.itertuples():
        coords = list(line.geometry.coords)
        assert coords[0] == pytest.approx(office) and coords[-1] == pytest.approx(office)
        assert len(coords) == line.stops + 2
    assert routes["stops"].sum() == len(visits)
    assert {"staff_id", "date", "stops", "travel_min", "service_min"} <= set(routes.columns)


def test_merchants_keep_triage_columns_and_stops_keep_route_columns(gpkg, report_triaged):  # noqa: F811
    """Merchants carry needs_panel/reason/priority; stops carry staff, date, order and times."""
    merchants = gpd.read_file(gpkg, layer="merchants")
    assert len(merchants) == len(report_triaged)
    assert {"needs_panel", "reason", "priority"} <= set(merchants.columns)
    stops = gpd.read_file(gpkg, layer="stops")
    assert {"staff_id", "date", "stop", "arrival", "name", "opening_hours"} <= set(stops.columns)


def test_zone_polygons_cover_their_shops(gpkg, report_plan):  # noqa: F811
    """Every planned shop lies inside the polygon of its zone."""
    zones = gpd.read_file(gpkg, layer="zones").set_index("zone")
    visits = report_plan.routes.merge(report_plan.zones, on="merchant_id", suffixes=("", "_plan"))
    visits = visits[visits["zone_plan"] >= 0]
    for visit in visits.itertuples():
        assert zones.loc[visit.zone_plan, "geometry"].covers(shapely.Point(visit.lon, visit.lat))


def test_geojson_writes_one_file_per_layer(report_plan, report_triaged, tmp_path):  # noqa: F811
    """driver='GeoJSON' writes <layer>.geojson files into a folder, readable back."""
    written = export_plan(report_plan, report_triaged, tmp_path / "layers", driver="GeoJSON")
    assert set(written) <= set(EXPECTED) and "routes" in written
    for name, path in written.items():
        assert path == tmp_path / "layers" / f"{name}.geojson"
        assert gpd.read_file(path).geom_type.iloc[0] == EXPECTED[name]


def test_unknown_driver_is_refused(report_plan, tmp_path):  # noqa: F811
    """Only GPKG and GeoJSON are offered."""
    with pytest.raises(ValueError, match="driver"):
        export_plan(report_plan, None, tmp_path / "x.shp", driver="ESRI Shapefile")


def test_route_lines_carry_each_persons_map_colour(report_plan):  # noqa: F811
    """The routes layer has a colour column: the person's colour on the maps, for styling in QGIS."""
    lines = route_lines(report_plan)
    assert list(lines["colour"]) == [person_colour(s) for s in lines["staff_id"]]
