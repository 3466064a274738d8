"""Commands of the planning day: sample, triage, plan, verify, staffing and demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from planner.cli.common import (
    CUTOFF_DEFAULT,
    BoundariesFile,
    Cutoff,
    Days,
    Encoding,
    OpenRoutes,
    OpenStart,
    Out,
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
    make_out_folder,
    print_plan,
    print_reads,
    processes_given,
    progress_bar,
    reasons_text,
    settings_from_options,
    table_of,
    user_errors,
)
from planner.cli.roster import print_shortfall, print_work, read_people, write_pool, write_proposal
from planner.errors import InputError
from planner.geo.districts import find_district
from planner.planning.city import needing_by_district, plan_city
from planner.planning.crew import district_rosters
from planner.planning.executor import make_executor
from planner.planning.pipeline import plan_file, triage_file, write_read_reports
from planner.planning.shiftwork import district_work
from planner.planning.staffing import search_settings, staff_districts
from planner.planning.teams import pool_against_fixed
from planner.planning.triage import CUTOFF, triage_counts
from planner.planning.workforce import allocate_pool, shortfall, shortfall_lines
from planner.samples.city import generate_city
from planner.samples.district import generate_merchants, write_sample

SHOWN_PROBLEMS = 10  # broken rules listed per plan by verify


@app.command()
def sample(
    district: Annotated[
        str | None, typer.Argument(help="District, e.g. Jongno-gu, 종로구 or 11110 (or --city).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="CSV file to write (default: merchants-<district>.csv, or merchants-seoul.csv with --city).",
        ),
    ] = None,
    n: Annotated[
        int | None, typer.Option(help="Number of merchants (default: the district's estimate).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same merchants.")] = 0,
    city: Annotated[bool, typer.Option("--city", help="All 25 districts at their estimated sizes.")] = False,
    scale: Annotated[float, typer.Option(help="With --city: share of each district's estimate.")] = 1.0,
) -> None:
    """Generate realistic sample merchants for a district or the whole city (deterministic)."""
    with user_errors():
        check_options({"--seed": seed})
        if city:
            frame, target = generate_city(seed, scale), out or Path("merchants-seoul.csv")
            where = f"{frame['district'].nunique()} districts"
        elif district is None:
            raise InputError("name a district, or use --city for all of them")
        else:
            chosen = find_district(district)
            frame, target = (
                generate_merchants(chosen, n=n, seed=seed),
                out or Path(f"merchants-{chosen.slug}.csv"),
            )
            where = chosen.name_en
        write_sample(frame, target)
    console.print(f"wrote {len(frame):,} merchants of {where} to {target}")


@app.command("triage")
def triage_command(
    merchants: Annotated[
        Path, typer.Argument(help="Merchants file: CSV, GeoJSON, GeoPackage or the shop register.")
    ],
    out: Out = Path("out"),
    scenario: Scenario = "targeted",
    cutoff: Cutoff = CUTOFF_DEFAULT,
    boundaries: BoundariesFile = None,
    encoding: Encoding = None,
) -> None:
    """Decide which shops need a new panel; print counts by district and reason."""
    with user_errors():
        make_out_folder(out)
        run = triage_file(
            merchants, out, scenario=scenario, cutoff=cutoff.date(), boundaries=boundaries, encoding=encoding
        )
    print_reads(run.read, run.rejects_path, run.warnings_path)
    console.print(table_of(triage_counts(run.triaged), "Shops needing a panel"))
    console.print(f"wrote {run.written}")


@app.command()
def plan(
    merchants: Annotated[
        Path, typer.Argument(help="Merchants file: CSV, GeoJSON, GeoPackage or the shop register.")
    ],
    out: Out = Path("out"),
    district: Annotated[
        str | None,
        typer.Option(help="District to plan, needed if the file has several (default: the file's only one)."),
    ] = None,
    scenario: Scenario = "targeted",
    staff: Annotated[
        int | None, typer.Option(help="Workers per day (default: enough to finish in the week).")
    ] = None,
    days: Days = None,
    start: StartDate = None,
    time_limit_s: TimeLimit = None,
    processes: Annotated[
        int | None,
        typer.Option(
            "--processes",
            help="Worker processes that solve the zones; with --city, those of every district "
            "(default: solver.processes of --settings, else 1).",
        ),
    ] = None,
    improve_s: Annotated[
        float | None,
        typer.Option(
            "--improve-time",
            help=f"Seconds re-optimising routes across zones {from_settings('solver.improve_s')}.",
        ),
    ] = None,
    open_routes: OpenRoutes = False,
    open_start: OpenStart = False,
    settings_file: SettingsFile = None,
    cutoff: Cutoff = CUTOFF_DEFAULT,
    city: Annotated[
        bool, typer.Option("--city", help="Plan every district in the file, in parallel.")
    ] = False,
    scheduler: Scheduler = None,
    boundaries: BoundariesFile = None,
    encoding: Encoding = None,
    workers: WorkersAlias = None,
    roster: Annotated[
        Path | None,
        typer.Option(
            help="Roster CSV: plan with these people, each from their own start on their own days and "
            "hours; a district plan takes the district's people, --city also sends the shared pool "
            "(default: --staff workers from the office)."
        ),
    ] = None,
) -> None:
    """Plan every worker's route for each day of the week; verify and write the plan."""
    with user_errors():
        processes = processes_given(processes, workers)
        settings = settings_from_options(
            settings_file, staff, days, start, time_limit_s, processes, open_routes, improve_s, open_start
        )
        if roster is not None and staff is not None:
            raise InputError("give either --staff or --roster: a roster says who works each day")
        if city:
            people = None if roster is None else read_people(roster, settings, roster.parent)
            count = settings.solver.processes
            _plan_city(
                merchants,
                out,
                settings,
                scenario,
                cutoff.date(),
                count,
                scheduler,
                boundaries,
                encoding,
                people,
            )
            return
        make_out_folder(out)
        people = None if roster is None else read_people(roster, settings, out)
        with progress_bar("planning") as progress:
            run = plan_file(
                merchants,
                out,
                settings,
                scenario,
                district,
                cutoff.date(),
                progress,
                boundaries,
                encoding,
                people,
                say=lambda line: console.print(f"[yellow]{line}[/yellow]"),
            )
    print_plan(run)
    if run.plan.needing == 0:
        console.print(f"[yellow]no shop of {run.plan.district.name_en} in {merchants} needs a panel[/yellow]")


