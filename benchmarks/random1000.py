"""A random 1,000-shop walking problem like the campaign's, deterministic by seed."""

from __future__ import annotations

import numpy as np

from benchmarks.instances import Instance

SIDE_M = 6_000.0  # the shops lie in a square about the size of a busy part of a gu
CIRCUITY = 1.25  # road distance / straight-line distance, as in planner's travel settings
WALK_MPS = 1.3
VISIT_S = 6 * 60
SHIFT = (9 * 3600, 18 * 3600)  # seconds from midnight
WORKER_COST = 36_000  # fixed cost of one more worker, in travel seconds, as planner's worker_day_cost


def shop_positions(rng: np.random.Generator, shops: int, clusters: int) -> np.ndarray:
    """Shops around shopping streets (clusters), a fifth of them scattered anywhere."""
    centres = rng.uniform(0.1 * SIDE_M, 0.9 * SIDE_M, size=(clusters, 2))
    clustered = shops - shops // 5
    around = centres[rng.integers(clusters, size=clustered)]
    spread = rng.uniform(150.0, 450.0, size=(clustered, 1))
    near = around + rng.normal(0.0, 1.0, size=(clustered, 2)) * spread
    anywhere = rng.uniform(0.0, SIDE_M, size=(shops - clustered, 2))
    return np.clip(np.vstack([near, anywhere]), 0.0, SIDE_M)


def shop_windows(rng: np.random.Generator, shops: int, all_day_share: float = 0.5) -> np.ndarray:
    """Service-start windows: all day for some shops, 2, 3 or 4 hours for the others."""
    early, late = SHIFT[0], SHIFT[1] - VISIT_S
    windows = np.tile([early, late], (shops, 1))
    narrow = rng.random(shops) >= all_day_share
    width = rng.choice([2, 3, 4], size=shops) * 3600
    opens = early + rng.integers(0, (late - early - width) // 1800 + 1) * 1800
    windows[narrow, 0] = opens[narrow]
    windows[narrow, 1] = opens[narrow] + width[narrow] - VISIT_S
    return windows


def generate(seed: int = 0, shops: int = 1000, clusters: int = 25, workers: int = 60) -> Instance:
    """A random walking problem: ``shops`` visits of 6 minutes, a depot in the middle.

    Parameters
    ----------
    seed
        Seed of the random generator; the same seed gives the same instance.
    shops
        Number of shops to visit.
    clusters
        Number of shop clusters (shopping streets).
    workers
        Vehicles available; enough that the fixed cost, not the fleet, limits how many work.

    Returns
    -------
    Instance
        Node 0 is the depot; travel and objective are whole walking seconds.
    """
    rng = np.random.default_rng(seed)
    coords = np.vstack([[SIDE_M / 2, SIDE_M / 2], shop_positions(rng, shops, clusters)])
    straight = np.sqrt(((coords[:, None, :] - coords[None, :, :]) ** 2).sum(axis=-1))
    travel = np.rint(CIRCUITY * straight / WALK_MPS)
    windows = np.vstack([[SHIFT[0], SHIFT[1]], shop_windows(rng, shops)]).astype(float)
    service = np.full(shops + 1, float(VISIT_S))
    service[0] = 0.0
    return Instance(
        name=f"random1000-s{seed}" if shops == 1000 else f"random{shops}-s{seed}",
        objective="workers",
        coords=coords,
        demand=np.zeros(shops + 1, dtype=np.int64),
        capacity=None,
        service=service,
        windows=windows,
        fleet_size=workers,
        distance=travel,
        duration=travel,
        scale=1,
        fixed_cost=WORKER_COST,
    )


def generate_set(count: int, first_seed: int = 1, **options) -> list[Instance]:
    """``count`` instances with consecutive seeds."""
    return [generate(first_seed + k, **options) for k in range(count)]
