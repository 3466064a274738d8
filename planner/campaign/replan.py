"""Re-plan the rest of a campaign: keep what is done, plan every remaining shop over the days left."""

from __future__ import annotations

import datetime as dt
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass, field, replace

import pandas as pd

from planner.campaign.budget import solver_budgets
from planner.campaign.crews import load_roster, reallocate
from planner.campaign.ledger import check_conservation, shop_standing, with_left_work
from planner.campaign.notices import BROKEN_COLUMNS, MONTHS, broken_promises, open_promises, promised_routes
from planner.campaign.setup import Campaign, campaign_merchants, load_campaign
from planner.campaign.store import VISIT_FIELDS, CampaignStore
from planner.errors import InputError, PlannerError
from planner.geo.districts import District
from planner.planning.city import CityProgress, side_by_side
from planner.planning.crew import crew_of
from planner.planning.executor import Executor, make_executor
from planner.planning.fixed import hold_fixed
from planner.planning.plan import Progress, plan_district
from planner.settings import Settings, SolverSettings

CLOCK_FIELDS = ("arrival_s", "start_s", "departure_s", "leave_office_s", "back_office_s", "lunch_start_s")
DISTRICT_FIGURES = ("needing", "planned", "unassigned", "staff_per_day", "staff_days", "last_day_used")


class StoreChangedError(PlannerError, RuntimeError):
    """Someone changed the store while a re-plan was being computed; nothing was written."""


@dataclass(frozen=True)
class ReplanResult:
    """What one re-plan stored."""

    plan_version: int
    from_day: int  # first campaign day planned anew (day + 1 when today's routes are pinned)
    planned: int  # shops with a planned visit, pinned ones included
    pinned: int  # visits of today kept as they were
    installed: int
    unassigned: pd.DataFrame = field(repr=False)  # merchant_id, reason
    seconds: float = 0.0
    districts: pd.DataFrame = field(
        default_factory=pd.DataFrame, repr=False
    )  # one row per re-planned district
    broken_promises: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(BROKEN_COLUMNS)), repr=False
    )  # promises sent (planner notices) that the new plan cannot keep

    def summary(self) -> dict:
        """The figures a coordinator reads first.

        Returns
        -------
        dict
            Plan version, first day planned, districts re-planned, installed, planned, pinned and
            unassigned shops (in total and ``unassigned_<reason>``), and the seconds taken.
        """
        reasons = self.unassigned["reason"].value_counts().to_dict()
        return {
            "plan_version": self.plan_version,
            "from_day": self.from_day,
            "districts": len(self.districts),
            "installed": self.installed,
            "planned": self.planned,
            "pinned": self.pinned,
            "unassigned": len(self.unassigned),
            **{f"unassigned_{k}": int(v) for k, v in sorted(reasons.items())},
            **({"promises_broken": len(self.broken_promises)} if len(self.broken_promises) else {}),
            "seconds": round(self.seconds, 1),
        }


