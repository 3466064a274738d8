"""Read and write roster files: one person a row, checked like merchant files, into ``Person`` records."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import time
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from planner.errors import InputError
from planner.geo.calendar import Window, time_windows
from planner.io.columns import (
    Parsed,
    parse_district,
    parse_free_text,
    problem_position,
    unprintable_id_reason,
)
from planner.io.people import END_KINDS, MODES, START_KINDS, Person
from planner.io.read import read_table, reject_path_for, write_rejects
from planner.io.spreadsheet import unquote_cell, write_spreadsheet_csv
from planner.io.validate import clean_text, empty_rejects, normalize_columns, shown_columns
from planner.schema import REJECT_COLUMNS, SEOUL_BOUNDS
from planner.settings import Settings, WeekSettings

ROSTER_COLUMNS: tuple[str, ...] = (
    "staff_id",
    "name",
    "team",
    "district",  # blank: the shared pool
    "availability",  # OSM opening_hours syntax
    "start",  # office, first_shop or "lat,lon"
    "end",  # office, start or last_shop
    "mode",  # walk, transit or car
    "lunch",  # yes or no
)
# Korean headers coordinators use for the same columns.
ROSTER_ALIASES: dict[str, str] = {
    **dict.fromkeys(["사번", "직원번호", "직원id", "id"], "staff_id"),
    **dict.fromkeys(["이름", "성명"], "name"),
    **dict.fromkeys(["팀", "소속"], "team"),
    **dict.fromkeys(["구", "자치구", "구청"], "district"),
    **dict.fromkeys(["근무시간", "근무", "근무일시"], "availability"),
    **dict.fromkeys(["출발", "출발지"], "start"),
    **dict.fromkeys(["도착", "도착지", "복귀"], "end"),
    **dict.fromkeys(["이동수단", "교통수단", "교통"], "mode"),
    **dict.fromkeys(["점심", "점심시간"], "lunch"),
}
DEFAULT_MODE = "transit"
MODE_WORDS: dict[str, str] = {
    **{m: m for m in MODES},
    **dict.fromkeys(["도보", "걷기", "walking", "foot"], "walk"),
    **dict.fromkeys(["대중교통", "버스", "지하철", "bus", "subway", "public"], "transit"),
    **dict.fromkeys(["자동차", "차량", "차", "drive", "driving"], "car"),
}
END_WORDS: dict[str, str] = {kind: kind for kind in END_KINDS}
LUNCH_ALLOWED = "yes or no (also 예/아니오, true/false, 1/0)"
LUNCH_WORDS: dict[str, bool] = {
    **dict.fromkeys(["yes", "y", "true", "t", "1", "예", "네", "있음"], True),
    **dict.fromkeys(["no", "n", "false", "f", "0", "아니오", "아니요", "없음"], False),
}
# The whole day: a person's availability is not cut to the shops' shift (evening shifts exist).
_WHOLE_DAY = (time(0, 0), time(23, 59, 59))
_POINT = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*")


class RosterRead(NamedTuple):
    """The people of a roster file and the rows it rejected (``REJECT_COLUMNS``; ``merchant_id`` holds the staff_id)."""

    people: list[Person]
    rejects: pd.DataFrame


def default_availability(week: WeekSettings) -> str:
    """The availability of a blank cell: the settings' shift on every day of the week.

    Parameters
    ----------
    week
        The campaign calendar.

    Returns
    -------
    str
        For example ``Mo-Su 09:00-18:00``.
    """
    return f"Mo-Su {week.shift_start:%H:%M}-{week.shift_end:%H:%M}"


def availability_windows(availability: str, week: WeekSettings) -> tuple[Window, ...]:
    """When a person works over the campaign week, whole days considered (not cut to the shift).

    Parameters
    ----------
    availability
        OSM opening_hours expression, read by the shops' parser (``planner.geo.calendar``).
    week
        The campaign calendar.

    Returns
    -------
    tuple of (int, int)
        Sorted disjoint windows in seconds from the week start; empty if the person never works.

    Raises
    ------
    InputError
        If the expression does not parse.
    """
    whole_day = replace(week, shift_start=_WHOLE_DAY[0], shift_end=_WHOLE_DAY[1])
    return time_windows(availability, whole_day)


def read_roster(path: str | Path, settings: Settings, encoding: str | None = None) -> RosterRead:
    """Read and check a roster file (CSV, UTF-8 or CP949), giving blank fields the settings' defaults.

    Columns: ``ROSTER_COLUMNS`` (Korean headers of ``ROSTER_ALIASES`` too); only ``staff_id`` is
    required. A blank availability is the shift every day (``default_availability``); a blank
    start is ``first_shop`` when ``settings.solver.open_start`` else ``office``; a blank end
    ``last_shop`` when ``settings.solver.open_routes`` else ``office``; mode ``transit``; lunch
    yes. Each unusable row has one reject line per problem and no valid row is dropped; of rows
    sharing a staff_id the first is kept.

    Parameters
    ----------
    path
        A ``.csv`` or ``.csv.gz`` file.
    settings
        The week (availability must open in it) and the solver's open start and end.
    encoding
        The text encoding; None detects UTF-8 or CP949 (``planner.io.text.decode_text``).

    Returns
    -------
    RosterRead
        The people in file order and the rejects (``row`` is the file's line number).

    Raises
    ------
    InputError
        If the file is missing, empty, not CSV, or has no ``staff_id`` column.
    """
    path = Path(path)
    if not path.name.lower().endswith((".csv", ".csv.gz")):
        raise InputError(f"{path}: a roster is a .csv file; save it as CSV (UTF-8)")
    if path.is_file() and not path.read_bytes().strip():
        raise InputError(f"{path}: the roster is empty; expected a header and one row per person")
    table = read_table(path, encoding=encoding)
    frame = normalize_columns(table.cells, source=str(path))
    frame = frame.rename(columns=lambda name: ROSTER_ALIASES.get(name, name))
    if "staff_id" not in frame.columns:
        raise InputError(
            f"{path}: no 'staff_id' column; columns found: {shown_columns(list(frame.columns))}. "
            f"Name the column of the people's ids 'staff_id' (columns: {', '.join(ROSTER_COLUMNS)})"
        )
    cells = pd.DataFrame(
        {c: clean_text(frame[c]).map(unquote_cell) if c in frame else "" for c in ROSTER_COLUMNS},
        index=frame.index,
    )
    return parse_roster(cells, settings, table.rejects)


def parse_roster(
    cells: pd.DataFrame, settings: Settings, row_rejects: pd.DataFrame | None = None
) -> RosterRead:
    """Check a roster's text cells (``ROSTER_COLUMNS``, indexed by row number) and build its people.

    Parameters
    ----------
    cells
        Stripped text cells, one column per roster column.
    settings
        The week and the solver's open start and end, for checks and defaults.
    row_rejects
        Rows already rejected while splitting the file, added to the rejects.

    Returns
    -------
    RosterRead
        The people and every problem found.
    """
    solver = settings.solver
    default_end = "last_shop" if solver.open_routes else "office"
    parsed = {
        "staff_id": parse_staff_ids(cells["staff_id"]),
        "name": parse_free_text(cells["name"], "name"),
        "team": parse_free_text(cells["team"], "team"),
        "district": parse_district(cells["district"]),
        "availability": parse_availability(cells["availability"], settings.week),
        "start": parse_start(cells["start"], "first_shop" if solver.open_start else "office"),
        "end": _parse_choice(cells["end"], END_WORDS, default_end, "end", "office, start or last_shop"),
        "mode": _parse_choice(cells["mode"], MODE_WORDS, DEFAULT_MODE, "mode", "walk, transit or car"),
        "lunch": _parse_choice(cells["lunch"], LUNCH_WORDS, True, "lunch", LUNCH_ALLOWED),
    }
    records = []
    for column, result in parsed.items():
        bad = result.reasons.notna()
        for row in cells.index[bad.to_numpy()]:
            value, reason = cells.at[row, column], result.reasons[row]
            records.append((row, cells.at[row, "staff_id"], column, value, reason))
    rejects = pd.DataFrame(records, columns=list(REJECT_COLUMNS)).astype(empty_rejects().dtypes.to_dict())
    parts = [part for part in (row_rejects, rejects) if part is not None and not part.empty]
    rejects = (
        pd.concat(parts, ignore_index=True).sort_values("row", kind="stable", ignore_index=True)
        if parts
        else empty_rejects()
    )
    good = cells.index[~cells.index.isin(rejects["row"])]
    kept = [parsed[c].values.loc[good].tolist() for c in ROSTER_COLUMNS]  # by column: a big roster reads fast
    people = [_person(dict(zip(ROSTER_COLUMNS, values, strict=True))) for values in zip(*kept, strict=True)]
    return RosterRead(people, rejects)


def _person(values: dict) -> Person:
    return Person(
        staff_id=values["staff_id"],
        name=values["name"],
        team=values["team"],
        district=values["district"] or None,
        availability=values["availability"],
        start=values["start"],
        end=values["end"],
        mode=values["mode"],
        lunch=bool(values["lunch"]),
    )


def _each(raw: pd.Series, parse_one) -> Parsed:
    """``parse_one`` of each distinct cell, parsed once: a roster repeats its hours, starts and words."""
    done: dict[str, tuple[object, str | None]] = {}
    results = [done[text] if text in done else done.setdefault(text, parse_one(text)) for text in raw]
    values = pd.Series([v for v, _ in results], index=raw.index, dtype=object)
    return Parsed(values, pd.Series([r for _, r in results], index=raw.index, dtype=object))


def parse_staff_ids(raw: pd.Series) -> Parsed:
    """Require a printable, unique staff_id; of repeated ids the first row is kept, the others rejected.

    Parameters
    ----------
    raw
        The ids as stripped text, indexed by row number.

    Returns
    -------
    Parsed
        The ids, and a reason per empty, unprintable or repeated id.
    """
    first_row: dict[str, int] = {}

    def parse_one(row: int, text: str) -> str | None:
        if text == "":
            return "staff_id is empty; give every person a unique id"
        unprintable = unprintable_id_reason("staff_id", text)
        if unprintable:
            return unprintable
        if text in first_row:
            return (
                f"duplicate staff_id {text!r}: row {first_row[text]} already has it and is kept; "
                "give this person their own id or delete the repeated row"
            )
        first_row[text] = row
        return None

    reasons = [parse_one(row, text) for row, text in raw.items()]
    return Parsed(raw, pd.Series(reasons, index=raw.index, dtype=object))


def parse_availability(raw: pd.Series, week: WeekSettings) -> Parsed:
    """Check availability (OSM opening_hours) and that it opens in the week; blank is the shift every day.

    Parameters
    ----------
    raw
        The cells as stripped text.
    week
        The campaign calendar.

    Returns
    -------
    Parsed
        The expressions, and a reason per cell that does not parse or never opens in the week.
    """
    default = default_availability(week)
    last = week.date_of(week.days - 1)

    def parse_one(text: str) -> tuple[object, str | None]:
        expression = text or default
        try:
            windows = availability_windows(expression, week)
        except (InputError, ValueError) as error:
            return None, (
                f"availability is not OSM opening_hours syntax{problem_position(error)}; write the days and hours "
                "like 'Mo-Fr 09:00-18:00; Sa 10:00-15:00', or leave it empty for the shift every day"
            )
        if not windows:
            return None, (
                f"availability {expression!r} has no hours from {week.start_date} to {last}; "
                "give days of the campaign week, or delete the row"
            )
        return expression, None

    return _each(raw, parse_one)


def parse_start(raw: pd.Series, default: str) -> Parsed:
    """Check start: ``office``, ``first_shop`` or a ``lat,lon`` point inside Seoul; blank is ``default``.

    Parameters
    ----------
    raw
        The cells as stripped text.
    default
        The start of a blank cell.

    Returns
    -------
    Parsed
        Kinds as text, points as ``(lat, lon)``, and a reason per cell that is neither.
    """
    b = SEOUL_BOUNDS

    def parse_one(text: str) -> tuple[object, str | None]:
        word = text.lower().replace(" ", "_")
        if word in START_KINDS or text == "":
            return word or default, None
        match = _POINT.fullmatch(text)
        if match is None:
            return (
                None,
                f"start {text!r} is not office, first_shop or a point 'lat,lon' (e.g. 37.5735,126.9790)",
            )
        lat, lon = float(match[1]), float(match[2])
        if not (b["lat_min"] <= lat <= b["lat_max"] and b["lon_min"] <= lon <= b["lon_max"]):
            swap = b["lat_min"] <= lon <= b["lat_max"] and b["lon_min"] <= lat <= b["lon_max"]
            hint = "lat and lon look swapped: write lat first" if swap else "give a point in Seoul, lat first"
            return None, f"start {text!r} lies outside Seoul; {hint}"
        return (lat, lon), None

    return _each(raw, parse_one)


def _parse_choice(raw: pd.Series, synonyms: dict, default: object, column: str, allowed: str) -> Parsed:
    """One of the words of ``synonyms`` (any case, blanks as ``_``); blank is ``default``."""

    def parse_one(text: str) -> tuple[object, str | None]:
        if text == "":
            return default, None
        value = synonyms.get(text.lower().replace(" ", "_"))
        if value is None:
            return (
                None,
                f"unknown {column} {text!r}; write {allowed}, or leave it empty for {_shown(default)}",
            )
        return value, None

    return _each(raw, parse_one)


def _shown(value: object) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def write_roster_rejects(rejects: pd.DataFrame, roster: str | Path, out_dir: str | Path) -> Path:
    """Write a roster's rejected rows to ``out_dir / "<roster name>.rejects.csv"``, ids under ``staff_id``.

    Parameters
    ----------
    rejects
        ``read_roster``'s rejects.
    roster
        The roster file they came from.
    out_dir
        The output folder.

    Returns
    -------
    pathlib.Path
        The file written (as the merchant files' ``write_rejects`` writes it).
    """
    return write_rejects(rejects, reject_path_for(roster, out_dir), id_column="staff_id")


def roster_table(people: list[Person]) -> pd.DataFrame:
    """The people as the text cells of a roster file (``ROSTER_COLUMNS``).

    Parameters
    ----------
    people
        The roster.

    Returns
    -------
    pandas.DataFrame
        One row per person; a point start as ``lat,lon``, lunch as yes/no, the pool's district blank.
    """
    rows = [
        {
            "staff_id": p.staff_id,
            "name": p.name,
            "team": p.team,
            "district": p.district or "",
            "availability": p.availability,
            "start": f"{p.start[0]!r},{p.start[1]!r}" if isinstance(p.start, tuple) else p.start,
            "end": p.end,
            "mode": p.mode,
            "lunch": "yes" if p.lunch else "no",
        }
        for p in people
    ]
    return pd.DataFrame(rows, columns=list(ROSTER_COLUMNS), dtype=object)


def write_roster(people: list[Person], path: str | Path) -> Path:
    """Write a roster file that spreadsheets open safely and ``read_roster`` reads back to the same people.

    Parameters
    ----------
    people
        The roster.
    path
        The CSV file; its folder is created if needed.

    Returns
    -------
    pathlib.Path
        The file written (UTF-8 with a byte-order mark, so that Excel shows Korean names).
    """
    return write_spreadsheet_csv(roster_table(people), path, bom=True)