def _plan_city(
    merchants, out, settings, scenario, cutoff, processes, scheduler, boundaries, encoding, people=None
) -> None:
    read, by_district = needing_by_district(
        merchants, scenario, cutoff, boundaries=boundaries, encoding=encoding
    )
    rosters = None
    if people is not None:  # the pool sent to districts day by day, then what is still short said first
        work = district_work(by_district, settings)
        allocation = allocate_pool(people, work, settings)
        for line in shortfall_lines(shortfall(people, work, settings, allocation)):
            console.print(f"[yellow]{line}[/yellow]")
        if any(p.district is None for p in people):
            console.print(pool_against_fixed(people, work, settings.week, allocation))
        rosters = district_rosters(people, allocation)
    with make_executor(processes, scheduler) as executor, progress_bar("city") as progress:
        triaged = {"scenario": scenario, "cutoff": cutoff.isoformat()}
        run = plan_city(by_district, settings, out, executor, progress, triaged=triaged, rosters=rosters)
    print_reads(read, *write_read_reports(read, out))  # after plan_city, which empties the folder
    console.print(table_of(run.districts, "Plans per district (verified)"))
    console.print(", ".join(f"{k} {v}" for k, v in run.summary().items()))
    console.print(f"wrote {len(by_district)} district folders, routes.csv and summary.json to {out}")


