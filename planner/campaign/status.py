"""Progress of a campaign per district: shops done, planned and left, projected finish, risk."""

from __future__ import annotations

import pandas as pd

from planner.campaign.ledger import AWAITING_REPLAN, conservation
from planner.campaign.setup import load_campaign
from planner.campaign.store import CampaignStore

CITY = "city"  # the total row of a campaign of several districts
# Unassigned for these reasons, a shop is still work to do: more staff or a re-plan can reach it.
OPEN_REASONS = ("capacity", AWAITING_REPLAN)
STATUS_COLUMNS = (
    "district",
    "needing",
    "installed",
    "planned",
    "unassigned",
    "shops_left",
    "projected_finish",
    "deadline",
    "at_risk",
)


def campaign_status(store: CampaignStore) -> pd.DataFrame:
    """Progress of the store's campaign, one row per district (and a ``city`` row for several).

    Returns
    -------
    pandas.DataFrame
        ``STATUS_COLUMNS`` plus one ``unassigned_<reason>`` count per reason present.
        ``shops_left`` counts shops neither installed nor given up for good (planned, or
        unassigned for capacity or awaiting a re-plan); ``projected_finish`` is the last date of
        the current plan (or of the last installation when nothing is planned); ``at_risk`` is
        true when shops are left without a place in the plan or the plan ends after the deadline.
        ``frame.attrs`` holds ``plan_version`` and ``conservation`` (a list of problems, empty
        when every needing shop is installed, planned or unassigned with a reason).
    """
    campaign = load_campaign(store)
    needing = store.needing_districts()
    # A one-district campaign's store may leave the district blank.
    needing["district"] = needing["district"].replace("", campaign.districts[0].name_en)
    outcomes = store.outcomes()
    installs = outcomes[outcomes["outcome"] == "installed"][["merchant_id", "date"]]
    version = store.current_plan_version()
    planned = store.visits(status="planned", plan_version=version, columns=("merchant_id", "date"))
    unassigned = store.unassigned(version)
    state = needing.merge(installs.rename(columns={"date": "installed_on"}), how="left", on="merchant_id")
    state = state.merge(planned.rename(columns={"date": "planned_on"}), how="left", on="merchant_id")
    state = state.merge(unassigned, how="left", on="merchant_id")
    rows = [_district_row(name, shops, campaign.deadline) for name, shops in state.groupby("district")]
    if len(rows) > 1:
        rows.append(_district_row(CITY, state, campaign.deadline))
    table = pd.DataFrame(rows)
    reason_columns = sorted(c for c in table.columns if c.startswith("unassigned_"))
    table = table[[*STATUS_COLUMNS, *reason_columns]]
    table[reason_columns] = table[reason_columns].fillna(0).astype(int)
    table.attrs["plan_version"] = version
    table.attrs["conservation"] = conservation(store)
    return table


def _district_row(name: str, shops: pd.DataFrame, deadline) -> dict:
    installed = shops["installed_on"].notna()
    planned = shops["planned_on"].notna()
    reasons = shops["reason"].dropna().value_counts()
    open_left = int(shops["reason"].isin(OPEN_REASONS).sum())
    last_planned = shops.loc[planned, "planned_on"].max() if planned.any() else None
    last_installed = shops.loc[installed, "installed_on"].max() if installed.any() else None
    finish = last_planned or last_installed
    return {
        "district": name,
        "needing": len(shops),
        "installed": int(installed.sum()),
        "planned": int(planned.sum()),
        "unassigned": int(reasons.sum()),
        "shops_left": int(planned.sum()) + open_left,
        "projected_finish": finish,
        "deadline": deadline.isoformat(),
        "at_risk": bool(open_left > 0 or (finish is not None and finish > deadline.isoformat())),
        **{f"unassigned_{reason}": int(n) for reason, n in reasons.items()},
    }
