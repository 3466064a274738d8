"""Panel kits: the print order of each day's QR panels and the packing list of each worker-day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.errors import InputError
from planner.io.spreadsheet import write_spreadsheet_csv
from planner.planning.plan import Plan
from planner.report.audit import plan_folders
from planner.report.files import file_stem
from planner.report.load import load_plan
from planner.report.pages import page_templates

# Panels must be printed and bagged the evening before the visit.
DUE_TIME = "18:00"
PRINT_ORDER_COLUMNS = (
    "district",
    "staff_id",
    "staff_name",
    "date",
    "stop",
    "merchant_id",
    "name",
    "address",
    "due",
)
# One row per bag, in route order: the stop number is the bag's sequence on the route sheet.
PACKING_COLUMNS = ("date", "staff_id", "staff_name", "stop", "merchant_id", "name", "address")


@dataclass(frozen=True)
class WorkerDay:
    """One worker-day's bags: who, when, and the shops in route order."""

    staff_id: str
    staff_name: str  # "" when the routes name no one
    date: str
    district: str
    bags: pd.DataFrame  # PACKING_COLUMNS
    stem: str  # file name of its packing list, without suffix


def read_plans(path: str | Path) -> list[Plan]:
    """The plans under ``path`` (a plan folder, a city plan or a campaign export), routes only.

    The routes carry ``staff_name`` (blank for plans made without a roster).

    Parameters
    ----------
    path
        The folder ``planner plan`` or ``planner campaign export-plan`` wrote.

    Returns
    -------
    list of Plan
        One per district folder, in folder order; no merchants are read.

    Raises
    ------
    InputError
        If there is no plan there, or a plan file cannot be read.
    """
    return [load_plan(folder, with_merchants=False).plan for folder in plan_folders(path)]


def pick_day(plans: list[Plan], day: int | None = None, date: str | None = None) -> str | None:
    """The date asked for with ``--day`` (0 = the plan's first day) or ``--date``, None for every day.

    Parameters
    ----------
    plans
        The plans read.
    day
        Day of the week the plans count from, 0-based.
    date
        ISO date.

    Returns
    -------
    str or None
        The ISO date, or None when neither is given.

    Raises
    ------
    InputError
        If both are given, the date is not one, or no plan visits a shop that day.
    """
    if day is not None and date is not None:
        raise InputError("give --day or --date, not both")
    if day is None and date is None:
        return None
    if date is None:
        if day < 0:
            raise InputError(f"--day {day}: days count from 0, the plan's first day")
        date = str(plans[0].settings.week.date_of(day)) if plans else ""
    try:
        date = dt.date.fromisoformat(date.strip()).isoformat()
    except ValueError:
        raise InputError(f"--date {date!r} is not a date (YYYY-MM-DD)") from None
    dates = sorted(set().union(*(set(p.routes["date"]) for p in plans)))
    if date not in dates:
        known = f"the plans visit shops on {dates[0]} to {dates[-1]}" if dates else "the plans visit no shop"
        raise InputError(f"no visit planned on {date}; {known}")
    return date


def print_order(plans: list[Plan], date: str | None = None) -> pd.DataFrame:
    """Every panel to print: one row per planned shop, by date, district, worker and stop.

    Parameters
    ----------
    plans
        The plans, with ``staff_name`` in their routes (see ``read_plans``).
    date
        Only this ISO date; None for every day.

    Returns
    -------
    pandas.DataFrame
        ``PRINT_ORDER_COLUMNS``; ``due`` is the evening before the visit (``DUE_TIME``).
    """
    parts = []
    for plan in plans:
        routes = plan.routes if date is None else plan.routes[plan.routes["date"] == date]
        if "staff_name" not in routes:
            routes = routes.assign(staff_name="")
        parts.append(routes.assign(district=plan.district.name_en))
    if not parts:
        return pd.DataFrame(columns=list(PRINT_ORDER_COLUMNS))
    table = pd.concat(parts, ignore_index=True).sort_values(
        ["date", "district", "staff_id", "stop"], kind="stable", ignore_index=True
    )
    eve = {d: (dt.date.fromisoformat(d) - dt.timedelta(days=1)).isoformat() for d in table["date"].unique()}
    table["due"] = table["date"].map(eve) + f" {DUE_TIME}"
    return table.loc[:, list(PRINT_ORDER_COLUMNS)]


def worker_days(order: pd.DataFrame) -> list[WorkerDay]:
    """The print order cut into one packing list per worker-day, each in route order.

    Parameters
    ----------
    order
        A print order (``print_order``).

    Returns
    -------
    list of WorkerDay
        By date, district and worker; file stems unique ignoring case.
    """
    days, stems = [], set()
    for (date, district, staff_id), bags in order.groupby(["date", "district", "staff_id"], sort=True):
        bags = bags.sort_values("stop", kind="stable")
        days.append(
            WorkerDay(
                staff_id=str(staff_id),
                staff_name=str(bags["staff_name"].iloc[0]),
                date=str(date),
                district=str(district),
                bags=bags.loc[:, list(PACKING_COLUMNS)].reset_index(drop=True),
                stem=file_stem(f"{date}-{staff_id}", stems),
            )
        )
    return days


def write_kits(plans: list[Plan], out_dir: str | Path, date: str | None = None) -> list[Path]:
    """Write each day's print order and bag labels, and each worker-day's packing list.

    Files: ``print-order-<date>.csv`` and ``labels-<date>.html`` (one bag label per shop, a
    page per worker, printable on A4) per day, and ``packing/<date>-<staff>.csv`` per worker-day.
    CSV files are UTF-8 with a byte-order mark and spreadsheet-safe (``planner.io.spreadsheet``);
    the pages escape every text and load nothing.

    Parameters
    ----------
    plans
        The plans (``read_plans``).
    out_dir
        Folder to write into; created if needed.
    date
        Only this ISO date; None for every day planned.

    Returns
    -------
    list of Path
        Per day: its print order, its labels page, then its packing lists.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    order = print_order(plans, date)
    template = page_templates().get_template("labels.html")
    written: list[Path] = []
    for day, rows in order.groupby("date", sort=True):
        written.append(write_spreadsheet_csv(rows, out / f"print-order-{day}.csv", bom=True))
        workers = worker_days(rows)
        labels = out / f"labels-{day}.html"
        labels.write_text(template.render(date=day, workers=workers, due=rows["due"].iloc[0]), "utf-8")
        written.append(labels)
        for worker in workers:
            written.append(
                write_spreadsheet_csv(worker.bags, out / "packing" / f"{worker.stem}.csv", bom=True)
            )
    return written
