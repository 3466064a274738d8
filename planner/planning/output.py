"""Write a plan's files: routes.csv, unassigned.csv, summary.json (and roster.csv) in an output folder."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from planner.geo.calendar import to_datetime
from planner.io.roster import write_roster
from planner.io.spreadsheet import write_spreadsheet_csv
from planner.planning.plan import UNASSIGNED_COLUMNS, Plan
from planner.planning.schedule import ROUTE_COLUMNS

# Columns of routes.csv, in order: the agreed ones first, then what route sheets need.
ROUTES_CSV_COLUMNS = (
    *ROUTE_COLUMNS[: ROUTE_COLUMNS.index("day")],
    "zone",
    "travel_s",
    "service_s",
    "leave_office",
    "back_office",
    "lunch_start",
)


def write_plan(plan: Plan, out_dir: str | Path) -> dict[str, Path]:
    """Write ``routes.csv``, ``unassigned.csv`` and ``summary.json`` into ``out_dir``.

    Together they hold the whole plan, so ``planner.report.load.load_plan`` reads it back without
    the merchants file: ``unassigned.csv`` has each unassigned shop's details and zone, and
    ``summary.json`` the plan's scenario, cut-off and settings besides the figures; a plan made
    with a roster also writes ``roster.csv``, the people it was planned with, so ``planner verify``
    re-checks each person's own rules. The CSV files are safe to open in a spreadsheet (``planner.io.spreadsheet``): text that would
    start a formula is written with a leading ``'``, which ``planner.report.load`` removes again.

    Parameters
    ----------
    plan
        The verified plan.
    out_dir
        The plan folder; created if needed.

    Returns
    -------
    dict
        The written paths by name.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "routes": out / "routes.csv",
        "unassigned": out / "unassigned.csv",
        "summary": out / "summary.json",
    }
    routes = plan.routes.sort_values(["date", "staff_id", "stop"]).copy()
    week = plan.settings.week
    for column, seconds in (
        ("leave_office", "leave_office_s"),
        ("back_office", "back_office_s"),
        ("lunch_start", "lunch_start_s"),
    ):
        routes[column] = [to_datetime(int(s), week).isoformat() if s >= 0 else "" for s in routes[seconds]]
    write_spreadsheet_csv(routes.loc[:, list(ROUTES_CSV_COLUMNS)], paths["routes"])
    # A plan read back from an older folder may lack the details: write the columns it has.
    unassigned = [column for column in UNASSIGNED_COLUMNS if column in plan.unassigned]
    write_spreadsheet_csv(plan.unassigned.loc[:, unassigned], paths["unassigned"])
    if plan.people:
        paths["roster"] = write_roster(list(plan.people), out / "roster.csv")
    summary = {**plan.summary(), "settings": plan.settings.to_dict()}
    paths["summary"].write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return paths


def daily_table(plan: Plan) -> pd.DataFrame:
    """Per day: workers out, shops visited, hours of travel and service; for the coordinator's screen.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    pandas.DataFrame
        ``date``, ``workers``, ``shops``, ``travel_h`` and ``service_h``, one row per day worked.
    """
    routes = plan.routes
    if routes.empty:
        return pd.DataFrame(columns=["date", "workers", "shops", "travel_h", "service_h"])
    table = routes.groupby("date").agg(
        workers=("staff_id", "nunique"),
        shops=("merchant_id", "size"),
        travel_h=("travel_s", lambda s: round(s.sum() / 3600, 1)),
        service_h=("service_s", lambda s: round(s.sum() / 3600, 1)),
    )
    return table.reset_index()