@app.command()
def verify(
    plan_dir: Annotated[Path, typer.Argument(help="A folder 'planner plan' wrote (a district or a city).")],
    merchants: Annotated[
        Path | None,
        typer.Option(help="Merchants file the plan came from (default: the one in the plan folder)."),
    ] = None,
    district: Annotated[
        list[str] | None,
        typer.Option(help="Only this district of a city plan, repeatable (default: every district)."),
    ] = None,
    start: Annotated[
        dt.datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help=f"First day, for plans whose summary.json does not say {from_settings('week.start_date')}.",
        ),
    ] = None,
    settings_file: Annotated[
        Path | None,
        typer.Option(
            "--settings", help="TOML settings file, as given to plan (default: the built-in settings)."
        ),
    ] = None,
    boundaries: BoundariesFile = None,
    encoding: Encoding = None,
) -> None:
    """Re-check written plans from their files: every rule the planner checks before writing."""
    from planner.report.audit import audit_plan, plan_folders, read_all_merchants

    with user_errors():
        settings = settings_from_options(settings_file, None, None, start, None, None, False)
        folders = plan_folders(plan_dir, district)
        if boundaries is not None and merchants is None:
            raise InputError("--boundaries places the shops of --merchants; give the merchants file too")
        table = read_all_merchants(merchants, boundaries, encoding)
        audits = []
        with progress_bar("verify") as progress:
            for done, folder in enumerate(folders):
                progress(done, len(folders), folder.name)
                audits.append(audit_plan(folder, table, settings))
            progress(len(folders), len(folders), "done")
    rows = [
        {
            "district": a.district,
            "worker_days": a.worker_days,
            "planned": a.planned,
            "unassigned": a.unassigned,
            "problems": len(a.problems),
        }
        for a in audits
    ]
    console.print(table_of(pd.DataFrame(rows), f"Plans re-checked in {plan_dir}"))
    failed = [a for a in audits if a.problems]
    for audit in failed:
        console.print(f"[red]{audit.district}[/red] ({audit.folder}): {len(audit.problems)} problems")
        for line in audit.problems[:SHOWN_PROBLEMS]:
            console.print(f"  - {line}", markup=False)
        if len(audit.problems) > SHOWN_PROBLEMS:
            console.print(f"  ... and {len(audit.problems) - SHOWN_PROBLEMS} more")
    if failed:
        raise typer.Exit(1)
    console.print(f"every rule holds ({len(audits)} plan folders re-checked)")


