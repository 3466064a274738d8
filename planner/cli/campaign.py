"""Commands of the campaign week: init, add, outcomes import, replan, status and simulate."""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from planner.campaign import budget as campaign_budget
from planner.campaign import export as campaign_export
from planner.campaign import forecast as campaign_forecast
from planner.campaign import intake as campaign_intake
from planner.campaign import notices as campaign_notices
from planner.campaign import outcomes as campaign_outcomes
from planner.campaign import replan as campaign_replan
from planner.campaign import run as campaign_run
from planner.campaign import simulate as campaign_simulate
from planner.campaign import status as campaign_status
from planner.campaign.setup import load_campaign
from planner.campaign.store import DEFAULT_STORE, CampaignStore
from planner.cli.common import (
    PROCESSES_HELP,
    BoundariesFile,
    Days,
    Encoding,
    OpenRoutes,
    OpenStart,
    Processes,
    Scenario,
    Scheduler,
    SettingsFile,
    StartDate,
    TimeLimit,
    WorkersAlias,
    app,
    check_options,
    console,
    from_settings,
    print_reads,
    processes_given,
    progress_bar,
    reasons_text,
    settings_from_options,
    table_of,
    user_errors,
)
from planner.cli.roster import read_people
from planner.errors import InputError
from planner.io.read import read_merchants
from planner.io.spreadsheet import write_spreadsheet_csv
from planner.planning.executor import make_executor
from planner.planning.pipeline import write_read_reports
from planner.settings import Settings

campaign_app = typer.Typer(help="Start a campaign in a store file; then record outcomes and re-plan daily.")
outcomes_app = typer.Typer(help="Field outcomes: what happened at each visited shop.")
app.add_typer(campaign_app, name="campaign")
app.add_typer(outcomes_app, name="outcomes")
StorePath = Annotated[Path, typer.Option("--store", help="Campaign file (SQLite).")]
SHOWN_IDS = 10  # merchant ids listed per kind of change
Budget = Annotated[
    float | None,
    typer.Option(
        help="Seconds the plan may take: shorter searches when much is left "
        f"(default {campaign_budget.DISTRICT_BUDGET_S:g} a district, at most {campaign_budget.CITY_BUDGET_S:g}; "
        "0: the campaign's full budgets)."
    ),
]


@campaign_app.command("init")
def campaign_init(
    merchants: Annotated[
        Path, typer.Argument(help="Merchants file: CSV, GeoJSON, GeoPackage or the register.")
    ],
    staff: Annotated[
        int | None,
        typer.Option(help="Workers a day in each district (default: none; give this or --roster)."),
    ] = None,
    district: Annotated[
        list[str] | None,
        typer.Option(help="District of the campaign, repeatable (default: every district in the file)."),
    ] = None,
    team: Annotated[
        list[str] | None,
        typer.Option(
            help="Another team for one district: NAME=WORKERS, repeatable (default: --staff everywhere)."
        ),
    ] = None,
    scenario: Scenario = "targeted",
    store: StorePath = DEFAULT_STORE,
    days: Days = None,
    start: StartDate = None,
    time_limit_s: TimeLimit = None,
    max_tries: Annotated[int, typer.Option(help="Visits to a closed shop before giving up.")] = 3,
    improve_s: Annotated[
        float | None,
        typer.Option(
            "--improve-time", help=f"Seconds improving across zones {from_settings('solver.improve_s')}."
        ),
    ] = None,
    open_routes: OpenRoutes = False,
    open_start: OpenStart = False,
    settings_file: SettingsFile = None,
    processes: Processes = None,
    scheduler: Scheduler = None,
    budget: Budget = None,
    boundaries: BoundariesFile = None,
    encoding: Encoding = None,
    workers: WorkersAlias = None,
    roster: Annotated[
        Path | None,
        typer.Option(
            help="Roster CSV: plan with these people instead of --staff, every re-plan too; its "
            "shared pool is sent to districts day by day once, at the start; rejected rows go "
            "beside the store (default: none)."
        ),
    ] = None,
) -> None:
    """Start a campaign: triage the merchants of its districts (or the city), store them and plan the week."""
    with user_errors():
        check_options({"--max-tries": max_tries, "--budget": budget})
        if (staff is None) == (roster is None):
            raise InputError("give either --staff N (workers a day) or --roster FILE (who works each day)")
        if roster is not None and team:
            raise InputError("--team sizes a district's team; with --roster the roster says who works there")
        count = processes_given(processes, workers) or 1
        settings = settings_from_options(
            settings_file, staff, days, start, time_limit_s, None, open_routes, improve_s, open_start
        )
        people = None
        if roster is not None:
            settings = replace(settings, staff=None)  # a team size from --settings: the roster says instead
            people = read_people(roster, settings, store.parent)
        teams = campaign_run.parse_teams(team or [])
        with make_executor(count, scheduler) as executor, progress_bar("planning") as progress:
            started = campaign_run.start_campaign(
                merchants,
                store,
                settings,
                district or [],
                teams,
                progress,
                executor,
                scenario,
                max_tries,
                _budget_s(budget),
                boundaries,
                encoding,
                people,
                say=lambda line: console.print(f"[yellow]{line}[/yellow]"),
            )
    print_reads(started.read, None)
    console.print(f"{started.needing:,} shops need a panel; plan version {started.first_plan.plan_version}")
    _print_replan(started.first_plan)
    console.print(f"campaign stored in {store}")


