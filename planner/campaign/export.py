"""The campaign's current plan as plan folders: what route sheets, maps and ``planner verify`` read.

A campaign keeps its plans in its store; the commands that print and draw a plan (``planner
sheets``, ``map``, ``export``, ``charts``) and the one that re-checks it (``planner verify``) read
the folders ``planner plan`` writes. After each night's re-plan this writes the current plan
version in that layout: a folder per district with ``routes.csv``, ``unassigned.csv``,
``summary.json`` and the merchants the version covers (its planned and unassigned shops).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from planner.campaign.crews import load_roster
from planner.campaign.notices import current_promises
from planner.campaign.setup import Campaign, campaign_merchants, load_campaign
from planner.campaign.store import CampaignStore
from planner.errors import InputError
from planner.geo.districts import District
from planner.io.columns import available_from_text
from planner.io.spreadsheet import quote_text, write_spreadsheet_csv
from planner.planning.city import atomic_folder
from planner.planning.output import write_plan
from planner.planning.plan import UNASSIGNED_COLUMNS, Plan
from planner.planning.promises import NOTICES_FILE
from planner.planning.schedule import ROUTE_COLUMNS, with_clock_times
from planner.samples.district import write_sample
from planner.schema import MERCHANT_COLUMNS

# Route columns that come from the merchants table, not from the stored visits.
SHOP_DETAIL = ("lat", "lon", "name", "address", "category", "opening_hours", "priority", "reason")


def current_plans(store: CampaignStore) -> list[tuple[Plan, pd.DataFrame]]:
    """Each district's part of the current plan version, with the merchants it covers.

    Every visit of the version is kept whatever its outcome since (done and failed visits too),
    so each worker-day reads as it was planned.

    Parameters
    ----------
    store
        The campaign store.

    Returns
    -------
    list of tuple
        ``(plan, merchants)`` per district of the campaign, in its order: the district's ``Plan``
        and the triaged merchants its visits and unassigned shops cover.

    Raises
    ------
    InputError
        If the store holds no campaign or no plan yet.
    """
    campaign = load_campaign(store)
    version = store.current_plan_version()
    if version is None:
        raise InputError(f"{store.path}: no plan yet; 'planner replan --day 0' makes the first")
    visits = store.visits(plan_version=version)
    unassigned = store.unassigned(version)
    merchants = campaign_merchants(store, campaign).set_index("merchant_id", drop=False)
    roster = load_roster(store, campaign.settings)
    rosters = None if roster is None else roster.districts()
    visits_by = dict(tuple(visits.groupby(visits["merchant_id"].map(merchants["district"]))))
    left_by = dict(tuple(unassigned.groupby(unassigned["merchant_id"].map(merchants["district"]))))
    plans = []
    for district in campaign.districts:
        mine = visits_by.get(district.name_en, visits.iloc[:0])
        left = left_by.get(district.name_en, unassigned.iloc[:0])
        covered = merchants.loc[sorted(set(mine["merchant_id"]) | set(left["merchant_id"]))]
        crew = None if rosters is None else rosters.get(district.name_en, ([], {}))
        plan = _plan_of(campaign, district, mine, left, merchants, crew)
        plans.append((plan, covered.reset_index(drop=True)))
    return plans


def write_current_plan(store: CampaignStore, out_dir: str | Path) -> list[Path]:
    """Write the current plan version as one plan folder per district under ``out_dir``.

    Each folder holds ``routes.csv``, ``unassigned.csv``, ``summary.json`` and
    ``merchants-<district>.csv``, so ``planner sheets``, ``map`` and ``verify`` need nothing
    else; and ``notices.csv`` when promises sent (``planner notices --store``) fall on the
    plan's days, so ``verify`` checks them. ``out_dir`` is replaced whole, and only once
    everything is written.

    Parameters
    ----------
    store
        The campaign store.
    out_dir
        The folder to write; replaced if it exists.

    Returns
    -------
    list of Path
        The district folders, in the campaign's district order.

    Raises
    ------
    InputError
        If the store holds no campaign or no plan yet.
    """
    plans = current_plans(store)
    first = store.plans()["from_day"].iloc[-1]
    first_date = str(load_campaign(store).settings.week.date_of(int(first)))
    out = Path(out_dir)
    with atomic_folder(out) as partial:
        for plan, merchants in plans:
            folder = partial / plan.district.slug
            write_plan(plan, folder)
            # Quoted like every CSV planner writes: the coordinator opens it in a spreadsheet.
            write_sample(
                quote_text(merchants.loc[:, list(MERCHANT_COLUMNS)]),
                folder / f"merchants-{plan.district.slug}.csv",
            )
            promises = current_promises(store, merchants, first_date)
            if len(promises):
                write_spreadsheet_csv(promises, folder / NOTICES_FILE, bom=True)
    return [out / plan.district.slug for plan, _ in plans]


def _plan_of(
    campaign: Campaign,
    district: District,
    visits: pd.DataFrame,
    unassigned: pd.DataFrame,
    merchants: pd.DataFrame,
    crew: tuple[list, dict] | None = None,
) -> Plan:
    """One district's visits and unassigned shops of the version as a ``Plan`` (zones unknown: -1).

    With a roster, ``crew`` is the district's people and pool days for the whole campaign: the
    plan carries them (its folder gets ``roster.csv``) and each route its person's name and mode.
    """
    people, workdays = crew or ((), {})
    team = campaign.teams.get(district.name_en, campaign.settings.staff) if crew is None else len(people)
    settings = replace(campaign.settings, staff=team)
    shop = merchants.loc[visits["merchant_id"], list(SHOP_DETAIL)].reset_index(drop=True)
    routes = with_clock_times(pd.concat([visits.reset_index(drop=True), shop], axis=1), settings.week)
    names = {p.staff_id: (p.name, p.mode) for p in people}  # without a roster: empty, as in such a plan
    routes["staff_name"] = [names.get(s, ("", ""))[0] for s in routes["staff_id"]]
    routes["mode"] = [names.get(s, ("", ""))[1] for s in routes["staff_id"]]
    return Plan(
        district,
        settings,
        team,
        len(set(visits["merchant_id"]) | set(unassigned["merchant_id"])),
        routes.assign(zone=-1).loc[:, list(ROUTE_COLUMNS)],
        _unassigned_of(unassigned, merchants),
        scenario=campaign.scenario,
        cutoff=str(campaign.cutoff),
        people=tuple(people),
        workdays=dict(workdays) if people else {},
    )


def _unassigned_of(unassigned: pd.DataFrame, merchants: pd.DataFrame) -> pd.DataFrame:
    """The unassigned shops (``merchant_id``, ``reason``) with their details (``UNASSIGNED_COLUMNS``).

    The store keeps no zones: every shop's zone is -1.
    """
    detail = [c for c in UNASSIGNED_COLUMNS if c not in ("merchant_id", "reason", "zone")]
    shop = merchants.loc[unassigned["merchant_id"], detail].reset_index(drop=True)
    table = pd.concat([unassigned.reset_index(drop=True), shop], axis=1).assign(zone=-1)
    table["available_from"] = available_from_text(table["available_from"])
    return table.loc[:, list(UNASSIGNED_COLUMNS)]
