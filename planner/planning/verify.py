"""Check a week plan against every rule before it is written."""

from __future__ import annotations

import numpy as np
import pandas as pd

from planner.errors import PlanVerificationError
from planner.geo.calendar import ready_s
from planner.geo.travel import leg_time_s, project
from planner.planning.crew import place_xy
from planner.planning.schedule import clock_text, duration_text
from planner.settings import Settings, WeekSettings

# Corrected merchant data (planner campaign add) takes a shop out of a campaign's work: the data now
# says it is closed (active false), or no longer calls for a panel.
OUT_BY_DATA = ("closed_down", "no_panel_due")
# refused and moved come from the field (planner.campaign): the shop said no, or is no longer there.
UNASSIGNED_REASONS = (
    "no_time_window_fits",
    "not_available_in_week",  # its available_from leaves no opening window of the week
    "capacity",
    "tries_exhausted",
    "not_reachable",
    "refused",
    "moved",
    *OUT_BY_DATA,
)


# Stop coordinates in routes.csv are written to 6 decimals (~0.1 m); a few metres allow for
# rounding by a spreadsheet, not for a moved shop.
POSITION_TOLERANCE_M = 5.0
# The columns the per-visit checks read: iterating the clock-time columns too would box every
# timestamp (a quarter of the verifier's time).
VISIT_FIELDS = ["merchant_id", "staff_id", "day", "stop", "lat", "lon", "arrival_s", "start_s", "departure_s"]


def plan_violations(
    routes: pd.DataFrame,
    unassigned: pd.DataFrame,
    shops: pd.DataFrame,
    office_xy: np.ndarray,
    settings: Settings,
    staff: int | None = None,
    *,
    promises: pd.DataFrame | None = None,
    crew: dict | None = None,
) -> list[str]:
    """List every rule the plan breaks (an empty list for a good plan).

    Checks: each shop at most once; conservation (every needing shop is planned or unassigned
    with a known reason, and nothing else appears, unknown ids included); each visit on its
    row's date, at the shop's position, lasting the service time of the shop's category, and
    inside one of the shop's opening windows of that day and not before its ``available_from``; arrival no earlier than the travel
    model allows after the previous departure (lunch included); times ordered; the way back to
    the office after the last visit (none on open routes); every worker-day inside its shift,
    with one set of office and lunch times, its lunch break inside the lunch window and clear of
    any service; at most ``staff`` workers a day; each promised shop visited on its promised
    date, starting inside the promise. With a roster (``crew``) each worker-day is checked
    against its own person's rules instead: a person of the roster available that day, inside
    their own shift, starting and ending where they do, travelling by their own mode, with a
    lunch break only when their day has one. Times in messages are Seoul clock times.

    Parameters
    ----------
    routes
        The route table (``planner.planning.schedule.ROUTE_COLUMNS``; times in seconds from the week start).
    unassigned
        ``merchant_id`` and ``reason`` of the shops left out.
    shops
        The needing shops as ``planner.planning.shops.prepare_shops`` makes them.
    office_xy
        The district office in metres, where worker-days start and end.
    settings
        The settings the plan was made with.
    staff
        Workers available a day; None skips that check.
    promises
        The visit windows promised to shops (``planner.planning.promises.parse_notices``:
        ``merchant_id``, ``date``, ``promise_from``, ``promise_to``, ``from_s``, ``to_s``); None
        skips that check.
    crew
        ``(day, seat)`` -> ``planner.planning.crew.PersonDay`` of the roster the plan was made
        with; None for the settings' worker-days.

    Returns
    -------
    list of str
        One line per broken rule.
    """
    problems: list[str] = []
    problems += _check_conservation(routes, unassigned, shops)
    if promises is not None:
        problems += _check_promises(routes, unassigned, promises, settings.week)
    if routes.empty:
        return problems
    week = settings.week
    known = routes[routes["merchant_id"].isin(shops["merchant_id"])]
    problems += _check_visits(known, shops, week)
    problems += _check_windows(known, shops, week)
    problems += _check_ready(known, shops, week)
    rules = _DayRules(settings, office_xy, crew)
    problems += _check_roster(routes, rules)
    problems += _check_travel(routes, shops, rules)
    problems += _check_shifts(routes, rules)
    if staff is not None:
        per_day = routes.groupby("day")["staff_id"].nunique()
        problems += [
            f"{week.date_of(int(d))}: {n} workers planned, only {staff} available"
            for d, n in per_day.items()
            if n > staff
        ]
    return problems


