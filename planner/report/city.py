"""Reports of many districts at once: a city plan or campaign export read district by district, with an index page."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pandas as pd

from planner.errors import InputError
from planner.io.read import read_merchants
from planner.report.folders import plan_folders_in
from planner.report.load import PLAN_FILES, LoadedPlan, load_plan
from planner.report.pages import page_templates

# What a folder given to a report command holds.
PLAN, CITY_PLAN, CAMPAIGN_EXPORT = "plan", "city plan", "campaign export"
# The per-district figures of an index page, in order: (summary key, column heading).
INDEX_FIGURES = (
    ("needing", "Needing"),
    ("planned", "Planned"),
    ("unassigned", "Unassigned"),
    ("staff_days", "Worker-days"),
    ("last_day_used", "Last day"),
)

# Writes one district's report into a folder; returns the files written, the page to open first.
DistrictWriter = Callable[[LoadedPlan, Path], list[Path]]
# Writes the city's own files of a report (e.g. charts comparing the districts); returns them.
CityWriter = Callable[[list["DistrictReport"], Path], list[Path]]


@dataclass(frozen=True)
class PlanFolders:
    """The plan folders a report command was given: one plan, or a folder per district."""

    root: Path
    kind: str  # PLAN, CITY_PLAN or CAMPAIGN_EXPORT
    folders: tuple[Path, ...]  # the plan folders, sorted; (root,) for a plan

    @property
    def several(self) -> bool:
        """True for a city plan or a campaign export: reports go into a folder per district."""
        return self.kind != PLAN


@dataclass(frozen=True)
class DistrictReport:
    """One district's report: the plan folder read, its figures and the files written."""

    folder: Path
    summary: dict  # Plan.summary() of the district's plan
    written: list[Path]  # the writer's files, the one to open first at the front
    merchants_known: bool = True  # the district's merchants were found (for layers and maps)
    unassigned_placed: bool = True  # every unassigned shop has a known place (or there is none)


@dataclass(frozen=True)
class CityReport:
    """A report written for every district of a plan folder, and the index page linking them."""

    source: PlanFolders
    out_dir: Path
    districts: list[DistrictReport]
    index: Path | None  # None for a plan folder of one district


def find_plan_folders(path: str | Path) -> PlanFolders:
    """Recognise a plan folder, a city plan folder (``plan --city``) or a campaign export.

    Parameters
    ----------
    path
        The folder given to a report command.

    Returns
    -------
    PlanFolders
        Its kind and plan folders (``planner.report.folders.plan_folders_in``). A folder holding
        district folders is a city plan when it has the city's ``summary.json`` too, else a
        campaign export.

    Raises
    ------
    InputError
        If the folder is none of the three: the message names it and what was expected.
    """
    root = Path(path)
    if not root.is_dir():
        raise InputError(f"{root}: no such folder; give the folder 'planner plan --out' wrote")
    folders = plan_folders_in(root)
    if folders == [root]:
        return PlanFolders(root, PLAN, (root,))
    if folders:
        kind = CITY_PLAN if (root / "summary.json").is_file() else CAMPAIGN_EXPORT
        return PlanFolders(root, kind, tuple(folders))
    missing = ", ".join(name for name in PLAN_FILES if not (root / name).is_file())
    raise InputError(
        f"{root}: not a plan folder (missing {missing}) nor a folder of district plans; expected what "
        "'planner plan --out' writes, or what 'planner plan --city' or 'planner campaign export-plan' writes"
    )


def report_districts(
    path: str | Path,
    name: str,
    write: DistrictWriter,
    merchants: str | Path | None = None,
    encoding: str | None = None,
    title: str = "",
    alone: str | None = None,
    city_files: CityWriter | None = None,
    processes: int = 1,
) -> CityReport:
    """Write one report for every district of a plan folder, and for several an ``index.html``.

    A plan folder's report goes into ``<plan>/<name>`` as before. A city plan's or campaign
    export's goes into ``<folder>/<name>/<district folder>/`` for each district (what the same
    command writes for that district alone) plus ``<folder>/<name>/index.html``, a page with each
    district's figures and a link to its report.

    Parameters
    ----------
    path
        A plan folder, city plan folder or campaign export (see ``find_plan_folders``).
    name
        The report's folder name, e.g. ``sheets``.
    write
        ``write(loaded, folder)`` writes one district's report into ``folder`` and returns the
        files written, the one to open first at the front.
    merchants
        The merchants file the plans were made from (all districts' may be in it), read once;
        None uses what each plan folder holds.
    encoding
        Text encoding of a CSV ``merchants`` file.
    title
        The index page's heading, e.g. ``Route sheets``.
    alone
        The report's folder name under a plan folder of one district, when not ``name``; ""
        writes into the plan folder itself (as ``planner export`` does).
    city_files
        For several districts, ``city_files(reports, folder)`` writes the city's own pictures
        into ``<folder>/<name>`` after the districts' and returns them, shown on the index page.
    processes
        Districts written at the same time, each in a process of its own (forked, so ``write``
        may be any function; what it changes outside its files stays in that process).

    Returns
    -------
    CityReport
        What was written for each district, and the index page (None for one plan folder).

    Raises
    ------
    InputError
        If the folder holds no plan, or a plan in it cannot be read.
    """
    source = find_plan_folders(path)
    out_dir = source.root / (name if source.several or alone is None else alone)
    given = read_merchants(merchants, encoding=encoding).merchants if merchants is not None else None
    jobs = [(folder, out_dir / folder.name if source.several else out_dir) for folder in source.folders]
    reports = _run_all(jobs, write, given, encoding, processes)
    index = None
    if source.several:
        images = city_files(reports, out_dir) if city_files else []
        index = write_index(reports, out_dir, title or name, source, images)
    return CityReport(source, out_dir, reports, index)


