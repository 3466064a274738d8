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

# planner.report is imported inside each command: folium and matplotlib would slow every command.
PlanDir = Annotated[Path, typer.Argument(help="Folder that 'planner plan --out' wrote.")]
ReportProcesses = Annotated[
    int,
    typer.Option(
        "--processes", help="Districts of a city plan or campaign export written at once, a process each."
    ),
]
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
    processes: ReportProcesses = 1,
) -> None:
    """Write interactive HTML maps (the week and each day) that open offline, into <plan>/maps."""
    from planner.report.city import report_districts
    from planner.report.maps import write_maps

    def write(loaded, folder: Path) -> list[Path]:
        return write_maps(loaded.plan, folder, loaded.merchants)

    with user_errors():
        check_options({"--processes": processes})
        done = report_districts(plan_dir, "maps", write, merchants, encoding, "Maps", processes=processes)
    if not all(d.unassigned_placed for d in done.districts):
        console.print("[yellow]unassigned shops not drawn[/yellow]: give --merchants to place them")
    _print_written(done, "maps", sum(len(d.written) for d in done.districts))


@app.command("sheets")
def sheets_command(plan_dir: PlanDir = Path("out"), processes: ReportProcesses = 1) -> None:
    """Write a printable route sheet (HTML and CSV) per worker-day and an index, into <plan>/sheets."""
    from planner.report.city import report_districts
    from planner.report.sheets import write_sheets

    def write(loaded, folder: Path) -> list[Path]:
        return write_sheets(loaded.plan, folder)

    with user_errors():
        check_options({"--processes": processes})
        done = report_districts(plan_dir, "sheets", write, title="Route sheets", processes=processes)
    _print_written(done, "route sheets", sum((len(d.written) - 1) // 2 for d in done.districts))


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
