"""Route sheets: a printable A4 file per day, a phone page and an outcome file per worker-day, an index."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import InputError
from planner.geo.travel import leg_road_m, project, travel_time_s
from planner.io.spreadsheet import quote_text, write_spreadsheet_csv
from planner.planning.plan import Plan
from planner.report.files import file_stem
from planner.report.pages import page_templates
from planner.report.sheet_labels import sheet_labels
from planner.settings import TravelSettings

SVG_SIZE = (240, 170)  # width, height in CSS pixels of the route sketch
SVG_MARGIN = 14
# What the field worker reads on a sheet, one row per stop in order.
SHEET_COLUMNS = (
    "stop",
    "planned",
    "merchant_id",
    "name",
    "address",
    "opening_hours",
    "category",
    "reason",
    "lat",
    "lon",
    "next_min",  # minutes to the next stop (or back to the office after the last), -1: none
    "next_mode",  # walk, transit or car; "" when there is no next leg
)
# The outcome file of a worker-day: the visits in route order, ``outcome``, ``time`` and ``note``
# left blank for the field; ``planner outcomes import`` reads it back as it is once filled in.
OUTCOME_FORM_COLUMNS = (
    "staff_id",
    "staff_name",
    "date",
    "stop",
    "merchant_id",
    "name",
    "address",
    "planned",
    "outcome",
    "time",
    "note",
)


@dataclass(frozen=True)
class Sheet:
    """One worker-day's sheet: who, when, the stops in order, the lunch break and the route sketch."""

    staff_id: str
    staff_name: str  # from the routes' staff_name column, "" when the plan has none
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
    lunch: str = ""  # HH:MM-HH:MM of the lunch break, "" when the day has none or it is unknown
    lunch_after: int = -1  # stops visited before the lunch break; -1 without one


def write_sheets(
    plan: Plan, out_dir: str | Path, lang: str = "ko", dates: Iterable[str] | None = None
) -> list[Path]:
    """Write the route sheets of a plan folder's plan into ``out_dir``.

    Per day, ``<date>.html``: every worker's sheet, each from a new A4 page, in compact rows
    with the lunch break and the minutes and mode to the next stop. Per worker-day,
    ``<date>-<staff>.html``: a phone page, one card per stop with a ``geo:`` link; and
    ``<date>-<staff>.csv``: the outcome file (``OUTCOME_FORM_COLUMNS``) that ``planner outcomes
    import`` reads once filled in. ``index.html`` links them all. The pages are UTF-8 and need
    no network or script; the CSV files are UTF-8 with a byte-order mark so that spreadsheet
    programs show Korean names correctly, and their text cells never start a formula
    (``planner.io.spreadsheet``).

    Parameters
    ----------
    plan
        The plan (one district's).
    out_dir
        Folder to write into; created if needed.
    lang
        ``"ko"`` (Korean labels) or ``"en"``.
    dates
        ISO dates to write sheets for; every day of the plan when None.

    Returns
    -------
    list of Path
        ``index.html`` first, then per day its printable page followed by each worker-day's
        phone page and outcome file.

    Raises
    ------
    InputError
        If ``lang`` is not a language of the sheets, or a date is not a day of the plan.
    """
    labels = sheet_labels(lang)
    if dates is not None:
        _check_dates(plan, list(dates))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = page_templates()
    sheets = route_sheets(plan, dates)
    taken = {sheet.stem.lower() for sheet in sheets}
    days = []
    for date, group in _by_date(sheets):
        days.append((date, file_stem(date, taken), group))
    context = {"district": plan.district, "t": labels, "lang": lang}
    written = [out / "index.html"]
    for date, stem, group in days:
        pages = list(zip(group, _stop_items(group, labels), strict=True))
        day_page = out / f"{stem}.html"
        day_page.write_text(env.get_template("day.html").render(date=date, pages=pages, **context), "utf-8")
        written.append(day_page)
        # Quoted once for the whole day: quoting file by file costs more than writing them.
        forms, start = quote_text(outcome_forms(group)), 0
        for sheet, stops in pages:
            phone, form = out / f"{sheet.stem}.html", out / f"{sheet.stem}.csv"
            page = env.get_template("phone.html").render(sheet=sheet, stops=stops, **context)
            phone.write_text(page, "utf-8")
            columns = [c for c in OUTCOME_FORM_COLUMNS if c != "staff_name" or sheet.staff_name]
            write_spreadsheet_csv(
                forms.iloc[start : start + len(stops)][columns], form, bom=True, quoted=True
            )
            start += len(stops)
            written += [phone, form]
    index = env.get_template("index.html").render(days=days, summary=plan.summary(), **context)
    written[0].write_text(index, encoding="utf-8")
    return written


