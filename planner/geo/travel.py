"""Travel times between places: metric distances in EPSG:5179, circuity, and a travel mode.

The model, for a straight-line distance ``d`` between two points:

- road distance ``r = circuity * d`` (about 1.25 in Korean cities);
- mode ``transit`` (the default): up to ``walk_max_m`` of road distance the worker walks,
  ``r / walk_speed_mps``; beyond it they take the bus or subway: ``transit_access_min`` minutes
  (walking to the stop, waiting, walking from the stop) plus ``r`` at ``transit_speed_kmh``.
  With the defaults the two branches meet within a minute at 800 m, so there is no big jump;
- mode ``walk``: ``r / walk_speed_mps`` however far;
- mode ``car``: ``r`` at ``car_speed_kmh`` plus ``car_parking_min`` for every leg that moves.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from pyproj import Transformer

from planner.schema import METRIC_CRS, WGS84
from planner.settings import TravelSettings

MODES = ("transit", "walk", "car")  # the travel profiles; "transit" is the settings' default


@cache
def _to_metric() -> Transformer:
    return Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)


def project(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Project WGS84 latitude/longitude to EPSG:5179 metres.

    Parameters
    ----------
    lat, lon
        Coordinates in degrees.

    Returns
    -------
    np.ndarray
        An ``(n, 2)`` array of easting, northing in metres.
    """
    x, y = _to_metric().transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.column_stack([x, y])


def road_distance_m(xy_from: np.ndarray, xy_to: np.ndarray, travel: TravelSettings) -> np.ndarray:
    """Road distances in metres between every point of ``xy_from`` and every point of ``xy_to``.

    Parameters
    ----------
    xy_from, xy_to
        ``(n, 2)`` and ``(m, 2)`` metric points.
    travel
        The circuity.

    Returns
    -------
    numpy.ndarray
        ``(n, m)`` metres.
    """
    return _road_m(xy_from[:, None, :] - xy_to[None, :, :], travel)


def leg_time_s(
    xy_from: np.ndarray, xy_to: np.ndarray, travel: TravelSettings, mode: str | np.ndarray = "transit"
) -> np.ndarray:
    """Travel seconds of the legs ``xy_from[i] -> xy_to[i]`` (two ``(n, 2)`` arrays of metres).

    Parameters
    ----------
    xy_from, xy_to
        ``(n, 2)`` metric points, leg ``i`` from ``xy_from[i]`` to ``xy_to[i]``.
    travel
        The travel model.
    mode
        The travel mode, one of ``MODES``, or one mode per leg.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` whole seconds.
    """
    road_m = _road_m(np.asarray(xy_from, dtype=float) - np.asarray(xy_to, dtype=float), travel)
    if isinstance(mode, str):
        return travel_time_s(road_m, travel, mode)
    modes = np.asarray(mode, dtype=object)
    seconds = np.zeros(len(road_m), dtype=np.int64)
    for each in dict.fromkeys(modes.tolist()):
        legs = modes == each
        seconds[legs] = travel_time_s(road_m[legs], travel, each)
    return seconds


def leg_road_m(xy_from: np.ndarray, xy_to: np.ndarray, travel: TravelSettings) -> np.ndarray:
    """Road metres of the legs ``xy_from[i] -> xy_to[i]`` (two ``(n, 2)`` arrays of metres).

    Parameters
    ----------
    xy_from, xy_to
        ``(n, 2)`` metric points, leg ``i`` from ``xy_from[i]`` to ``xy_to[i]``.
    travel
        The circuity.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` metres.
    """
    return _road_m(xy_from - xy_to, travel)


def _road_m(delta: np.ndarray, travel: TravelSettings) -> np.ndarray:
    """Road metres of straight-line offsets ``delta`` (last axis: x, y)."""
    return travel.circuity * np.sqrt((delta**2).sum(axis=-1))


def travel_time_s(road_m: np.ndarray, travel: TravelSettings, mode: str = "transit") -> np.ndarray:
    """Whole seconds to cover road distances ``road_m`` in travel mode ``mode``.

    Parameters
    ----------
    road_m
        Road distances in metres, any shape.
    travel
        Walking speed and range, transit access time and speed, car speed and parking.
    mode
        ``"transit"`` (walk, or bus and subway beyond ``walk_max_m``), ``"walk"`` or ``"car"``.

    Returns
    -------
    numpy.ndarray
        ``int64`` seconds, rounded up, same shape.

    Raises
    ------
    ValueError
        If ``mode`` is not one of ``MODES``.
    """
    road_m = np.asarray(road_m, dtype=float)
    walk = road_m / travel.walk_speed_mps
    if mode == "transit":
        transit = 60 * travel.transit_access_min + road_m / (travel.transit_speed_kmh / 3.6)
        seconds = np.where(road_m <= travel.walk_max_m, walk, transit)
    elif mode == "walk":
        seconds = walk
    elif mode == "car":
        drive = 60 * travel.car_parking_min + road_m / (travel.car_speed_kmh / 3.6)
        seconds = np.where(road_m > 0, drive, 0.0)  # no parking for a leg that does not move
    else:
        raise ValueError(f"unknown travel mode {mode!r}; known: {', '.join(MODES)}")
    return np.ceil(seconds).astype(np.int64)


def travel_matrix_s(xy: np.ndarray, travel: TravelSettings, mode: str = "transit") -> np.ndarray:
    """Square matrix of travel seconds between the points ``xy`` (``(n, 2)`` metres).

    Parameters
    ----------
    xy
        Metric coordinates.
    travel
        The travel settings.
    mode
        The travel mode, one of ``MODES``.

    Returns
    -------
    numpy.ndarray
        ``(n, n)`` ``int64`` seconds.
    """
    return travel_time_s(road_distance_m(xy, xy, travel), travel, mode)


class TravelMatrix:
    """Travel seconds between points, computed on demand instead of held as a dense matrix.

    Indexing with two integers gives one entry; with ``np.ix_(rows, cols)`` a dense block. This
    lets a whole district (or city) be one routing problem while only the blocks that
    sub-problems need are ever computed.
    """

    def __init__(
        self, xy: np.ndarray, travel: TravelSettings, free_from: tuple[int, ...] = (), mode: str = "transit"
    ):
        self.xy = np.asarray(xy, dtype=float)
        self.travel = travel
        self.mode = mode
        self.free_from = np.asarray(free_from, dtype=int)  # points left at no cost (an open start)
        self.shape = (len(self.xy), len(self.xy))

    def __getitem__(self, key):
        rows, cols = key
        if np.ndim(rows) == 0 and np.ndim(cols) == 0:
            return int(self[np.array([rows]), np.array([cols])][0, 0])
        rows, cols = np.ravel(rows), np.ravel(cols)
        block = travel_time_s(
            road_distance_m(self.xy[rows], self.xy[cols], self.travel), self.travel, self.mode
        )
        block[np.isin(rows, self.free_from)] = 0
        return block

    def __len__(self) -> int:
        return len(self.xy)
