"""A campaign's roster: kept in its store at the start, and each district's people for the days a plan covers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from planner.campaign.store import POOL_DAY_FIELDS, CampaignStore
from planner.campaign.store_errors import START_AGAIN, StoreError
from planner.errors import InputError
from planner.geo.districts import District
from planner.io.people import Person
from planner.io.roster import parse_roster, roster_table
from planner.planning.crew import district_rosters
from planner.planning.shiftwork import district_work
from planner.planning.workforce import allocate_pool, shortfall, shortfall_lines
from planner.settings import Settings


@dataclass(frozen=True)
class CampaignRoster:
    """The people a campaign plans with, and the campaign days its pool is sent to each district.

    ``pool_days`` has ``POOL_DAY_FIELDS``: one row per pool person and campaign day sent.
    """

    people: tuple[Person, ...]
    pool_days: pd.DataFrame

    def districts(self, first: int = 0) -> dict[str, tuple[list[Person], dict[str, list[int]]]]:
        """Each district's people for the campaign days ``first`` .. end, as ``plan_district`` takes them.

        A district's people are its own, in roster order, and the pool people sent there on one
        of those days; their days are counted from ``first``, as the plan's week is.

        Parameters
        ----------
        first
            The first campaign day planned.

        Returns
        -------
        dict
            District name -> (its people, ``staff_id`` -> the days, from ``first``, a pool person
            works there). A district nobody works in is absent.
        """
        left = self.pool_days[self.pool_days["day"] >= first]
        return district_rosters(list(self.people), left.assign(day=left["day"] - first))

    def seats(self, first: int = 0) -> dict[str, dict[str, int]]:
        """Each person's seat in their district's plan of the days ``first`` .. end.

        Parameters
        ----------
        first
            The first campaign day planned.

        Returns
        -------
        dict
            District name -> ``staff_id`` -> seat (the person's place among the district's people).
        """
        return {
            name: {p.staff_id: seat for seat, p in enumerate(people)}
            for name, (people, _) in self.districts(first).items()
        }


def pool_days(
    people: list[Person], needing: Mapping[District, pd.DataFrame], settings: Settings
) -> tuple[pd.DataFrame, list[str]]:
    """Send the roster's pool to the campaign's districts, day by day (``allocate_pool``), and
    say where the roster is short.

    Parameters
    ----------
    people
        The roster.
    needing
        The shops needing a panel of each of the campaign's districts.
    settings
        The campaign's week and shifts.

    Returns
    -------
    tuple
        ``POOL_DAY_FIELDS`` (no rows when the roster has no pool), and one line per district the
        roster is short for, the pool counted where it is sent (``shortfall_lines``).
    """
    work = district_work(needing, settings)
    if any(p.district is None for p in people):
        allocation = allocate_pool(people, work, settings).loc[:, list(POOL_DAY_FIELDS)]
    else:
        allocation = pd.DataFrame(columns=list(POOL_DAY_FIELDS))
    lines = shortfall_lines(shortfall(people, work, settings, allocation))
    return allocation.reset_index(drop=True), lines


def reallocate(
    roster: CampaignRoster,
    left: Mapping[District, pd.DataFrame],
    settings: Settings,
    first: int,
    promised: pd.DataFrame,
) -> CampaignRoster:
    """The roster with its pool sent again, over the campaign days ``first`` .. end, to the work left.

    Each evening the work left differs from the estimate the pool was first sent by (shops
    closed, refused, done early): the pool goes where it is needed now (``allocate_pool``). A pool
    person whose worker-day keeps a promise (``promised``) stays in that district that day.

    Parameters
    ----------
    roster
        The campaign's roster and the pool's days so far.
    left
        The shops each of the campaign's districts still has to do.
    settings
        The campaign's settings for the days ``first`` .. end (``Campaign.settings_from``).
    first
        The first campaign day planned.
    promised
        The worker-days kept for promises (``staff_id``, ``day`` as campaign days, ``district``).

    Returns
    -------
    CampaignRoster
        The same people; the pool's days before ``first`` as they were, from ``first`` on anew.
    """
    pool = {p.staff_id for p in roster.people if p.district is None}
    if not pool:
        return roster
    fresh = allocate_pool(list(roster.people), district_work(left, settings), settings)
    fresh = fresh.assign(day=fresh["day"] + first).loc[:, list(POOL_DAY_FIELDS)]
    before = roster.pool_days[roster.pool_days["day"] < first]
    kept = promised.loc[promised["staff_id"].isin(pool), ["staff_id", "day", "district"]].drop_duplicates()
    kept = kept.merge(roster.pool_days[["staff_id", "day", "shift"]], on=["staff_id", "day"], how="left")
    kept["shift"] = kept["shift"].fillna("day")
    keys = pd.MultiIndex.from_frame(kept[["staff_id", "day"]].astype({"day": "int64"}))
    fresh = fresh[~pd.MultiIndex.from_frame(fresh[["staff_id", "day"]]).isin(keys)]
    days = pd.concat([before, kept.loc[:, list(POOL_DAY_FIELDS)], fresh], ignore_index=True)
    days = days.astype({"staff_id": str, "day": "int64", "district": str, "shift": str})
    return replace(roster, pool_days=days.sort_values(["staff_id", "day"], ignore_index=True))


def check_covered(roster: CampaignRoster, needing: Mapping[District, pd.DataFrame]) -> None:
    """Refuse a roster that leaves a campaign district with shops to do without anyone.

    Parameters
    ----------
    roster
        The roster and its pool's days.
    needing
        The shops needing a panel of each of the campaign's districts.

    Raises
    ------
    InputError
        If a district with shops needing a panel has no person of its own and no pool day.
    """
    staffed = roster.districts()
    empty = [d.name_en for d, shops in needing.items() if len(shops) and not staffed.get(d.name_en, ([],))[0]]
    if empty:
        raise InputError(
            f"roster: no person works in {', '.join(empty)} (none of its own, and the shared pool is "
            "not sent there); add people with that district, or leave it out with --district"
        )


def store_roster(store: CampaignStore, roster: CampaignRoster) -> None:
    """Keep the roster and its pool's days in the store (inside the caller's transaction, if any).

    Parameters
    ----------
    store
        The campaign store, with no roster yet.
    roster
        The roster and its pool's days.
    """
    store.write_roster(roster_table(list(roster.people)), roster.pool_days)


def load_roster(store: CampaignStore, settings: Settings) -> CampaignRoster | None:
    """The roster stored with the campaign, or None for a campaign planned with a head count.

    Parameters
    ----------
    store
        The campaign store.
    settings
        The campaign's settings (blank cells were given their defaults when stored).

    Returns
    -------
    CampaignRoster or None
        The people in roster order and the pool's days.

    Raises
    ------
    StoreError
        If a stored row no longer reads as a roster row (a hand-edited file).
    """
    cells = store.roster()
    if cells.empty:
        return None
    read = parse_roster(cells.set_axis(range(1, len(cells) + 1)), settings)
    if not read.rejects.empty:
        first = read.rejects.iloc[0]
        raise StoreError(
            f"{store.path}: the stored roster is damaged (person {first['merchant_id']}: {first['reason']}); "
            f"{START_AGAIN}"
        )
    return CampaignRoster(tuple(read.people), store.pool_days())
