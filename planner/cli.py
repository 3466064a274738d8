"""The ``planner`` command: each sub-command parses options, calls one library function, prints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from planner.campaign import outcomes as campaign_outcomes
from planner.campaign import replan as campaign_replan
from planner.campaign import run as campaign_run
from planner.campaign import simulate as campaign_simulate
from planner.campaign import status as campaign_status
from planner.campaign.setup import Campaign
from planner.campaign.store import DEFAULT_STORE, CampaignStore
from planner.city import needing_by_district, plan_city
from planner.districts import find_district
from planner.errors import InputError, PlannerError
from planner.executor import make_executor
from planner.output import daily_table
from planner.pipeline import CUTOFF, PlanRun, plan_file, triage_file
from planner.sample import generate_merchants, write_sample
from planner.sample_city import generate_city
from planner.settings import Settings
from planner.staffing import search_settings, staff_districts
from planner.triage import triage_counts

app = typer.Typer(
    help="Plan the replacement of Seoul Pay QR panels: which shops need one, and who visits them when.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
CUTOFF_DEFAULT = dt.datetime.combine(CUTOFF, dt.time())

Out = Annotated[Path, typer.Option("--out", "-o", help="Folder for the outputs.")]
Scenario = Annotated[
    str, typer.Option(help="'targeted': only shops whose QR fails; 'full': every active merchant.")
]
Cutoff = Annotated[
    dt.datetime, typer.Option(formats=["%Y-%m-%d"], help="Last QR issue date Seoul Pay reads.")
]
Workers = Annotated[int, typer.Option(help="Worker processes solving zones (local or LocalCluster).")]
Scheduler = Annotated[
    str | None, typer.Option(help="Dask scheduler: tcp://host:8786, or 'local' to start a LocalCluster.")
]


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn planner's errors into a one-line message and exit code 1; Ctrl-C into exit code 130."""
    try:
        yield
    except PlannerError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        console.print("[yellow]interrupted: nothing more was written[/yellow]")
        raise typer.Exit(130) from None


@contextmanager
def progress_bar(label: str) -> Iterator:
    """A rich progress bar with an ETA; yields the ``progress(done, total, text)`` callback."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int, text: str) -> None:
            bar.update(task, completed=done, total=total, description=f"{label}: {text}")

        yield update


@app.command()
def sample(
    district: Annotated[
        str | None, typer.Argument(help="District, e.g. Jongno-gu, 종로구 or 11110 (or --city).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="CSV file to write.")] = None,
    n: Annotated[
        int | None, typer.Option(help="Number of merchants (default: the district's estimate).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same merchants.")] = 0,
    city: Annotated[bool, typer.Option("--city", help="All 25 districts at their estimated sizes.")] = False,
    scale: Annotated[float, typer.Option(help="With --city: share of each district's estimate.")] = 1.0,
) -> None:
    """Generate realistic sample merchants for a district or the whole city (deterministic)."""
    with user_errors():
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
) -> None:
    """Decide which shops need a new panel; print counts by district and reason."""
    with user_errors():
        Path(out).mkdir(parents=True, exist_ok=True)
        run = triage_file(merchants, out, scenario=scenario, cutoff=cutoff.date())
    _print_reads(run.read, run.rejects_path)
    console.print(_table(triage_counts(run.triaged), "Shops needing a panel"))
    console.print(f"wrote {run.written}")


@app.command()
def plan(
    merchants: Annotated[
        Path, typer.Argument(help="Merchants file: CSV, GeoJSON, GeoPackage or the shop register.")
    ],
    out: Out = Path("out"),
    district: Annotated[
        str | None, typer.Option(help="District to plan (needed if the file has several).")
    ] = None,
    scenario: Scenario = "targeted",
    staff: Annotated[
        int | None, typer.Option(help="Workers per day (default: enough to finish in the week).")
    ] = None,
    days: Annotated[int | None, typer.Option(help="Days in the campaign week.")] = None,
    start: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First day.")] = None,
    time_limit: Annotated[float | None, typer.Option(help="Solver seconds per zone.")] = None,
    processes: Annotated[int | None, typer.Option(help="Zones solved in parallel.")] = None,
    improve_time: Annotated[
        float | None, typer.Option(help="Seconds re-optimising routes across zones.")
    ] = None,
    open_routes: Annotated[bool, typer.Option(help="End routes at the last shop, not the office.")] = False,
    settings_file: Annotated[Path | None, typer.Option("--settings", help="TOML settings file.")] = None,
    cutoff: Cutoff = CUTOFF_DEFAULT,
    city: Annotated[
        bool, typer.Option("--city", help="Plan every district in the file, in parallel.")
    ] = False,
    workers: Workers = 1,
    scheduler: Scheduler = None,
) -> None:
    """Plan every worker's route for each day of the week; verify and write the plan."""
    with user_errors():
        settings = _settings(
            settings_file, staff, days, start, time_limit, processes, open_routes, improve_time
        )
        if city:
            _plan_city(merchants, out, settings, scenario, cutoff.date(), workers, scheduler)
            return
        Path(out).mkdir(parents=True, exist_ok=True)
        with progress_bar("planning") as progress:
            run = plan_file(merchants, out, settings, scenario, district, cutoff.date(), progress)
    _print_plan(run)


