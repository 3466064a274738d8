"""Commands of the campaign week: init, outcomes import, replan, status and simulate."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from planner.campaign import outcomes as campaign_outcomes
from planner.campaign import replan as campaign_replan
from planner.campaign import run as campaign_run
from planner.campaign import simulate as campaign_simulate
from planner.campaign import status as campaign_status
from planner.campaign.setup import Campaign
from planner.campaign.store import DEFAULT_STORE, CampaignStore
from planner.cli.common import (
    Scenario,
    app,
    console,
    progress_bar,
    settings_from_options,
    table_of,
    user_errors,
)
from planner.districts import find_district
from planner.settings import Settings

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
        settings = settings_from_options(
            settings_file, staff, days, start, time_limit, None, False, improve_time
        )
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
    console.print(table_of(by_district, f"Campaign status (plan {table.attrs['plan_version']})"))
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
        fast = campaign_simulate.simulationsettings_from_options(Settings(), time_limit)
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
    console.print(table_of(result.finish_days(), f"Finish day, {chosen.name_en}, {result.staff} staff"))
    console.print(", ".join(f"{k} {v}" for k, v in result.summary().items()))
    if advice is not None:
        tried = ", ".join(f"{k}: {v:.2f}" for k, v in advice.tried.items())
        console.print(f"staff for p >= {target}: {advice.staff or 'more than tried'} (tried {tried})")