def verify_plan(
    routes,
    unassigned,
    shops,
    office_xy,
    settings: Settings,
    staff: int | None = None,
    crew: dict | None = None,
) -> None:
    """Raise ``PlanVerificationError`` listing the broken rules, if any (see ``plan_violations``).

    Parameters
    ----------
    routes
        The route table.
    unassigned
        ``merchant_id`` and ``reason`` of the shops left out.
    shops
        The prepared needing shops the plan was made for.
    office_xy
        The office's metric coordinates.
    settings
        The settings the plan was made with.
    staff
        Workers a day, or None not to check the team.
    crew
        The roster's person-days the plan was made with, or None.

    Raises
    ------
    PlanVerificationError
        If the plan breaks any rule.
    """
    problems = plan_violations(routes, unassigned, shops, office_xy, settings, staff, crew=crew)
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
    # A campaign keeps counting a shop its corrected data took out of the work; triage no longer selects it.
    out_by_data = set(unassigned.loc[unassigned["reason"].isin(OUT_BY_DATA), "merchant_id"])
    problems += [
        f"shop {m or '(blank merchant_id)'} is in the plan but is not one of the shops that need a panel "
        "(unknown id, or no panel due)"
        for m in sorted((planned | left) - needing - out_by_data, key=str)
    ]
    bad = unassigned[~unassigned["reason"].isin(UNASSIGNED_REASONS)]
    problems += [
        f"shop {m} is unassigned without a valid reason ({r!r})"
        for m, r in zip(bad["merchant_id"], bad["reason"], strict=True)
    ]
    return problems


def _check_promises(
    routes: pd.DataFrame, unassigned: pd.DataFrame, promises: pd.DataFrame, week: WeekSettings
) -> list[str]:
    """Each promised shop visited on the promised date, starting inside the promised window."""
    said = "promised " + promises["date"] + " " + promises["promise_from"] + "-" + promises["promise_to"]
    promised = promises.assign(said=said).loc[:, ["merchant_id", "date", "from_s", "to_s", "said"]]
    met = routes.merge(promised, on=["merchant_id", "date"])
    late = met[(met["start_s"] < met["from_s"]) | (met["start_s"] > met["to_s"])]
    problems = [
        f"{_visit(row, week)}: starts {clock_text(row.start_s, week)}, {row.said}"
        for row in late.itertuples(index=False)
    ]
    dates = routes.groupby("merchant_id")["date"].agg(lambda d: ", ".join(sorted(d)))
    reasons = dict(zip(unassigned["merchant_id"], unassigned["reason"], strict=True))
    visited = pd.MultiIndex.from_frame(met[["merchant_id", "date"]])
    missed = promised[~pd.MultiIndex.from_frame(promised[["merchant_id", "date"]]).isin(visited)]
    for shop, text in zip(missed["merchant_id"], missed["said"], strict=True):
        if shop in dates.index:
            problems.append(f"shop {shop}: {text}, but visited on {dates[shop]}")
        elif shop in reasons:
            problems.append(f"shop {shop}: {text}, but unassigned ({reasons[shop]})")
        else:
            problems.append(f"shop {shop}: {text}, but it is not in the plan")
    return problems


def _visit(row, week: WeekSettings) -> str:
    """How messages name one visit: its shop, worker, date and stop."""
    return f"shop {row.merchant_id} ({row.staff_id} on {week.date_of(int(row.day))}, stop {row.stop})"


def _check_visits(routes: pd.DataFrame, shops: pd.DataFrame, week: WeekSettings) -> list[str]:
    """Each visit on its row's date, at the shop's position, as long as its category's service."""
    by_id = shops.drop_duplicates("merchant_id").set_index("merchant_id")
    service = by_id.loc[routes["merchant_id"], "service_s"].to_numpy()
    category = by_id.loc[routes["merchant_id"], "category"].to_numpy()
    shop_xy = by_id.loc[routes["merchant_id"], ["x", "y"]].to_numpy()
    moved_m = np.hypot(*(project(routes["lat"].to_numpy(), routes["lon"].to_numpy()) - shop_xy).T)
    problems = []
    for i, row in enumerate(routes.loc[:, VISIT_FIELDS].itertuples(index=False)):
        day = week.day_offset_s(int(row.day)), week.day_offset_s(int(row.day) + 1)
        for name in ("arrival", "start", "departure"):
            at = getattr(row, f"{name}_s")
            if not day[0] <= at < day[1]:
                problems.append(
                    f"{_visit(row, week)}: {name} {clock_text(at, week)} is not on the row's date"
                )
        if row.departure_s - row.start_s != service[i]:
            problems.append(
                f"{_visit(row, week)}: service {clock_text(row.start_s, week)}-"
                f"{clock_text(row.departure_s, week)} lasts {duration_text(row.departure_s - row.start_s)}; "
                f"a {category[i] or 'shop'} takes {duration_text(service[i])}"
            )
        if not moved_m[i] <= POSITION_TOLERANCE_M:
            problems.append(
                f"{_visit(row, week)}: the stop is at {row.lat}, {row.lon}, "
                f"{moved_m[i]:.0f} m from the shop's position in the merchants file"
            )
    return problems


