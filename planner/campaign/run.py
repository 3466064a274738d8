"""The coordinator's campaign steps on files: start a campaign, and pick what to simulate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from planner.campaign.replan import ReplanResult, replan
from planner.campaign.setup import DEFAULT_MAX_TRIES, Campaign, districts_in, init_campaign, load_campaign
from planner.campaign.store import CampaignStore
from planner.errors import InputError
from planner.geo.districts import District, find_district
from planner.io.people import Person
from planner.io.read import ReadResult, read_merchants
from planner.planning.executor import Executor
from planner.planning.plan import Progress
from planner.schema import MERCHANT_COLUMNS
from planner.settings import Settings


@dataclass(frozen=True)
class StartResult:
    """What ``start_campaign`` read, stored and planned."""

    read: ReadResult
    needing: int
    first_plan: ReplanResult


def parse_teams(pairs: list[str]) -> dict[str, int]:
    """Teams given as ``NAME=WORKERS`` (any district name ``find_district`` knows).

    Parameters
    ----------
    pairs
        Texts such as ``Jongno-gu=12``, as given to ``--team``.

    Returns
    -------
    dict of str to int
        Workers a day by English district name.

    Raises
    ------
    InputError
        If a pair is not ``NAME=WORKERS`` with a whole number of at least 1.
    """
    teams = {}
    for pair in pairs:
        name, _, size = pair.partition("=")
        if not size.strip().isdigit() or int(size) < 1:
            raise InputError(f"--team {pair!r}: expected NAME=WORKERS, e.g. Jongno-gu=12")
        teams[find_district(name).name_en] = int(size)
    return teams


def start_campaign(
    merchants_path: str | Path,
    store_path: str | Path,
    settings: Settings,
    districts: list[str] | None = None,
    teams: dict[str, int] | None = None,
    progress: Progress | None = None,
    executor: Executor | None = None,
    scenario: str = "targeted",
    max_tries: int = DEFAULT_MAX_TRIES,
    budget_s: float | str | None = None,
    boundaries: str | Path | None = None,
    encoding: str | None = None,
    people: list[Person] | None = None,
    say: Callable[[str], None] | None = None,
) -> StartResult:
    """Read merchants, store them with a new campaign in a new store, and plan the whole week.

    Parameters
    ----------
    merchants_path
        Merchants of one district, several or the whole city (``planner sample --city``).
    store_path
        A new store file.
    settings
        Week, solver and each district's team (``settings.staff``).
    districts
        The campaign's districts (default: every district named in the file).
    teams
        Teams other than ``settings.staff``, by district name.
    progress, executor, budget_s
        See ``planner.campaign.replan.replan``.
    boundaries
        District polygons: each shop's district is the one its location lies in
        (``planner.io.boundaries.settle_districts``).
    encoding
        Text encoding of a CSV merchants file (see ``planner.io.read_merchants``).
    people
        A roster to plan with instead of teams (``planner.io.roster.read_roster``): each
        district's people and the shared pool, sent to the districts day by day once, at the
        start (see ``planner.campaign.setup.init_campaign``).
    say
        Called with each line of what the roster is short of, before the first plan.

    Returns
    -------
    StartResult
        The read (with its rejects), the number of shops needing a panel and the first plan.

    Raises
    ------
    InputError
        If the merchants file is unusable, a team is given for a district outside the campaign,
        the store already holds a campaign, or the roster leaves a district without anyone.
    """
    read = read_merchants(merchants_path, encoding=encoding, boundaries=boundaries)
    chosen = tuple(find_district(d) for d in districts) if districts else districts_in(read.merchants)
    campaign = Campaign(chosen, settings, scenario, max_tries=max_tries, teams=dict(teams or {}))
    for name in campaign.teams:
        campaign.find(name)
    with CampaignStore(store_path) as store:
        needing = init_campaign(store, read.merchants, campaign, people, say)
        first = replan(store, 0, progress=progress, executor=executor, budget_s=budget_s)
    return StartResult(read, needing, first)


def simulation_inputs(
    merchants_path: str | Path | None,
    store_path: str | Path,
    districts: list[str],
    staff: int | None,
    settings: Settings,
    encoding: str | None = None,
) -> tuple[pd.DataFrame, dict[District, int], Settings, str]:
    """Merchants, teams per district, settings and scenario to simulate: from a file, else the store.

    With a file, ``staff`` (workers a day in each district) is needed, and ``districts`` default
    to every district named in the file. With the store they default to the campaign's, each
    with its team (or ``staff``), and its week and scenario are used with ``settings``' solver.

    Parameters
    ----------
    merchants_path
        A merchants file, or None to simulate the campaign in the store.
    store_path
        The campaign store, used when there is no file.
    districts
        District names to simulate; empty for the default.
    staff
        Workers a day in each district; with the store, None keeps each district's team.
    settings
        The solver settings to use (and, with a file, the week).
    encoding
        The merchants file's encoding (see ``planner.io.read.read_merchants``).

    Returns
    -------
    tuple
        ``(merchants, teams, settings, scenario)``: the merchants, workers a day by district, the
        settings and the triage scenario.

    Raises
    ------
    InputError
        If neither a file nor a campaign store is there, or the districts or team are missing.
    """
    if merchants_path is None:
        with CampaignStore.existing(store_path) as store:
            campaign = load_campaign(store)
            merchants = store.merchants().loc[:, list(MERCHANT_COLUMNS)]
        chosen = [campaign.find(d) for d in districts] or list(campaign.districts)
        teams = {d: staff or campaign.team(d) for d in chosen}
        if None in teams.values():  # a campaign planned with a roster has no team size
            raise InputError("this campaign plans with a roster; simulating it needs --staff (workers a day)")
        week_and_solver = replace(campaign.settings, solver=settings.solver)
        return merchants, teams, week_and_solver, campaign.scenario
    if staff is None:
        raise InputError("simulating a merchants file needs --staff (workers a day in each district)")
    merchants = read_merchants(merchants_path, encoding=encoding).merchants
    named = districts or sorted(d for d in merchants["district"].unique() if d)
    if not named:
        raise InputError(f"{merchants_path}: no district column values; give --district")
    return merchants, {find_district(d): staff for d in named}, replace(settings, staff=staff), "targeted"