@campaign_app.command("add")
def campaign_add(
    merchants: Annotated[
        Path, typer.Argument(help="Merchants to add or correct: CSV, GeoJSON, GeoPackage or the register.")
    ],
    store: StorePath = DEFAULT_STORE,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the rejected rows' file, if any (default: the store's folder)."),
    ] = None,
    boundaries: BoundariesFile = None,
    encoding: Encoding = None,
) -> None:
    """Add new shops to the campaign or correct known ones (moved, hours, available_from, closed)."""
    with user_errors(), CampaignStore.existing(store) as opened:
        read = read_merchants(merchants, encoding=encoding, boundaries=boundaries)
        rejects, warnings = write_read_reports(read, store.parent if out is None else out)
        result = campaign_intake.add_merchants(opened, read)
    print_reads(read, rejects, warnings)
    console.print(result.summary())
    for name, ids in (("added", result.added), ("corrected", result.corrected), ("closed", result.closed)):
        if ids:
            more = f", ... ({len(ids) - SHOWN_IDS} more)" if len(ids) > SHOWN_IDS else ""
            console.print(escape(f"{name}: {', '.join(ids[:SHOWN_IDS])}{more}"), soft_wrap=True)
    if result.pending or result.corrected:
        console.print(f"the next re-plan takes them in: planner replan --day N --store {store}")


@campaign_app.command("export-plan")
def campaign_export_plan(
    out: Annotated[
        Path, typer.Option(help="Folder to write (replaced whole), one plan folder per district.")
    ],
    store: StorePath = DEFAULT_STORE,
) -> None:
    """Write the current plan as plan folders: for sheets, map, export, charts and verify."""
    with user_errors(), CampaignStore.existing(store) as opened:
        folders = campaign_export.write_current_plan(opened, out)
        version = opened.current_plan_version()
    console.print(f"plan {version} written to {out}: {', '.join(f.name for f in folders)}")
    console.print(f"re-check it: planner verify {out}; route sheets: planner sheets {folders[0]}")


@outcomes_app.command("import")
def outcomes_import(
    path: Annotated[
        Path,
        typer.Argument(
            help="Outcome CSV: merchant_id, staff_id, date, outcome, time, note; the outcome files "
            "'planner sheets' writes, filled in, as they are."
        ),
    ],
    store: StorePath = DEFAULT_STORE,
) -> None:
    """Record field outcomes; the whole file or nothing, and a file imported twice changes nothing."""
    with user_errors(), CampaignStore.existing(store) as opened:
        result = campaign_outcomes.import_outcomes(opened, path)
    console.print(result.summary())


