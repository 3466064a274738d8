"""Commands that turn a written plan into what people look at: export, map, sheets, charts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.cli.common import (
    Encoding,
    app,
    console,
    user_errors,
)

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
    encoding: Encoding = None,
) -> None:
    """Write the plan as GIS layers in EPSG:4326: merchants, stops, routes, zones, unassigned."""
    from planner.report.export import export_plan
    from planner.report.load import load_plan

    with user_errors():
        loaded = load_plan(plan_dir, merchants, encoding=encoding)
        target = plan_dir / ("layers" if geojson else "plan.gpkg")
        written = export_plan(loaded.plan, loaded.merchants, target, "GeoJSON" if geojson else "GPKG")
    if loaded.merchants is None:
        located = "lat" in loaded.plan.unassigned  # plans written before unassigned.csv had locations
        missing = "merchants layer" if located else "merchants or unassigned layers"
        console.print(f"[yellow]no {missing}[/yellow]: give --merchants to add them")
    console.print(f"wrote layers {', '.join(written)} (EPSG:4326) to {target}")


@app.command("map")
def map_command(
    plan_dir: PlanDir = Path("out"), merchants: MerchantsOption = None, encoding: Encoding = None
) -> None:
    """Write interactive HTML maps (the week and each day) that open offline, into <plan>/maps."""
    from planner.report.load import load_plan
    from planner.report.maps import write_maps

    with user_errors():
        loaded = load_plan(plan_dir, merchants, encoding=encoding)
        written = write_maps(loaded.plan, plan_dir / "maps", loaded.merchants)
    if loaded.merchants is None and len(loaded.plan.unassigned) and "lat" not in loaded.plan.unassigned:
        console.print("[yellow]unassigned shops not drawn[/yellow]: give --merchants to place them")
    console.print(f"wrote {len(written)} maps to {plan_dir / 'maps'}; open {written[0]}")


@app.command("sheets")
def sheets_command(
    plan_dir: PlanDir = Path("out"),
    lang: Annotated[str, typer.Option(help="Language of the sheets: ko or en.")] = "ko",
    date: Annotated[
        list[str] | None,
        typer.Option(help="Day to write sheets for, YYYY-MM-DD, repeatable (default: every day)."),
    ] = None,
) -> None:
    """Write route sheets into <plan>/sheets: a printable A4 file per day; per worker-day a phone
    page and an outcome CSV that 'planner outcomes import' reads once filled in."""
    from planner.report.load import load_plan
    from planner.report.sheets import write_sheets

    with user_errors():
        written = write_sheets(load_plan(plan_dir).plan, plan_dir / "sheets", lang, date)
    forms = sum(p.suffix == ".csv" for p in written)
    days = len(written) - 1 - 2 * forms
    console.print(
        f"wrote {days} printable day sheets, {forms} phone pages and outcome files; open {written[0]}"
    )


@app.command("charts")
def charts_command(
    plan_dir: PlanDir = Path("out"),
    compare: Annotated[
        list[Path] | None,
        typer.Option(help="Other plan folders to compare districts with, repeatable (default: none)."),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(
            help="Campaign store whose recorded installs are drawn next to the plan as 'done' (default: none)."
        ),
    ] = None,
) -> None:
    """Write PNG charts into <plan>/charts: progress against the deadline, workload, districts."""
    from planner.report.charts import write_charts
    from planner.report.load import installs_per_day, load_plan

    with user_errors():
        plan = load_plan(plan_dir).plan
        summaries = [plan.summary()] + [load_plan(other).plan.summary() for other in compare or []]
        actual = installs_per_day(store, plan.district.name_en) if store else None
        written = write_charts(
            plan, plan_dir / "charts", actual=actual, summaries=summaries if compare else ()
        )
    console.print(f"wrote {', '.join(p.name for p in written)} to {plan_dir / 'charts'}")
