"""How many workers a day each district needs to finish in the week: a bound, then verified plans."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from planner.geo.districts import District
from planner.geo.travel import project, travel_time_s
from planner.planning.executor import Executor
from planner.planning.plan import Plan, plan_district
from planner.planning.shops import prepare_shops
from planner.planning.week import workday_s
from planner.settings import Settings
from planner.settings_rules import MAX_DAYS

SEARCH_TIME_LIMIT_S = 1.0  # per zone, while searching: enough for feasibility, not for polish
SEARCH_IMPROVE_S = 2.0
MAX_TRIALS = 12


@dataclass(frozen=True)
class Staffing:
    """The staff one district needs: the lower bound and the smallest team a verified plan confirms."""

    district: str
    needing: int
    work_h: float  # service plus nearest-neighbour travel: no plan can do with less
    lower_bound: int
    staff: int | None  # None if no team tried finished in time
    staff_days: int | None
    last_day_used: str | None
    # reason -> shops the plans leave whatever the team (no time window fits, ...): the week
    # does not finish for them with these shifts
    no_shift: dict[str, int] = field(default_factory=dict)
    trials: dict[int, int] = field(default_factory=dict)  # staff -> shops left for capacity

    @property
    def no_shift_total(self) -> int:
        """Shops no shift reaches, whatever the reason."""
        return sum(self.no_shift.values())

    def row(self) -> dict:
        """The figures of the staffing table (``left_<reason>``: shops no shift reaches, by reason).

        Returns
        -------
        dict
            District, needing shops, work hours, lower bound, team, worker-days, last day used,
            plans tried and the shops no shift reaches.
        """
        return {
            "district": self.district,
            "needing": self.needing,
            "work_h": self.work_h,
            "lower_bound": self.lower_bound,
            "staff": self.staff,
            "staff_days": self.staff_days,
            "last_day_used": self.last_day_used,
            "plans_tried": len(self.trials),
            "no_shift": self.no_shift_total,
            **{f"left_{reason}": n for reason, n in self.no_shift.items()},
        }


def search_settings(
    settings: Settings, time_limit_s: float = SEARCH_TIME_LIMIT_S, improve_s: float = SEARCH_IMPROVE_S
) -> Settings:
    """``settings`` with the small solver budgets used while searching for the team size.

    Parameters
    ----------
    settings
        The run's settings.
    time_limit_s
        Solver budget per solve.
    improve_s
        Budget of the improvement pass.

    Returns
    -------
    Settings
        A copy with those budgets.
    """
    return replace(settings, solver=replace(settings.solver, time_limit_s=time_limit_s, improve_s=improve_s))


def nearest_neighbour_work_s(shops: pd.DataFrame, settings: Settings, office_xy=None) -> float:
    """Service seconds plus, for each shop, the travel from its nearest neighbour.

    Every visit is reached from another shop or from the office, at least as far as the
    nearest of them, so this bounds the work from below. ``shops`` are prepared shops
    (``planner.planning.shops.prepare_shops``) that fit some window; with ``office_xy`` a shop nearer
    the office than to any other shop counts the office leg instead.

    Parameters
    ----------
    shops
        Prepared shops.
    settings
        The travel settings.
    office_xy
        The office's metric coordinates, or None.

    Returns
    -------
    float
        Seconds of work; 0.0 for no shop.
    """
    if shops.empty:
        return 0.0
    return float(shops["service_s"].sum() + nearest_hops_s(shops, settings, office_xy).sum())


def fewest_worker_days(shops: pd.DataFrame, settings: Settings, office_xy=None) -> int:
    """Worker-days no plan can do with fewer: the nearest-neighbour work over a worker-day.

    When staff report at their first shop (``settings.solver.open_start``) each worker-day
    reaches one shop for free and the office is nobody's neighbour: ``B`` worker-days can then
    save at most the ``B`` longest hops, so the bound is the smallest ``B`` whose shifts hold
    the work less those hops.

    Parameters
    ----------
    shops
        Prepared shops that fit some window.
    settings
        The travel, week and solver settings.
    office_xy
        The office's metric coordinates, or None.

    Returns
    -------
    int
        The lower bound on worker-days; 0 for no shop.
    """
    if shops.empty:
        return 0
    open_start = settings.solver.open_start
    hops = nearest_hops_s(shops, settings, None if open_start else office_xy)
    work, day = float(shops["service_s"].sum() + hops.sum()), workday_s(settings)
    days = np.arange(1, len(hops) + 1)
    fits = days * day >= work - np.cumsum(np.sort(hops)[::-1])
    if not open_start or not fits.any():  # (none fits only if a visit outlasts a worker-day)
        return max(1, math.ceil(work / day))
    return int(days[np.argmax(fits)])


def nearest_hops_s(shops: pd.DataFrame, settings: Settings, office_xy=None) -> np.ndarray:
    """Each shop's travel seconds from its nearest neighbour (or from ``office_xy`` if nearer).

    Parameters
    ----------
    shops
        Prepared shops.
    settings
        The travel settings.
    office_xy
        The office's metric coordinates, or None.

    Returns
    -------
    numpy.ndarray
        ``int64`` seconds per shop; 0 for a lone shop without office.
    """
    xy = shops[["x", "y"]].to_numpy()
    nearest_m = np.full(len(xy), np.inf)
    if len(xy) > 1:
        distance_m, _ = cKDTree(xy).query(xy, k=2)
        nearest_m = distance_m[:, 1]
    if office_xy is not None:
        nearest_m = np.minimum(nearest_m, np.hypot(*(xy - np.asarray(office_xy)).T))
    nearest_m[np.isinf(nearest_m)] = 0.0
    return travel_time_s(settings.travel.circuity * nearest_m, settings.travel)


def office_of(district: District) -> np.ndarray:
    """The district office in metres (EPSG:5179).

    Parameters
    ----------
    district
        The district.

    Returns
    -------
    numpy.ndarray
        The office's ``(x, y)``.
    """
    return project(np.array([district.office_lat]), np.array([district.office_lon]))[0]


def lower_bound_staff(worker_days: int, days: int) -> int:
    """Fewest workers a day who could work ``worker_days`` (``fewest_worker_days``) in ``days``.

    Parameters
    ----------
    worker_days
        Worker-days needed at least.
    days
        Days of the week.

    Returns
    -------
    int
        At least 1.
    """
    return max(1, math.ceil(worker_days / days))


def capacity_left(plan: Plan) -> int:
    """Shops a bigger team could have served (unassigned for capacity).

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    int
        Shops unassigned with the reason ``capacity``.
    """
    return int((plan.unassigned["reason"] == "capacity").sum())


def no_shift_left(plan: Plan) -> dict[str, int]:
    """Shops the plan leaves for a reason other than capacity, by reason: no team size serves them.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    dict of str to int
        Shops by reason, reasons sorted.
    """
    reasons = plan.unassigned.loc[plan.unassigned["reason"] != "capacity", "reason"]
    return {str(reason): int(n) for reason, n in reasons.value_counts().sort_index().items()}


def confirm_staff(
    needing: pd.DataFrame,
    district: District,
    settings: Settings,
    executor: Executor | None = None,
    progress: Callable[[str], None] | None = None,
) -> Staffing:
    """Find the smallest team per day whose verified plan serves every shop that can be served.

    Starts at the lower bound, grows the team in proportion to the shops left for capacity
    until a plan leaves none, then bisects between the last failure and the first success.

    Parameters
    ----------
    needing
        The district's shops that need a panel.
    district
        The district.
    settings
        Week (``settings.week.days`` is the deadline) and solver budgets (see ``search_settings``).
    executor
        Where the zones are solved.
    progress
        Called with a short line after each plan tried.

    Returns
    -------
    Staffing
        The bound, the confirmed team and its plan's staff-days and last day, and the shops no
        shift reaches (``Staffing.no_shift``): the week does not finish for them with any team.
    """
    shops = prepare_shops(needing, settings)
    fits = shops[shops["fits"]]
    work = nearest_neighbour_work_s(fits, settings, office_of(district))
    bound = lower_bound_staff(fewest_worker_days(fits, settings, office_of(district)), settings.week.days)
    plans: dict[int, Plan] = {}

    def left_with(staff: int) -> int:
        plans[staff] = plan_district(needing, district, replace(settings, staff=staff), None, executor)
        if progress:
            progress(f"{district.name_en}: {staff} staff leave {capacity_left(plans[staff])} shops")
        return capacity_left(plans[staff])

    low, high, staff = bound - 1, None, bound
    while high is None and len(plans) < MAX_TRIALS:
        left = left_with(staff)
        if left == 0:
            high = staff
        else:
            low = staff
            staff = max(staff + 1, math.ceil(staff * (1 + 1.5 * left / max(1, len(fits)))))
    while high is not None and high - low > 1 and len(plans) < MAX_TRIALS:
        middle = (low + high) // 2
        low, high = (low, middle) if left_with(middle) == 0 else (middle, high)
    last_plan = plans[high] if high is not None else plans[max(plans)]
    summary = last_plan.summary() if high is not None else {}
    return Staffing(
        district=district.name_en,
        needing=len(shops),
        work_h=round(work / 3600, 1),
        lower_bound=bound,
        staff=high,
        staff_days=summary.get("staff_days"),
        last_day_used=summary.get("last_day_used"),
        no_shift=no_shift_left(last_plan),
        trials={s: capacity_left(p) for s, p in sorted(plans.items())},
    )


def finish_curve(
    needing: pd.DataFrame,
    district: District,
    settings: Settings,
    staff_options: list[int],
    max_days: int = 14,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """For each team size, the days a verified plan needs to serve every shop it can.

    Each team is planned over ``max_days`` days; the plan puts work on the earliest days, so
    the last day it uses is the finish day.

    Parameters
    ----------
    needing
        The district's needing shops.
    district
        The district.
    settings
        The run's settings.
    staff_options
        Team sizes to try.
    max_days
        Days each team is planned over.
    executor
        Runs the solves, or None for this process.

    Returns
    -------
    pandas.DataFrame
        ``staff, days_lower_bound, days_planned`` (``days_planned`` is None when ``max_days``
        were not enough) and ``capacity_left``.
    """
    long_week = replace(settings, week=replace(settings.week, days=max_days))
    shops = prepare_shops(needing, long_week)
    worker_days = fewest_worker_days(shops[shops["fits"]], long_week, office_of(district))
    rows = []
    for staff in sorted({s for s in staff_options if s >= 1}):
        plan = plan_district(needing, district, replace(long_week, staff=staff), None, executor)
        left = capacity_left(plan)
        last = int(plan.routes["day"].max()) + 1 if len(plan.routes) else 0
        rows.append(
            {
                "staff": staff,
                "days_lower_bound": math.ceil(worker_days / staff),
                "days_planned": last if left == 0 else None,
                "capacity_left": left,
            }
        )
    return pd.DataFrame(rows)


CURVE_SHARES = (0.75, 1.0, 1.25, 1.5)  # teams tried for the finish curve, as shares of the confirmed team


@dataclass(frozen=True)
class StaffingReport:
    """Staffing of several districts: one row each, and the finish day for other team sizes."""

    table: pd.DataFrame  # Staffing.row() per district
    curve: pd.DataFrame  # share, staff (city total), days_lower_bound, days_planned (worst district)

    def totals(self) -> dict:
        """The city's figures: needing shops, the bound, the team, its staff-days, shops no shift reaches.

        Returns
        -------
        dict
            ``staff`` and ``staff_days`` are None unless every district's team was confirmed.
        """
        table = self.table
        confirmed = table["staff"].notna().all()
        return {
            "needing": int(table["needing"].sum()),
            "lower_bound": int(table["lower_bound"].sum()),
            "staff": int(table["staff"].sum()) if confirmed else None,
            "staff_days": int(table["staff_days"].sum()) if confirmed else None,
            "no_shift": int(table["no_shift"].sum()),
        }


def staff_districts(
    by_district: dict[District, pd.DataFrame],
    settings: Settings,
    executor: Executor | None = None,
    curve_shares: tuple[float, ...] = CURVE_SHARES,
    progress: Callable[[str], None] | None = None,
) -> StaffingReport:
    """Confirm each district's team (``confirm_staff``), then the city's staff-versus-finish-day curve.

    For each share of the confirmed teams, every district is planned with that share of its
    team over twice the week (at most ``MAX_DAYS`` days); the city finishes when its slowest
    district does.

    Parameters
    ----------
    by_district
        The needing shops of each district.
    settings
        The week and the search budgets.
    executor
        Where plans are solved; None solves in this process.
    curve_shares
        Shares of the confirmed teams tried for the curve.
    progress
        Called with a line of text as each district's search moves on.

    Returns
    -------
    StaffingReport
        The table of teams, the totals and the city's curve.
    """
    results = {d: confirm_staff(s, d, settings, executor, progress) for d, s in by_district.items()}
    table = pd.DataFrame([r.row() for r in results.values()])
    reasons = [c for c in table.columns if c.startswith("left_")]
    table[reasons] = table[reasons].fillna(0).astype(int)
    rows, tried = [], set()
    for share in curve_shares:
        teams = {d: max(1, round(share * (r.staff or r.lower_bound))) for d, r in results.items()}
        if tuple(teams.values()) in tried:  # small teams round to the same sizes: plan them once
            continue
        tried.add(tuple(teams.values()))
        curves = [
            finish_curve(s, d, settings, [teams[d]], min(2 * settings.week.days, MAX_DAYS), executor)
            for d, s in by_district.items()
        ]
        planned = [c["days_planned"].iat[0] for c in curves]
        rows.append(
            {
                "share": share,
                "staff": sum(teams.values()),
                "days_lower_bound": max(int(c["days_lower_bound"].iat[0]) for c in curves),
                "days_planned": None if any(pd.isna(p) for p in planned) else int(max(planned)),
            }
        )
        if progress:
            progress(f"curve: {rows[-1]['staff']} staff finish in {rows[-1]['days_planned']} days")
    return StaffingReport(table, pd.DataFrame(rows))
