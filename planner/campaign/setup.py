"""Start a campaign: its settings, and the triaged merchants of its districts put into a new store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from planner.campaign.crews import CampaignRoster, check_covered, pool_days, store_roster
from planner.campaign.ledger import AWAITING_REPLAN, check_conservation
from planner.campaign.store import CampaignStore
from planner.campaign.store_errors import START_AGAIN, StoreError
from planner.errors import InputError
from planner.geo.districts import District, all_districts, find_district
from planner.io.people import Person
from planner.planning.triage import CUTOFF, triage
from planner.settings import Settings

DEFAULT_MAX_TRIES = 3


@dataclass(frozen=True)
class Campaign:
    """What a campaign was started with: districts, teams, scenario, retry limit and settings.

    A campaign covers one district or several (the whole city); ``settings.staff`` is each
    district's team unless ``teams`` names another size for it.
    """

    districts: tuple[District, ...]
    settings: Settings = field(default_factory=Settings)
    scenario: str = "targeted"
    cutoff: dt.date = CUTOFF
    max_tries: int = DEFAULT_MAX_TRIES  # visits to a closed or not-found shop before giving up
    teams: dict[str, int] = field(default_factory=dict)  # district name -> workers a day

    def __post_init__(self) -> None:
        # One District is accepted for a one-district campaign.
        districts = (self.districts,) if isinstance(self.districts, District) else tuple(self.districts)
        if not districts:
            raise InputError("a campaign needs at least one district")
        object.__setattr__(self, "districts", districts)

    @property
    def district(self) -> District:
        """The campaign's district, for a one-district campaign.

        Raises
        ------
        InputError
            If the campaign covers several districts.
        """
        if len(self.districts) > 1:
            raise InputError(
                f"this campaign covers {len(self.districts)} districts; name one with --district"
            )
        return self.districts[0]

    def team(self, district: District) -> int | None:
        """Workers a day in ``district``.

        Parameters
        ----------
        district
            One of the campaign's districts.

        Returns
        -------
        int or None
            Its team, else the settings' ``staff`` (None: the planner sizes the team).
        """
        return self.teams.get(district.name_en, self.settings.staff)

    def settings_for(self, district: District, day: int = 0) -> Settings:
        """Planning settings of ``district``'s team for the days ``day`` .. end.

        Parameters
        ----------
        district
            One of the campaign's districts.
        day
            First campaign day planned.

        Returns
        -------
        Settings
            The week shifted to start on ``day``, with the district's team as ``staff``.
        """
        return replace(self.settings_from(day), staff=self.team(district))

    def find(self, name: str) -> District:
        """One of the campaign's districts, by any name ``find_district`` knows.

        Parameters
        ----------
        name
            A district name or code.

        Returns
        -------
        District
            The district, if the campaign covers it.

        Raises
        ------
        InputError
            If the district is not part of the campaign.
        """
        district = find_district(name)
        if district not in self.districts:
            names = ", ".join(d.name_en for d in self.districts)
            raise InputError(f"{district.name_en} is not part of this campaign ({names})")
        return district

    @property
    def days(self) -> int:
        """Days in the campaign."""
        return self.settings.week.days

    @property
    def deadline(self) -> dt.date:
        """The campaign's last day."""
        return self.settings.week.date_of(self.days - 1)

    def settings_from(self, day: int) -> Settings:
        """Planning settings for the days ``day`` .. end: the week starts ``day`` days later.

        Parameters
        ----------
        day
            First campaign day planned.

        Returns
        -------
        Settings
            The campaign's settings with the week shortened by ``day`` days.
        """
        week = self.settings.week
        shifted = replace(week, start_date=week.date_of(day), days=week.days - day)
        return replace(self.settings, week=shifted)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_dict` reads it back.

        Returns
        -------
        dict
            Districts, teams, scenario, cut-off, tries and settings, as plain values.
        """
        return {
            "districts": [d.name_en for d in self.districts],
            "teams": dict(sorted(self.teams.items())),
            "scenario": self.scenario,
            "cutoff": self.cutoff.isoformat(),
            "max_tries": self.max_tries,
            "settings": self.settings.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Campaign:
        """Rebuild a campaign from :meth:`to_dict`'s output.

        Parameters
        ----------
        data
            The dict stored with the campaign; an older single ``district`` key is read too.

        Returns
        -------
        Campaign
            The campaign as it was stored.
        """
        names = data["districts"] if "districts" in data else [data["district"]]  # a "district" key: one
        return cls(
            districts=tuple(find_district(name) for name in names),
            settings=Settings.from_dict(data["settings"], source="campaign settings"),
            scenario=data["scenario"],
            cutoff=dt.date.fromisoformat(data["cutoff"]),
            max_tries=int(data["max_tries"]),
            teams={name: int(size) for name, size in data.get("teams", {}).items()},
        )


def load_campaign(store: CampaignStore) -> Campaign:
    """The campaign kept in ``store``.

    Parameters
    ----------
    store
        The campaign store.

    Returns
    -------
    Campaign
        The campaign as stored at ``planner campaign init``.

    Raises
    ------
    InputError
        If the store holds no campaign yet.
    StoreError
        If the stored campaign cannot be read back (a hand-edited or damaged file).
    """
    data = store.read_campaign()
    if data is None:
        raise InputError(f"{store.path}: no campaign here yet; start one with 'planner campaign init'")
    try:
        return Campaign.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        what = f"no {exc}" if isinstance(exc, KeyError) else str(exc)
        raise StoreError(f"{store.path}: the stored campaign is damaged ({what}); {START_AGAIN}") from exc


def campaign_merchants(
    store: CampaignStore, campaign: Campaign, districts: list[str] | None = None
) -> pd.DataFrame:
    """The store's merchants (of ``districts`` only, if given), each with its district.

    A one-district campaign's store may hold blank districts: they are filled in.

    Parameters
    ----------
    store
        The campaign store.
    campaign
        The store's campaign.
    districts
        English district names, or None for all.

    Returns
    -------
    pandas.DataFrame
        Merchants in the canonical layout with their triage, ordered by ``merchant_id``.
    """
    merchants = store.merchants(districts)
    if len(campaign.districts) == 1:
        merchants["district"] = campaign.districts[0].name_en
    return merchants


def districts_in(merchants: pd.DataFrame) -> tuple[District, ...]:
    """The districts named in a merchants frame, in statistical-code order.

    Parameters
    ----------
    merchants
        Merchants with a ``district`` column.

    Returns
    -------
    tuple of District
        Each district named at least once.

    Raises
    ------
    InputError
        If no row names a district.
    """
    named = set(merchants["district"].dropna()) - {""}
    chosen = tuple(d for d in all_districts() if d.name_en in named)
    if not chosen:
        raise InputError("the merchants name no district; give --district")
    return chosen


def init_campaign(
    store: CampaignStore,
    merchants: pd.DataFrame,
    campaign: Campaign,
    people: list[Person] | None = None,
    say: Callable[[str], None] | None = None,
) -> int:
    """Triage the campaign's merchants and store them with the campaign, all in one transaction.

    The shops needing a panel start as unassigned ``awaiting_replan`` in plan version 1, so the
    store conserves shops from the start; ``planner.campaign.replan.replan(store, 0)`` makes the
    first real plan. With ``people`` (a roster) the campaign plans with them instead of a team
    size: the roster is stored, and its shared pool sent to the districts day by day once, here
    (``planner.campaign.crews.pool_days``); every plan of the campaign keeps to both.

    Parameters
    ----------
    store
        An empty store.
    merchants
        Canonical merchants (``planner.schema.MERCHANT_COLUMNS``); shops of other districts are
        left out. Shops without a district are kept (as the district's) only by a one-district
        campaign: with several, their office is unknown.
    campaign
        Districts, teams, scenario, cutoff, retry limit and settings.
    people
        The roster to plan with (``planner.io.roster.read_roster``); None plans with the teams.
    say
        Called with each line of what the roster is short of (``shortfall_lines``), before the
        campaign is stored.

    Returns
    -------
    int
        How many shops need a panel.

    Raises
    ------
    InputError
        If the store already holds a campaign, a district has no team (without a roster) or no
        person (with one), or no merchant of the campaign needs a panel.
    """
    if store.read_campaign() is not None:
        raise InputError(f"{store.path}: already holds a campaign; use another --store file")
    if people is not None and campaign.teams:
        raise InputError("give either team sizes or a roster: a roster says who works each day")
    for district in campaign.districts if people is None else ():
        team = campaign.team(district)
        if team is None or team < 1:
            raise InputError(f"{district.name_en} needs a team size: give --staff N (workers a day)")
    names = [d.name_en for d in campaign.districts]
    mine = merchants[merchants["district"].isin(names if len(names) > 1 else [*names, ""])]
    if len(names) == 1:
        mine = mine.assign(district=names[0])
    triaged = triage(mine, scenario=campaign.scenario, cutoff=campaign.cutoff)
    needing = triaged.loc[triaged["needs_panel"], ["merchant_id"]]
    if needing.empty:
        raise InputError(f"no merchant of {', '.join(names)} needs a panel ({campaign.scenario})")
    roster = None
    if people is not None:
        shops = triaged[triaged["needs_panel"]]
        by_district = {d: shops[shops["district"] == d.name_en] for d in campaign.districts}
        sent, short = pool_days(people, by_district, campaign.settings)
        roster = CampaignRoster(tuple(people), sent)
        check_covered(roster, by_district)
        for line in short if say else ():
            say(line)
    with store.transaction():
        store.write_campaign(campaign.to_dict())
        if roster is not None:
            store_roster(store, roster)
        store.write_merchants(triaged)
        version = store.add_plan(0, {"note": "campaign started, not planned yet"})
        store.set_unassigned(version, needing.assign(reason=AWAITING_REPLAN))
        check_conservation(store)
    return len(needing)
