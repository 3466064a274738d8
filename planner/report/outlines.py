"""District and dong outlines for maps: the polygons near a view, simplified, as named rings of lat/lon."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import shapely

from planner.schema import WGS84

if TYPE_CHECKING:  # reading boundaries is the CLI's job; maps only draw them
    from planner.io.boundaries import Boundaries

# About 10 m at Seoul's latitude: finer than a street, coarse enough to cut a survey file's size.
SIMPLIFY_DEG = 0.0001


class Outline(NamedTuple):
    """One polygon's boundary as the map draws it."""

    name: str  # the polygon's name in the file (a dong's or a district's), as written
    rings: list[list[list[float]]]  # each ring as [lat, lon] points, exteriors and holes alike


def outlines(boundaries: Boundaries, bounds: list[list[float]], margin: float = 0.5) -> list[Outline]:
    """The boundary polygons that reach into a map's view, simplified, as rings of ``[lat, lon]``.

    Parameters
    ----------
    boundaries
        Polygons from ``planner.io.boundaries.read_boundaries``; a ``name`` column is used when
        present, else the district.
    bounds
        The view as ``[[south, west], [north, east]]`` in degrees.
    margin
        How far beyond the view polygons are still kept, as a share of its larger side.

    Returns
    -------
    list of Outline
        One per polygon touching the widened view, in the file's order.
    """
    polygons = boundaries.polygons.to_crs(WGS84)
    (south, west), (north, east) = bounds
    pad = max(north - south, east - west, 0.005) * margin
    near = polygons[polygons.intersects(shapely.box(west - pad, south - pad, east + pad, north + pad))]
    names = near["name"] if "name" in near.columns else near["district"]
    shapes = shapely.simplify(near.geometry.to_numpy(), SIMPLIFY_DEG, preserve_topology=True)
    return [
        Outline(str(name), _rings(shape))
        for name, shape in zip(names, shapes, strict=True)
        if not shape.is_empty
    ]


def _rings(shape) -> list[list[list[float]]]:
    """Every ring of a polygon or multipolygon, as lists of rounded ``[lat, lon]``."""
    parts = shapely.get_parts(shapely.get_parts(shape))  # a collection may hold multipolygons
    rings = []
    for part in parts:
        if not isinstance(part, shapely.Polygon):
            continue  # make_valid may leave lines or points beside the polygons
        for ring in [part.exterior, *part.interiors]:
            coords = shapely.get_coordinates(ring).round(6)
            rings.append([[lat, lon] for lon, lat in coords.tolist()])
    return rings