def _plan_city(merchants, out, settings, scenario, cutoff, workers, scheduler) -> None:
    read, by_district = needing_by_district(merchants, scenario, cutoff)
    _print_reads(read, None)
    with make_executor(workers, scheduler) as executor, progress_bar("city") as progress:
        run = plan_city(by_district, settings, out, executor, progress)
    console.print(_table(run.districts, "Plans per district (verified)"))
    console.print(", ".join(f"{k} {v}" for k, v in run.summary().items()))
    console.print(f"wrote {len(by_district)} district folders, routes.csv and summary.json to {out}")


@app.command()
def staffing(
    merchants: Annotated[Path, typer.Argument(help="Merchants file (all districts, or use --district).")],
    days: Annotated[int, typer.Option(help="Days the campaign may take.")] = 7,
    scenario: Scenario = "full",
    district: Annotated[list[str] | None, typer.Option(help="Only this district (repeatable).")] = None,
    time_limit: Annotated[float, typer.Option(help="Solver seconds per zone while searching.")] = 1.0,
    improve_time: Annotated[float, typer.Option(help="Seconds improving each plan tried.")] = 2.0,
    workers: Workers = 1,
    scheduler: Scheduler = None,
    cutoff: Cutoff = CUTOFF_DEFAULT,
) -> None:
    """Fewest workers a day per district to finish in DAYS: a lower bound, then verified plans."""
    with user_errors():
        settings = Settings()
        settings = search_settings(
            replace(settings, week=replace(settings.week, days=days)), time_limit, improve_time
        )
        _, by_district = needing_by_district(merchants, scenario, cutoff.date(), district)
        with make_executor(workers, scheduler) as executor:
            report = staff_districts(by_district, settings, executor, progress=console.print)
    console.print(_table(report.table, f"Staff to finish in {days} days ({scenario} scenario)"))
    console.print(", ".join(f"{k} {v}" for k, v in report.totals().items()))
    console.print(_table(report.curve, "Staff versus finish day (city total; worst district)"))
    console.print(
        f"search budgets: {time_limit} s per zone, {improve_time} s improving per plan; "
        "more time finds smaller teams"
    )


@app.command()
def demo(
    out: Out = Path("out"),
    district: Annotated[str, typer.Option(help="Sample district.")] = "Jongno-gu",
    time_limit: Annotated[float, typer.Option(help="Solver seconds per zone.")] = 4.0,
) -> None:
    """Sample merchants, triage and plan one district end to end (targeted scenario, about a minute)."""
    with user_errors():
        chosen = find_district(district)
        Path(out).mkdir(parents=True, exist_ok=True)
        merchants_path = Path(out) / f"merchants-{chosen.slug}.csv"
        write_sample(generate_merchants(chosen), merchants_path)
        console.print(f"1/3 sample: {merchants_path}")
        run_triage = triage_file(merchants_path, out)
        console.print(_table(triage_counts(run_triage.triaged), "2/3 triage: shops needing a panel"))
        settings = _settings(None, None, None, None, time_limit, None, False)
        with progress_bar("3/3 plan") as progress:
            run = plan_file(merchants_path, out, settings, "targeted", chosen.name_en, CUTOFF, progress)
    _print_plan(run)
    console.print(f"\noutputs are in {Path(out).resolve()}")


def _settings(path, staff, days, start, time_limit, processes, open_routes, improve_time=None) -> Settings:
    settings = Settings.from_file(path) if path else Settings()
    week, solver = settings.week, settings.solver
    if days is not None:
        week = replace(week, days=days)
    if start is not None:
        week = replace(week, start_date=start.date())
    if time_limit is not None:
        solver = replace(solver, time_limit_s=time_limit)
    if processes is not None:
        solver = replace(solver, processes=processes)
    if open_routes:
        solver = replace(solver, open_routes=True)
    if improve_time is not None:
        solver = replace(solver, improve_s=improve_time)
    return replace(settings, week=week, solver=solver, staff=staff if staff is not None else settings.staff)


def _table(frame, title: str) -> Table:
    if frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index()
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), justify="right" if frame[column].dtype.kind in "if" else "left")
    for row in frame.itertuples(index=False):
        table.add_row(*(str(v) for v in row))
    return table


