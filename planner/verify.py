"""Check a week plan against every rule before it is written."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.errors import PlanVerificationError
from planner.schedule import leg_seconds
from planner.settings import Settings

# refused and moved come from the field (planner.campaign): the shop said no, or is no longer there.
UNASSIGNED_REASONS = (
    "no_time_window_fits",
    "capacity",
    "tries_exhausted",
    "not_reachable",
    "refused",
    "moved",
)


def plan_violations(
    routes: pd.DataFrame,
    unassigned: pd.DataFrame,
    shops: pd.DataFrame,
    office_xy: np.ndarray,
    settings: Settings,
    staff: int | None = None,
) -> list[str]:
    """List every rule the plan breaks (an empty list for a good plan).

    Checks: each shop at most once; conservation (every needing shop is planned or unassigned
    with a known reason, and nothing else appears); service inside one of the shop's opening
    windows of that day; arrival no earlier than the travel model allows after the previous
    departure (lunch included); times ordered; every worker-day inside its shift with its lunch
    break inside the lunch window and clear of any service; at most ``staff`` workers a day.
    """
    problems: list[str] = []
    problems += _check_conservation(routes, unassigned, shops)
    if routes.empty:
        return problems
    problems += _check_windows(routes, shops)
    problems += _check_travel(routes, shops, office_xy, settings)
    problems += _check_shifts(routes, settings)
    if staff is not None:
        per_day = routes.groupby("day")["staff_id"].nunique()
        problems += [
            f"day {d}: {n} workers planned, only {staff} available" for d, n in per_day.items() if n > staff
        ]
    return problems


def verify_plan(routes, unassigned, shops, office_xy, settings: Settings, staff: int | None = None) -> None:
    """Raise ``PlanVerificationError`` listing the broken rules, if any (see ``plan_violations``)."""
    problems = plan_violations(routes, unassigned, shops, office_xy, settings, staff)
    if problems:
        raise PlanVerificationError(problems)


def _check_conservation(routes: pd.DataFrame, unassigned: pd.DataFrame, shops: pd.DataFrame) -> list[str]:
    problems = []
    counts = routes["merchant_id"].value_counts()
    problems += [f"shop {m} is visited {n} times" for m, n in counts[counts > 1].items()]
    planned, left = set(routes["merchant_id"]), set(unassigned["merchant_id"])
    needing = set(shops["merchant_id"])
    problems += [f"shop {m} is both planned and unassigned" for m in sorted(planned & left)]
    problems += [
        f"shop {m} needs a panel but is neither planned nor unassigned"
        for m in sorted(needing - planned - left)
    ]
    problems += [
        f"shop {m} is in the plan but does not need a panel" for m in sorted((planned | left) - needing)
    ]
    bad = unassigned[~unassigned["reason"].isin(UNASSIGNED_REASONS)]
    problems += [
        f"shop {m} is unassigned without a valid reason ({r!r})"
        for m, r in zip(bad["merchant_id"], bad["reason"], strict=True)
    ]
    return problems


def _check_windows(routes: pd.DataFrame, shops: pd.DataFrame) -> list[str]:
    windows = dict(zip(shops["merchant_id"], shops["windows"], strict=True))
    problems = []
    for m, start, end in zip(routes["merchant_id"], routes["start_s"], routes["departure_s"], strict=True):
        if not any(a <= start and end <= b for a, b in windows.get(m, ())):
            problems.append(
                f"shop {m}: service {start}-{end} s is outside its opening hours within the shift"
            )
    return problems


def _check_travel(
    routes: pd.DataFrame, shops: pd.DataFrame, office_xy: np.ndarray, settings: Settings
) -> list[str]:
    problems = []
    lunch = 60 * settings.week.lunch_min
    xy = shops.set_index("merchant_id").loc[routes["merchant_id"], ["x", "y"]].to_numpy()
    for (_, _), route in routes.groupby(["day", "staff_id"], sort=False):
        route = route.sort_values("stop")
        # Stops run one after another: from 1, or (a day a re-plan kept under way, see
        # ``planner replan --pin-under-way``) from the first stop not yet reported.
        first = int(route["stop"].iat[0])
        if first < 1 or list(route["stop"]) != list(range(first, first + len(route))):
            problems.append(
                f"{route['staff_id'].iat[0]} day {route['day'].iat[0]}: stops are not numbered one after another"
            )
        pos = xy[routes.index.get_indexer(route.index)]
        here = np.vstack([office_xy[None, :], pos])
        need = leg_seconds(here[:-1], here[1:], settings)
        if settings.solver.open_start:  # staff report at their first shop
            need[0] = 0
        leave = np.concatenate([[route["leave_office_s"].iat[0]], route["departure_s"].to_numpy()[:-1]])
        arrive, start = route["arrival_s"].to_numpy(), route["start_s"].to_numpy()
        brk = route["break_start_s"].iat[0]
        lunch_here = (brk >= leave) & (brk < start)
        short = arrive - leave < need + np.where(lunch_here, lunch, 0)
        early = start < arrive
        for i in np.flatnonzero(short | early):
            problems.append(
                f"{route['staff_id'].iat[i]} day {route['day'].iat[i]} stop {route['stop'].iat[i]}: arrives {arrive[i]} s, "
                f"starts {start[i]} s after leaving at {leave[i]} s with {need[i]} s of travel"
            )
    return problems


def _check_shifts(routes: pd.DataFrame, settings: Settings) -> list[str]:
    week = settings.week
    problems = []
    lunch = 60 * week.lunch_min
    for (day, staff_id), route in routes.groupby(["day", "staff_id"], sort=False):
        shift = week.shift_s(int(day))
        out, back = route["leave_office_s"].iat[0], route["back_office_s"].iat[0]
        if out < shift[0] or back > shift[1]:
            problems.append(
                f"{staff_id} day {day}: works {out}-{back} s, outside the shift {shift[0]}-{shift[1]} s"
            )
        brk = route["break_start_s"].iat[0]
        first, last = week.lunch_s(int(day))
        if not first <= brk <= last:
            problems.append(f"{staff_id} day {day}: lunch starts at {brk} s, outside {first}-{last} s")
        overlap = (route["start_s"] < brk + lunch) & (route["departure_s"] > brk)
        problems += [
            f"{staff_id} day {day}: lunch overlaps the visit to {m}"
            for m in route.loc[overlap, "merchant_id"]
        ]
    return problems
