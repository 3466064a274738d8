"""Re-plan the rest of a campaign: keep what is done, plan every remaining shop over the days left."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace

import pandas as pd

from planner.campaign.ledger import check_conservation, shop_standing
from planner.campaign.setup import Campaign, load_campaign
from planner.campaign.store import VISIT_FIELDS, CampaignStore
from planner.errors import InputError, PlannerError
from planner.plan import Progress, plan_district

CLOCK_FIELDS = ("arrival_s", "start_s", "departure_s", "leave_office_s", "back_office_s", "break_start_s")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


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

    def summary(self) -> dict:
        """The figures a coordinator reads first."""
        reasons = self.unassigned["reason"].value_counts().to_dict()
        return {
            "plan_version": self.plan_version,
            "from_day": self.from_day,
            "installed": self.installed,
            "planned": self.planned,
            "pinned": self.pinned,
            "unassigned": len(self.unassigned),
            **{f"unassigned_{k}": int(v) for k, v in sorted(reasons.items())},
            "seconds": round(self.seconds, 1),
        }


def replan(
    store: CampaignStore,
    day: int,
    pin_under_way: bool = False,
    progress: Progress | None = None,
    processes: int | None = None,
) -> ReplanResult:
    """Plan every shop still to do over the campaign days ``day`` .. end and store it as a new version.

    Installed shops stay done. Refused or moved shops, and closed or not-found ones tried
    ``max_tries`` times, are unassigned with that reason; other failed shops are tried again on a
    day other than the ones they failed on. Every earlier planned visit is superseded.

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
    processes
        Zones solved in parallel this time (default: the campaign's ``solver.processes``).

    Raises
    ------
    InputError
        If ``day`` is outside the campaign.
    StoreChangedError
        If outcomes were imported or another plan stored meanwhile (nothing is written).
    ConservationError
        If the new plan would lose or double-count a shop (nothing is written).
    """
    began = time.perf_counter()
    campaign = load_campaign(store)
    if processes is not None:
        solver = replace(campaign.settings.solver, processes=processes)
        campaign = replace(campaign, settings=replace(campaign.settings, solver=solver))
    if not 0 <= day < campaign.days:
        raise InputError(f"--day {day} is outside the campaign (days 0 to {campaign.days - 1})")
    version, marker = store.current_plan_version(), store.last_outcome_id()
    merchants = store.merchants()
    needing = merchants[merchants["needs_panel"]].sort_values(["priority", "merchant_id"], kind="stable")
    standing = shop_standing(needing["merchant_id"], store.outcomes(), campaign.max_tries)
    pinned = _under_way(store, version, day) if pin_under_way else pd.DataFrame(columns=list(VISIT_FIELDS))
    first = day + 1 if pin_under_way else day
    todo = ~standing["installed"] & (standing["given_up"] == "") & ~standing.index.isin(pinned["merchant_id"])
    shops = needing[needing["merchant_id"].isin(standing.index[todo])]
    visits, unassigned, summary = _plan_remaining(shops, standing, campaign, first, progress)
    given_up = standing[standing["given_up"] != ""]
    unassigned = pd.concat(
        [
            unassigned,
            pd.DataFrame({"merchant_id": given_up.index, "reason": given_up["given_up"].to_numpy()}),
        ],
        ignore_index=True,
    )
    visits = pd.concat([pinned[list(VISIT_FIELDS)], visits], ignore_index=True) if len(pinned) else visits
    with store.transaction():
        if store.current_plan_version() != version or store.last_outcome_id() != marker:
            raise StoreChangedError(
                f"{store.path} changed while re-planning (outcomes imported?); run it again"
            )
        store.supersede_planned()
        new_version = store.add_plan(first, {**summary, "pinned": len(pinned), "day": day})
        store.add_visits(new_version, visits)
        store.set_unassigned(new_version, unassigned)
        check_conservation(store)
    return ReplanResult(
        new_version,
        first,
        int(visits["merchant_id"].nunique()),
        len(pinned),
        int(standing["installed"].sum()),
        unassigned,
        time.perf_counter() - began,
    )


def _under_way(store: CampaignStore, version: int | None, day: int) -> pd.DataFrame:
    """The current plan's visits of ``day`` not yet reported on: staff are out doing them."""
    visits = store.visits(status="planned", plan_version=version)
    return visits[visits["day"] == day].reset_index(drop=True)


def _plan_remaining(
    shops: pd.DataFrame, standing: pd.DataFrame, campaign: Campaign, first: int, progress: Progress | None
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Plan ``shops`` over the days ``first`` .. end; return visits (campaign days), unassigned, summary."""
    empty = pd.DataFrame(columns=list(VISIT_FIELDS))
    if shops.empty:
        return empty, pd.DataFrame(columns=["merchant_id", "reason"]), {"needing": 0}
    if first >= campaign.days:
        unassigned = pd.DataFrame({"merchant_id": shops["merchant_id"].to_numpy(), "reason": "capacity"})
        return empty, unassigned, {"needing": len(shops), "note": "no days left"}
    settings = campaign.settings_from(first)
    shops = shops.assign(opening_hours=_closed_on_failed_days(shops, standing))
    plan = plan_district(shops, campaign.district, settings, progress)
    visits = plan.routes.loc[:, list(VISIT_FIELDS)].copy()
    visits["day"] += first
    for column in CLOCK_FIELDS:
        visits[column] += first * 86_400
    return visits, plan.unassigned, plan.summary()


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