def _print_reads(read, rejects_path) -> None:
    console.print(f"read {len(read.merchants):,} merchants from {read.source}")
    if rejects_path is not None:
        console.print(f"[yellow]{len(read.rejects):,} rows rejected[/yellow]: see {rejects_path}")


def _print_plan(run: PlanRun) -> None:
    _print_reads(run.read, run.rejects_path)
    console.print(_table(daily_table(run.plan), f"Plan for {run.plan.district.name_en} (verified)"))
    summary = run.plan.summary()
    console.print(", ".join(f"{k} {v}" for k, v in summary.items()))
    for name, path in run.written.items():
        console.print(f"  {name}: {path}")


# --- campaign operations: start, record outcomes, re-plan, status, simulate -------------------
campaign_app = typer.Typer(help="Start a campaign in a store file; then record outcomes and re-plan daily.")
outcomes_app = typer.Typer(help="Field outcomes: what happened at each visited shop.")
app.add_typer(campaign_app, name="campaign")
app.add_typer(outcomes_app, name="outcomes")
StorePath = Annotated[Path, typer.Option("--store", help="Campaign file (SQLite).")]


@campaign_app.command("init")
def campaign_init(
    merchants: Annotated[
        Path, typer.Argument(help="Merchants file: CSV, GeoJSON, GeoPackage or the register.")
    ],
    district: Annotated[str, typer.Option(help="District of the campaign, e.g. Jongno-gu.")],
    staff: Annotated[int, typer.Option(help="Workers a day.")],
    scenario: Scenario = "targeted",
    store: StorePath = DEFAULT_STORE,
    days: Annotated[int | None, typer.Option(help="Days in the campaign.")] = None,
    start: Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First day.")] = None,
    time_limit: Annotated[float | None, typer.Option(help="Solver seconds per zone.")] = None,
    max_tries: Annotated[int, typer.Option(help="Visits to a closed shop before giving up.")] = 3,
    improve_time: Annotated[float | None, typer.Option(help="Seconds improving across zones.")] = None,
    settings_file: Annotated[Path | None, typer.Option("--settings", help="TOML settings file.")] = None,
) -> None:
    """Start a campaign: triage the district's merchants, store them and plan the week."""
    with user_errors():
        settings = _settings(settings_file, staff, days, start, time_limit, None, False, improve_time)
        campaign = Campaign(find_district(district), settings, scenario, max_tries=max_tries)
        with progress_bar("planning") as progress:
            started = campaign_run.start_campaign(merchants, store, campaign, progress)
    console.print(f"{started.needing:,} shops need a panel; plan version {started.first_plan.plan_version}")
    console.print(", ".join(f"{k} {v}" for k, v in started.first_plan.summary().items()))
    console.print(f"campaign stored in {store}")


