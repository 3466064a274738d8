"""Cut a set of points into compact zones small enough for OR-Tools to solve well."""

from __future__ import annotations

import warnings

import numpy as np
from scipy.cluster.vq import kmeans2, vq
from threadpoolctl import threadpool_limits

LLOYD_ROUNDS = 10  # rounds of small_zones' k-means: the Hilbert start is already spread out


def make_zones(xy: np.ndarray, max_size: int, seed: int = 0) -> np.ndarray:
    """Label each point with a zone so that no zone holds more than ``max_size`` points.

    Zones come from k-means on the metric coordinates, and any zone still too large is split
    again, so zones are compact (short travel inside) and their sizes stay near ``max_size``.

    Parameters
    ----------
    xy
        ``(n, 2)`` coordinates in metres.
    max_size
        Largest number of points in one zone.
    seed
        Seed of the k-means initialisation, so the same input gives the same zones.

    Returns
    -------
    np.ndarray
        Zone label per point, ``0 .. k-1``, numbered west to east by zone centre.
    """
    n = len(xy)
    labels = np.zeros(n, dtype=np.int64)
    if n <= max_size:
        return labels
    from sklearn.cluster import KMeans  # here, not at the top: importing it costs every command 0.7 s

    pending = [np.arange(n)]
    groups: list[np.ndarray] = []
    while pending:
        members = pending.pop()
        if len(members) <= max_size:
            groups.append(members)
            continue
        k = max(2, int(np.ceil(len(members) / max_size)))
        # One OpenMP thread: a process that started OpenMP threads cannot fork safely, and the
        # engine forks its searches (a forked child's k-means would wait for them forever).
        with threadpool_limits(1, user_api="openmp"):
            km = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(xy[members])
        parts = [members[km.labels_ == c] for c in range(k)]
        parts = [p for p in parts if len(p)]
        if len(parts) == 1:  # identical points: cut by position in the list instead
            parts = np.array_split(members, k)
        pending.extend(parts)
    groups.sort(key=lambda g: (xy[g, 0].mean(), xy[g, 1].mean()))
    for zone, members in enumerate(groups):
        labels[members] = zone
    return labels


def small_zones(xy: np.ndarray, size: int, rounds: int = LLOYD_ROUNDS) -> np.ndarray:
    """Label points with many small compact zones of about ``size`` points, fast.

    ``make_zones`` runs scikit-learn's k-means, which costs seconds for the thousands of zones
    of a few dozen shops a large district has. Here SciPy's plain k-means (``kmeans2``) starts
    from centres spread evenly along a Hilbert curve (so by density); it is deterministic. Sizes vary around ``size`` (not capped).

    Parameters
    ----------
    xy
        ``(n, 2)`` metric coordinates.
    size
        Points per zone, about.
    rounds
        k-means rounds.

    Returns
    -------
    np.ndarray
        Zone label per point, ``0 .. k-1`` (no empty zone).
    """
    n = len(xy)
    k = max(1, int(np.ceil(n / max(size, 1))))
    if k == 1:
        return np.zeros(n, dtype=np.int64)
    order = hilbert_order(xy)
    start = xy[order[(np.arange(k) * n) // k + n // (2 * k)]].astype(float)
    with warnings.catch_warnings():  # a centre left without points keeps its place, as intended
        warnings.filterwarnings("ignore", message="One of the clusters is empty")
        centres, _ = kmeans2(xy.astype(float), start, iter=rounds, minit="matrix", missing="warn")
    labels, _ = vq(xy.astype(float), centres)
    return np.unique(labels, return_inverse=True)[1].astype(np.int64)


def barycentres(xy: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """Mean point of each group of point indices, as a ``(k, 2)`` array.

    Parameters
    ----------
    xy
        ``(n, 2)`` coordinates.
    groups
        Indices into ``xy``, one array per group.

    Returns
    -------
    numpy.ndarray
        One row per group; NaN for an empty group.
    """
    return np.array([xy[g].mean(axis=0) if len(g) else (np.nan, np.nan) for g in groups])


def hilbert_order(xy: np.ndarray, bits: int = 16) -> np.ndarray:
    """Indices that sort points along a Hilbert curve, so neighbours in the order are near in space.

    Used to chain zones: consecutive zones along the curve share a border, so shops one zone's
    routes could not take are carried into the next zone's.

    Parameters
    ----------
    xy
        ``(n, 2)`` coordinates.
    bits
        Resolution of the curve, per axis.

    Returns
    -------
    numpy.ndarray
        A permutation of ``0 .. n-1``; ties keep their order.
    """
    if len(xy) == 0:
        return np.zeros(0, dtype=np.int64)
    span = np.maximum(xy.max(axis=0) - xy.min(axis=0), 1e-9)
    side = (1 << bits) - 1
    x, y = ((xy - xy.min(axis=0)) / span.max() * side).astype(np.int64).T
    d = np.zeros(len(xy), dtype=np.int64)
    s = 1 << (bits - 1)
    while s > 0:
        rx = (x & s) > 0
        ry = (y & s) > 0
        d += s * s * ((3 * rx) ^ ry)
        # rotate the quadrant so the curve stays continuous
        flip = ~ry & rx
        x = np.where(flip, side - x, x)
        y = np.where(flip, side - y, y)
        swap = ~ry
        x, y = np.where(swap, y, x), np.where(swap, x, y)
        s >>= 1
    return np.argsort(d, kind="stable")
