"""The coordinator's campaign steps on files: start a campaign, and pick what to simulate."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from planner.campaign.replan import ReplanResult, replan
from planner.campaign.setup import Campaign, init_campaign, load_campaign
from planner.campaign.store import CampaignStore
from planner.districts import District, find_district
from planner.errors import InputError
from planner.io.read import ReadResult, read_merchants
from planner.plan import Progress
from planner.schema import MERCHANT_COLUMNS
from planner.settings import Settings


@dataclass(frozen=True)
class StartResult:
    """What ``start_campaign`` read, stored and planned."""

    read: ReadResult
    needing: int
    first_plan: ReplanResult


def start_campaign(
    merchants_path: str | Path, store_path: str | Path, campaign: Campaign, progress: Progress | None = None
) -> StartResult:
    """Read merchants, store them with the campaign in a new store, and plan the whole week.

    Raises
    ------
    InputError
        If the merchants file is unusable or the store already holds a campaign.
    """
    read = read_merchants(merchants_path)
    with CampaignStore(store_path) as store:
        needing = init_campaign(store, read.merchants, campaign)
        first = replan(store, 0, progress=progress)
    return StartResult(read, needing, first)


def simulation_inputs(
    merchants_path: str | Path | None,
    store_path: str | Path,
    districts: list[str],
    staff: int | None,
    settings: Settings,
) -> tuple[pd.DataFrame, list[District], Settings]:
    """Merchants, districts and settings to simulate: from a merchants file, else the campaign store.

    With a file, ``staff`` (workers a day in each district) is needed, and ``districts`` default
    to every district named in the file. With the store they default to the campaign's, and its
    week and team are used with ``settings``' solver.

    Raises
    ------
    InputError
        If neither a file nor a campaign store is there, or the districts or team are missing.
    """
    if merchants_path is None:
        with CampaignStore.existing(store_path) as store:
            campaign = load_campaign(store)
            merchants = store.merchants().loc[:, list(MERCHANT_COLUMNS)]
        chosen = [find_district(d) for d in districts] or [campaign.district]
        week_and_solver = replace(campaign.settings, solver=settings.solver)
        return merchants, chosen, replace(week_and_solver, staff=staff or campaign.settings.staff)
    if staff is None:
        raise InputError("simulating a merchants file needs --staff (workers a day in each district)")
    merchants = read_merchants(merchants_path).merchants
    named = districts or sorted(d for d in merchants["district"].unique() if d)
    if not named:
        raise InputError(f"{merchants_path}: no district column values; give --district")
    return merchants, [find_district(d) for d in named], replace(settings, staff=staff)