@app.command("replan")
def replan_command(
    day: Annotated[int, typer.Option(help="First campaign day to plan again (0 = first day).")],
    pin_under_way: Annotated[bool, typer.Option(help="Keep today's routes; plan from tomorrow.")] = False,
    store: StorePath = DEFAULT_STORE,
    district: Annotated[
        list[str] | None,
        typer.Option(help="Re-plan only this district, repeatable (default: every one of the campaign)."),
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option("--processes", help=f"{PROCESSES_HELP} (default: the campaign's solver.processes)."),
    ] = None,
    scheduler: Scheduler = None,
    budget: Budget = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Also write the new plan here as plan folders, see 'planner campaign export-plan' "
            "(default: not written).",
        ),
    ] = None,
    workers: WorkersAlias = None,
) -> None:
    """Keep what is done; plan every remaining shop over the days left; store a new plan version."""
    with user_errors(), CampaignStore.existing(store) as opened:
        check_options({"--budget": budget})
        count = processes_given(processes, workers) or load_campaign(opened).settings.solver.processes
        with make_executor(max(1, count), scheduler) as executor, progress_bar("re-planning") as progress:
            result = campaign_replan.replan(
                opened, day, pin_under_way, progress, executor, district, _budget_s(budget)
            )
        if out is not None:
            campaign_export.write_current_plan(opened, out)
            if len(result.broken_promises):
                campaign_notices.write_broken(result.broken_promises, out)
    _print_replan(result)
    if out is not None:
        console.print(f"plan {result.plan_version} written to {out}")
    _print_broken(result.broken_promises, out)


def _budget_s(budget: float | None) -> float | str | None:
    """The re-plan's budget: ``"auto"`` when not given, None (the campaign's full budgets) for 0."""
    if budget is None:
        return campaign_budget.AUTO
    return budget or None


def _print_broken(broken, out: Path | None) -> None:
    """One line naming the promises sent that the new plan cannot keep, and where they are listed."""
    if not len(broken):
        return
    shown = ", ".join(
        f"{m} on {d}" for m, d in zip(broken["merchant_id"][:10], broken["date"][:10], strict=True)
    )
    more = f" and {len(broken) - 10} more" if len(broken) > 10 else ""
    listed = (
        f"; listed in {out / campaign_notices.BROKEN_FILE}"
        if out is not None
        else "; give --out to list them"
    )
    console.print(
        f"[yellow]{len(broken)} promises broken[/yellow]: {escape(shown)}{more}{listed}", soft_wrap=True
    )


def _print_replan(result: campaign_replan.ReplanResult) -> None:
    if len(result.districts) > 1:
        console.print(table_of(result.districts.set_index("district"), "Re-planned districts"))
    console.print(", ".join(f"{k} {v}" for k, v in result.summary().items()))


@app.command("status")
def status_command(
    store: StorePath = DEFAULT_STORE,
    csv: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="Also write the table, with the shops left and given up by reason, to this CSV file "
            "(default: not written).",
        ),
    ] = None,
) -> None:
    """Progress of the campaign, a row per district: installed, planned, left, projected finish, at risk."""
    with user_errors(), CampaignStore.existing(store) as opened:
        table = campaign_status.campaign_status(opened)
        if csv is not None:
            write_spreadsheet_csv(table, csv)
    deadline = table["deadline"].iloc[0]
    title = f"Campaign status (plan {table.attrs['plan_version']}, deadline {deadline})"
    console.print(table_of(table.loc[:, list(campaign_status.SHOWN_COLUMNS)], title))
    districts = table[table["district"] != campaign_status.CITY]
    at_risk = districts.loc[districts["at_risk"], "district"].tolist()
    if at_risk:
        console.print(f"[yellow]at risk ({len(at_risk)}):[/yellow] {', '.join(at_risk)}")
    for row in districts[districts["left"] > 0].to_dict("records"):
        console.print(f"{row['district']}: {row['left']} shops left, not finished ({reasons_text(row)})")
    for problem in table.attrs["conservation"]:
        console.print(f"[red]conservation:[/red] {problem}")
    if csv is not None:
        console.print(f"wrote {csv}")


