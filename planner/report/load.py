"""Rebuild a written plan from its output folder, for reports made after ``planner plan``."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.geo.districts import find_district
from planner.io.read import read_merchants
from planner.io.roster import read_roster
from planner.io.spreadsheet import read_spreadsheet_csv
from planner.planning.plan import UNASSIGNED_COLUMNS, Plan
from planner.planning.schedule import ROUTE_COLUMNS, week_seconds
from planner.planning.triage import CUTOFF, triage
from planner.settings import Settings

# Columns carried from a merchants file onto the unassigned shops of a plan folder written
# before unassigned.csv held them, so they can be drawn and listed.
UNASSIGNED_DETAIL = ("name", "address", "category", "opening_hours", "lat", "lon")
PLAN_FILES = ("routes.csv", "unassigned.csv", "summary.json")
# Columns of triage.csv that hold numbers or true/false; the others are text.
TRIAGE_TYPED = ("lat", "lon", "payment_errors", "active", "needs_panel", "priority")


@dataclass(frozen=True)
class LoadedPlan:
    """A plan read back from files, with the triaged merchants of its district when known."""

    plan: Plan
    merchants: pd.DataFrame | None  # triaged merchants of the district; None without a merchants file
    out_dir: Path
    summary: dict = field(default_factory=dict)  # summary.json as written


def load_plan(
    out_dir: str | Path,
    merchants_path: str | Path | pd.DataFrame | None = None,
    settings: Settings | None = None,
    encoding: str | None = None,
    with_merchants: bool = True,
) -> LoadedPlan:
    """Read ``routes.csv``, ``unassigned.csv`` and ``summary.json`` back into a ``Plan``.

    A folder ``planner.planning.output.write_plan`` wrote holds the whole plan: it reads back as the plan
    that was written, and no merchants file is needed. The merchants are read only when given or
    found in the folder (``planner verify`` checks positions against them), triaged with the
    scenario and cut-off the summary records.

    Parameters
    ----------
    out_dir
        The folder ``planner plan --out`` wrote.
    merchants_path
        The merchants file the plan was made from, or its merchants already read (all
        districts' may be given: the plan's are picked). When None, ``triage.csv`` in ``out_dir`` or a
        single ``merchants-*.csv`` there (as ``planner demo`` writes) is used if present.
    settings
        The settings the plan was made with, for folders whose ``summary.json`` does not record
        them (default settings when None). Where worker-days start and end, and the week's first
        day, are read from ``summary.json`` when it records them.
    encoding
        Text encoding of a CSV ``merchants_path`` (see ``planner.io.read_merchants``).
    with_merchants
        False reads no merchants (``merchants`` is None): for reports that need only the routes,
        which then skip triaging a whole district.

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
    summary = read_summary(out / "summary.json")
    if "settings" in summary:
        settings = Settings.from_dict(summary["settings"], source=f"{out / 'summary.json'} settings")
    settings = settings or Settings()
    # Where the worker-days started and ended, when the summary says so (else at the office).
    ends = {"start_at": "open_start", "end_at": "open_routes"}
    said = {
        flag: summary[key] != "office" for key, flag in ends.items() if summary.get(key, "roster") != "roster"
    }
    settings = replace(settings, solver=replace(settings.solver, **said))
    if "week_start" in summary:  # the first day the plan counts from, when the summary records it
        week = replace(settings.week, start_date=dt.date.fromisoformat(summary["week_start"]))
        settings = replace(settings, week=week)
    district = find_district(summary["district"])
    routes = parse_routes(_read_csv(out / "routes.csv"), settings, str(out / "routes.csv"))
    unassigned = parse_unassigned(_read_csv(out / "unassigned.csv"), str(out / "unassigned.csv"))
    merchants = (
        _find_merchants(out, merchants_path, district.name_en, summary, encoding) if with_merchants else None
    )
    if merchants is not None and "lat" not in unassigned:  # a folder written without the details
        detail = merchants.loc[:, ["merchant_id", *UNASSIGNED_DETAIL]]
        unassigned = unassigned.merge(detail, on="merchant_id", how="left")
    zones = pd.concat(
        [
            routes.loc[:, ["merchant_id", "zone"]],
            pd.DataFrame({"merchant_id": unassigned["merchant_id"], "zone": unassigned.get("zone", -1)}),
        ],
        ignore_index=True,
    )
    zones = zones.astype({"zone": "int64"}).sort_values("merchant_id", ignore_index=True)
    staff = int(summary.get("staff_per_day") or routes["staff_id"].nunique())
    needing = int(summary.get("needing", len(zones)))
    scenario, cutoff = summary.get("scenario", ""), summary.get("cutoff", "")
    people, workdays = _roster_of(out, summary, settings)
    plan = Plan(
        district, settings, staff, needing, routes, unassigned, zones, scenario, cutoff, people, workdays
    )
    return LoadedPlan(plan, merchants, out, summary)


