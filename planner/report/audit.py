"""Check plans that are already written: read them back and run every rule of ``planner.planning.verify``.

``planner plan`` verifies a plan before writing it; this re-checks the files afterwards, on their
own, from the merchants file they were made from: after a coordinator edited ``routes.csv`` by
hand, or to re-check a sample of a city plan's districts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.errors import InputError
from planner.io.read import read_merchants
from planner.io.spreadsheet import read_spreadsheet_csv
from planner.planning.crew import work_spans
from planner.planning.plan import Plan
from planner.planning.promises import NOTICES_FILE, parse_notices
from planner.planning.shops import prepare_shops
from planner.planning.staffing import office_of
from planner.planning.verify import plan_violations
from planner.report.folders import plan_folders_in
from planner.report.load import load_plan, read_summary
from planner.settings import Settings, WeekSettings


@dataclass(frozen=True)
class Audit:
    """What re-checking one written plan found."""

    folder: Path
    district: str
    worker_days: int
    planned: int
    unassigned: int
    problems: list[str]


def plan_folders(path: str | Path, districts: list[str] | None = None) -> list[Path]:
    """The plan folders under ``path``: itself, or a city plan's district folders.

    ``districts`` keeps only those folders (names as the city plan writes them, e.g. ``jongno-gu``,
    or the district's English name).

    Parameters
    ----------
    path
        A plan folder, or a city plan's folder holding one folder per district.
    districts
        District names to keep, or None for all.

    Returns
    -------
    list of pathlib.Path
        The plan folders, sorted.

    Raises
    ------
    InputError
        If ``path`` holds no plan, or a district asked for is not there.
    """
    root = Path(path)
    folders = plan_folders_in(root)
    if not folders:
        raise InputError(f"{root}: no plan here (no summary.json, nor district folders holding one)")
    if districts:
        wanted = {d.strip().lower() for d in districts}
        names = {f: {f.name.lower(), _district_name(f).lower()} for f in folders}
        chosen = [f for f in folders if names[f] & wanted]
        missing = sorted(wanted - set().union(*(names[f] for f in chosen)))
        if missing:
            raise InputError(f"{root}: no plan for {', '.join(missing)}; there are {_names(folders)}")
        folders = chosen
    return folders


def audit_plan(folder: Path, merchants: pd.DataFrame | None, settings: Settings) -> Audit:
    """Re-check one written plan against its district's merchants.

    Parameters
    ----------
    folder
        The plan folder (``routes.csv``, ``unassigned.csv``, ``summary.json``).
    merchants
        All districts' merchants as read, or None to use the merchants file the plan folder holds.
    settings
        The settings the plan was made with; ``summary.json`` overrides what it records
        (see ``load_plan``).

    Returns
    -------
    Audit
        The folder's counts and every broken rule or summary mismatch (none for a good plan);
        when the folder holds ``notices.csv``, every promise the plan breaks too.

    Raises
    ------
    InputError
        If the folder cannot be read, or the merchants the plan was made from are not there.
    """
    loaded = load_plan(folder, merchants, settings)
    plan = loaded.plan
    if loaded.merchants is None:
        raise InputError(
            f"{folder}: the merchants the plan was made from are not there; give them with --merchants"
        )
    needing = loaded.merchants[loaded.merchants["needs_panel"]]
    crew = plan.crew()  # a roster plan: each person's own rules (roster.csv)
    shops = prepare_shops(needing, plan.settings, None if crew is None else work_spans(list(crew.values())))
    staff = None if crew is not None else plan.staff
    promises = read_promises(Path(folder) / NOTICES_FILE, plan.settings.week)
    problems = plan_violations(
        plan.routes,
        plan.unassigned,
        shops,
        office_of(plan.district),
        plan.settings,
        staff,
        promises=promises,
        crew=crew,
    )
    problems += summary_mismatches(loaded.summary, plan)
    if crew is None:  # with a roster, every staff_id is checked against it above
        problems += staff_id_problems(plan)
    return Audit(
        folder=Path(folder),
        district=plan.district.name_en,
        worker_days=int(plan.routes.drop_duplicates(["staff_id", "day"]).shape[0]),
        planned=int(plan.routes["merchant_id"].nunique()),
        unassigned=len(plan.unassigned),
        problems=problems,
    )


# The figures of summary.json that follow from routes.csv and unassigned.csv alone.
SUMMARY_MINUTES = ("total_travel_min", "total_service_min")


def summary_mismatches(summary: dict, plan: Plan) -> list[str]:
    """Where ``summary.json`` disagrees with the counts and totals of the plan's routes and
    unassigned shops (the figures it does not hold are not checked).

    Parameters
    ----------
    summary
        ``summary.json`` as read.
    plan
        The plan read back from the same folder.

    Returns
    -------
    list of str
        One line per figure that differs; empty when the summary agrees.
    """
    routes, ids = plan.routes, set(plan.routes["merchant_id"]) | set(plan.unassigned["merchant_id"])
    last_day = int(routes["day"].max()) if len(routes) else -1
    counted = {
        "needing": len(ids),
        "planned": int(routes["merchant_id"].nunique()),
        "unassigned": len(plan.unassigned),
        "staff_days": len(routes.drop_duplicates(["staff_id", "day"])),
        "last_day_used": str(plan.settings.week.date_of(last_day)) if last_day >= 0 else None,
        "total_travel_min": round(float(routes["travel_s"].sum()) / 60, 1),
        "total_service_min": round(float(routes["service_s"].sum()) / 60, 1),
    }
    problems = []
    for key, value in counted.items():
        if key not in summary:
            continue
        said = summary[key]
        if key in SUMMARY_MINUTES:
            same = isinstance(said, int | float) and not isinstance(said, bool) and abs(said - value) < 0.06
        else:
            same = said == value and type(said) is type(value)
        if not same:
            problems.append(
                f"summary.json: {key} is {said!r}, but routes.csv and unassigned.csv give {value!r}"
            )
    return problems


def staff_id_problems(plan: Plan) -> list[str]:
    """The ``staff_id`` values of a plan's routes that are not one of its district's workers.

    ``planner plan`` numbers each day's workers ``<district code>-W001`` up to the team size; a
    hand-edited id outside that (another district's worker, a name, a number beyond the team)
    would mislead the field outcomes and route sheets keyed on it.

    Parameters
    ----------
    plan
        The plan read back from its folder.

    Returns
    -------
    list of str
        One line per staff id that is not the district's; empty when all are.
    """
    code, staff = plan.district.code, plan.staff
    pattern = re.compile(rf"{re.escape(str(code))}-W(\d{{3,}})")
    problems = []
    for staff_id in sorted(set(plan.routes["staff_id"]), key=str):
        match = pattern.fullmatch(str(staff_id))
        if match is None or not 1 <= int(match.group(1)) <= max(staff, 1):
            team = f"{code}-W001 to {code}-W{max(staff, 1):03d}"
            problems.append(
                f"routes.csv: staff_id {staff_id!r} is not a worker of {plan.district.name_en} ({team})"
            )
    return problems


def read_promises(path: Path, week: WeekSettings) -> pd.DataFrame | None:
    """The promises of a plan folder's ``notices.csv``, typed for ``planner.planning.verify``.

    Parameters
    ----------
    path
        The folder's ``notices.csv``.
    week
        The plan's week, which promise times count from.

    Returns
    -------
    pandas.DataFrame or None
        ``parse_notices`` columns; None when there is no such file.

    Raises
    ------
    InputError
        If the file is not a CSV, or naming the row and column of a cell that is not a date or
        clock time.
    """
    if not path.is_file():
        return None
    try:
        notices = read_spreadsheet_csv(path)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: not a notices file planner wrote ({type(exc).__name__})") from None
    return parse_notices(notices, week, str(path))


def read_all_merchants(
    path: str | Path | None, boundaries: str | Path | None = None, encoding: str | None = None
) -> pd.DataFrame | None:
    """The merchants file read once for every district's check (None: each folder's own file).

    ``boundaries`` place the shops by location, as ``planner plan --boundaries`` did;
    ``encoding``: see ``planner.io.read_merchants``.

    Parameters
    ----------
    path
        The merchants file, or None.
    boundaries
        District polygons placing the shops by location, or None.
    encoding
        The merchants file's encoding, or None to detect it.

    Returns
    -------
    pandas.DataFrame or None
        The valid merchants, or None without a file.
    """
    return None if path is None else read_merchants(path, encoding=encoding, boundaries=boundaries).merchants


def _district_name(folder: Path) -> str:
    return read_summary(folder / "summary.json")["district"]


def _names(folders: list[Path]) -> str:
    return ", ".join(f.name for f in folders)