@app.command("simulate")
def simulate_command(
    merchants: Annotated[
        Path | None, typer.Argument(help="Merchants file (default: the campaign's).")
    ] = None,
    runs: Annotated[int, typer.Option(help="Simulated weeks.")] = 100,
    fail_rate: Annotated[float, typer.Option(help="Chance a shop is closed when staff arrive.")] = 0.1,
    service_jitter: Annotated[float, typer.Option(help="Spread of service times (share).")] = 0.3,
    district: Annotated[
        list[str] | None,
        typer.Option(help="District, repeatable (default: the campaign's, or every one in the file)."),
    ] = None,
    staff: Annotated[
        int | None, typer.Option(help="Workers a day in each district (default: the campaign's).")
    ] = None,
    target: Annotated[
        float | None,
        typer.Option(help="Recommend staff for this chance of finishing (default: no recommendation)."),
    ] = None,
    store: StorePath = DEFAULT_STORE,
    time_limit_s: Annotated[
        float, typer.Option("--time-limit", help="Solver seconds per zone and re-plan.")
    ] = 0.5,
    seed: Annotated[
        int | None, typer.Option(help="Same seed, same closed shops and same plans (default: random).")
    ] = None,
    processes: Annotated[
        int,
        typer.Option(
            help="Worker processes, each simulating whole runs (a run's solves stay in its process)."
        ),
    ] = 1,
    encoding: Encoding = None,
) -> None:
    """Play the week many times with closed shops and uneven service: chance of finishing on time."""
    with user_errors():
        check_options({"--runs": runs, "--fail-rate": fail_rate, "--service-jitter": service_jitter})
        check_options({"--staff": staff, "--target": target, "--time-limit": time_limit_s})
        check_options({"--seed": seed, "--processes": processes})
        # A seed asks for runs that repeat: solves stop after a number of solutions, not of seconds.
        solution_limit = None if seed is None else campaign_simulate.SEEDED_SOLUTION_LIMIT
        fast = campaign_simulate.simulation_settings(Settings(), time_limit_s, solution_limit)
        frame, teams, settings, scenario = campaign_run.simulation_inputs(
            merchants, store, district or [], staff, fast, encoding
        )
        used_seed = seed if seed is not None else secrets.randbelow(2**31)
        setup = campaign_forecast.SimulationSetup(
            frame, settings, runs, fail_rate, service_jitter, used_seed, processes, scenario
        )
        with progress_bar("simulating") as progress:
            found = campaign_forecast.forecast(setup, teams, progress)
            advice = campaign_forecast.advise_staff(setup, found, teams, target, progress) if target else None
    _print_forecast(found, f"{runs} runs, seed {used_seed}")
    if advice is not None:
        _print_advice(advice)


def _print_forecast(found: campaign_forecast.Forecast, title: str) -> None:
    console.print(table_of(found.finish_days(), f"Share of runs finishing on each day ({title})"))
    console.print(table_of(found.table(), f"Chance of finishing by the deadline ({title})"))


def _print_advice(advice: campaign_forecast.StaffAdvice) -> None:
    each = f" (each district {advice.district_target:.3f})" if len(advice.staff) > 1 else ""
    for name, size in advice.staff.items():
        tried = ", ".join(f"{k}: {v:.2f}" for k, v in advice.tried[name].items())
        console.print(
            f"{name}: staff for p >= {advice.target}{each}: {size or 'more than tried'} (tried {tried})"
        )
        if advice.no_shift.get(name):
            console.print(
                f"[yellow]{name}: {advice.no_shift[name]} shops no shift reaches[/yellow]: no team "
                "finishes the week; the chances above are of every other shop"
            )
    if advice.confirmation is None:
        return
    _print_forecast(advice.confirmation, "recommended staff, confirming run with other draws")
    scope = " (shops a shift reaches)" if any(advice.no_shift.values()) else ""
    for name, result in advice.confirmation.results().items():
        goal = advice.target if name == campaign_forecast.CITY else advice.district_target
        chance = result.p_finish_reachable
        verdict = "reaches" if chance >= goal else "falls short of"
        console.print(f"confirmed {name}: staff {result.staff}, p{scope} {chance:.3f} {verdict} {goal:.3f}")
