"""Rebuild a written plan from its output folder, for reports made after ``planner plan``."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from planner.districts import find_district
from planner.errors import InputError
from planner.io.read import read_merchants
from planner.plan import Plan
from planner.schedule import ROUTE_COLUMNS
from planner.settings import Settings
from planner.triage import triage

# Columns carried from the merchants file onto unassigned shops, so they can be drawn and listed.
UNASSIGNED_DETAIL = ("name", "address", "category", "opening_hours", "lat", "lon")
PLAN_FILES = ("routes.csv", "unassigned.csv", "summary.json")


@dataclass(frozen=True)
class LoadedPlan:
    """A plan read back from files, with the triaged merchants of its district when known."""

    plan: Plan
    merchants: pd.DataFrame | None  # triaged merchants of the district; None without a merchants file
    out_dir: Path


def load_plan(
    out_dir: str | Path,
    merchants_path: str | Path | pd.DataFrame | None = None,
    settings: Settings | None = None,
    encoding: str | None = None,
) -> LoadedPlan:
    """Read ``routes.csv``, ``unassigned.csv`` and ``summary.json`` back into a ``Plan``.

    Parameters
    ----------
    out_dir
        The folder ``planner plan --out`` wrote.
    merchants_path
        The merchants file the plan was made from, or its merchants already read (all
        districts' may be given: the plan's are picked). When None, ``triage.csv`` in ``out_dir`` or a
        single ``merchants-*.csv`` there (as ``planner demo`` writes) is used if present.
    settings
        The settings the plan was made with (the week's start date turns dates into day numbers);
        default settings when None. Where worker-days start and end, and the week's first day, are
        read from ``summary.json`` when it records them.
    encoding
        Text encoding of a CSV ``merchants_path`` (see ``planner.io.read_merchants``).

    Returns
    -------
    LoadedPlan
        The plan (routes with every ``ROUTE_COLUMNS`` column; office times unknown are -1) and
        the district's triaged merchants, or None when no merchants file was found.

    Raises
    ------
    InputError
        If a plan file is missing or names an unknown district.
    """
    out = Path(out_dir)
    missing = [name for name in PLAN_FILES if not (out / name).is_file()]
    if missing:
        raise InputError(f"{out}: not a plan folder, missing {', '.join(missing)} (run 'planner plan' first)")
    settings = settings or Settings()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    # Where the worker-days started and ended, when the plan says so (older plans do not).
    ends = {"start_at": "open_start", "end_at": "open_routes"}
    said = {flag: summary[key] != "office" for key, flag in ends.items() if key in summary}
    settings = replace(settings, solver=replace(settings.solver, **said))
    if "week_start" in summary:  # the first day the plan counted from (plans since the sixth session)
        week = replace(settings.week, start_date=dt.date.fromisoformat(summary["week_start"]))
        settings = replace(settings, week=week)
    district = find_district(summary["district"])
    routes = parse_routes(pd.read_csv(out / "routes.csv", dtype={"merchant_id": str}), settings)
    unassigned = pd.read_csv(out / "unassigned.csv", dtype={"merchant_id": str}, keep_default_na=False)
    merchants = _find_merchants(out, merchants_path, district.name_en, summary, encoding)
    if merchants is not None:
        detail = merchants.loc[:, ["merchant_id", *UNASSIGNED_DETAIL]]
        unassigned = unassigned.merge(detail, on="merchant_id", how="left")
    zones = pd.concat(
        [
            routes.loc[:, ["merchant_id", "zone"]],
            pd.DataFrame({"merchant_id": unassigned["merchant_id"], "zone": -1}),
        ],
        ignore_index=True,
    )
    staff = int(summary.get("staff_per_day") or routes["staff_id"].nunique())
    needing = int(summary.get("needing", len(zones)))
    plan = Plan(district, settings, staff, needing, routes, unassigned, zones)
    plan.scenario, plan.cutoff = summary.get("scenario", ""), summary.get("cutoff", "")
    return LoadedPlan(plan, merchants, out)


def parse_routes(routes: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Complete a ``routes.csv`` table to ``ROUTE_COLUMNS``: day numbers and times in week seconds.

    Office and lunch times are read from ``leave_office``, ``back_office`` and ``lunch_start``;
    files written before those columns existed give -1.
    """
    table = routes.copy()
    start = pd.Timestamp(settings.week.start_date)
    table["day"] = (pd.to_datetime(table["date"]) - start).dt.days.astype("int64")
    for column in ("arrival", "start", "departure"):
        wall = pd.to_datetime(table[column].str.slice(0, 19))  # Seoul wall clock, offset dropped
        table[f"{column}_s"] = ((wall - start).dt.total_seconds()).astype("int64")
    for column, seconds in (
        ("leave_office", "leave_office_s"),
        ("back_office", "back_office_s"),
        ("lunch_start", "break_start_s"),
    ):
        if column in table:
            wall = pd.to_datetime(table[column].fillna("").astype(str).str.slice(0, 19), errors="coerce")
            table[seconds] = ((wall - start).dt.total_seconds()).fillna(-1).astype("int64")
        else:  # written before these columns existed
            table[seconds] = -1
    for column in ("name", "address", "category", "opening_hours", "reason"):
        table[column] = table[column].fillna("").astype(str)
    return table.loc[:, list(ROUTE_COLUMNS)]


def _find_merchants(
    out: Path, path: str | Path | pd.DataFrame | None, district: str, summary: dict, encoding: str | None
) -> pd.DataFrame | None:
    """The district's triaged merchants from the given file or table, ``triage.csv`` or a demo sample."""
    if isinstance(path, pd.DataFrame):
        merchants = path[path["district"].isin([district, ""])].reset_index(drop=True)
        return _triage_like(merchants, summary)
    if path is None:
        if (out / "triage.csv").is_file():
            triaged = pd.read_csv(out / "triage.csv", dtype={"merchant_id": str}, keep_default_na=False)
            triaged["lat"], triaged["lon"] = triaged["lat"].astype(float), triaged["lon"].astype(float)
            return triaged[triaged["district"].isin([district, ""])].reset_index(drop=True)
        samples = sorted(out.glob("merchants-*.csv"))
        if len(samples) != 1:
            return None
        path = samples[0]
    merchants = read_merchants(path, encoding=encoding).merchants
    merchants = merchants[merchants["district"].isin([district, ""])].reset_index(drop=True)
    return _triage_like(merchants, summary)


def _triage_like(merchants: pd.DataFrame, summary: dict) -> pd.DataFrame:
    """Triage as the plan did: the scenario and cut-off in the summary, else the one that matches."""
    cutoff = dt.date.fromisoformat(summary["cutoff"]) if "cutoff" in summary else dt.date(2021, 12, 31)
    if "scenario" in summary:
        return triage(merchants, scenario=summary["scenario"], cutoff=cutoff)
    targeted = triage(merchants, scenario="targeted", cutoff=cutoff)
    if int(targeted["needs_panel"].sum()) == summary.get("needing"):
        return targeted
    return triage(merchants, scenario="full", cutoff=cutoff)


def installs_per_day(store_path: str | Path, district: str | None = None) -> pd.Series:
    """Shops recorded as installed in a campaign store, per date (ISO text), for the progress chart.

    Parameters
    ----------
    store_path
        The campaign's SQLite file (``planner campaign init``).
    district
        Count only this district's shops (English name); None counts every shop in the store.

    Raises
    ------
    InputError
        If there is no store at ``store_path``.
    """
    from planner.campaign.store import CampaignStore

    with CampaignStore.existing(store_path) as store:
        outcomes = store.outcomes()
        merchants = store.merchants()
    installed = outcomes[outcomes["outcome"] == "installed"]
    if district is not None:
        ids = merchants.loc[merchants["district"] == district, "merchant_id"]
        installed = installed[installed["merchant_id"].isin(ids)]
    return installed.groupby("date")["merchant_id"].nunique().rename("installed")