def replan(
    store: CampaignStore,
    day: int,
    pin_under_way: bool = False,
    progress: Progress | None = None,
    executor: Executor | None = None,
    districts: list[str] | None = None,
    budget_s: float | str | None = None,
) -> ReplanResult:
    """Plan every shop still to do over the campaign days ``day`` .. end and store it as a new version.

    Installed shops stay done. Refused or moved shops, and closed or not-found ones tried
    ``max_tries`` times, are unassigned with that reason, as are shops whose corrected data
    (``planner campaign add``) says they closed down or are due no panel; other failed shops are
    tried again on a day other than the ones they failed on. No shop is visited before its
    ``available_from``. The worker-days that keep a promise sent (``planner notices``) are kept
    as they are, less the shops no longer to do (``planner.campaign.notices.promised_routes``),
    each with the same person when the campaign has a roster; one that no longer holds (changed
    hours, say) lets its shops go to be planned like the rest, and the promises then not kept
    are listed with why. A campaign started with a roster plans the days left with its people:
    each district's own, and the pool people sent there on those days
    (``planner.campaign.crews``). Every district re-planned gets a new plan in the new version;
    the other districts' planned visits and unassigned shops are carried into it as they were.
    Every earlier planned visit is superseded. Reading, planning and writing form one
    operation: the new version is stored in one transaction, or not at all.

    Parameters
    ----------
    store
        The campaign store.
    day
        First campaign day to plan (0-based; 0 is the campaign's start date).
    pin_under_way
        Keep the current plan's visits of ``day`` (staff already out) and plan from ``day + 1``.
    progress
        Called as ``progress(done, total, label)`` while zones are solved.
    executor
        Where the zones are solved; districts are planned side by side on it (default: the
        campaign's ``solver.processes`` local processes).
    districts
        Re-plan only these districts (default: all of the campaign's).
    budget_s
        Seconds the re-plan should take, or ``"auto"``: zone and improvement budgets shrink with
        the work left to fit it (see ``planner.campaign.budget.solver_budgets``); None keeps the
        campaign's.

    Returns
    -------
    ReplanResult
        The new version's number and figures.

    Raises
    ------
    InputError
        If ``day`` is outside the campaign or a district is not part of it.
    StoreChangedError
        If outcomes were imported or another plan stored meanwhile (nothing is written).
    ConservationError
        If the new plan would lose or double-count a shop (nothing is written).
    """
    began = time.perf_counter()
    campaign = load_campaign(store)
    if not 0 <= day < campaign.days:
        raise InputError(f"--day {day} is outside the campaign (days 0 to {campaign.days - 1})")
    chosen = [campaign.find(name) for name in districts] if districts else list(campaign.districts)
    names = {d.name_en for d in chosen}
    version, marker = store.current_plan_version(), store.last_outcome_id()
    merchants = campaign_merchants(store, campaign, None if districts is None else sorted(names))
    needing = merchants[merchants["needs_panel"] & merchants["district"].isin(names)]
    needing = needing.sort_values(["priority", "merchant_id"], kind="stable")
    standing = shop_standing(needing["merchant_id"], store.outcomes(), campaign.max_tries)
    standing = with_left_work(standing, needing)  # closed down or no panel due: out, with the reason
    pinned = pd.DataFrame(columns=list(VISIT_FIELDS))
    if pin_under_way:
        pinned = _under_way(store, version, day, set(needing["merchant_id"]))
    first = day + 1 if pin_under_way else day
    todo = ~standing["installed"] & (standing["given_up"] == "") & ~standing.index.isin(pinned["merchant_id"])
    shops = needing[needing["merchant_id"].isin(standing.index[todo])]
    work = {d: shops[shops["district"] == d.name_en] for d in chosen}
    promises = open_promises(store, shops, campaign.settings, first)
    roster = load_roster(store, campaign.settings)
    whole = names == {d.name_en for d in campaign.districts}
    resent = roster is not None and whole and first < campaign.days
    if resent:  # the whole campaign is re-planned: its pool goes where the work left is
        promised = promised_routes(store, version, needing, promises)
        roster = reallocate(roster, work, campaign.settings_from(first), first, promised)
    seats = None if roster is None else roster.seats(first)
    fixed = promised_routes(store, version, needing, promises, seats)
    own = (
        make_executor(max(1, campaign.settings.solver.processes))
        if executor is None
        else nullcontext(executor)
    )
    with own as run:
        solvers = solver_budgets(
            {d.name_en: len(s) for d, s in work.items()}, campaign.settings.solver, run.workers, budget_s
        )
        rosters = None if roster is None else roster.districts(first)
        planned = plan_districts(work, standing, campaign, first, run, progress, solvers, fixed, rosters)
    released = {shop: why for _, _, s in planned.values() for shop, why in s.pop("released", {}).items()}
    visits, unassigned, table = _combine(planned, standing)
    broken = broken_promises(visits, promises, released, shops, campaign.settings)
    if len(pinned):
        visits = pd.concat([pinned[list(VISIT_FIELDS)], visits], ignore_index=True)
    summary = {"day": day, "pinned": len(pinned), "districts": table.to_dict("records")}
    if len(broken):
        summary["broken_promises"] = broken.to_dict("records")
    others = sorted({d.name_en for d in campaign.districts} - names)
    pool = roster.pool_days[roster.pool_days["day"] >= first] if resent else None
    new_version = _store_plan(store, (version, marker), first, summary, others, visits, unassigned, pool)
    return ReplanResult(
        new_version,
        first,
        int(visits["merchant_id"].nunique()),
        len(pinned),
        int(standing["installed"].sum()),
        unassigned,
        time.perf_counter() - began,
        table,
        broken,
    )


