"""The command's shared parts: the typer app, options, error handling, progress bars and tables."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console, ConsoleOptions
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.segment import Segment
from rich.table import Table

from planner.cli.entry import PlannerGroup
from planner.errors import InputError, PlannerError
from planner.planning.output import daily_table
from planner.planning.pipeline import PlanRun
from planner.planning.triage import CUTOFF
from planner.settings import Settings
from planner.settings_rules import RULES, Rule, checked

app = typer.Typer(
    help="Plan the replacement of Seoul Pay QR panels: which shops need one, and who visits them when.",
    no_args_is_help=True,
    add_completion=False,
    cls=PlannerGroup,  # bad options and unexpected errors: one line, exit 1
    pretty_exceptions_enable=False,
)


class PlannerConsole(Console):
    """rich's console that, into a file or pipe, prints every line whole: no wrapping at 80 columns."""

    def print(self, *objects, **options) -> None:
        """Print as ``rich.console.Console.print``; off a terminal, lines are not wrapped nor cut.

        Parameters
        ----------
        *objects
            What to print.
        **options
            ``rich.console.Console.print``'s options; ``soft_wrap`` defaults to true off a terminal.
        """
        if not self.is_terminal:
            options.setdefault("soft_wrap", True)
        super().print(*objects, **options)


console = PlannerConsole()
CUTOFF_DEFAULT = dt.datetime.combine(CUTOFF, dt.time())

Out = Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs.")]
Scenario = Annotated[
    str, typer.Option(help="'targeted': only shops whose QR fails; 'full': every active merchant.")
]
Cutoff = Annotated[
    dt.datetime,
    typer.Option(
        formats=["%Y-%m-%d"],
        help=f"Last QR issue date Seoul Pay reads (default: {CUTOFF.isoformat()}).",
        show_default=False,
    ),
]
PROCESSES_HELP = (
    "Worker processes that run the OR-Tools solves, local or in a LocalCluster with --scheduler local"
)
# None when not given, so that the hidden alias below can be told apart from the default.
Processes = Annotated[int | None, typer.Option("--processes", help=f"{PROCESSES_HELP} (default: 1).")]
# The old name of --processes, which published commands still use: works, but --help does not list it.
WorkersAlias = Annotated[int | None, typer.Option("--workers", hidden=True, help="Old name of --processes.")]
OpenRoutes = Annotated[bool, typer.Option(help="End routes at the last shop, not the district office.")]
OpenStart = Annotated[
    bool,
    typer.Option(
        "--start-at-first-shop",
        help="Staff report at their first shop at shift start, not the district office.",
    ),
]
BoundariesFile = Annotated[
    Path | None,
    typer.Option(
        "--boundaries",
        help="District or dong polygons (GeoJSON, GeoPackage, shapefile) with a district name or code "
        "column: each shop's district is the one its location lies in (default: the file's district column).",
    ),
]
Scheduler = Annotated[
    str | None,
    typer.Option(
        help="Dask scheduler: tcp://host:8786, or 'local' to start a LocalCluster (default: none, local processes)."
    ),
]
SettingsFile = Annotated[
    Path | None, typer.Option("--settings", help="TOML settings file (default: none, the built-in settings).")
]
BUILT_IN = Settings()


def from_settings(key: str) -> str:
    """The help's default of an option that overrides a setting: the --settings file's, else built in.

    Parameters
    ----------
    key
        The setting as ``section.name``, e.g. ``week.days``.

    Returns
    -------
    str
        For example ``(default: week.days of --settings, else 7)``.
    """
    section, name = key.split(".")
    value = getattr(getattr(BUILT_IN, section), name)
    return f"(default: {key} of --settings, else {f'{value:g}' if isinstance(value, float) else value})"


# Options that override a setting, shared by the commands that plan a week.
Days = Annotated[int | None, typer.Option(help=f"Days in the campaign week {from_settings('week.days')}.")]
StartDate = Annotated[
    dt.datetime | None,
    typer.Option(formats=["%Y-%m-%d"], help=f"First day {from_settings('week.start_date')}."),
]
TimeLimit = Annotated[
    float | None,
    typer.Option("--time-limit", help=f"Solver seconds per zone {from_settings('solver.time_limit_s')}."),
]


