"""Merchant notices: each planned shop's promised visit window, written for the city's text messages."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.campaign.notices import record_notices
from planner.campaign.store import CampaignStore
from planner.errors import InputError
from planner.io.spreadsheet import read_spreadsheet_csv, write_spreadsheet_csv
from planner.planning.promises import NOTICE_COLUMNS, NOTICES_FILE, make_notices
from planner.report.audit import plan_folders, read_promises
from planner.report.kits import pick_day, read_plans
from planner.settings import WeekSettings


@dataclass(frozen=True)
class NoticesWritten:
    """What one ``planner notices`` run promised and where it wrote it."""

    notices: pd.DataFrame  # NOTICE_COLUMNS and district, every promise of the run
    date: str | None  # the day sent, None for every day of the plans
    written: list[Path]  # each plan folder's notices.csv, then the copy in --out if any
    plan_version: int | None  # the campaign plan the promises were recorded against


def write_notices(
    path: str | Path,
    window_min: int,
    day: int | None = None,
    date: str | None = None,
    out_dir: str | Path | None = None,
    store: CampaignStore | None = None,
) -> NoticesWritten:
    """Promise each planned shop a visit window, record it, and write ``notices.csv``.

    Each plan folder's ``notices.csv`` gets the promises of its shops (those of other days, sent
    before, are kept), so ``planner verify`` checks that the plan keeps them. With ``out_dir``,
    the run's promises of every district go to one file there, ``notices-<date>.csv`` (or
    ``notices-all.csv``), to hand to the text message service. With ``store``, the promises are
    recorded in the campaign first, and nothing is written if the plans are not its current plan.

    Parameters
    ----------
    path
        A plan folder, a city plan or a campaign export.
    window_min
        Minutes promised (``planner.planning.promises.WINDOW_MIN_RANGE``).
    day, date
        Only the visits of this day (0 = the plan's first) or ISO date; both None for every day.
    out_dir
        Folder for the run's notices of every district, or None.
    store
        The campaign the plans were exported from, or None.

    Returns
    -------
    NoticesWritten
        The promises and the files written.

    Raises
    ------
    InputError
        If the plans cannot be read, the day or window is not valid, a folder's ``notices.csv``
        is not one planner wrote, or the plans are not the campaign's current plan.
    """
    folders = plan_folders(path)
    plans = [plan for folder in folders for plan in read_plans(folder)]
    chosen = pick_day(plans, day, date)
    parts = []
    for folder, plan in zip(folders, plans, strict=True):
        routes = plan.routes if chosen is None else plan.routes[plan.routes["date"] == chosen]
        routes = routes.sort_values(["date", "staff_id", "stop"], kind="stable")
        notices = make_notices(routes, plan.settings.week, window_min, str(folder / "routes.csv"))
        parts.append(notices.loc[:, list(NOTICE_COLUMNS)])
    every = pd.concat(
        [part.assign(district=plan.district.name_en) for part, plan in zip(parts, plans, strict=True)],
        ignore_index=True,
    )
    merged = [
        _merged(folder / NOTICES_FILE, part, chosen) for folder, part in zip(folders, parts, strict=True)
    ]
    version = record_notices(store, every) if store is not None else None
    written = [
        write_spreadsheet_csv(table, folder / NOTICES_FILE, bom=True)
        for folder, table in zip(folders, merged, strict=True)
    ]
    if out_dir is not None:
        target = Path(out_dir) / f"notices-{chosen or 'all'}.csv"
        written.append(write_spreadsheet_csv(every, target, bom=True))
    return NoticesWritten(every, chosen, written, version)


def _merged(path: Path, notices: pd.DataFrame, date: str | None) -> pd.DataFrame:
    """``notices`` with the promises ``path`` already holds for other dates and other shops
    (a shop's new promise replaces its old one, as in the campaign store)."""
    kept = []
    if date is not None and path.is_file():
        read_promises(path, WeekSettings())  # a file planner wrote, or one line naming what is wrong
        before = read_spreadsheet_csv(path)
        missing = sorted(set(NOTICE_COLUMNS) - set(before.columns))
        if missing:
            raise InputError(f"{path}: no column {', '.join(missing)}; move it away and run again")
        other = (before["date"] != date) & ~before["merchant_id"].isin(notices["merchant_id"])
        kept = [before.loc[other, list(NOTICE_COLUMNS)]]
    return pd.concat([*kept, notices], ignore_index=True).sort_values("date", kind="stable")
