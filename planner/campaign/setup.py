"""Start a campaign: its settings, and a district's triaged merchants put into a new store."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pandas as pd

from planner.campaign.ledger import AWAITING_REPLAN, check_conservation
from planner.campaign.store import CampaignStore
from planner.districts import District, find_district
from planner.errors import InputError
from planner.settings import Settings
from planner.triage import triage

DEFAULT_MAX_TRIES = 3
CUTOFF = dt.date(2021, 12, 31)


@dataclass(frozen=True)
class Campaign:
    """What a campaign was started with: district, scenario, retry limit and planning settings."""

    district: District
    settings: Settings = field(default_factory=Settings)
    scenario: str = "targeted"
    cutoff: dt.date = CUTOFF
    max_tries: int = DEFAULT_MAX_TRIES  # visits to a closed or not-found shop before giving up

    @property
    def days(self) -> int:
        """Days in the campaign."""
        return self.settings.week.days

    @property
    def deadline(self) -> dt.date:
        """The campaign's last day."""
        return self.settings.week.date_of(self.days - 1)

    def settings_from(self, day: int) -> Settings:
        """Planning settings for the days ``day`` .. end: the week starts ``day`` days later."""
        week = self.settings.week
        shifted = replace(week, start_date=week.date_of(day), days=week.days - day)
        return replace(self.settings, week=shifted)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_dict` reads it back."""
        return {
            "district": self.district.name_en,
            "scenario": self.scenario,
            "cutoff": self.cutoff.isoformat(),
            "max_tries": self.max_tries,
            "settings": settings_to_dict(self.settings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Campaign:
        """Rebuild a campaign from :meth:`to_dict`'s output."""
        return cls(
            district=find_district(data["district"]),
            settings=Settings.from_dict(data["settings"], source="campaign settings"),
            scenario=data["scenario"],
            cutoff=dt.date.fromisoformat(data["cutoff"]),
            max_tries=int(data["max_tries"]),
        )


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    """Settings as nested dicts of plain values, in the layout ``Settings.from_dict`` reads."""

    def plain(section: object) -> dict[str, Any]:
        return {
            k: v.isoformat() if isinstance(v, dt.date | dt.time) else v for k, v in asdict(section).items()
        }

    data: dict[str, Any] = {
        "week": plain(settings.week),
        "travel": plain(settings.travel),
        "solver": plain(settings.solver),
        "service_min": dict(settings.service_min),
        "default_service_min": settings.default_service_min,
    }
    if settings.staff is not None:
        data["staff"] = settings.staff
    return data


def load_campaign(store: CampaignStore) -> Campaign:
    """The campaign kept in ``store``.

    Raises
    ------
    InputError
        If the store holds no campaign yet.
    """
    data = store.read_campaign()
    if data is None:
        raise InputError(f"{store.path}: no campaign here yet; start one with 'planner campaign init'")
    return Campaign.from_dict(data)


def init_campaign(store: CampaignStore, merchants: pd.DataFrame, campaign: Campaign) -> int:
    """Triage the district's merchants and store them with the campaign, all in one transaction.

    The shops needing a panel start as unassigned ``awaiting_replan`` in plan version 1, so the
    store conserves shops from the start; ``planner.campaign.replan.replan(store, 0)`` makes the
    first real plan.

    Parameters
    ----------
    store
        An empty store.
    merchants
        Canonical merchants (``planner.schema.MERCHANT_COLUMNS``); shops of other districts are
        left out (shops without a district are kept).
    campaign
        District, scenario, cutoff, retry limit and settings.

    Returns
    -------
    int
        How many shops need a panel.

    Raises
    ------
    InputError
        If the store already holds a campaign, or no merchant of the district needs a panel.
    """
    if store.read_campaign() is not None:
        raise InputError(f"{store.path}: already holds a campaign; use another --store file")
    if campaign.settings.staff is None or campaign.settings.staff < 1:
        raise InputError("a campaign needs a team size: give --staff N (workers a day)")
    mine = merchants[merchants["district"].isin([campaign.district.name_en, ""])]
    triaged = triage(mine, scenario=campaign.scenario, cutoff=campaign.cutoff)
    needing = triaged.loc[triaged["needs_panel"], ["merchant_id"]]
    if needing.empty:
        raise InputError(f"no merchant of {campaign.district.name_en} needs a panel ({campaign.scenario})")
    with store.transaction():
        store.write_campaign(campaign.to_dict())
        store.write_merchants(triaged)
        version = store.add_plan(0, {"note": "campaign started, not planned yet"})
        store.set_unassigned(version, needing.assign(reason=AWAITING_REPLAN))
        check_conservation(store)
    return len(needing)
