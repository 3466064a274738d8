"""Field outcomes: check them against the campaign, then record them in the store all or nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from planner.campaign.ledger import AWAITING_REPLAN, check_conservation, shop_standing
from planner.campaign.outcome_file import (  # noqa: F401  (the outcome file's names, importable here as before)
    KEY,
    MAX_CELL_CHARS,
    OUTCOME_COLUMNS,
    OutcomeError,
    parse_outcomes,
    quote_for_message,
    read_outcome_file,
    read_outcomes,
)
from planner.campaign.setup import load_campaign
from planner.campaign.store import CampaignStore


@dataclass(frozen=True)
class ImportResult:
    """What one import recorded."""

    source: str
    rows: int  # outcome rows in the file
    added: int  # new outcomes recorded
    duplicates: int  # rows already recorded (or repeated in the file): ignored
    not_visited: int = 0  # rows left without an outcome: skipped

    def summary(self) -> str:
        """One line for the coordinator.

        Returns
        -------
        str
            ``<file>: <rows> rows, <added> new outcomes, <duplicates> already recorded``, and how
            many rows without an outcome were skipped as not visited.
        """
        skipped = f", {self.not_visited} without an outcome (not visited)" if self.not_visited else ""
        return (
            f"{self.source}: {self.rows} rows, {self.added} new outcomes, "
            f"{self.duplicates} already recorded{skipped}"
        )


def _label(row: pd.Series) -> str:
    return f"{row['source_file']} row {row['source_row']}"


def _contradictions(rows: pd.DataFrame, is_new: pd.Series) -> list[str]:
    """Outcomes of one shop that cannot all be true: two installations, or anything after one."""
    rows = rows.assign(new=is_new).sort_values(["date", "time"], kind="stable")
    installs = rows[rows["outcome"] == "installed"]
    if installs.empty:
        return []
    first = installs.iloc[0]
    problems = []
    for _, other in rows.drop(index=installs.index[0]).iterrows():
        if not (other["new"] or first["new"]):
            continue
        ordered = other["date"] < first["date"] or (
            other["date"] == first["date"]
            and other["time"]
            and first["time"]
            and other["time"] < first["time"]
        )
        if ordered:
            continue
        at, then = (other, first) if other["new"] else (first, other)
        what = "installed twice" if other["outcome"] == "installed" else f"{other['outcome']} after installed"
        when = f"{then['date']} {then['time']}".strip()
        problems.append(
            f"{_label(at)}, column outcome: shop {at['merchant_id']} {what} "
            f"({then['outcome']} on {when}, {_label(then)})"
        )
    return problems


def check_outcomes(
    new: pd.DataFrame,
    recorded: pd.DataFrame,
    merchants: pd.DataFrame,
    first_date: dt.date,
    last_date: dt.date,
) -> list[str]:
    """List why new outcomes cannot be recorded (pure): unknown shops, dates, contradictions.

    Parameters
    ----------
    new
        Parsed outcomes not yet recorded (see :func:`parse_outcomes`).
    recorded
        Outcomes already in the store.
    merchants
        The campaign's merchants with ``needs_panel``.
    first_date, last_date
        The campaign's days; outcomes outside them are refused.

    Returns
    -------
    list of str
        One line per problem, naming the file's row and column; empty when all can be recorded.
    """
    problems = []
    needs = merchants.set_index("merchant_id")["needs_panel"]
    known = new["merchant_id"].isin(needs.index).to_numpy()
    needed = new["merchant_id"].isin(needs.index[needs.to_numpy()]).to_numpy()
    inside = new["date"].between(first_date.isoformat(), last_date.isoformat()).to_numpy()
    # Rows are checked one by one only where something is wrong: a city's day has ~40,000 outcomes.
    for k in (~known | ~needed | ~inside).nonzero()[0]:
        row = new.iloc[k]
        where, shop = f"{_label(row)}, column", row["merchant_id"]
        if not known[k]:
            problems.append(
                f"{where} merchant_id: unknown shop {quote_for_message(shop)} (not a merchant of this campaign)"
            )
        elif not needed[k]:
            problems.append(
                f"{where} merchant_id: shop {quote_for_message(shop)} does not need a panel in this campaign"
            )
        if not inside[k]:
            problems.append(
                f"{where} date: {row['date']} is outside the campaign ({first_date} to {last_date})"
            )
    both = pd.concat([recorded.assign(new=False), new.assign(new=True)], ignore_index=True)
    both = both[both["merchant_id"].isin(set(new["merchant_id"]))]
    # Only a shop with an installation and another outcome can contradict itself.
    counts = both["merchant_id"].value_counts()
    suspects = set(counts.index[counts > 1]) & set(both.loc[both["outcome"] == "installed", "merchant_id"])
    for _, rows in both[both["merchant_id"].isin(suspects)].groupby("merchant_id", sort=True):
        problems += _contradictions(rows.drop(columns="new"), rows["new"])
    return problems


def record_outcomes(store: CampaignStore, outcomes: pd.DataFrame, source: str) -> ImportResult:
    """Record parsed outcomes in one transaction, or nothing at all.

    Outcomes already recorded (same ``KEY``) are skipped, so importing a file twice changes
    nothing. Planned visits met by an outcome become ``done`` (installed) or ``failed``; a shop
    given up (refused, moved, tries exhausted) is unassigned with that reason; a shop to try
    again waits as ``awaiting_replan`` for the next re-plan.

    Parameters
    ----------
    store
        The campaign store.
    outcomes
        Parsed outcomes (see :func:`parse_outcomes`).
    source
        Where they came from, for messages and the result.

    Returns
    -------
    ImportResult
        How many rows were read, recorded and skipped as already recorded.

    Raises
    ------
    OutcomeError
        If any outcome is for an unknown shop, outside the campaign, or contradicts another.
    ConservationError
        If recording would break conservation (then nothing is recorded either).
    """
    campaign = load_campaign(store)
    with store.transaction():
        recorded = store.outcomes()
        known = set(map(tuple, recorded[list(KEY)].astype(str).to_numpy()))
        fresh = ~pd.Series(
            [tuple(k) in known for k in outcomes[list(KEY)].astype(str).to_numpy()], dtype=bool
        )
        new = outcomes[fresh.to_numpy()].reset_index(drop=True)
        week = campaign.settings.week
        problems = check_outcomes(new, recorded, store.merchants(), week.start_date, campaign.deadline)
        if problems:
            raise OutcomeError(source, problems)
        added = store.add_outcomes(new)
        _settle(store, new, campaign.max_tries)
        check_conservation(store)
    return ImportResult(source, len(outcomes), added, len(outcomes) - added)


def import_outcomes(store: CampaignStore, path: str | Path) -> ImportResult:
    """Read an outcome file and record it (see :func:`read_outcome_file` and :func:`record_outcomes`).

    Parameters
    ----------
    store
        The campaign store.
    path
        The outcome CSV file.

    Returns
    -------
    ImportResult
        How many rows were read, recorded, skipped as already recorded, and skipped as not
        visited (no outcome written).

    Raises
    ------
    OutcomeError
        If the file cannot be read or any outcome cannot be recorded; nothing is recorded then.
    ConservationError
        If recording would break conservation.
    """
    parsed = read_outcome_file(path)
    result = record_outcomes(store, parsed.outcomes, str(path))
    return replace(result, not_visited=parsed.not_visited)


def _settle(store: CampaignStore, new: pd.DataFrame, max_tries: int) -> None:
    """Bring visits and the unassigned list in line with newly recorded outcomes."""
    if new.empty:
        return
    affected = sorted(set(new["merchant_id"]))
    standing = shop_standing(affected, store.outcomes(), max_tries)
    planned = store.visits(status="planned", columns=("id", "merchant_id", "date"))
    planned = planned[planned["merchant_id"].isin(affected)]
    met = planned.merge(new[["merchant_id", "date", "outcome"]], on=["merchant_id", "date"])
    store.set_visit_status(met.loc[met["outcome"] == "installed", "id"].tolist(), "done")
    store.set_visit_status(met.loc[met["outcome"] != "installed", "id"].tolist(), "failed")
    left = planned[~planned["id"].isin(met["id"])]
    version = store.current_plan_version()
    settled = standing["installed"] | (standing["given_up"] != "")
    store.set_visit_status(
        left.loc[left["merchant_id"].isin(standing.index[settled]), "id"].tolist(), "superseded"
    )
    store.remove_unassigned(version, standing.index[standing["installed"]].tolist())
    given_up = standing[standing["given_up"] != ""]
    store.set_unassigned(
        version, pd.DataFrame({"merchant_id": given_up.index, "reason": given_up["given_up"]})
    )
    waiting = standing.index[~settled & ~standing.index.isin(left["merchant_id"])]
    store.set_unassigned(version, pd.DataFrame({"merchant_id": waiting, "reason": AWAITING_REPLAN}))
