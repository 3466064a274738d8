"""The needing shops made ready to plan: metric coordinates, service seconds and the week's time windows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.geo.calendar import merchant_time_windows, ready_s, windows_from
from planner.geo.travel import project
from planner.planning.week import service_windows
from planner.settings import Settings


def prepare_shops(needing: pd.DataFrame, settings: Settings, spans: tuple | None = None) -> pd.DataFrame:
    """Add metric coordinates, service seconds and the week's time windows to the needing shops.

    Parameters
    ----------
    needing
        Triaged shops that need a panel.
    settings
        Service minutes per category and the week.
    spans
        The times anyone works (a roster's shifts, ``planner.planning.crew.work_spans``); None
        for the week's shift of every day.

    Returns
    -------
    pandas.DataFrame
        A copy with a fresh index and the columns ``x``, ``y``, ``service_s``, ``windows``,
        ``fits`` (some window holds the whole service) and ``not_ready`` (it would fit, but not
        after its ``available_from``: the shop is not available in the week). This is the one
        place where ``available_from`` cuts a shop's windows: no visit starts before it.
    """
    shops = needing.reset_index(drop=True).copy()
    xy = project(shops["lat"].to_numpy(), shops["lon"].to_numpy())
    shops["x"], shops["y"] = xy[:, 0], xy[:, 1]
    shops["service_s"] = [settings.service_s(c) for c in shops["category"]]
    windows = merchant_time_windows(shops, settings.week, spans).to_numpy(copy=True)
    service = shops["service_s"].to_numpy()
    # An explicit dtype: a district with no needing shop gives an empty list, which pandas stores as object.
    fits_open = np.array(
        [bool(service_windows(w, s)) for w, s in zip(windows, service, strict=True)], dtype=bool
    )
    not_ready = np.zeros(len(shops), dtype=bool)
    if "available_from" in shops:
        ready = ready_s(shops["available_from"], settings.week)
        for i in np.flatnonzero(ready > 0):
            windows[i] = windows_from(windows[i], int(ready[i]))
            not_ready[i] = fits_open[i] and not service_windows(windows[i], service[i])
    shops["windows"] = windows
    shops["fits"] = fits_open & ~not_ready
    shops["not_ready"] = not_ready
    return shops