Encoding = Annotated[
    str | None,
    typer.Option(
        help="Text encoding of a CSV merchants file, e.g. cp949 (default: UTF-8, else CP949 by row)."
    ),
]


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn planner's and the file system's errors into one line and exit code 1; Ctrl-C into 130.

    Yields
    ------
    None
        The block runs inside.

    Raises
    ------
    typer.Exit
        With code 1 after a ``PlannerError`` or an ``OSError``, 130 after Ctrl-C.
    """
    try:
        yield
    except PlannerError as exc:
        # One line whatever the terminal's width; brackets in files' cells, paths and keys ("[week] days")
        # are text, not rich markup.
        console.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        console.print("[yellow]interrupted: nothing more was written[/yellow]")
        raise typer.Exit(130) from None
    except OSError as exc:
        # The file system refused (no permission, disk full, a file where a folder goes): name the path.
        where = f"{exc.filename}: " if exc.filename else ""
        console.print(f"[red]error:[/red] {escape(where + (exc.strerror or str(exc)))}", soft_wrap=True)
        raise typer.Exit(1) from None


def make_out_folder(out: Path) -> Path:
    """Make the ``--out`` folder (and its parents) if it is not there yet.

    Parameters
    ----------
    out
        The folder the command writes into.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    InputError
        If it cannot be made: a file of that name, no permission. The message names ``--out``.
    """
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(
            f"--out {out}: cannot make that folder ({reason}); give a folder to write into"
        ) from None
    return Path(out)


@contextmanager
def progress_bar(label: str) -> Iterator:
    """A rich progress bar with an ETA; yields the ``progress(done, total, text)`` callback.

    Parameters
    ----------
    label
        The text in front of the bar.

    Yields
    ------
    Progress
        The callback that moves the bar.
    """
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    # Into a file or pipe the bar is drawn once, at the end, and only when the run succeeds: a
    # failed run's one line of error stands alone (a live bar there leaves a line even when erased).
    drawn = console.is_terminal
    with Progress(*columns, console=console, transient=False, disable=not drawn) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int, text: str) -> None:
            bar.update(task, completed=done, total=total, description=f"{label}: {text}")

        try:
            yield update
        except BaseException:
            bar.live.transient = True
            raise
    if not drawn:
        console.print(bar.get_renderable())


# What each numeric or date option accepts: the rule of the setting it feeds, or its own.
OPTION_RULES: dict[str, Rule] = {
    "--staff": Rule(int, 1, RULES[""]["staff"].high),
    "--days": RULES["week"]["days"],
    "--start": RULES["week"]["start_date"],
    "--time-limit": RULES["solver"]["time_limit_s"],
    "--processes": RULES["solver"]["processes"],
    "--workers": RULES["solver"]["processes"],
    "--improve-time": RULES["solver"]["improve_s"],
    "--budget": Rule(float, 0.0, 86_400.0),
    "--max-tries": Rule(int, 1, 100),
    "--runs": Rule(int, 1, 100_000),
    "--fail-rate": Rule(float, 0.0, 1.0),
    "--service-jitter": Rule(float, 0.0, 1.0),
    "--target": Rule(float, 0.0, 1.0, above=True),
    "--seed": Rule(int, 0, 2**32 - 1),
}


def check_options(given: dict[str, object]) -> None:
    """Refuse an option outside its rule (``OPTION_RULES``) in one line naming it; None is not given.

    Parameters
    ----------
    given
        Each option's value by its name as typed, e.g. ``{"--staff": 0}``.

    Raises
    ------
    InputError
        E.g. ``--staff 0: must be a whole number from 1 to 1000``.

    Parameters
    ----------
    given
        Option names (``--staff``) and their values; None means not given.
    """
    for name, value in given.items():
        if value is not None:
            checked(value.date() if isinstance(value, dt.datetime) else value, OPTION_RULES[name], name)


def processes_given(processes: int | None, workers: int | None) -> int | None:
    """The ``--processes`` count, or the one given under its old name ``--workers``.

    Parameters
    ----------
    processes
        The value of ``--processes`` (None if not given).
    workers
        The value of the hidden alias ``--workers`` (None if not given).

    Returns
    -------
    int or None
        The count given, checked against its rule; None if neither was given.

    Raises
    ------
    InputError
        If the count breaks its rule (one line naming the option as typed), or the two disagree.
    """
    check_options({"--processes": processes, "--workers": workers})
    if processes is not None and workers is not None and processes != workers:
        raise InputError(f"--processes {processes} and --workers {workers}: give --processes only")
    return workers if processes is None else processes


def settings_from_options(
    path, staff, days, start, time_limit_s, processes, open_routes, improve_s=None, open_start=False
) -> Settings:
    """The settings file (or the defaults) with the options given on the command line.

    Parameters
    ----------
    path
        The ``--settings`` file, or None for the built-in settings.
    staff
        ``--staff``: workers a day.
    days
        ``--days``: days in the week.
    start
        ``--start``: the first day.
    time_limit_s
        ``--time-limit``: seconds of one solve.
    processes
        ``--processes``: worker processes.
    open_routes
        ``--open-routes``: worker-days end at their last shop.
    improve_s
        ``--improve-time``: seconds improving across zones.
    open_start
        ``--start-at-first-shop``: worker-days start at their first shop.

    Returns
    -------
    Settings
        The file's settings, each option given (not None, or true for a flag) replacing its setting.

    Raises
    ------
    InputError
        If the file or an option breaks a rule (``planner.settings_rules``): one line naming it.

    Parameters
    ----------
    path
        A TOML settings file, or None for the defaults.
    staff, days, start, time_limit, processes, open_routes, improve_time, open_start
        The options of the same names; None (or False) keeps the file's value.

    Returns
    -------
    Settings
        The settings for the run.
    """
    given = {"--staff": staff, "--days": days, "--start": start, "--time-limit": time_limit_s}
    check_options({**given, "--processes": processes, "--improve-time": improve_s})
    settings = Settings.from_file(path) if path else Settings()
    week, solver = settings.week, settings.solver
    if days is not None:
        week = replace(week, days=days)
    if start is not None:
        week = replace(week, start_date=start.date())
    if time_limit_s is not None:
        solver = replace(solver, time_limit_s=time_limit_s)
    if processes is not None:
        solver = replace(solver, processes=processes)
    if open_routes:
        solver = replace(solver, open_routes=True)
    if open_start:
        solver = replace(solver, open_start=True)
    if improve_s is not None:
        solver = replace(solver, improve_s=improve_s)
    return replace(settings, week=week, solver=solver, staff=staff if staff is not None else settings.staff)


def table_of(frame, title: str) -> FrameTable:
    """``frame`` as a table for the console: boxed on a terminal, plain and whole into a file or pipe.

    Parameters
    ----------
    frame
        The table; a named or non-default index becomes columns.
    title
        The table's title.

    Returns
    -------
    FrameTable
        Printed with ``console.print``: numbers right-aligned, text left-aligned, blank for missing.
    """
    if frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    return FrameTable(frame, title)


class FrameTable:
    """A table that is rich's boxed table on a terminal, and plain lines of any length elsewhere.

    On a terminal long headers and cells wrap, never cut. Into a file or pipe there is no width
    to fit: every row is one line, columns padded with spaces, so the output reads whole and
    splits on whitespace.
    """

    def __init__(self, frame: pd.DataFrame, title: str):
        self.title = title
        self.headers = [str(column) for column in frame.columns]
        self.right = [frame[column].dtype.kind in "if" for column in frame.columns]
        self.rows = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator:
        """Rich's table on a terminal, else ``plain_lines``."""
        if options.is_terminal:
            yield self.rich_table()
            return
        for line in self.plain_lines():
            yield Segment(line)
            yield Segment.line()

    def rich_table(self) -> Table:
        """The boxed table, long headers and cells folded onto more lines.

        Returns
        -------
        rich.table.Table
            The table.
        """
        table = Table(title=self.title)
        for header, right in zip(self.headers, self.right, strict=True):
            table.add_column(escape(header), justify="right" if right else "left", overflow="fold")
        for row in self.rows:
            table.add_row(*(escape(cell) for cell in row))
        return table

    def plain_lines(self) -> list[str]:
        """The title, the headers, a rule and one line per row, columns padded to their widest cell.

        Returns
        -------
        list of str
            The lines, without line ends or trailing spaces.
        """
        widths = [max([len(h), *(len(row[k]) for row in self.rows)]) for k, h in enumerate(self.headers)]

        def line(cells: list[str]) -> str:
            padded = (
                cell.rjust(width) if right else cell.ljust(width)
                for cell, width, right in zip(cells, widths, self.right, strict=True)
            )
            return "  ".join(padded).rstrip()

        rule = "  ".join("-" * width for width in widths)
        return [self.title, line(self.headers), rule, *(line(row) for row in self.rows)]