def _store_plan(
    store: CampaignStore,
    seen: tuple[int | None, int],
    first: int,
    summary: dict,
    others: list[str],
    visits: pd.DataFrame,
    unassigned: pd.DataFrame,
    pool: pd.DataFrame | None = None,
) -> int:
    """Store the new plan version in one transaction, carrying the ``others`` districts' plans; return it.

    ``seen`` is the plan version and last outcome id the re-plan started from: if either moved,
    nothing is written (``StoreChangedError``); if conservation breaks, nothing either. ``pool``:
    where the roster's pool goes from ``first`` on, when the re-plan sent it anew.
    """
    version, marker = seen
    with store.transaction():
        if store.current_plan_version() != version or store.last_outcome_id() != marker:
            raise StoreChangedError(
                f"{store.path} changed while re-planning (outcomes imported?); run it again"
            )
        new_version = store.add_plan(first, summary)
        if others:
            store.carry_forward(version, new_version, others)
        store.supersede_planned(below=new_version)
        store.add_visits(new_version, visits)
        store.set_unassigned(new_version, unassigned)
        if pool is not None:
            store.set_pool_days(first, pool)
        check_conservation(store)
    return new_version


def _under_way(store: CampaignStore, version: int | None, day: int, shops: set[str]) -> pd.DataFrame:
    """The current plan's visits of ``day`` to ``shops`` not yet reported on: staff are out doing them."""
    visits = store.visits(status="planned", plan_version=version)
    return visits[(visits["day"] == day) & visits["merchant_id"].isin(shops)].reset_index(drop=True)


def _combine(planned: dict[District, tuple], standing: pd.DataFrame):
    """Every district's visits and unassigned shops in one frame each (given-up shops added), and a table."""
    empty = pd.DataFrame(columns=list(VISIT_FIELDS))
    visits = [v for v, _, _ in planned.values() if len(v)]
    given_up = standing[standing["given_up"] != ""]
    unassigned = [u for _, u, _ in planned.values() if len(u)]
    unassigned.append(
        pd.DataFrame({"merchant_id": given_up.index, "reason": given_up["given_up"].to_numpy()})
    )
    rows = [
        {"district": d.name_en, **{k: s.get(k) for k in DISTRICT_FIGURES}}
        for d, (_, _, s) in sorted(planned.items(), key=lambda item: item[0].name_en)
    ]
    return (
        pd.concat(visits, ignore_index=True) if visits else empty,
        pd.concat(unassigned, ignore_index=True),
        pd.DataFrame(rows, columns=["district", *DISTRICT_FIGURES]),
    )


def plan_districts(
    work: dict[District, pd.DataFrame],
    standing: pd.DataFrame,
    campaign: Campaign,
    first: int,
    executor: Executor,
    progress: Progress | None = None,
    solvers: dict[str, SolverSettings] | None = None,
    fixed: pd.DataFrame | None = None,
    rosters: dict[str, tuple[list, dict]] | None = None,
) -> dict[District, tuple[pd.DataFrame, pd.DataFrame, dict]]:
    """Plan each district's remaining shops over the days ``first`` .. end, side by side on ``executor``.

    Districts are planned by threads of this process (largest first, one more than the
    executor's workers so they always have zones queued); the solves run on the executor. On
    any error, Ctrl-C included, the executor is closed so nothing keeps running.

    ``solvers`` gives a district solver settings other than the campaign's (see ``solver_budgets``).

    Parameters
    ----------
    work
        The shops each district still has to do.
    standing
        Each shop's standing from the outcomes so far (``planner.campaign.ledger.shop_standing``).
    campaign
        The campaign: its week, teams and settings.
    first
        The first campaign day planned.
    executor
        Runs the solves.
    progress
        Called as ``progress(done, total, text)`` with the shops routed in all districts so far.
    solvers
        Solver settings by district name, in place of the campaign's.
    fixed
        Worker-days to keep as they are (``planner.campaign.notices.promised_routes``).
    rosters
        With a roster: each district's people and pool days for the days ``first`` .. end
        (``planner.campaign.crews.CampaignRoster.districts``); None plans with the teams.

    Returns
    -------
    dict
        Per district: visits (campaign days), unassigned shops and the plan's summary, whose
        ``released`` maps each shop that left a fixed worker-day to why.
    """
    order = sorted(work, key=lambda d: -len(work[d]))
    solvers = solvers or {}
    fixed = pd.DataFrame(columns=[*VISIT_FIELDS, "district", "seat"]) if fixed is None else fixed
    held = {d: fixed[fixed["district"] == d.name_en] for d in order}
    crews = {d: (None, None) if rosters is None else rosters.get(d.name_en, ([], {})) for d in order}

    def settings_of(district: District) -> Settings | None:
        if first >= campaign.days:
            return None
        settings = campaign.settings_for(district, first)
        return replace(settings, solver=solvers.get(district.name_en, settings.solver))

    if len(order) == 1:
        district = order[0]
        return {
            district: _plan_remaining(
                work[district],
                standing,
                settings_of(district),
                district,
                first,
                progress,
                executor,
                held[district],
                *crews[district],
            )
        }
    tracker = CityProgress({d.name_en: len(work[d]) for d in order}, progress)
    stop = threading.Event()

    def one(district: District):
        if stop.is_set():
            raise InterruptedError("the re-plan was stopped")
        report = tracker.for_district(district.name_en)
        result = _plan_remaining(
            work[district],
            standing,
            settings_of(district),
            district,
            first,
            report,
            executor,
            held[district],
            *crews[district],
        )
        tracker.district_done(district.name_en)
        return district, result

    threads = 1 if executor.workers == 1 else executor.workers + 1
    return dict(side_by_side(one, [(d,) for d in order], threads, executor, stop))


