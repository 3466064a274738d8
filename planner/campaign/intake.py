"""Add merchants to a running campaign, or correct those it has, so the next re-plan takes them in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from planner.campaign.ledger import (
    AWAITING_REPLAN,
    OUT_BY_DATA,
    check_conservation,
    left_work,
    shop_standing,
)
from planner.campaign.setup import Campaign, load_campaign
from planner.campaign.store import CampaignStore
from planner.io.read import ReadResult, read_merchants
from planner.planning.triage import triage
from planner.schema import MERCHANT_COLUMNS


@dataclass(frozen=True)
class AddResult:
    """What ``planner campaign add`` changed in the store, as lists of ``merchant_id``."""

    read: ReadResult
    added: list[str] = field(default_factory=list)  # new to the campaign
    corrected: list[str] = field(default_factory=list)  # known, some column changed (closures included)
    closed: list[str] = field(default_factory=list)  # known, now active false
    unchanged: int = 0  # known, every column as stored
    outside: int = 0  # shops of districts the campaign does not cover: left out
    pending: list[str] = field(default_factory=list)  # now in the work, waiting for the next re-plan
    left: dict[str, str] = field(default_factory=dict)  # out of the work now, with the reason

    def summary(self) -> str:
        """One line for the coordinator.

        Returns
        -------
        str
            Counts of added, corrected, closed and unchanged shops, shops pending and leaving the
            work, and shops of other districts left out.
        """
        reasons = pd.Series(list(self.left.values()), dtype=object).value_counts().sort_index()
        leaving = ", ".join(f"{reason} {count}" for reason, count in reasons.items())
        parts = [
            f"added {len(self.added)}",
            f"corrected {len(self.corrected)}",
            f"closed {len(self.closed)}",
            f"unchanged {self.unchanged}",
            f"pending the next replan {len(self.pending)}",
            f"out of the work {len(self.left)}" + (f" ({leaving})" if leaving else ""),
        ]
        if self.outside:
            parts.append(f"left out (other districts) {self.outside}")
        return ", ".join(parts)


def add_merchants_file(
    store: CampaignStore, path: str | Path, encoding: str | None = None, boundaries: str | Path | None = None
) -> AddResult:
    """Read a merchants file and add or correct its shops in the campaign (see :func:`add_merchants`).

    Parameters
    ----------
    store
        The campaign store.
    path
        Merchants in any layout ``planner.io.read.read_merchants`` reads.
    encoding
        Text encoding of a CSV file; None to detect it.
    boundaries
        District polygons placing the shops by location, or None.

    Returns
    -------
    AddResult
        What changed; ``read`` holds the rows the file rejected.

    Raises
    ------
    InputError
        If the file cannot be read or the store holds no campaign.
    ConservationError
        If the change would lose or double-count a shop (nothing is written then).
    """
    read = read_merchants(path, encoding=encoding, boundaries=boundaries)
    return add_merchants(store, read)


def add_merchants(store: CampaignStore, read: ReadResult) -> AddResult:
    """Add new shops to the campaign and correct known ones, in one transaction.

    New ``merchant_id``\\ s are triaged with the campaign's scenario and cut-off; those needing a
    panel wait as ``awaiting_replan`` for the next re-plan. Known shops take the file's values
    (coordinates, opening hours, ``available_from``, ``active``, ...); a shop once needing a panel
    stays counted as needing, and if its data now says it is closed (``closed_down``) or due no
    panel (``no_panel_due``) it leaves the work with that reason: its planned visits are
    superseded. Installed shops stay installed. Shops of districts the campaign does not cover are
    left out; shops of the store missing from the file are not touched.

    Parameters
    ----------
    store
        The campaign store.
    read
        The merchants read from the file.

    Returns
    -------
    AddResult
        What changed.

    Raises
    ------
    InputError
        If the store holds no campaign.
    ConservationError
        If the change would lose or double-count a shop (nothing is written then).
    """
    campaign = load_campaign(store)
    mine = _of_campaign(read.merchants, campaign)
    fresh = triage(mine, scenario=campaign.scenario, cutoff=campaign.cutoff).set_index("merchant_id")
    with store.transaction():
        stored = store.merchants().set_index("merchant_id")
        known = fresh.index.isin(stored.index)
        columns = [c for c in MERCHANT_COLUMNS if c != "merchant_id"]
        old = stored.loc[fresh.index[known], columns]
        new = fresh.loc[known, columns]
        same = ((old == new) | (old.isna() & new.isna())).all(axis=1)
        changed = same.index[~same]
        closed = [m for m in changed if stored.at[m, "active"] and not fresh.at[m, "active"]]
        written = fresh.loc[[*fresh.index[~known], *changed]].copy()
        was_needing = stored["needs_panel"].reindex(written.index, fill_value=False).to_numpy(dtype=bool)
        written["needs_panel"] = written["needs_panel"].to_numpy(dtype=bool) | was_needing
        store.write_merchants(written.reset_index(), update=True)
        pending, left = _settle(store, written.reset_index(), campaign.max_tries)
        check_conservation(store)
    return AddResult(
        read,
        added=sorted(fresh.index[~known]),
        corrected=sorted(changed),
        closed=sorted(closed),
        unchanged=int(same.sum()),
        outside=len(read.merchants) - len(mine),
        pending=pending,
        left=left,
    )


def _of_campaign(merchants: pd.DataFrame, campaign: Campaign) -> pd.DataFrame:
    """The shops of the campaign's districts; a one-district campaign takes blank districts as its own."""
    names = [d.name_en for d in campaign.districts]
    mine = merchants[merchants["district"].isin(names if len(names) > 1 else [*names, ""])]
    return mine.assign(district=names[0]) if len(names) == 1 else mine


def _settle(store: CampaignStore, written: pd.DataFrame, max_tries: int) -> tuple[list[str], dict[str, str]]:
    """Bring the current plan in line with the written shops; return those pending and those leaving.

    Of the needing shops neither installed nor given up by the field: one out of the work by its
    data has its planned visits superseded and is unassigned with the reason; one in the work but
    in no plan (new, or back from a data reason) waits as ``awaiting_replan``.
    """
    needing = written[written["needs_panel"]]
    if needing.empty:
        return [], {}
    version = store.current_plan_version()
    standing = shop_standing(needing["merchant_id"], store.outcomes(), max_tries)
    open_ = ~standing["installed"] & (standing["given_up"] == "")
    reasons = left_work(needing).reindex(standing.index)
    leaving = standing.index[open_ & (reasons != "")]
    planned = store.visits(status="planned", plan_version=version, columns=("id", "merchant_id"))
    store.set_visit_status(planned.loc[planned["merchant_id"].isin(leaving), "id"].tolist(), "superseded")
    left = {m: reasons[m] for m in sorted(leaving)}
    store.set_unassigned(version, pd.DataFrame({"merchant_id": list(left), "reason": list(left.values())}))
    unassigned = store.unassigned(version).set_index("merchant_id")["reason"]
    placed = set(planned["merchant_id"]) | set(unassigned.index[~unassigned.isin(OUT_BY_DATA)])
    waiting = standing.index[open_ & (reasons == "") & ~standing.index.isin(list(placed))]
    store.set_unassigned(version, pd.DataFrame({"merchant_id": waiting, "reason": AWAITING_REPLAN}))
    return sorted(waiting), left
