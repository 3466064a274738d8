"""Where each shop of a campaign stands (installed, planned, given up, to re-plan) and conservation."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from planner.campaign.store import CampaignStore
from planner.errors import PlannerError
from planner.planning.verify import OUT_BY_DATA, UNASSIGNED_REASONS

OUTCOMES = ("installed", "closed", "refused", "not_found", "moved")
RETRY_OUTCOMES = ("closed", "not_found")  # the shop may be there another day
FINAL_OUTCOMES = ("refused", "moved")  # no point going back: reported unassigned with this reason
AWAITING_REPLAN = "awaiting_replan"  # a failed visit whose shop the next re-plan will place again
# Corrected merchant data takes a shop out of the work: closed down, or no panel due any more.
CLOSED_DOWN, NO_PANEL_DUE = OUT_BY_DATA
CAMPAIGN_REASONS = (*UNASSIGNED_REASONS, AWAITING_REPLAN)


class ConservationError(PlannerError, RuntimeError):
    """The store lost or double-counted a shop; the operation that caused it is rolled back."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = "\n  ".join(self.problems[:20])
        more = f"\n  ... and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"campaign conservation broken ({len(self.problems)} problems):\n  {shown}{more}")


def shop_standing(needing_ids: Iterable[str], outcomes: pd.DataFrame, max_tries: int) -> pd.DataFrame:
    """What the field outcomes say about each shop needing a panel.

    Parameters
    ----------
    needing_ids
        The shops needing a panel.
    outcomes
        Recorded outcomes (at least ``merchant_id``, ``date``, ``time``, ``outcome``).
    max_tries
        Visits to a closed or not-found shop before it is given up as ``tries_exhausted``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``merchant_id``: ``installed`` (bool), ``tries`` (failed visits: closed or
        not found), ``given_up`` (``"refused"``, ``"moved"``, ``"tries_exhausted"`` or ``""``)
        and ``failed_dates`` (sorted ISO dates of closed / not-found visits).
    """
    ids = pd.Index(list(needing_ids), name="merchant_id")
    mine = outcomes[outcomes["merchant_id"].isin(ids)].sort_values(["date", "time"], kind="stable")
    standing = pd.DataFrame(index=ids)
    standing["installed"] = ids.isin(mine.loc[mine["outcome"] == "installed", "merchant_id"])
    failed = mine[mine["outcome"].isin(RETRY_OUTCOMES)]
    standing["tries"] = failed.groupby("merchant_id").size().reindex(ids, fill_value=0).astype(int)
    dates = failed.groupby("merchant_id")["date"].agg(lambda d: tuple(sorted(set(d))))
    standing["failed_dates"] = [dates.get(m, ()) for m in ids]
    final = mine[mine["outcome"].isin(FINAL_OUTCOMES)].groupby("merchant_id")["outcome"].last()
    given_up = pd.Series("", index=ids, dtype=object)
    given_up[standing["tries"] >= max_tries] = "tries_exhausted"
    given_up.loc[final.index] = final
    given_up[standing["installed"]] = ""
    standing["given_up"] = given_up
    return standing


def left_work(merchants: pd.DataFrame) -> pd.Series:
    """Why each stored shop is out of the work by its own data: ``closed_down``, ``no_panel_due`` or "".

    A shop once needing a panel stays counted as needing (conservation); when corrected data says it
    is closed (``active`` false) or its triage finds no reason for a panel any more, it leaves the
    work with that reason instead of silently.

    Parameters
    ----------
    merchants
        Stored merchants with ``merchant_id``, ``active`` and the triage ``reason``.

    Returns
    -------
    pandas.Series
        The reason of each merchant (``""`` while it is in the work), indexed by ``merchant_id``.
    """
    active = merchants["active"].to_numpy(dtype=bool)
    no_reason = merchants["reason"].fillna("").to_numpy() == ""
    reasons = np.where(~active, CLOSED_DOWN, np.where(no_reason, NO_PANEL_DUE, ""))
    return pd.Series(reasons, index=pd.Index(merchants["merchant_id"], name="merchant_id"), dtype=object)