def _check_windows(routes: pd.DataFrame, shops: pd.DataFrame, week: WeekSettings) -> list[str]:
    windows = dict(zip(shops["merchant_id"], shops["windows"], strict=True))
    problems = []
    for row in routes.loc[:, VISIT_FIELDS].itertuples(index=False):
        start, end = row.start_s, row.departure_s
        if not any(a <= start <= end <= b for a, b in windows[row.merchant_id]):
            problems.append(
                f"{_visit(row, week)}: service {clock_text(start, week)}-{clock_text(end, week)} "
                "is outside its opening hours within the shift"
            )
    return problems


def _check_ready(routes: pd.DataFrame, shops: pd.DataFrame, week: WeekSettings) -> list[str]:
    """No visit starts before its shop's ``available_from`` (shops without the column are ready)."""
    if "available_from" not in shops or routes.empty:
        return []
    by_id = shops.drop_duplicates("merchant_id").set_index("merchant_id")["available_from"]
    ready = pd.to_datetime(by_id.reindex(routes["merchant_id"]), format="ISO8601")
    early = (ready_s(ready, week) > routes["start_s"].to_numpy()) & ready.notna().to_numpy()
    return [
        f"{_visit(row, week)}: service starts {clock_text(row.start_s, week)}, before the shop is "
        f"available ({when:%Y-%m-%d %H:%M})"
        for row, when in zip(routes[early].itertuples(index=False), ready[early], strict=True)
    ]


class _DayRules:
    """The rules of each worker-day: the settings' shift and office, or a roster person's own."""

    def __init__(self, settings: Settings, office_xy: np.ndarray, crew: dict | None):
        self.settings, self.office_xy = settings, office_xy
        self.people = None if crew is None else {(e.day, e.person.staff_id): e for e in crew.values()}

    def entry(self, day: int, staff_id: str):
        """The person-day of ``staff_id`` on ``day``; None without a roster or when they do not work."""
        return None if self.people is None else self.people.get((day, staff_id))

    def start(self, day: int, staff_id: str) -> tuple[np.ndarray, bool, str]:
        """Where the day starts (metres), whether at the first shop, and the travel mode."""
        entry = self.entry(day, staff_id)
        if entry is None:
            return self.office_xy, bool(self.settings.solver.open_start), "transit"
        start = entry.person.start
        return place_xy(start, self.office_xy), start == "first_shop", entry.person.mode

    def end(self, day: int, staff_id: str) -> np.ndarray | None:
        """Where the day ends (metres), or None at the last shop."""
        entry = self.entry(day, staff_id)
        if entry is None:
            return None if self.settings.solver.open_routes else self.office_xy
        place = entry.end_place
        return None if place is None else place_xy(place, self.office_xy)

    def shift(self, day: int, staff_id: str) -> tuple[int, int]:
        """The shift ``(start, end)`` of the worker-day."""
        entry = self.entry(day, staff_id)
        return self.settings.week.shift_s(day) if entry is None else entry.shift_s

    def lunch(self, day: int, staff_id: str) -> bool:
        """Whether the worker-day has the lunch break."""
        entry = self.entry(day, staff_id)
        return entry is None or entry.lunch_s > 0


def _check_roster(routes: pd.DataFrame, rules: _DayRules) -> list[str]:
    """With a roster, every worker-day is a roster person's on a day they are available."""
    if rules.people is None:
        return []
    week = rules.settings.week
    days = routes.drop_duplicates(["day", "staff_id"])
    known = {staff_id for _, staff_id in rules.people}
    return [
        f"{staff_id} on {week.date_of(int(day))}: "
        + ("not a person of the roster" if staff_id not in known else "not available that day")
        for day, staff_id in zip(days["day"], days["staff_id"], strict=True)
        if rules.entry(int(day), staff_id) is None
    ]