def _cell(value) -> str:
    """A table cell's text: blank for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    return str(value)


def reasons_text(row: dict, prefix: str = "left_") -> str:
    """``reason n, ...`` from a table row's ``<prefix><reason>`` counts (those above zero).

    Parameters
    ----------
    row
        A row of a status or staffing table.
    prefix
        The prefix of the count columns.

    Returns
    -------
    str
        For example ``capacity 3, no_time_window_fits 1``.
    """
    return ", ".join(f"{c.removeprefix(prefix)} {n}" for c, n in row.items() if c.startswith(prefix) and n)


def print_reads(read, rejects_path, warnings_path=None) -> None:
    """Print how many merchants were read, and where the rejected and overruled rows went.

    Parameters
    ----------
    read
        The read's result.
    rejects_path
        The rejects file, or None.
    warnings_path
        The warnings file, or None.
    """
    console.print(f"read {len(read.merchants):,} merchants from {read.source}")
    if rejects_path is not None:
        console.print(f"[yellow]{read.rejected_rows:,} rows rejected[/yellow]: see {rejects_path}")
    warned = 0 if read.warnings is None else len(read.warnings)
    if warned:
        where = f": see {warnings_path}" if warnings_path is not None else ""
        console.print(f"[yellow]{warned:,} district labels overruled by the shop's location[/yellow]{where}")


def print_plan(run: PlanRun) -> None:
    """Print a planned district: the read, the daily table, the summary and the files written.

    Parameters
    ----------
    run
        What ``plan_file`` did.
    """
    print_reads(run.read, run.rejects_path, run.warnings_path)
    console.print(table_of(daily_table(run.plan), f"Plan for {run.plan.district.name_en} (verified)"))
    summary = run.plan.summary()
    console.print(", ".join(f"{k} {v}" for k, v in summary.items()))
    never = int((run.plan.unassigned["reason"] == "no_time_window_fits").sum())
    if run.plan.people and never:
        console.print(
            f"[yellow]{never:,} shops are open when no shift of the roster is[/yellow] "
            "(no_time_window_fits in unassigned.csv): add people who work when they open"
        )
    for name, path in run.written.items():
        console.print(f"  {name}: {path}")
