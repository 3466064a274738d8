"""Progress of a campaign per district: shops done, planned and left, projected finish, risk."""

from __future__ import annotations

import pandas as pd

from planner.campaign.ledger import AWAITING_REPLAN, FINAL_OUTCOMES, OUT_BY_DATA, conservation
from planner.campaign.setup import load_campaign
from planner.campaign.store import CampaignStore

CITY = "city"  # the total row of a campaign of several districts
# Unassigned for these reasons, a re-plan places the shop again (with more staff, if need be).
OPEN_REASONS = ("capacity", AWAITING_REPLAN)
# The field settled these shops after visiting them, or corrected data took them out of the work:
# no visit is planned and none would help.
GIVEN_UP_REASONS = (*FINAL_OUTCOMES, "tries_exhausted", *OUT_BY_DATA)
# No shift of the roster reaches these shops: a re-plan with the same shifts never places them.
NO_SHIFT_REASONS = ("no_time_window_fits", "not_reachable")
STATUS_COLUMNS = (
    "district",
    "needing",
    "installed",
    "given_up",
    "planned",
    "left",
    "finished",
    "last_day",
    "projected_finish",
    "deadline",
    "at_risk",
)

# What ``planner status`` prints, a row per district: the counts, the dates and the risk.
SHOWN_COLUMNS = (
    "district",
    "needing",
    "installed",
    "given_up",
    "planned",
    "left",
    "last_day",
    "projected_finish",
    "at_risk",
)


def is_left(reasons: pd.Series) -> pd.Series:
    """Which unassigned shops are still left to do: every reason but the field's give-ups.

    A shop no shift reaches (``NO_SHIFT_REASONS``) is left, not done: the week has not finished
    while it waits. A reason not known here counts as left too, so no shop is ever taken as done
    by mistake.

    Parameters
    ----------
    reasons
        The reason of each unassigned shop.

    Returns
    -------
    pandas.Series
        True for each shop still left.
    """
    return reasons.notna() & ~reasons.isin(GIVEN_UP_REASONS)


def campaign_status(store: CampaignStore) -> pd.DataFrame:
    """Progress of the store's campaign, one row per district (and a ``city`` row for several).

    Parameters
    ----------
    store
        The campaign store.

    Returns
    -------
    pandas.DataFrame
        ``STATUS_COLUMNS`` plus a count per reason present: ``left_<reason>`` for the shops
        left and ``given_up_<reason>`` for those given up. Every needing shop is counted once:
        ``needing = installed + given_up + planned + left``. ``left`` counts the shops neither
        installed, planned nor given up, whatever the reason (no time window fits, capacity,
        awaiting a re-plan, ...); ``finished`` is true when nothing is planned or left;
        ``last_day`` is the last date the field recorded an outcome (None before the first);
        ``projected_finish`` is the last date of the current plan (or of the last installation
        when nothing is planned); ``at_risk`` is true when shops are left or the plan ends after
        the deadline. ``frame.attrs`` holds ``plan_version`` and ``conservation`` (a list of
        problems, empty when every needing shop is installed, planned or unassigned with a reason).
    """
    campaign = load_campaign(store)
    needing = store.needing_districts()
    # A one-district campaign's store may leave the district blank.
    needing["district"] = needing["district"].replace("", campaign.districts[0].name_en)
    outcomes = store.outcomes()
    installs = _first_installs(outcomes)
    last_seen = outcomes.groupby("merchant_id")["date"].max().rename("seen_on").reset_index()
    version, planned = _planned_visits(store)
    unassigned = store.unassigned(version)
    state = needing.merge(installs.rename(columns={"date": "installed_on"}), how="left", on="merchant_id")
    state = state.merge(planned.rename(columns={"date": "planned_on"}), how="left", on="merchant_id")
    state = state.merge(unassigned, how="left", on="merchant_id")
    state = state.merge(last_seen, how="left", on="merchant_id")
    rows = [_district_row(name, shops, campaign.deadline) for name, shops in state.groupby("district")]
    if len(rows) > 1:
        rows.append(_district_row(CITY, state, campaign.deadline))
    table = pd.DataFrame(rows)
    reason_columns = [
        *sorted(c for c in table.columns if c.startswith("left_")),
        *sorted(c for c in table.columns if c.startswith("given_up_")),
    ]
    table = table[[*STATUS_COLUMNS, *reason_columns]]
    table[reason_columns] = table[reason_columns].fillna(0).astype(int)
    table.attrs["plan_version"] = version
    table.attrs["conservation"] = conservation(store)
    return table


