"""What ``planner staffing`` says about a roster: its shortfall, the pool's allocation, the proposal written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from planner.cli.common import console, table_of
from planner.io.people import Person
from planner.io.roster import read_roster, write_roster, write_roster_rejects
from planner.io.spreadsheet import write_spreadsheet_csv
from planner.planning.shiftwork import ShiftWork
from planner.planning.teams import pool_against_fixed
from planner.planning.workforce import (
    allocate_pool,
    finish_table,
    propose_roster,
    proposed_teams,
    shortfall,
    shortfall_lines,
)
from planner.settings import Settings


def read_people(
    path: Path, settings: Settings, rejects_dir: Path, encoding: str | None = None
) -> list[Person]:
    """Read a roster, print how many people it gives and write its rejected rows beside ``rejects_dir``.

    Parameters
    ----------
    path
        The roster file.
    settings
        The week and defaults.
    rejects_dir
        The folder of ``<name>.rejects.csv``.
    encoding
        The roster's encoding, or None to detect it.

    Returns
    -------
    list of Person
        The roster's valid people.
    """
    result = read_roster(path, settings, encoding)
    pool = sum(p.district is None for p in result.people)
    count = len(result.people)
    console.print(
        f"read {count:,} {'person' if count == 1 else 'people'} from {path} ({pool:,} in the shared pool)"
    )
    if not result.rejects.empty:
        written = write_roster_rejects(result.rejects, path, rejects_dir)
        console.print(f"[yellow]{result.rejects['row'].nunique():,} rows rejected[/yellow]: see {written}")
    return result.people


def print_work(work: dict[str, ShiftWork]) -> None:
    """Print each district's day and evening work, and warn of shops open in no shift.

    Parameters
    ----------
    work
        Each district's work.
    """
    console.print(
        table_of(pd.DataFrame([w.row() for w in work.values()]), "Work by shift (estimated staff-days)")
    )
    for name, shift in work.items():
        if shift.no_shift:
            console.print(
                f"[yellow]{name}: {len(shift.no_shift):,} shops open in no shift[/yellow] "
                "(neither the day nor the evening shift): they stay unassigned, no_time_window_fits"
            )


def print_shortfall(people: list[Person], work: dict[str, ShiftWork], settings: Settings) -> None:
    """Print the roster's shortfall per district and shift, and one warning line per district short.

    Parameters
    ----------
    people
        The roster.
    work
        Each district's work.
    settings
        The week and its shifts.
    """
    table = shortfall(people, work, settings)
    console.print(table_of(table, "Roster against the work (staff-days; the pool as allocated)"))
    lines = shortfall_lines(table)
    for line in lines:
        console.print(f"[yellow]{line}[/yellow]")
    if not lines:
        console.print("the roster covers every district's estimated work")


def write_pool(people: list[Person], work: dict[str, ShiftWork], settings: Settings, out: Path) -> Path:
    """Allocate the pool, print each district's finish without and with it, and write the allocation.

    Also prints the city's last day with the pool and with its people fixed to one district each.

    Parameters
    ----------
    people
        The roster.
    work
        Each district's work.
    settings
        The week and its shifts.
    out
        The allocation CSV.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    allocation = allocate_pool(people, work, settings)
    console.print(
        table_of(
            finish_table(people, work, settings, allocation), "Estimated finish without and with the pool"
        )
    )
    console.print(pool_against_fixed(people, work, settings.week, allocation))
    written = write_spreadsheet_csv(allocation, out, bom=True)
    console.print(f"wrote {len(allocation):,} pool staff-days to {written}")
    return written


def write_proposal(
    work: dict[str, ShiftWork], settings: Settings, day_staff: dict[str, int] | None, out: Path | None
) -> Path | None:
    """Print the proposed day and evening team of each district per day, and write them as a roster.

    Parameters
    ----------
    work
        Each district's work.
    settings
        The week and its shifts.
    day_staff
        District -> the confirmed day team, or None to size it from the estimate.
    out
        The roster file, or None to print the teams only.

    Returns
    -------
    pathlib.Path or None
        The file written.
    """
    teams = proposed_teams(work, settings, day_staff)
    console.print(table_of(teams, "Proposed teams: people per day"))
    totals = teams.groupby("shift")["staff_days"].sum()
    console.print(
        f"{int(totals.get('day', 0)):,} day and {int(totals.get('evening', 0)):,} evening staff-days "
        "(estimated work and a tenth more; a day's unused people are not planned)"
    )
    if out is None:
        return None
    people = propose_roster(work, settings, day_staff, teams)
    written = write_roster(people, out)
    evening = sum(p.team == "evening" for p in people)
    console.print(
        f"wrote a roster of {len(people) - evening:,} day and {evening:,} evening people to {written}"
    )
    return written
