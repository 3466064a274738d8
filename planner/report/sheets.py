"""Printable route sheets: one HTML page and one CSV per worker-day, with an index page."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd

from planner.io.spreadsheet import write_spreadsheet_csv
from planner.planning.plan import Plan
from planner.report.files import file_stem

SVG_SIZE = (360, 260)  # width, height in CSS pixels of the route sketch
SVG_MARGIN = 18
# What the field worker reads and writes on, in order; CSV column names are these.
SHEET_COLUMNS = (
    "stop",
    "planned",
    "merchant_id",
    "name",
    "address",
    "opening_hours",
    "category",
    "reason",
    "notes",
)


@dataclass(frozen=True)
class Sheet:
    """One worker-day's sheet: who, when, the stops in order and the route sketch."""

    staff_id: str
    date: str
    rows: pd.DataFrame  # SHEET_COLUMNS
    leave: str  # HH:MM leaving the office (or starting at the first shop), "" when unknown
    back: str  # HH:MM back at the office (or done at the last shop), "" when unknown
    travel_min: float
    service_min: float
    svg: str  # inline SVG markup
    stem: str  # file name without suffix, e.g. ``2022-02-07-11110-W001``; unique within the plan
    from_office: bool = True  # False: the worker reports at the first shop
    to_office: bool = True  # False: the day ends at the last shop


def write_sheets(plan: Plan, out_dir: str | Path) -> list[Path]:
    """Write every worker-day's route sheet (HTML and CSV) and ``index.html`` into ``out_dir``.

    The HTML pages are UTF-8, print on A4 and need no network or script; the CSV files are
    UTF-8 with a byte-order mark so that spreadsheet programs show Korean names correctly, and
    their text cells never start a formula (``planner.io.spreadsheet``).

    Parameters
    ----------
    plan
        The plan.
    out_dir
        Folder to write into; created if needed.

    Returns
    -------
    list of Path
        ``index.html`` first, then each sheet's HTML and CSV.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = _templates()
    sheets = route_sheets(plan)
    written = [out / "index.html"]
    district = plan.district
    for sheet in sheets:
        html_path, csv_path = out / f"{sheet.stem}.html", out / f"{sheet.stem}.csv"
        html_path.write_text(env.get_template("sheet.html").render(sheet=sheet, district=district), "utf-8")
        write_spreadsheet_csv(sheet.rows, csv_path, bom=True)
        written += [html_path, csv_path]
    summary = plan.summary()
    index = env.get_template("index.html").render(sheets=sheets, district=district, summary=summary)
    written[0].write_text(index, encoding="utf-8")
    return written


def route_sheets(plan: Plan) -> list[Sheet]:
    """The plan's sheets, ordered by date then worker.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    list of Sheet
        One sheet per worker-day: its stops, times, totals, sketch and file name.
    """
    office = (plan.district.office_lat, plan.district.office_lon)
    solver = plan.settings.solver
    sheets, stems = [], set()
    ordered = plan.routes.sort_values(["date", "staff_id", "stop"])
    for (date, staff_id), visits in ordered.groupby(["date", "staff_id"], sort=True):
        day_start = plan.settings.week.day_offset_s(int(visits["day"].iloc[0]))
        sheets.append(
            Sheet(
                staff_id=str(staff_id),
                date=str(date),
                rows=sheet_rows(visits),
                leave=_clock(int(visits["leave_office_s"].iloc[0]), day_start),
                back=_clock(int(visits["back_office_s"].iloc[0]), day_start),
                travel_min=round(float(visits["travel_s"].sum()) / 60, 1),
                service_min=round(float(visits["service_s"].sum()) / 60, 1),
                svg=route_svg(visits, office, solver.open_routes, solver.open_start),
                stem=file_stem(f"{date}-{staff_id}", stems),
                from_office=not solver.open_start,
                to_office=not solver.open_routes,
            )
        )
    return sheets


def sheet_rows(visits: pd.DataFrame) -> pd.DataFrame:
    """The table a worker follows: stop order, planned time, the shop, and an empty notes column.

    Parameters
    ----------
    visits
        One worker-day's visits in stop order, with ISO ``start`` and ``departure`` times.

    Returns
    -------
    pandas.DataFrame
        The columns of ``SHEET_COLUMNS``, ``planned`` as ``HH:MM-HH:MM``.
    """
    hhmm = visits["start"].astype(str).str.slice(11, 16)
    done = visits["departure"].astype(str).str.slice(11, 16)
    rows = visits.assign(planned=hhmm + "-" + done, notes="")
    return rows.loc[:, list(SHEET_COLUMNS)].reset_index(drop=True)


def route_svg(
    visits: pd.DataFrame, office: tuple[float, float], open_routes: bool = False, open_start: bool = False
) -> str:
    """A small SVG sketch of one route: office square, line through the numbered stops, no tiles.

    The line leaves the office unless the worker-day starts at its first shop (``open_start``) and
    returns to it unless the day ends at its last shop (``open_routes``).

    Coordinates are drawn equirectangular around the district, which is true enough at city scale.

    Parameters
    ----------
    visits
        One worker-day's visits in stop order, with ``lat`` and ``lon``.
    office
        The office's ``(lat, lon)``.
    open_routes
        Whether the day ends at its last shop: no line back to the office.
    open_start
        Whether the day starts at its first shop: no line from the office.

    Returns
    -------
    str
        The ``<svg>`` element, ``SVG_SIZE`` pixels.
    """
    width, height = SVG_SIZE
    lats = [office[0], *visits["lat"].astype(float)]
    lons = [office[1], *visits["lon"].astype(float)]
    shrink = math.cos(math.radians(sum(lats) / len(lats)))  # a degree of longitude is shorter
    xs = [lon * shrink for lon in lons]
    span = max(max(xs) - min(xs), max(lats) - min(lats), 1e-4)
    scale = min((width - 2 * SVG_MARGIN) / span, (height - 2 * SVG_MARGIN) / span)
    x0 = (width - scale * (max(xs) - min(xs))) / 2
    y0 = (height - scale * (max(lats) - min(lats))) / 2

    def point(i: int) -> tuple[float, float]:
        return round(x0 + scale * (xs[i] - min(xs)), 1), round(height - y0 - scale * (lats[i] - min(lats)), 1)

    order = list(range(1 if open_start else 0, len(lats))) + ([] if open_routes else [0])
    line = " ".join(f"{x},{y}" for x, y in map(point, order))
    stops = [(*point(i), int(stop)) for i, stop in enumerate(visits["stop"], start=1)]
    ox, oy = point(0)
    marks = "".join(
        f'<circle cx="{x}" cy="{y}" r="7"/><text x="{x}" y="{y + 3}">{n}</text>' for x, y, n in stops
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="route-map" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="route sketch">'
        f'<rect width="{width}" height="{height}" fill="#fafafa" stroke="#999"/>'
        f'<polyline points="{line}" fill="none" stroke="#1f77b4" stroke-width="2"/>'
        f'<g class="stops">{marks}</g>'
        f'<rect class="office" x="{ox - 6}" y="{oy - 6}" width="12" height="12"/></svg>'
    )


def _clock(seconds: int, day_start_s: int) -> str:
    """HH:MM of a time in week seconds, or "" when the time is unknown (negative)."""
    if seconds < 0:
        return ""
    minutes = (seconds - day_start_s) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("planner.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
