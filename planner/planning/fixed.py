"""Worker-days carried into a plan as they were: check they still hold, drop the visits that no longer do."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.geo.districts import District
from planner.geo.travel import project
from planner.planning.crew import work_spans
from planner.planning.schedule import assemble_routes
from planner.planning.shops import prepare_shops
from planner.planning.verify import plan_violations
from planner.settings import Settings

# The columns of a fixed worker-day's visits (``plan_district(..., fixed=...)``): the solver's
# visit rows, in the plan's week (day 0 is its first day, times in seconds from its start).
FIXED_COLUMNS = ("merchant_id", "day", "seat", "stop", "start_s", "leave_office_s", "lunch_start_s")


def hold_fixed(
    fixed: pd.DataFrame,
    shops: pd.DataFrame,
    district: District,
    settings: Settings,
    crew: dict | None = None,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The fixed worker-days that still verify, and why each visit left out of them was left out.

    A visit whose shop is no longer in ``shops`` is simply dropped (it is done, or given up). A
    visit that no longer fits its shop's opening hours (changed hours, a failed visit that day,
    a later ``available_from``) leaves its worker-day, which keeps the others. A worker-day that
    then breaks any other rule of ``planner.planning.verify`` (its shift, lunch, travel, a seat
    beyond the day's team) is released whole. With a roster (``crew``) each worker-day is its
    person's and is checked against their own rules; one whose person does not work that day is
    released whole. Stops are numbered again from 1.

    Parameters
    ----------
    fixed
        ``FIXED_COLUMNS`` rows of the worker-days to keep, with their old times.
    shops
        The shops to plan, as ``plan_district`` takes them (their hours as planned now).
    district
        The district (its office starts and ends the worker-days).
    settings
        The plan's settings.
    crew
        The plan's person-days (``planner.planning.crew.crew_of``); None without a roster.

    Returns
    -------
    tuple
        The ``FIXED_COLUMNS`` rows kept, and ``merchant_id`` -> why for each visit of ``shops``
        left out (the shop is then planned like any other).
    """
    fixed = fixed[fixed["merchant_id"].isin(shops["merchant_id"])].loc[:, list(FIXED_COLUMNS)]
    if fixed.empty:
        return fixed.reset_index(drop=True), {}
    spans = None if crew is None else work_spans(list(crew.values()))
    prepared = prepare_shops(shops[shops["merchant_id"].isin(fixed["merchant_id"])], settings, spans)
    by_id = prepared.set_index("merchant_id")
    office_xy = project(np.array([district.office_lat]), np.array([district.office_lon]))[0]
    why: dict[str, str] = {}
    fits = [
        any(a <= start and start + by_id.at[m, "service_s"] <= b for a, b in by_id.at[m, "windows"])
        for m, start in zip(fixed["merchant_id"], fixed["start_s"], strict=True)
    ]
    for shop in fixed.loc[~np.array(fits, dtype=bool), "merchant_id"]:
        why[shop] = "the shop's hours no longer hold its planned visit"
    fixed = _renumbered(fixed[np.array(fits, dtype=bool)])
    if crew is None:
        too_far = fixed["seat"] >= settings.staff if settings.staff else np.zeros(len(fixed), dtype=bool)
        reason = "the day's team is smaller than when it was planned"
    else:
        too_far = ~pd.MultiIndex.from_frame(fixed[["day", "seat"]]).isin(list(crew))
        reason = "its person no longer works that day"
    for shop in fixed.loc[too_far, "merchant_id"]:
        why[shop] = reason
    fixed = fixed[~too_far]
    if _problems(fixed, prepared, office_xy, district, settings, crew):  # some worker-day breaks a rule
        held = []
        for _, day in fixed.groupby(["day", "seat"], sort=True):
            problems = _problems(day, prepared, office_xy, district, settings, crew)
            if problems:
                why.update(
                    dict.fromkeys(day["merchant_id"], f"its worker-day no longer holds: {problems[0]}")
                )
            else:
                held.append(day)
        fixed = pd.concat(held) if held else fixed.iloc[:0]
    return fixed.reset_index(drop=True), why


def _renumbered(fixed: pd.DataFrame) -> pd.DataFrame:
    """Stops numbered 1, 2, ... in their old order within each worker-day."""
    fixed = fixed.sort_values(["day", "seat", "stop"], ignore_index=True)
    return fixed.assign(stop=fixed.groupby(["day", "seat"]).cumcount() + 1)


def _problems(
    fixed: pd.DataFrame,
    prepared: pd.DataFrame,
    office_xy: np.ndarray,
    district: District,
    settings: Settings,
    crew: dict | None = None,
) -> list[str]:
    """What ``plan_violations`` finds in the worker-days of ``fixed`` taken alone."""
    shops = prepared[prepared["merchant_id"].isin(fixed["merchant_id"])].assign(zone=-1)
    routes = assemble_routes(fixed, shops, office_xy, district, settings, crew)
    none = pd.DataFrame({"merchant_id": pd.Series(dtype=str), "reason": pd.Series(dtype=str)})
    staff = settings.staff if crew is None else None
    return plan_violations(routes, none, shops, office_xy, settings, staff, crew=crew)