def _roster_of(out: Path, summary: dict, settings: Settings) -> tuple[tuple, dict]:
    """The roster a plan was made with (``roster.csv``, when ``summary.json`` says it had one)."""
    if "roster" not in summary:
        return (), {}
    path = out / "roster.csv"
    if not path.is_file():
        raise InputError(f"{out}: the plan was made with a roster but roster.csv is missing")
    read = read_roster(path, settings)
    if not read.rejects.empty:
        first = read.rejects.iloc[0]
        raise InputError(f"{path} row {first['row']}, column {first['column']}: {first['reason']}")
    days = summary.get("roster_days") or {}
    if not isinstance(days, dict) or not all(
        isinstance(v, list) and all(isinstance(d, int) for d in v) for v in days.values()
    ):
        raise InputError(f"{out / 'summary.json'}: roster_days must map staff ids to lists of day numbers")
    return tuple(read.people), {str(k): list(v) for k, v in days.items()}


def parse_unassigned(unassigned: pd.DataFrame, source: str = "unassigned.csv") -> pd.DataFrame:
    """Type an ``unassigned.csv`` table: numbers for ``lat``, ``lon``, ``priority`` and ``zone``.

    Files written before the shops' details were recorded have only ``merchant_id`` and
    ``reason``; the columns present are kept, in ``planner.planning.plan.UNASSIGNED_COLUMNS`` order.

    Raises
    ------
    InputError
        Naming ``source``, row and column of the first cell that is not a number, or the
        columns missing.

    Parameters
    ----------
    unassigned
        The file's cells as text.
    source
        The file's name for messages.

    Returns
    -------
    pandas.DataFrame
        The typed table.
    """
    if not {"merchant_id", "reason"} <= set(unassigned.columns):
        raise InputError(
            f"{source}: needs the columns merchant_id and reason, "
            f"has {', '.join(map(str, unassigned.columns)) or 'none'}"
        )
    table = unassigned.loc[:, [c for c in UNASSIGNED_COLUMNS if c in unassigned]].copy()
    for column in table.columns:
        if column in ("lat", "lon"):
            table[column] = _cells(table, column, _finite, source, "a number of degrees", dtype="float64")
        elif column in ("priority", "zone"):
            table[column] = _cells(table, column, _whole, source, "a whole number")
        else:
            table[column] = table[column].fillna("").astype(str)
    return table


def read_summary(path: Path) -> dict:
    """A plan's ``summary.json``, with the fields ``load_plan`` relies on checked.

    Parameters
    ----------
    path
        The ``summary.json`` of a plan folder.

    Returns
    -------
    dict
        The summary as written.

    Raises
    ------
    InputError
        If the file is not JSON, names no district, or a date or count in it is not one.
    """
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:  # nested too deep
        raise InputError(
            f"{path}: not a summary 'planner plan' wrote ({exc}); write the plan again"
        ) from None
    if not isinstance(summary, dict) or not isinstance(summary.get("district"), str):
        raise InputError(f"{path}: names no district; write the plan again")
    for key in ("week_start", "cutoff"):
        if key in summary:
            try:
                dt.date.fromisoformat(str(summary[key]))
            except ValueError:
                raise InputError(f"{path}: {key} {summary[key]!r} is not a date (YYYY-MM-DD)") from None
    for key in ("staff_per_day", "needing"):
        value = summary.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise InputError(f"{path}: {key} {value!r} is not a count (a whole number, 0 or more)")
    return summary


# What parse_routes needs in routes.csv; the other columns default when a file lacks them.
REQUIRED_ROUTE_COLUMNS = ROUTE_COLUMNS[: ROUTE_COLUMNS.index("departure") + 1]  # staff_id .. departure
# The shop and worker text after the times (name .. mode): empty in plans made without a roster
# (staff_name, mode) and absent from older folders.
TEXT_ROUTE_COLUMNS = ROUTE_COLUMNS[ROUTE_COLUMNS.index("departure") + 1 : ROUTE_COLUMNS.index("day")]
OFFICE_TIMES = (
    ("leave_office", "leave_office_s"),
    ("back_office", "back_office_s"),
    ("lunch_start", "lunch_start_s"),
)
TIME_EXAMPLE = "a time such as 2022-02-07T09:46:32+09:00"


