"""Generate sample merchants for the whole city: every district at its estimated size."""

from __future__ import annotations

import pandas as pd

from planner.errors import InputError
from planner.geo.districts import District, all_districts
from planner.samples.district import generate_merchants


def generate_city(seed: int = 0, scale: float = 1.0, districts: list[District] | None = None) -> pd.DataFrame:
    """Generate synthetic merchants for every district of Seoul, in statistical-code order.

    Parameters
    ----------
    seed
        Random seed; the same seed and scale give the same frame.
    scale
        Share of each district's ``merchants_estimate`` to generate (1.0: about 280,000 shops).
    districts
        Only these districts (default: all 25).

    Returns
    -------
    pandas.DataFrame
        The districts' frames from ``planner.samples.district.generate_merchants``, one after another.

    Raises
    ------
    InputError
        If ``scale`` is not positive.
    """
    if scale <= 0:
        raise InputError(f"scale must be above 0, got {scale}")
    frames = [
        generate_merchants(d, n=max(1, round(scale * d.merchants_estimate)), seed=seed)
        for d in (districts or all_districts())
    ]
    return pd.concat(frames, ignore_index=True)