def with_left_work(standing: pd.DataFrame, needing: pd.DataFrame) -> pd.DataFrame:
    """``standing`` with shops out of the work by their data (:func:`left_work`) given up for that reason.

    Installed shops stay installed, and a give-up from the field keeps its reason.

    Parameters
    ----------
    standing
        Output of :func:`shop_standing` for the shops of ``needing``.
    needing
        The stored merchants needing a panel.

    Returns
    -------
    pandas.DataFrame
        A copy of ``standing``.
    """
    reasons = left_work(needing).reindex(standing.index).fillna("")
    standing = standing.copy()
    out = (reasons != "") & ~standing["installed"] & (standing["given_up"] == "")
    standing.loc[out, "given_up"] = reasons[out]
    return standing


def conservation_problems(
    needing_ids: Iterable[str], installed_ids: Iterable[str], planned: pd.DataFrame, unassigned: pd.DataFrame
) -> list[str]:
    """List how the campaign breaks ``needing = installed + planned + unassigned`` (empty when it holds).

    ``planned`` holds the current plan's still-planned visits (``merchant_id``); ``unassigned`` the
    current plan's unassigned shops (``merchant_id``, ``reason``). The three groups must be
    disjoint, cover every needing shop and nothing else, with each reason in ``CAMPAIGN_REASONS``.

    Parameters
    ----------
    needing_ids
        Shops that need a panel.
    installed_ids
        Shops with an ``installed`` outcome.
    planned
        The current plan's still-planned visits.
    unassigned
        The current plan's unassigned shops.

    Returns
    -------
    list of str
        One line per problem; empty when conservation holds.
    """
    needing, installed = set(needing_ids), set(installed_ids)
    planned_ids, left = set(planned["merchant_id"]), set(unassigned["merchant_id"])
    counts = planned["merchant_id"].value_counts()
    problems = [f"shop {m} has {n} planned visits" for m, n in counts[counts > 1].items()]
    for name, a, b in (
        ("installed and planned", installed, planned_ids),
        ("installed and unassigned", installed, left),
        ("planned and unassigned", planned_ids, left),
    ):
        problems += [f"shop {m} is both {name}" for m in sorted(a & b)]
    counted = installed | planned_ids | left
    problems += [f"shop {m} needs a panel but is nowhere" for m in sorted(needing - counted)]
    problems += [f"shop {m} is counted but does not need a panel" for m in sorted(counted - needing)]
    bad = unassigned[~unassigned["reason"].isin(CAMPAIGN_REASONS)]
    problems += [
        f"shop {m} is unassigned for an unknown reason {r!r}" for m, r in bad.itertuples(index=False)
    ]
    return problems


def conservation(store: CampaignStore) -> list[str]:
    """Check ``needing = installed + planned + unassigned`` on the store's current plan; list problems.

    Parameters
    ----------
    store
        The campaign store.

    Returns
    -------
    list of str
        One line per problem (see ``conservation_problems``); empty when conservation holds.
    """
    ids = store.shop_ids()
    planned = pd.DataFrame({"merchant_id": ids["planned"]}, dtype=object)
    unassigned = pd.DataFrame({"merchant_id": ids["unassigned"], "reason": ids["reasons"]}, dtype=object)
    return conservation_problems(ids["needing"], ids["installed"], planned, unassigned)


def check_conservation(store: CampaignStore) -> None:
    """Raise ``ConservationError`` if the store breaks conservation (see :func:`conservation`).

    Parameters
    ----------
    store
        The campaign store.

    Raises
    ------
    ConservationError
        If some shop is lost, counted twice, or unassigned for an unknown reason.
    """
    problems = conservation(store)
    if problems:
        raise ConservationError(problems)