def _check_travel(routes: pd.DataFrame, shops: pd.DataFrame, rules: _DayRules) -> list[str]:
    settings = rules.settings
    week = settings.week
    problems = []
    lunch_s = 60 * week.lunch_min
    # The shop's own position; an unknown shop (reported by the conservation check) where the
    # route puts it.
    known = shops.drop_duplicates("merchant_id").set_index("merchant_id")[["x", "y"]]
    xy = known.reindex(routes["merchant_id"]).to_numpy()
    unknown = np.isnan(xy).any(axis=1)
    if unknown.any():
        xy[unknown] = project(routes["lat"].to_numpy()[unknown], routes["lon"].to_numpy()[unknown])
    for (_, _), route in routes.groupby(["day", "staff_id"], sort=False):
        route = route.sort_values("stop")
        who = f"{route['staff_id'].iat[0]} on {week.date_of(int(route['day'].iat[0]))}"
        # Stops run one after another: from 1, or (a day a re-plan kept under way, see
        # ``planner replan --pin-under-way``) from the first stop not yet reported.
        first = int(route["stop"].iat[0])
        if first < 1 or list(route["stop"]) != list(range(first, first + len(route))):
            problems.append(f"{who}: stops are not numbered one after another")
        pos = xy[routes.index.get_indexer(route.index)]
        day, staff_id = int(route["day"].iat[0]), route["staff_id"].iat[0]
        start_xy, at_first_shop, mode = rules.start(day, staff_id)
        here = np.vstack([start_xy[None, :], pos])
        need = leg_time_s(here[:-1], here[1:], settings.travel, mode)
        if at_first_shop:  # staff report at their first shop
            need[0] = 0
        leave = np.concatenate([[route["leave_office_s"].iat[0]], route["departure_s"].to_numpy()[:-1]])
        arrive, start = route["arrival_s"].to_numpy(), route["start_s"].to_numpy()
        lunch_start = route["lunch_start_s"].iat[0]
        lunch_here = (lunch_start >= leave) & (lunch_start < start)
        short = arrive - leave < need + np.where(lunch_here, lunch_s, 0)
        early = start < arrive
        for i in np.flatnonzero(short | early):
            problems.append(
                f"{who} stop {route['stop'].iat[i]}: arrives {clock_text(arrive[i], week)}, starts "
                f"{clock_text(start[i], week)} after leaving at {clock_text(leave[i], week)} "
                f"with {duration_text(need[i])} of travel"
            )
        end_xy = rules.end(day, staff_id)
        problems += _check_way_back(route, pos[-1], end_xy, mode, settings, who)
    return problems


def _check_way_back(
    route: pd.DataFrame,
    last_xy: np.ndarray,
    end_xy: np.ndarray | None,
    mode: str,
    settings: Settings,
    who: str,
) -> list[str]:
    """The worker-day ends no sooner than the travel model (in the worker's ``mode``) brings them
    back to ``end_xy`` (the office) from the last shop (a lunch taken after it included); on open
    routes (``end_xy`` None), at the last shop."""
    week = settings.week
    last, back = int(route["departure_s"].iat[-1]), int(route["back_office_s"].iat[0])
    late_lunch = 60 * week.lunch_min if route["lunch_start_s"].iat[0] >= last else 0
    if end_xy is None:
        if back != last + late_lunch:
            return [
                f"{who}: ends at {clock_text(back, week)}, but on open routes the day ends at the "
                f"last shop, {clock_text(last + late_lunch, week)}"
            ]
        return []
    home = int(leg_time_s(last_xy[None, :], end_xy[None, :], settings.travel, mode)[0])
    if back < last + home + late_lunch:
        return [
            f"{who}: back at the office at {clock_text(back, week)}, but leaves the last shop at "
            f"{clock_text(last, week)} with {duration_text(home)} of travel"
            + (" and the lunch break" if late_lunch else "")
        ]
    return []


def _check_shifts(routes: pd.DataFrame, rules: _DayRules) -> list[str]:
    week = rules.settings.week
    problems = []
    lunch_s = 60 * week.lunch_min
    for (day, staff_id), route in routes.groupby(["day", "staff_id"], sort=False):
        who = f"{staff_id} on {week.date_of(int(day))}"
        for column, name in (
            ("leave_office_s", "leave_office"),
            ("back_office_s", "back_office"),
            ("lunch_start_s", "lunch_start"),
        ):
            if column in route and route[column].nunique() > 1:
                problems.append(f"{who}: the rows give different {name} times")
        shift = rules.shift(int(day), staff_id)
        out, back = route["leave_office_s"].iat[0], route["back_office_s"].iat[0]
        if out < shift[0] or back > shift[1]:
            problems.append(
                f"{who}: works {clock_text(out, week)}-{clock_text(back, week)}, outside the shift "
                f"{clock_text(shift[0], week)}-{clock_text(shift[1], week)}"
            )
        lunch_start = route["lunch_start_s"].iat[0]
        if not rules.lunch(int(day), staff_id):
            if lunch_start >= 0:
                problems.append(
                    f"{who}: has a lunch break at {clock_text(lunch_start, week)}, but no lunch that day"
                )
            continue
        first, last = week.lunch_window_s(int(day))
        if not first <= lunch_start <= last:
            problems.append(
                f"{who}: lunch starts at {clock_text(lunch_start, week)}, outside "
                f"{clock_text(first, week)}-{clock_text(last, week)}"
            )
        overlap = (route["start_s"] < lunch_start + lunch_s) & (route["departure_s"] > lunch_start)
        problems += [f"{who}: lunch overlaps the visit to {m}" for m in route.loc[overlap, "merchant_id"]]
    return problems