@outcomes_app.command("import")
def outcomes_import(
    path: Annotated[
        Path, typer.Argument(help="Outcome CSV: merchant_id, staff_id, date, outcome, time, note.")
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
) -> None:
    """Keep what is done; plan every remaining shop over the days left; store a new plan version."""
    with user_errors(), CampaignStore.existing(store) as opened, progress_bar("re-planning") as progress:
        result = campaign_replan.replan(opened, day, pin_under_way, progress)
    console.print(", ".join(f"{k} {v}" for k, v in result.summary().items()))


@app.command("status")
def status_command(store: StorePath = DEFAULT_STORE) -> None:
    """Progress of the campaign: installed, planned, left, projected finish against the deadline."""
    with user_errors(), CampaignStore.existing(store) as opened:
        table = campaign_status.campaign_status(opened)
    by_district = table.set_index("district").T.rename_axis("figure")
    console.print(_table(by_district, f"Campaign status (plan {table.attrs['plan_version']})"))
    for problem in table.attrs["conservation"]:
        console.print(f"[red]conservation:[/red] {problem}")


@app.command("simulate")
def simulate_command(
    merchants: Annotated[
        Path | None, typer.Argument(help="Merchants file (default: the campaign's).")
    ] = None,
    runs: Annotated[int, typer.Option(help="Simulated weeks.")] = 100,
    fail_rate: Annotated[float, typer.Option(help="Chance a shop is closed when staff arrive.")] = 0.1,
    service_jitter: Annotated[float, typer.Option(help="Spread of service times (share).")] = 0.3,
    district: Annotated[str | None, typer.Option(help="District (default: the campaign's).")] = None,
    staff: Annotated[int | None, typer.Option(help="Workers a day (default: the campaign's).")] = None,
    target: Annotated[
        float | None, typer.Option(help="Recommend staff for this chance of finishing.")
    ] = None,
    store: StorePath = DEFAULT_STORE,
    time_limit: Annotated[float, typer.Option(help="Solver seconds per zone and re-plan.")] = 0.5,
    seed: Annotated[int, typer.Option(help="Same seed, same closed shops.")] = 0,
    processes: Annotated[int, typer.Option(help="Runs simulated in parallel.")] = 1,
) -> None:
    """Play the week many times with closed shops and uneven service: chance of finishing on time."""
    with user_errors():
        fast = campaign_simulate.simulation_settings(Settings(), time_limit)
        frame, chosen, settings = campaign_run.simulation_inputs(merchants, store, district, staff, fast)

        def evaluate(team: int, progress=None) -> campaign_simulate.SimulationResult:
            team_settings = replace(settings, staff=team)
            return campaign_simulate.simulate(
                frame,
                chosen,
                team_settings,
                runs,
                fail_rate,
                service_jitter,
                seed,
                progress,
                processes=processes,
            )

        with progress_bar("simulating") as progress:
            result = evaluate(settings.staff, progress)
            advice = (
                campaign_simulate.recommend_staff(
                    evaluate, settings.staff, target, known={settings.staff: result.p_finish}
                )
                if target
                else None
            )
    console.print(_table(result.finish_days(), f"Finish day, {chosen.name_en}, {result.staff} staff"))
    console.print(", ".join(f"{k} {v}" for k, v in result.summary().items()))
    if advice is not None:
        tried = ", ".join(f"{k}: {v:.2f}" for k, v in advice.tried.items())
        console.print(f"staff for p >= {target}: {advice.staff or 'more than tried'} (tried {tried})")


# --- reports of a written plan: GIS export, maps, route sheets, charts -------------------------
# planner.report is imported inside each command: folium and matplotlib would slow every command.
PlanDir = Annotated[Path, typer.Argument(help="Folder that 'planner plan --out' wrote.")]
MerchantsOption = Annotated[
    Path | None,
    typer.Option(help="Merchants file the plan came from (default: triage.csv or merchants-*.csv there)."),
]


@app.command("export")
def export_command(
    plan_dir: PlanDir = Path("out"),
    merchants: MerchantsOption = None,
    geojson: Annotated[
        bool, typer.Option(help="One GeoJSON file per layer instead of a GeoPackage.")
    ] = False,
) -> None:
    """Write the plan as GIS layers in EPSG:4326: merchants, stops, routes, zones, unassigned."""
    from planner.report.export import export_plan
    from planner.report.load import load_plan

    with user_errors():
        loaded = load_plan(plan_dir, merchants)
        target = plan_dir / ("layers" if geojson else "plan.gpkg")
        written = export_plan(loaded.plan, loaded.merchants, target, "GeoJSON" if geojson else "GPKG")
    if loaded.merchants is None:
        console.print("[yellow]no merchants or unassigned layers[/yellow]: give --merchants to add them")
    console.print(f"wrote layers {', '.join(written)} (EPSG:4326) to {target}")


@app.command("map")
def map_command(plan_dir: PlanDir = Path("out"), merchants: MerchantsOption = None) -> None:
    """Write interactive HTML maps (the week and each day) that open offline, into <plan>/maps."""
    from planner.report.load import load_plan
    from planner.report.maps import write_maps

    with user_errors():
        loaded = load_plan(plan_dir, merchants)
        written = write_maps(loaded.plan, plan_dir / "maps", loaded.merchants)
    if loaded.merchants is None and len(loaded.plan.unassigned):
        console.print("[yellow]unassigned shops not drawn[/yellow]: give --merchants to place them")
    console.print(f"wrote {len(written)} maps to {plan_dir / 'maps'}; open {written[0]}")


@app.command("sheets")
def sheets_command(plan_dir: PlanDir = Path("out")) -> None:
    """Write a printable route sheet (HTML and CSV) per worker-day and an index, into <plan>/sheets."""
    from planner.report.load import load_plan
    from planner.report.sheets import write_sheets

    with user_errors():
        written = write_sheets(load_plan(plan_dir).plan, plan_dir / "sheets")
    console.print(f"wrote {(len(written) - 1) // 2} route sheets; open {written[0]}")


@app.command("charts")
def charts_command(
    plan_dir: PlanDir = Path("out"),
    compare: Annotated[
        list[Path] | None, typer.Option(help="Other plan folders to compare districts with.")
    ] = None,
) -> None:
    """Write PNG charts into <plan>/charts: progress against the deadline, workload, districts."""
    from planner.report.charts import write_charts
    from planner.report.load import load_plan

    with user_errors():
        plan = load_plan(plan_dir).plan
        summaries = [plan.summary()] + [load_plan(other).plan.summary() for other in compare or []]
        written = write_charts(plan, plan_dir / "charts", summaries=summaries if compare else ())
    console.print(f"wrote {', '.join(p.name for p in written)} to {plan_dir / 'charts'}")