def _stop_items(sheets: list[Sheet], labels: dict[str, str]) -> list[list[tuple]]:
    """Each sheet's rows as named tuples for the templates, with ``geo`` (the ``geo:`` link) and
    ``leg``: the way to the next stop in words (``"4분 도보"``; after the last stop, the way to
    the office), "" when there is none. Built for all sheets at once: a city day has thousands."""
    if not sheets:
        return []
    rows = pd.concat([sheet.rows for sheet in sheets], ignore_index=True)
    ends = np.cumsum([len(sheet.rows) for sheet in sheets])
    modes = rows["next_mode"].map(lambda mode: labels.get(mode, mode))
    leg = (rows["next_min"].astype(str) + labels["min"] + " " + modes).where(rows["next_min"] >= 0, "")
    last = np.zeros(len(rows), dtype=bool)
    last[ends - 1] = True
    leg = leg.where(~last | (leg == ""), labels["to_office"] + " " + leg)
    geo = [f"geo:{lat:.6f},{lon:.6f}" for lat, lon in zip(rows["lat"], rows["lon"], strict=True)]
    items = list(rows.assign(leg=leg, geo=geo).itertuples(index=False, name="Stop"))
    return [items[start:end] for start, end in zip(np.r_[0, ends[:-1]], ends, strict=True)]


def _check_dates(plan: Plan, dates: list[str]) -> None:
    """Raise InputError naming the first of ``dates`` that is no day of the plan's routes."""
    days = sorted(set(plan.routes["date"].astype(str)))
    for date in dates:
        if date not in days:
            shown = f"{days[0]} to {days[-1]}" if days else "none: the plan has no visits"
            raise InputError(f"--date {date!r}: no visits that day (YYYY-MM-DD; the plan's days: {shown})")


def _by_date(sheets: list[Sheet]) -> list[tuple[str, list[Sheet]]]:
    """The sheets grouped by date, in order."""
    groups: dict[str, list[Sheet]] = {}
    for sheet in sheets:
        groups.setdefault(sheet.date, []).append(sheet)
    return list(groups.items())


def route_sheets(plan: Plan, dates: Iterable[str] | None = None) -> list[Sheet]:
    """The plan's sheets, ordered by date then worker.

    Parameters
    ----------
    plan
        The plan.
    dates
        ISO dates to keep; all when None.

    Returns
    -------
    list of Sheet
        One sheet per worker-day: its stops, times, lunch, totals, sketch and file name.
    """
    office = (plan.district.office_lat, plan.district.office_lon)
    solver, week = plan.settings.solver, plan.settings.week
    routes = plan.routes
    if dates is not None:
        routes = routes[routes["date"].astype(str).isin(set(dates))]
    ordered = routes.sort_values(["date", "staff_id", "stop"], kind="stable", ignore_index=True)
    rows = sheet_rows(ordered, plan.settings.travel, office, not solver.open_routes)
    start_s = ordered["start_s"].to_numpy()
    names = ordered.get("staff_name", pd.Series("", index=ordered.index)).fillna("").astype(str).to_numpy()
    sheets, stems = [], set()
    for start, end in _worker_days(ordered):
        first, visits = ordered.iloc[start], ordered.iloc[start:end]
        day_start = week.day_offset_s(int(first["day"]))
        lunch_s = int(first["lunch_start_s"])
        has_lunch = lunch_s >= 0 and week.lunch_min > 0
        named = [name for name in names[start:end] if name]
        sheets.append(
            Sheet(
                staff_id=str(first["staff_id"]),
                staff_name=named[0] if named else "",
                date=str(first["date"]),
                rows=rows.iloc[start:end].reset_index(drop=True),
                leave=_clock(int(first["leave_office_s"]), day_start),
                back=_clock(int(first["back_office_s"]), day_start),
                travel_min=round(float(visits["travel_s"].sum()) / 60, 1),
                service_min=round(float(visits["service_s"].sum()) / 60, 1),
                svg=route_svg(visits, office, solver.open_routes, solver.open_start),
                stem=file_stem(f"{first['date']}-{first['staff_id']}", stems),
                from_office=not solver.open_start,
                to_office=not solver.open_routes,
                lunch=_span(lunch_s, 60 * week.lunch_min, day_start) if has_lunch else "",
                lunch_after=int((start_s[start:end] < lunch_s).sum()) if has_lunch else -1,
            )
        )
    return sheets


def _worker_days(visits: pd.DataFrame) -> list[tuple[int, int]]:
    """``(start, end)`` row positions of each worker-day in visits sorted by date and worker."""
    if visits.empty:
        return []
    keys = [visits[c].astype(str).to_numpy() for c in ("date", "staff_id") if c in visits]
    new = np.zeros(len(visits) - 1, dtype=bool)
    for key in keys:
        new |= key[1:] != key[:-1]
    starts = np.flatnonzero(np.r_[True, new])
    return list(zip(starts.tolist(), np.r_[starts[1:], len(visits)].tolist(), strict=True))