def _first_installs(outcomes: pd.DataFrame) -> pd.DataFrame:
    """``merchant_id, date`` of each shop's first install: a shop installed again counts once."""
    installs = outcomes.loc[outcomes["outcome"] == "installed", ["merchant_id", "date"]]
    return installs.sort_values("date").drop_duplicates("merchant_id")


def _planned_visits(store: CampaignStore) -> tuple[int | None, pd.DataFrame]:
    """The current plan version and its visits still planned (``merchant_id, date``)."""
    version = store.current_plan_version()
    return version, store.visits(status="planned", plan_version=version, columns=("merchant_id", "date"))


def _district_row(name: str, shops: pd.DataFrame, deadline) -> dict:
    installed = shops["installed_on"].notna()
    planned = shops["planned_on"].notna()
    left = is_left(shops["reason"])
    given_up = shops["reason"].isin(GIVEN_UP_REASONS)
    last_planned = shops.loc[planned, "planned_on"].max() if planned.any() else None
    last_installed = shops.loc[installed, "installed_on"].max() if installed.any() else None
    finish = last_planned or last_installed
    seen = shops["seen_on"].dropna()
    return {
        "district": name,
        "needing": len(shops),
        "installed": int(installed.sum()),
        "given_up": int(given_up.sum()),
        "planned": int(planned.sum()),
        "left": int(left.sum()),
        "finished": bool(not planned.any() and not left.any()),
        "last_day": seen.max() if len(seen) else None,
        "projected_finish": finish,
        "deadline": deadline.isoformat(),
        "at_risk": bool(left.any() or (finish is not None and finish > deadline.isoformat())),
        **{f"left_{reason}": int(n) for reason, n in shops.loc[left, "reason"].value_counts().items()},
        **{
            f"given_up_{reason}": int(n) for reason, n in shops.loc[given_up, "reason"].value_counts().items()
        },
    }


def daily_progress(store: CampaignStore) -> pd.DataFrame:
    """Shops installed and planned on each day of the campaign's week, and where that leads.

    Parameters
    ----------
    store
        The campaign store.

    Returns
    -------
    pandas.DataFrame
        One row per day of the week (and any later day with an install or a planned visit):
        ``date`` (ISO text), ``installed`` (shops first installed that day), ``planned`` (shops
        the current plan visits that day, not installed yet), ``done`` (installed so far) and
        ``projected`` (``done`` plus what the plan adds up to that day). ``frame.attrs`` holds
        ``needing``, ``given_up``, ``deadline`` and ``plan_version``.
    """
    campaign = load_campaign(store)
    needing = store.needing_districts()["merchant_id"]
    installs = _first_installs(store.outcomes())
    installs = installs[installs["merchant_id"].isin(needing)]
    version, planned = _planned_visits(store)
    planned = planned[~planned["merchant_id"].isin(installs["merchant_id"])].drop_duplicates("merchant_id")
    week = campaign.settings.week
    dates = {str(week.date_of(day)) for day in range(week.days)}
    dates |= set(installs["date"].astype(str)) | set(planned["date"].astype(str))
    table = pd.DataFrame({"date": sorted(dates)})
    table["installed"] = table["date"].map(installs["date"].astype(str).value_counts()).fillna(0).astype(int)
    table["planned"] = table["date"].map(planned["date"].astype(str).value_counts()).fillna(0).astype(int)
    table["done"] = table["installed"].cumsum()
    table["projected"] = table["done"] + table["planned"].cumsum()
    status = campaign_status(store)
    total = status.iloc[-1]  # the city row, or the one district's
    table.attrs.update(
        needing=int(total["needing"]),
        given_up=int(total["given_up"]),
        deadline=campaign.deadline.isoformat(),
        plan_version=version,
    )
    return table