def _plan_remaining(
    shops: pd.DataFrame,
    standing: pd.DataFrame,
    settings: Settings | None,
    district: District,
    first: int,
    progress: Progress | None,
    executor: Executor | None,
    fixed: pd.DataFrame,
    people: list | None = None,
    workdays: dict | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Plan ``shops`` over the campaign days ``first`` .. end; return visits, unassigned, summary.

    ``settings`` are the district's for those days (``Campaign.settings_for``), None when no day
    is left; the visits' days and clock times come back counted from the campaign's start.
    ``fixed`` worker-days (campaign days) are kept where they still hold; the summary's
    ``released`` says why each shop that left one did. ``people`` and ``workdays`` are the
    district's roster for those days (days counted from ``first``), None without a roster.
    """
    empty = pd.DataFrame(columns=list(VISIT_FIELDS))
    nothing = {"district": district.name_en, "needing": len(shops), "planned": 0, "unassigned": len(shops)}
    if shops.empty:
        return empty, pd.DataFrame(columns=["merchant_id", "reason"]), nothing
    crew = None if settings is None else crew_of(people, settings, workdays)
    if settings is None or crew == {}:  # no day left, or none a person of the roster works here
        unassigned = pd.DataFrame({"merchant_id": shops["merchant_id"].to_numpy(), "reason": "capacity"})
        note = "no days left" if settings is None else "no person of the roster works here on the days left"
        return empty, unassigned, {**nothing, "note": note}
    shops = shops.assign(opening_hours=_closed_on_failed_days(shops, standing))
    fixed = fixed.astype({c: "int64" for c in ("day", "seat", "stop", *CLOCK_FIELDS)})
    fixed = fixed.assign(day=fixed["day"] - first, **{c: _shifted(fixed[c], -first) for c in CLOCK_FIELDS})
    kept, released = hold_fixed(fixed, shops, district, settings, crew)
    plan = plan_district(
        shops, district, settings, progress, executor, people=people, workdays=workdays, fixed=kept
    )
    visits = plan.routes.loc[:, list(VISIT_FIELDS)].copy()
    visits["day"] += first
    for column in CLOCK_FIELDS:
        visits[column] = _shifted(visits[column], first)
    return visits, plan.unassigned.loc[:, ["merchant_id", "reason"]], {**plan.summary(), "released": released}


def _shifted(clock: pd.Series, days: int) -> pd.Series:
    """Clock times moved by ``days`` days; -1 (no lunch break) stays -1."""
    return clock.where(clock < 0, clock + days * 86_400)


def _closed_on_failed_days(shops: pd.DataFrame, standing: pd.DataFrame) -> list[str]:
    """Opening hours with each day a visit failed marked closed, so a retry falls on another day."""
    hours = []
    for shop, expression in zip(shops["merchant_id"], shops["opening_hours"], strict=True):
        dates = standing.at[shop, "failed_dates"]
        if not dates:
            hours.append(expression)
            continue
        days = [dt.date.fromisoformat(d) for d in dates]
        off = "; ".join(f"{d.year} {MONTHS[d.month - 1]} {d.day:02d} off" for d in days)
        hours.append(f"{expression.strip().rstrip(';') or '24/7'}; {off}")
    return hours