def sheet_rows(
    visits: pd.DataFrame, travel: TravelSettings, office: tuple[float, float], to_office: bool = True
) -> pd.DataFrame:
    """The table a worker follows: stop order, planned time, the shop, and the way to the next stop.

    The minutes to the next stop are the routes' ``travel_s`` of that stop; after a worker-day's
    last stop, the way back to the office (when the day ends there). The mode is the next
    visit's ``mode`` when the routes have that column, else the travel model's: walking up to
    ``walk_max_m`` of road, transit beyond.

    Parameters
    ----------
    visits
        Worker-days' visits, each in stop order and one after the other (a worker-day is a
        ``date`` and ``staff_id``; all rows are one when those columns are absent), with ISO
        ``start`` and ``departure`` times, ``travel_s``, ``lat`` and ``lon``.
    travel
        The plan's travel model.
    office
        The office's ``(lat, lon)``.
    to_office
        Whether the days end at the office: the last stop's next leg goes there.

    Returns
    -------
    pandas.DataFrame
        The columns of ``SHEET_COLUMNS``, ``planned`` as ``HH:MM-HH:MM``, one row per visit.
    """
    if visits.empty:
        return pd.DataFrame(columns=list(SHEET_COLUMNS))
    last = np.zeros(len(visits), dtype=bool)
    last[[end - 1 for _, end in _worker_days(visits)]] = True
    lat, lon = visits["lat"].astype(float).to_numpy(), visits["lon"].astype(float).to_numpy()
    xy = project(lat, lon)
    office_xy = project(np.array([office[0]]), np.array([office[1]]))
    # Leg k goes from stop k to the next stop, or from a day's last stop to the office.
    ahead = np.where(last[:, None], office_xy, np.roll(xy, -1, axis=0))
    road_m = leg_road_m(xy, ahead, travel)
    next_s = np.where(last, travel_time_s(road_m, travel), np.roll(visits["travel_s"].to_numpy(), -1))
    modes = np.where(road_m <= travel.walk_max_m, "walk", "transit").astype(object)
    if "mode" in visits:  # each person's own mode (roster plans): a leg takes the mode of its end
        given = visits["mode"].fillna("").astype(str).to_numpy()
        leg_mode = np.where(last, given, np.roll(given, -1))
        modes = np.where(leg_mode != "", leg_mode, modes)
    if not to_office:
        next_s, modes = np.where(last, -60, next_s), np.where(last, "", modes)
    start = visits["start"].astype(str).str.slice(11, 16)
    done = visits["departure"].astype(str).str.slice(11, 16)
    rows = visits.assign(
        planned=start + "-" + done, next_min=np.ceil(next_s / 60).astype(int), next_mode=modes
    )
    return rows.loc[:, list(SHEET_COLUMNS)].reset_index(drop=True)


def outcome_forms(sheets: list[Sheet]) -> pd.DataFrame:
    """The outcome files of worker-days, one after the other: the visits in route order, with
    ``outcome``, ``time`` and ``note`` blank.

    Parameters
    ----------
    sheets
        The worker-days' sheets.

    Returns
    -------
    pandas.DataFrame
        ``OUTCOME_FORM_COLUMNS`` (``staff_name`` blank where the plan names no one), the rows
        of ``sheets[0]`` first; ``planned`` is the planned start (``HH:MM``).
    """
    if not sheets:
        return pd.DataFrame(columns=list(OUTCOME_FORM_COLUMNS))
    rows = pd.concat([sheet.rows for sheet in sheets], ignore_index=True)
    sizes = [len(sheet.rows) for sheet in sheets]

    def each(values: list[str]) -> np.ndarray:  # object, not numpy text: that drops trailing NULs
        return np.repeat(np.array(values, dtype=object), sizes)

    form = pd.DataFrame(
        {
            "staff_id": each([sheet.staff_id for sheet in sheets]),
            "staff_name": each([sheet.staff_name for sheet in sheets]),
            "date": each([sheet.date for sheet in sheets]),
            "stop": rows["stop"].astype(int),
            "merchant_id": rows["merchant_id"].astype(str),
            "name": rows["name"].astype(str),
            "address": rows["address"].astype(str),
            "planned": rows["planned"].str.slice(0, 5),
            "outcome": "",
            "time": "",
            "note": "",
        }
    )
    return form.loc[:, list(OUTCOME_FORM_COLUMNS)]


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


def _span(start_s: int, length_s: int, day_start_s: int) -> str:
    """``HH:MM-HH:MM`` of a break starting at ``start_s`` (week seconds) and lasting ``length_s``."""
    return f"{_clock(start_s, day_start_s)}-{_clock(start_s + length_s, day_start_s)}"


def _clock(seconds: int, day_start_s: int) -> str:
    """HH:MM of a time in week seconds, or "" when the time is unknown (negative)."""
    if seconds < 0:
        return ""
    minutes = (seconds - day_start_s) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
