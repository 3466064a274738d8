"""Commands that turn a written plan into what people look at: export, map, sheets, charts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner.cli.common import (
    Encoding,
    app,
    check_options,
    console,
    user_errors,
)
from planner.errors import InputError

# planner.report is imported inside each command: folium and matplotlib would slow every command.
PlanDir = Annotated[Path, typer.Argument(help="Folder that 'planner plan --out' wrote.")]
ReportProcesses = Annotated[
    int,
    typer.Option(
        "--processes", help="Districts of a city plan or campaign export written at once, a process each."
    ),
]
MAPS = "maps"  # the maps' folder in a plan folder, and a city's with its one shared Leaflet
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
    processes: ReportProcesses = 1,
) -> None:
    """Write the plan as GIS layers in EPSG:4326: merchants, stops, routes, zones, unassigned."""
    from planner.report.city import report_districts
    from planner.report.export import export_plan

    names = []  # the layers written, when written in this process

    def write(loaded, folder: Path) -> list[Path]:
        target = folder / ("layers" if geojson else "plan.gpkg")
        layers = export_plan(loaded.plan, loaded.merchants, target, "GeoJSON" if geojson else "GPKG")
        names.append(", ".join(layers))
        return [target, *(path for path in dict.fromkeys(layers.values()) if path != target)]

    with user_errors():
        check_options({"--processes": processes})
        done = report_districts(
            plan_dir, "export", write, merchants, encoding, "GIS layers", alone="", processes=processes
        )
    unknown = [d for d in done.districts if not d.merchants_known]
    if unknown:
        placed = all(d.unassigned_placed for d in unknown)
        missing = "merchants layer" if placed else "merchants or unassigned layers"
        console.print(f"[yellow]no {missing}[/yellow]: give --merchants to add them")
    if done.index is None:
        console.print(f"wrote layers {names[0]} (EPSG:4326) to {done.districts[0].written[0]}")
    else:
        console.print(f"wrote the layers of {len(done.districts)} districts (EPSG:4326); open {done.index}")


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
    processes: ReportProcesses = 1,
) -> None:
    """Write interactive HTML maps (the week and each day) that open offline, into <plan>/maps."""
    from planner.io.boundaries import read_boundaries
    from planner.report.city import find_plan_folders, report_districts
    from planner.report.legend import OSM_TILES
    from planner.report.maps import copy_assets, write_maps

    def write(loaded, folder: Path) -> list[Path]:
        return write_maps(
            loaded.plan, folder, loaded.merchants, tiles=url, boundaries=outlines, assets_dir=shared
        )

    with user_errors():
        check_options({"--processes": processes})
        url = None if tiles.strip().lower() == "none" else tiles.strip() or OSM_TILES
        if url is not None and not all(key in url for key in ("{z}", "{x}", "{y}")):
            raise InputError(f"--tiles {tiles}: give a tile URL with {{z}}, {{x}} and {{y}}, or 'none'")
        outlines = read_boundaries(boundaries) if boundaries is not None else None
        source = find_plan_folders(plan_dir)
        # Districts' maps share the city's one copy of Leaflet (maps/leaflet) instead of one each.
        shared = copy_assets(source.root / MAPS) if source.several else None
        done = report_districts(plan_dir, MAPS, write, merchants, encoding, "Maps", processes=processes)
    if not all(d.unassigned_placed for d in done.districts):
        console.print("[yellow]unassigned shops not drawn[/yellow]: give --merchants to place them")
    _print_written(done, "maps", sum(len(d.written) for d in done.districts))


@app.command("sheets")
def sheets_command(
    plan_dir: PlanDir = Path("out"),
    lang: Annotated[str, typer.Option(help="Language of the sheets: ko or en.")] = "ko",
    date: Annotated[
        list[str] | None,
        typer.Option(help="Day to write sheets for, YYYY-MM-DD, repeatable (default: every day)."),
    ] = None,
    processes: ReportProcesses = 1,
) -> None:
    """Write route sheets into <plan>/sheets: a printable A4 file per day; per worker-day a phone
    page and an outcome CSV that 'planner outcomes import' reads once filled in."""
    from planner.report.city import report_districts
    from planner.report.sheets import write_sheets

    def write(loaded, folder: Path) -> list[Path]:
        return write_sheets(loaded.plan, folder, lang, date)

    with user_errors():
        check_options({"--processes": processes})
        done = report_districts(plan_dir, "sheets", write, title="Route sheets", processes=processes)
    written = [path for district in done.districts for path in district.written]
    forms = sum(path.suffix == ".csv" for path in written)
    days = len(written) - len(done.districts) - 2 * forms
    _print_written(done, f"printable day sheets, {forms} phone pages and outcome files", days)


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
            help="Campaign store whose recorded installs are drawn next to the plan as 'done', and "
            "whose progress is charted (default: none)."
        ),
    ] = None,
    processes: ReportProcesses = 1,
) -> None:
    """Write PNG charts into <plan>/charts: progress against the deadline, workload, districts."""
    from planner.report.charts import write_charts
    from planner.report.city import report_districts
    from planner.report.load import installs_per_day, load_plan

    with user_errors():
        check_options({"--processes": processes})
        others = [load_plan(other).plan.summary() for other in compare or []]

        def write(loaded, folder: Path) -> list[Path]:
            plan = loaded.plan
            actual = installs_per_day(store, plan.district.name_en) if store else None
            summaries = [plan.summary(), *others] if others else ()
            return write_charts(plan, folder, actual=actual, summaries=summaries)

        def city(reports, folder: Path) -> list[Path]:
            summaries = [report.summary for report in reports] + others
            return _city_charts(summaries, folder, store)

        done = report_districts(
            plan_dir, "charts", write, title="Charts", city_files=city, processes=processes
        )
        campaign = _city_charts([], done.out_dir, store) if done.index is None else []
    if done.index is None:
        written = [path.name for path in [*done.districts[0].written, *campaign]]
        console.print(f"wrote {', '.join(written)} to {done.out_dir}")
    else:
        _print_written(done, "charts", sum(len(d.written) for d in done.districts))


def _city_charts(summaries: list[dict], folder: Path, store: Path | None) -> list[Path]:
    """The districts side by side (given several), and the campaign's progress from ``store``."""
    from planner.report.charts import district_figure, save_figure

    written = []
    if len(summaries) > 1:
        written.append(save_figure(district_figure(summaries), folder / "districts.png"))
    if store is not None:
        from planner.report.progress import write_progress_charts

        written += write_progress_charts(store, folder)
    return written


def _print_written(done, what: str, count: int) -> None:
    """Where a report went: its first page, or the city's index page."""
    if done.index is None:
        first = done.districts[0].written[0]
        console.print(f"wrote {count} {what} to {done.out_dir}; open {first}")
    else:
        console.print(
            f"wrote {count} {what} for {len(done.districts)} districts to {done.out_dir}; open {done.index}"
        )


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