# The writer and merchants of a parallel run, inherited by the forked processes (never pickled).
_JOB: dict = {}


def _run_all(jobs, write: DistrictWriter, given, encoding, processes: int) -> list[DistrictReport]:
    """Each job's report, in order: here, or in ``processes`` forked processes when there are several."""
    if processes <= 1 or len(jobs) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [_one(folder, target, write, given, encoding) for folder, target in jobs]
    _JOB.update(write=write, given=given, encoding=encoding)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(min(processes, len(jobs)), mp_context=context) as pool:
            return list(pool.map(_forked, jobs))
    finally:
        _JOB.clear()


def _forked(job: tuple[Path, Path]) -> DistrictReport:
    return _one(*job, _JOB["write"], _JOB["given"], _JOB["encoding"])


def _one(folder: Path, target: Path, write: DistrictWriter, given, encoding) -> DistrictReport:
    """Read one district's plan and write its report."""
    loaded = load_plan(folder, given, encoding=encoding)
    plan = loaded.plan
    placed = loaded.merchants is not None or plan.unassigned.empty or "lat" in plan.unassigned
    return DistrictReport(folder, plan.summary(), write(loaded, target), loaded.merchants is not None, placed)


def write_index(
    reports: Sequence[DistrictReport],
    out_dir: Path,
    title: str,
    source: PlanFolders,
    images: Sequence[Path] = (),
) -> Path:
    """Write ``index.html``: one row per district with its figures and a link to its report.

    Parameters
    ----------
    reports
        The districts' reports, their files under ``out_dir``.
    out_dir
        The report's folder.
    title
        The page's heading.
    source
        The folders the reports were made from.
    images
        Pictures in ``out_dir`` shown under the table.

    Returns
    -------
    pathlib.Path
        The page; all text on it is HTML-escaped and it runs no script.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "district": report.summary.get("district", report.folder.name),
            "href": _href(report.written[0], out_dir) if report.written else "",
            "figures": [_figure(report.summary.get(key)) for key, _ in INDEX_FIGURES],
        }
        for report in reports
    ]
    totals = city_totals([report.summary for report in reports])
    page = (
        page_templates()
        .get_template("city_index.html")
        .render(
            title=title,
            source=source,
            headings=[heading for _, heading in INDEX_FIGURES],
            rows=rows,
            totals=[_figure(totals.get(key)) for key, _ in INDEX_FIGURES],
            images=[_href(image, out_dir) for image in images],
        )
    )
    index = out_dir / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def city_totals(summaries: Sequence[dict]) -> dict:
    """The city's row of an index page: the districts' counts added up and their last day.

    Parameters
    ----------
    summaries
        ``Plan.summary()`` of each district.

    Returns
    -------
    dict
        ``needing``, ``planned``, ``unassigned``, ``staff_days`` and ``last_day_used``.
    """
    table = pd.DataFrame(list(summaries), columns=[key for key, _ in INDEX_FIGURES])
    last = table["last_day_used"].dropna()
    return {
        **{key: int(table[key].sum()) for key in ("needing", "planned", "unassigned", "staff_days")},
        "last_day_used": str(last.max()) if len(last) else None,
    }


def _figure(value) -> str:
    return "-" if value is None or value == "" else f"{value:,}" if isinstance(value, int) else str(value)


def _href(path: Path, base: Path) -> str:
    """A relative link from a page in ``base`` to ``path``, each part URL-quoted."""
    return "/".join(quote(part) for part in path.relative_to(base).parts)
