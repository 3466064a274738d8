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
from planner.errors import InputError

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
    plan_dir: PlanDir = Path("out"),
    merchants: MerchantsOption = None,
    encoding: Encoding = None,
    boundaries: Annotated[
        Path | None,
        typer.Option(
            "--boundaries",
            help="District or dong polygons (GeoJSON, GeoPackage, shapefile) drawn as outlines (default: none).",
        ),
    ] = None,
    tiles: Annotated[
        str,
        typer.Option(
            help="Online map tiles tried when a map opens, as a {z}/{x}/{y} URL, or 'none' to never "
            "ask the network; without them the plain background is shown (default: OpenStreetMap).",
        ),
    ] = "",
) -> None:
    """Write interactive HTML maps (the week and each day) that open offline, into <plan>/maps."""
    from planner.io.boundaries import read_boundaries
    from planner.report.legend import OSM_TILES
    from planner.report.load import load_plan
    from planner.report.maps import write_maps

    with user_errors():
        url = None if tiles.strip().lower() == "none" else tiles.strip() or OSM_TILES
        if url is not None and not all(key in url for key in ("{z}", "{x}", "{y}")):
            raise InputError(f"--tiles {tiles}: give a tile URL with {{z}}, {{x}} and {{y}}, or 'none'")
        outlines = read_boundaries(boundaries) if boundaries is not None else None
        loaded = load_plan(plan_dir, merchants, encoding=encoding)
        written = write_maps(loaded.plan, plan_dir / "maps", loaded.merchants, tiles=url, boundaries=outlines)
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


PlansDir = Annotated[
    Path, typer.Argument(help="A plan folder, a city plan or 'planner campaign export-plan' output.")
]
DayOption = Annotated[
    int | None, typer.Option(help="Only this day of the plan, 0 = its first (default: every day).")
]
DateOption = Annotated[str | None, typer.Option(help="Only this date, YYYY-MM-DD (default: every day).")]


@app.command("kits")
def kits_command(
    plan_dir: PlansDir,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the print orders and packing lists.")],
    day: DayOption = None,
    date: DateOption = None,
) -> None:
    """Write each day's QR panel print order and bag labels, and a packing list per worker-day."""
    from planner.report.kits import pick_day, read_plans, write_kits

    with user_errors():
        plans = read_plans(plan_dir)
        written = write_kits(plans, out, pick_day(plans, day, date))
    days = [p for p in written if p.name.startswith("print-order-")]
    lists = [p for p in written if p.parent.name == "packing"]
    console.print(
        f"print orders: {len(days)} (one a day), packing lists: {len(lists)} (one a worker-day), in {out}"
    )
    for page in (p for p in written if p.suffix == ".html"):
        console.print(f"  bag labels: {page}")


@app.command("notices")
def notices_command(
    plan_dir: PlansDir,
    window_min: Annotated[
        int,
        typer.Option(help="Minutes of the visit window promised to each shop, holding its planned start."),
    ] = 120,
    day: DayOption = None,
    date: DateOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Also write the notices of every district to one file here (default: not)."
        ),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(help="Campaign the plan was exported from: record the promises sent (default: none)."),
    ] = None,
) -> None:
    """Promise each planned shop a visit window: notices.csv for the city's text messages, kept by verify."""
    from planner.campaign.store import CampaignStore
    from planner.report.notices import write_notices

    with user_errors():
        if store is None:
            result = write_notices(plan_dir, window_min, day, date, out)
        else:
            with CampaignStore.existing(store) as opened:
                result = write_notices(plan_dir, window_min, day, date, out, opened)
    when = f"on {result.date}" if result.date else "over the plan"
    console.print(f"{len(result.notices)} shops promised a {window_min}-minute window {when}")
    if result.plan_version is not None:
        console.print(f"recorded in {store} against plan {result.plan_version}")
    for path in result.written:
        console.print(f"  wrote {path}")
