"""Run a coordinator's steps on files: read, triage, plan, verify and write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from planner.errors import InputError
from planner.geo.districts import District, find_district
from planner.io.boundaries import Boundaries
from planner.io.columns import available_from_text
from planner.io.people import Person
from planner.io.read import ReadResult, read_merchants, reject_path_for, write_rejects
from planner.io.spreadsheet import write_spreadsheet_csv
from planner.planning.output import write_plan
from planner.planning.plan import Plan, Progress, plan_district
from planner.planning.triage import CUTOFF, needing, triage
from planner.planning.workforce import roster_warnings
from planner.settings import Settings


@dataclass(frozen=True)
class TriageRun:
    """What ``triage_file`` read, decided and wrote."""

    read: ReadResult
    triaged: pd.DataFrame
    written: Path
    rejects_path: Path | None
    warnings_path: Path | None = None


@dataclass(frozen=True)
class PlanRun:
    """What ``plan_file`` read, planned and wrote."""

    read: ReadResult
    plan: Plan
    written: dict[str, Path]
    rejects_path: Path | None
    warnings_path: Path | None = None


def read_with_rejects(
    path: str | Path,
    out_dir: str | Path,
    boundaries: str | Path | Boundaries | None = None,
    encoding: str | None = None,
) -> tuple[ReadResult, Path | None]:
    """Read a merchants file and write its rejected rows, if any.

    Parameters
    ----------
    path
        The merchants file.
    out_dir
        Where the rejects file goes.
    boundaries
        District polygons placing the shops by location, or None.
    encoding
        The file's encoding, or None to detect it (see ``read_merchants``).

    Returns
    -------
    tuple
        The read result and the rejects file (None when no row was rejected).
    """
    result = read_merchants(path, encoding=encoding, boundaries=boundaries)
    if result.rejects.empty:
        return result, None
    target = reject_path_for(Path(path), Path(out_dir))
    target.parent.mkdir(parents=True, exist_ok=True)
    write_rejects(result.rejects, target)
    return result, target


def write_warnings(result: ReadResult, out_dir: str | Path) -> Path | None:
    """Write the rows kept with a warning (district labels their location overruled), if any.

    Parameters
    ----------
    result
        A read's result.
    out_dir
        Where the warnings file goes.

    Returns
    -------
    pathlib.Path or None
        ``out_dir / "<name>.warnings.csv"``, laid out like the rejects file; None if no warning.
    """
    if result.warnings is None or result.warnings.empty:
        return None
    rejects = reject_path_for(result.source, out_dir)
    return write_rejects(result.warnings, rejects.with_name(rejects.name.replace(".rejects.", ".warnings.")))


def write_read_reports(result: ReadResult, out_dir: str | Path) -> tuple[Path | None, Path | None]:
    """Write the rejects and the warnings of a read, each if any; return their paths (or None).

    Parameters
    ----------
    result
        A read's result.
    out_dir
        Where the files go.

    Returns
    -------
    tuple
        The rejects file and the warnings file, each None when there is nothing to write.
    """
    rejects = (
        None
        if result.rejects.empty
        else write_rejects(result.rejects, reject_path_for(result.source, out_dir))
    )
    return rejects, write_warnings(result, out_dir)


def triage_file(
    path: str | Path,
    out_dir: str | Path,
    scenario: str = "targeted",
    cutoff: dt.date = CUTOFF,
    boundaries: str | Path | Boundaries | None = None,
    encoding: str | None = None,
) -> TriageRun:
    """Read merchants, decide which need a panel, write ``triage.csv`` (all shops, with the decision).

    With ``boundaries`` each shop's district is the one its location lies in
    (``planner.io.boundaries.settle_districts``). ``triage.csv`` is for reading in a spreadsheet:
    text that would start a formula gets a leading ``'`` (``planner.io.spreadsheet``).

    Parameters
    ----------
    path
        The merchants file.
    out_dir
        Where ``triage.csv`` and the rejects and warnings files go.
    scenario
        The triage scenario (``planner.planning.triage.SCENARIOS``).
    cutoff
        Panels issued on or before this date count as old.
    boundaries
        District polygons placing the shops by location, or None.
    encoding
        The file's encoding, or None to detect it.

    Returns
    -------
    TriageRun
        The read, the triaged merchants and the files written.
    """
    result, rejects = read_with_rejects(path, out_dir, boundaries, encoding)
    triaged = triage(result.merchants, scenario=scenario, cutoff=cutoff)
    target = Path(out_dir) / "triage.csv"
    # available_from keeps its time of day where it has one; other dates are whole days.
    shown = triaged.assign(available_from=available_from_text(triaged["available_from"]))
    write_spreadsheet_csv(shown, target, date_format="%Y-%m-%d")
    return TriageRun(result, triaged, target, rejects, write_warnings(result, out_dir))


def choose_district(merchants: pd.DataFrame, district: str | None, source: str) -> District:
    """The district to plan: the one asked for, or the only one present in the file.

    Parameters
    ----------
    merchants
        The merchants read.
    district
        The district asked for, or None.
    source
        The file's name, for the message.

    Returns
    -------
    District
        The district to plan.

    Raises
    ------
    InputError
        If none was asked for and the file names several districts or none.
    """
    if district is not None:
        return find_district(district)
    present = sorted(set(merchants["district"]) - {""})
    if len(present) == 1:
        return find_district(present[0])
    found = ", ".join(present) or "none"
    raise InputError(f"{source}: choose a district with --district (the file has: {found})")


def plan_file(
    path: str | Path,
    out_dir: str | Path,
    settings: Settings,
    scenario: str = "targeted",
    district: str | None = None,
    cutoff: dt.date = CUTOFF,
    progress: Progress | None = None,
    boundaries: str | Path | Boundaries | None = None,
    encoding: str | None = None,
    people: list[Person] | None = None,
    say: Callable[[str], None] | None = None,
) -> PlanRun:
    """Read, triage and plan one district's week; write the verified plan into ``out_dir``.

    With ``people`` (a roster) the district's own people are the worker-days; the shared pool
    (blank district) is sent to districts only by a city plan. ``say`` hears, before planning,
    one line per shortfall of the roster (``planner.planning.workforce.roster_warnings``).

    With ``boundaries`` each shop's district is the one its location lies in
    (``planner.io.boundaries.settle_districts``).

    Parameters
    ----------
    path
        The merchants file.
    out_dir
        The plan folder; also where the rejects and warnings files go.
    settings
        The week, travel, solver and team settings.
    scenario
        The triage scenario (``planner.planning.triage.SCENARIOS``).
    district
        The district to plan; None when the file names only one.
    cutoff
        Panels issued on or before this date count as old.
    progress
        Called as ``progress(done, total, text)`` while routing.
    boundaries
        District polygons placing the shops by location, or None.
    encoding
        The file's encoding, or None to detect it.
    people
        The roster, or None to plan with ``settings.staff``.
    say
        Where the roster's shortfall lines go.

    Returns
    -------
    PlanRun
        The read, the plan and the files written.

    Raises
    ------
    InputError
        For unusable input (the message names the file and what to fix).
    PlanVerificationError
        If the plan breaks a rule; then nothing is written.
    """
    result, rejects = read_with_rejects(path, out_dir, boundaries, encoding)
    chosen = choose_district(result.merchants, district, str(path))
    merchants = result.merchants[result.merchants["district"].isin([chosen.name_en, ""])]
    shops = needing(triage(merchants, scenario=scenario, cutoff=cutoff))
    own = None
    if people is not None:
        own = [p for p in people if p.district == chosen.name_en]
        if not own:
            raise InputError(
                f"no person of the roster has district {chosen.name_en} (the shared pool is sent to "
                "districts only by 'planner plan --city --roster'); add the district's people"
            )
        for line in roster_warnings(own, {chosen: shops}, settings):
            (say or print)(line)
    plan = plan_district(
        shops, chosen, settings, progress, scenario=scenario, cutoff=cutoff.isoformat(), people=own
    )
    return PlanRun(result, plan, write_plan(plan, out_dir), rejects, write_warnings(result, out_dir))