@app.command()
def staffing(
    merchants: Annotated[Path, typer.Argument(help="Merchants file (all districts, or use --district).")],
    days: Annotated[
        int | None, typer.Option(help="Days the campaign may take (default: the settings' week, 7).")
    ] = None,
    scenario: Scenario = "full",
    district: Annotated[
        list[str] | None,
        typer.Option(help="Only this district, repeatable (default: every district in the file)."),
    ] = None,
    time_limit_s: Annotated[
        float, typer.Option("--time-limit", help="Solver seconds per zone while searching.")
    ] = 1.0,
    improve_s: Annotated[
        float, typer.Option("--improve-time", help="Seconds improving each plan tried.")
    ] = 2.0,
    processes: Processes = None,
    scheduler: Scheduler = None,
    cutoff: Cutoff = CUTOFF_DEFAULT,
    open_routes: OpenRoutes = False,
    open_start: OpenStart = False,
    boundaries: BoundariesFile = None,
    encoding: Encoding = None,
    workers: WorkersAlias = None,
    roster: Annotated[
        Path | None,
        typer.Option(
            help="Roster CSV: print the staff-days it lacks per district and shift, from estimates; "
            "no plans are searched (default: none)."
        ),
    ] = None,
    pool: Annotated[
        Path | None,
        typer.Option(
            help="Roster CSV: send its blank-district people to districts day by day, from estimates "
            "(default: none)."
        ),
    ] = None,
    pool_out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="With --pool: the allocation CSV to write, rejected roster rows beside it "
            "(default: pool-allocation.csv; rejects beside the roster).",
        ),
    ] = None,
    roster_out: Annotated[
        Path | None,
        typer.Option(
            help="Write the team search's proposed day and evening roster to this CSV; not with "
            "--roster or --pool (default: none)."
        ),
    ] = None,
    settings_file: SettingsFile = None,
    estimate: Annotated[
        bool,
        typer.Option(
            "--estimate",
            help="Size each district's day and evening team per day from the planner's workload "
            "estimate instead of searching verified plans (seconds for the whole city).",
        ),
    ] = False,
) -> None:
    """Fewest workers a day per district to finish in DAYS: a lower bound, then verified plans.

    With --estimate it sizes the teams per day from the workload estimate, without plans; with
    --roster or --pool it estimates a roster instead: the staff-days it lacks per district and
    shift, or where its shared pool goes day by day.
    """
    with user_errors():
        if roster_out is not None and (roster is not None or pool is not None):
            raise InputError(
                "--roster-out writes the roster the team search proposes, which --roster and --pool "
                "skip; run staffing once without them to write it"
            )
        count = processes_given(processes, workers) or 1
        settings = settings_from_options(
            settings_file, None, days, None, time_limit_s, None, open_routes, improve_s, open_start
        )
        settings = search_settings(settings, time_limit_s, improve_s)
        # Rosters first: an unreadable one is then the only line printed, before any work is done.
        rosters = {
            path: read_people(path, settings, path.parent if pool_out is None else pool_out.parent)
            for path in dict.fromkeys(p for p in (roster, pool) if p is not None)
        }
        read, by_district = needing_by_district(
            merchants, scenario, cutoff.date(), district, boundaries, encoding
        )
        print_reads(read, None)
        if estimate and not rosters:
            work = district_work(by_district, settings)
            print_work(work)
            write_proposal(work, settings, None, roster_out)
            return
        if rosters:
            work = district_work(by_district, settings)
            print_work(work)
            for path, people in rosters.items():
                if path == roster:
                    print_shortfall(people, work, settings)
                if path == pool:
                    write_pool(people, work, settings, pool_out or Path("pool-allocation.csv"))
            return
        with make_executor(count, scheduler) as executor:
            report = staff_districts(by_district, settings, executor, progress=console.print)
    console.print(
        table_of(report.table, f"Staff to finish in {settings.week.days} days ({scenario} scenario)")
    )
    console.print(", ".join(f"{k} {v}" for k, v in report.totals().items()))
    for row in report.table[report.table["no_shift"] > 0].to_dict("records"):
        shortfall = f"{row['district']}: {row['no_shift']} shops no shift reaches ({reasons_text(row)})"
        console.print(f"[yellow]{shortfall}[/yellow]: the week does not finish for them with any team")
    console.print(table_of(report.curve, "Staff versus finish day (city total; worst district)"))
    console.print(
        f"search budgets: {time_limit_s} s per zone, {improve_s} s improving per plan; "
        "more time finds smaller teams"
    )
    if roster_out is not None:
        with user_errors():
            teams = {
                row["district"]: int(row["staff"] if pd.notna(row["staff"]) else row["lower_bound"])
                for row in report.table.to_dict("records")
            }
            write_proposal(district_work(by_district, settings), settings, teams, roster_out)


@app.command()
def demo(
    out: Out = Path("out"),
    district: Annotated[str, typer.Option(help="Sample district.")] = "Jongno-gu",
    time_limit_s: Annotated[float, typer.Option("--time-limit", help="Solver seconds per zone.")] = 4.0,
) -> None:
    """Sample merchants, triage and plan one district end to end (targeted scenario, about a minute)."""
    with user_errors():
        check_options({"--time-limit": time_limit_s})
        chosen = find_district(district)
        make_out_folder(out)
        merchants_path = Path(out) / f"merchants-{chosen.slug}.csv"
        write_sample(generate_merchants(chosen), merchants_path)
        console.print(f"1/3 sample: {merchants_path}")
        run_triage = triage_file(merchants_path, out)
        console.print(table_of(triage_counts(run_triage.triaged), "2/3 triage: shops needing a panel"))
        settings = settings_from_options(None, None, None, None, time_limit_s, None, False)
        with progress_bar("3/3 plan") as progress:
            run = plan_file(merchants_path, out, settings, "targeted", chosen.name_en, CUTOFF, progress)
    print_plan(run)
    console.print(f"\noutputs are in {Path(out).resolve()}")