def parse_routes(routes: pd.DataFrame, settings: Settings, source: str = "routes.csv") -> pd.DataFrame:
    """Complete a ``routes.csv`` table to ``ROUTE_COLUMNS``: day numbers and times in week seconds.

    Times are instants: their offset is honoured (a plan rewritten in UTC reads the same), and a
    time without one is Seoul time. Office and lunch times are read from ``leave_office``,
    ``back_office`` and ``lunch_start``; files written before those columns existed (or blank
    cells) give -1.

    Parameters
    ----------
    routes
        ``routes.csv`` as text cells, spreadsheet quotes removed.
    settings
        The plan's settings, whose week turns dates and times into week seconds.
    source
        The file's name, for messages.

    Returns
    -------
    pandas.DataFrame
        The visits with the columns of ``planner.planning.schedule.ROUTE_COLUMNS``, typed.

    Raises
    ------
    InputError
        Naming ``source``, row (header = 1) and column of the first cell that is not a date,
        time or number, or the columns missing.
    """
    missing = [column for column in REQUIRED_ROUTE_COLUMNS if column not in routes]
    if missing:
        raise InputError(
            f"{source}: no column {', '.join(missing)}; write the plan again with 'planner plan'"
        )
    table = routes.copy()
    week = settings.week

    def day(text: str) -> int:
        return (dt.date.fromisoformat(text) - week.start_date).days

    def seconds(text: str) -> int:
        return week_seconds(text, week)

    table["day"] = _cells(table, "date", day, source, "a date (YYYY-MM-DD)")
    for column in ("arrival", "start", "departure"):
        table[f"{column}_s"] = _cells(table, column, seconds, source, TIME_EXAMPLE)
    for column, name in OFFICE_TIMES:
        blank = column not in table  # written before these columns existed
        table[name] = -1 if blank else _cells(table, column, seconds, source, TIME_EXAMPLE, blank=-1)
    table["stop"] = _cells(table, "stop", _whole, source, "a stop number")
    for column in ("lat", "lon"):
        table[column] = _cells(table, column, _finite, source, "a number of degrees", dtype="float64")
    defaults = {"zone": -1, "travel_s": 0, "service_s": table["departure_s"] - table["start_s"]}
    for column, default in defaults.items():
        table[column] = (
            _cells(table, column, _whole, source, "a whole number") if column in table else default
        )
    for column in TEXT_ROUTE_COLUMNS:
        table[column] = table[column].fillna("").astype(str) if column in table else ""
    table["priority"] = pd.to_numeric(table["priority"], errors="coerce").fillna(0).astype("int64")
    table["merchant_id"] = table["merchant_id"].fillna("").astype(str)
    table["staff_id"] = table["staff_id"].fillna("").astype(str)
    table["date"] = table["date"].astype(str).str.strip()
    return table.loc[:, list(ROUTE_COLUMNS)]


def _cells(table, column, parse, source, expected, blank=None, dtype="int64") -> np.ndarray:
    """``parse`` applied to every cell of ``column`` (as text); ``blank`` for empty cells when given.

    Each distinct text is parsed once: dates and a route's office and lunch times repeat on
    every row of a worker-day.
    """
    values, parsed = [], {}
    for row, cell in enumerate(table[column].tolist(), start=2):
        text = "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else str(cell).strip()
        if not text and blank is not None:
            values.append(blank)
            continue
        if text not in parsed:
            try:
                parsed[text] = parse(text)
            except (ValueError, TypeError, OverflowError):
                raise InputError(f"{source} row {row}, column {column}: {text!r} is not {expected}") from None
        values.append(parsed[text])
    return np.asarray(values, dtype=dtype)


def _whole(text: str) -> int:
    number = float(text)
    if not number.is_integer() or abs(number) >= 2**63:  # kept in int64 columns
        raise ValueError(text)
    return int(number)


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _read_csv(path: Path) -> pd.DataFrame:
    """A plan's CSV file as text cells, unquoted as written (blank cells are empty text)."""
    try:
        return read_spreadsheet_csv(path)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"{path}: not a CSV file 'planner plan' wrote ({reason}); write the plan again"
        ) from None


def _find_merchants(
    out: Path, path: str | Path | pd.DataFrame | None, district: str, summary: dict, encoding: str | None
) -> pd.DataFrame | None:
    """The district's triaged merchants from the given file or table, ``triage.csv`` or a demo sample."""
    if isinstance(path, pd.DataFrame):
        merchants = path[path["district"].isin([district, ""])].reset_index(drop=True)
        return _triage_like(merchants, summary)
    if path is None:
        if (out / "triage.csv").is_file():
            triaged = read_spreadsheet_csv(out / "triage.csv", TRIAGE_TYPED)
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
    """Triage as the plan did: with the scenario and cut-off its summary records.

    A summary without them comes from a plan made before they were recorded: the scenario is
    then the one whose needing shops are as many as the plan's.
    """
    cutoff = dt.date.fromisoformat(summary["cutoff"]) if summary.get("cutoff") else CUTOFF
    if summary.get("scenario"):
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

    Returns
    -------
    pandas.Series
        ``installed``: the number of shops installed, indexed by date.

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
        # A one-district campaign's store may leave the district blank (as load_plan reads it).
        ids = merchants.loc[merchants["district"].isin([district, ""]), "merchant_id"]
        installed = installed[installed["merchant_id"].isin(ids)]
    return installed.groupby("date")["merchant_id"].nunique().rename("installed")
