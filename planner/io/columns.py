"""Parse one text column of a merchants table into typed values, with a reason for each bad cell."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

import numpy as np
import opening_hours
import pandas as pd

from planner.geo.calendar import SEOUL
from planner.geo.districts import load_districts
from planner.schema import CATEGORIES, QR_STATUSES, SEOUL_BOUNDS

# An empty cell, or a column missing from the file, takes these values.
DEFAULT_CATEGORY = "retail"
DEFAULT_QR_STATUS = "ok"
DEFAULT_PAYMENT_ERRORS = 0
DEFAULT_ACTIVE = True
# Typical hours of small Seoul shops (open 10-11 h a day, most close one day a week).
DEFAULT_OPENING_HOURS: dict[str, str] = {
    "restaurant": "Mo-Sa 11:00-22:00",
    "cafe": "Mo-Su 09:00-21:00",
    "retail": "Mo-Sa 10:00-20:00",
    "convenience": "24/7",
    "market_stall": "Mo-Sa 08:00-19:00",
    "beauty": "Mo-Sa 10:00-20:00",
    "service": "Mo-Fr 09:00-18:00; Sa 09:00-13:00",
    "education": "Mo-Fr 13:00-22:00; Sa 10:00-18:00",
    "health": "Mo-Fr 09:00-18:00; Sa 09:00-13:00",
    "lodging": "24/7",
}
# Zero Pay, whose QR panels Seoul Pay reads, started in December 2018: earlier dates are typos.
EARLIEST_QR_ISSUED = dt.date(2018, 1, 1)

# Spellings seen in shop lists, normalised by _word() (lower case, "_" between words).
CATEGORY_SYNONYMS: dict[str, str] = {
    **{c: c for c in CATEGORIES},
    **dict.fromkeys(["restaurants", "food", "식당", "음식", "음식점"], "restaurant"),
    **dict.fromkeys(["café", "coffee", "coffee_shop", "cafes", "카페", "커피"], "cafe"),
    **dict.fromkeys(["shop", "store", "retailer", "소매", "상점"], "retail"),
    **dict.fromkeys(["convenience_store", "cvs", "편의점"], "convenience"),
    **dict.fromkeys(["market", "stall", "marketstall", "시장", "노점"], "market_stall"),
    **dict.fromkeys(["salon", "hair", "hair_salon", "hairdresser", "미용", "미용실"], "beauty"),
    **dict.fromkeys(["services", "서비스"], "service"),
    **dict.fromkeys(["school", "academy", "hagwon", "학원", "교육"], "education"),
    **dict.fromkeys(["clinic", "hospital", "pharmacy", "medical", "병원", "의원", "약국"], "health"),
    **dict.fromkeys(["hotel", "motel", "hostel", "accommodation", "숙박"], "lodging"),
}
QR_STATUS_SYNONYMS: dict[str, str] = {
    **{s: s for s in QR_STATUSES},
    **dict.fromkeys(["okay", "fine", "good", "working", "normal", "정상"], "ok"),
    **dict.fromkeys(["replace", "reissued", "new", "new_qr", "교체"], "replaced"),
    **dict.fromkeys(["broken", "damage", "faulty", "파손", "훼손"], "damaged"),
    **dict.fromkeys(["lost", "none", "absent", "no_qr", "분실", "없음"], "missing"),
}
ACTIVE_WORDS: dict[str, bool] = {
    **dict.fromkeys(["true", "t", "yes", "y", "1", "active", "open", "영업"], True),
    **dict.fromkeys(["false", "f", "no", "n", "0", "inactive", "closed", "폐업"], False),
}
OPENING_HOURS_SYNONYMS: dict[str, str] = dict.fromkeys(["24시간", "24h", "24_hours", "24/7"], "24/7")

_DAY = r"(?P<y>\d{4})(?:(?P<sep>[-./])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})\.?|(?P<m2>\d{2})(?P<d2>\d{2}))"
_TIME = r"[ T](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d*)?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?"
_DATE = re.compile(f"{_DAY}(?:{_TIME})?")
# available_from: years outside these are typos (a campaign plans weeks ahead, not decades).
AVAILABLE_YEARS = (2018, 2099)
_PARSER_POSITION = re.compile(r"--> \d+:(\d+)")
# Characters no id or text cell may hold: they print as nothing or garble a screen.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Characters an id never holds: control characters, and the invisible format characters (soft
# hyphen, zero-width spaces and joiners, direction marks and overrides, byte-order marks) that a
# copy from a web page or a chat leaves in a cell: "T0001" followed by one looks like T0001 but is
# another id, so a correction of T0001 would add a second shop instead.
UNPRINTABLE_ID = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_ParseOne = Callable[[str], tuple[object, str | None]]


class Parsed(NamedTuple):
    """Typed values of one column, and one reason (or None) per row."""

    values: pd.Series
    reasons: pd.Series


def _word(text: str) -> str:
    return re.sub(r"[\s_\-]+", "_", text.strip().lower())


def _parse_unique(raw: pd.Series, parse_one: _ParseOne) -> Parsed:
    """Parse each distinct value once: shop files repeat few distinct values many times."""
    codes, uniques = pd.factorize(raw)
    results = [parse_one(text) for text in uniques]
    values = np.empty(len(results), dtype=object)
    values[:] = [value for value, _ in results]
    reasons = np.array([reason for _, reason in results], dtype=object)
    return Parsed(pd.Series(values[codes], index=raw.index), pd.Series(reasons[codes], index=raw.index))


def _choice(synonyms: dict[str, str], default: str, column: str) -> _ParseOne:
    allowed = ", ".join(dict.fromkeys(synonyms.values()))

    def parse_one(text: str) -> tuple[object, str | None]:
        if text == "":
            return default, None
        value = synonyms.get(_word(text))
        if value is None:
            return None, f"unknown {column} {text!r}; use one of: {allowed}"
        return value, None

    return parse_one


def problem_position(error: Exception) -> str:
    """Where an opening_hours parser error says parsing stopped, for a reject reason.

    Parameters
    ----------
    error
        The error the ``opening_hours`` parser raised.

    Returns
    -------
    str
        `` (problem at character N)``, or ``""`` when the error names no position.
    """
    where = _PARSER_POSITION.search(str(error))
    return f" (problem at character {where.group(1)})" if where else ""


def parse_category(raw: pd.Series) -> Parsed:
    """Map category text (any case, common synonyms) to ``CATEGORIES``; empty means ``DEFAULT_CATEGORY``.

    Parameters
    ----------
    raw
        The column's cells as stripped text.

    Returns
    -------
    Parsed
        The category of each row, and a reason for each cell that names no category.
    """
    return _parse_unique(raw, _choice(CATEGORY_SYNONYMS, DEFAULT_CATEGORY, "category"))


def parse_qr_status(raw: pd.Series) -> Parsed:
    """Map QR status text (any case, common synonyms) to ``QR_STATUSES``; empty means ``"ok"``.

    Parameters
    ----------
    raw
        The column's cells as stripped text.

    Returns
    -------
    Parsed
        The status of each row, and a reason for each cell that names no status.
    """
    return _parse_unique(raw, _choice(QR_STATUS_SYNONYMS, DEFAULT_QR_STATUS, "qr_status"))


@cache
def _district_names() -> dict[str, str]:
    names = {}
    for row in load_districts().itertuples():
        english = row.name_en
        for key in (english, english.removesuffix("-gu"), row.name_ko, str(row.code)):
            names[_word(key)] = english
    return names


def parse_district(raw: pd.Series) -> Parsed:
    """Map district names (English, Korean, without "-gu", or code) to the English name; empty stays empty.

    Parameters
    ----------
    raw
        The column's cells as stripped text.

    Returns
    -------
    Parsed
        The English district name of each row (``""`` where empty), and a reason for each cell
        that names no Seoul district.
    """
    allowed = ", ".join(load_districts()["name_en"])

    def parse_one(text: str) -> tuple[object, str | None]:
        if text == "":
            return "", None
        english = _district_names().get(_word(text).replace("_", "-")) or _district_names().get(_word(text))
        if english is None:
            return None, f"unknown district {text!r}; use a Seoul district (English or Korean): {allowed}"
        return english, None

    return _parse_unique(raw, parse_one)


def parse_opening_hours(raw: pd.Series, category: pd.Series) -> Parsed:
    """Check OSM opening_hours text; an empty cell takes the category's ``DEFAULT_OPENING_HOURS``.

    Parameters
    ----------
    raw
        The column's cells as stripped text.
    category
        Each row's parsed category, for the default of an empty cell.

    Returns
    -------
    Parsed
        The opening hours of each row (synonyms such as ``24시간`` written as ``24/7``), and a reason,
        naming the character where parsing stopped, for each cell that is not OSM syntax.
    """
    defaults = category.map(DEFAULT_OPENING_HOURS).fillna(DEFAULT_OPENING_HOURS[DEFAULT_CATEGORY])
    text = raw.where(raw != "", defaults.astype(str))

    def parse_one(value: str) -> tuple[object, str | None]:
        value = OPENING_HOURS_SYNONYMS.get(_word(value), value)
        try:
            opening_hours.OpeningHours(value)
        except (opening_hours.ParserError, ValueError) as error:
            return None, (
                f"opening_hours {value!r} is not OSM opening_hours syntax{problem_position(error)}; "
                "write it like 'Mo-Sa 10:00-20:00; Su off', or leave it empty for the category's default"
            )
        return value, None

    return _parse_unique(text, parse_one)


def _year_month_day(match: re.Match) -> tuple[int, int, int]:
    """The year, month and day a ``_DATE`` match names, separated (``2021-12-15``) or not (``20211215``)."""
    month, day = (match["m"], match["d"]) if match["sep"] else (match["m2"], match["d2"])
    return int(match["y"]), int(month), int(day)


def _parse_times(raw: pd.Series, parse_one: _ParseOne) -> Parsed:
    """Parse each distinct cell to a time; ``datetime64[ns]`` values, NaT where empty or rejected."""
    parsed = _parse_unique(raw, parse_one)
    ok = parsed.reasons.isna()
    values = pd.Series(np.datetime64("NaT", "ns"), index=raw.index, dtype="datetime64[ns]")
    values[ok] = parsed.values[ok].astype("datetime64[ns]")
    return Parsed(values, parsed.reasons)


def _parse_date(text: str, latest: dt.date) -> tuple[object, str | None]:
    if text == "":
        return np.datetime64("NaT", "ns"), None
    match = _DATE.fullmatch(text)
    date = None
    if match:
        try:
            date = dt.date(*_year_month_day(match))
        except ValueError:
            date = None
    if date is None:
        return None, f"qr_issued {text!r} is not a date; write YYYY-MM-DD (e.g. 2021-12-15) or leave it empty"
    if date < EARLIEST_QR_ISSUED:
        return None, f"qr_issued {text!r} is before Zero Pay QR panels existed (Dec. 2018); check the year"
    if date > latest:
        return None, f"qr_issued {text!r} is in the future (today is {latest}); check the year"
    return np.datetime64(date, "ns"), None


def parse_qr_issued(raw: pd.Series, today: dt.date | None = None) -> Parsed:
    """Parse issue dates (YYYY-MM-DD, YYYY.MM.DD, YYYY/MM/DD, YYYYMMDD, time ignored); empty means NaT.

    Dates before ``EARLIEST_QR_ISSUED`` or after ``today`` (by default the day of the run) are
    rejected: a panel cannot have been issued in the future.

    Parameters
    ----------
    raw
        The column's cells as stripped text.
    today
        The latest date accepted; None for the day of the run.

    Returns
    -------
    Parsed
        ``datetime64[ns]`` dates (NaT where empty or rejected), and a reason per rejected cell.
    """
    latest = today or dt.date.today()
    return _parse_times(raw, lambda text: _parse_date(text, latest))


_AVAILABLE_FIX = (
    "write YYYY-MM-DD or YYYY-MM-DDTHH:MM in Seoul time (e.g. 2024-03-14 or 2024-03-14T13:00), "
    "or leave it empty when the shop is ready now"
)


def _instant(match: re.Match) -> dt.datetime | None:
    """The Seoul wall-clock time a matched date (and optional time and offset) names; None if none."""
    hour, minute, second = (int(match[k] or 0) for k in ("h", "mi", "s"))
    try:
        when = dt.datetime(*_year_month_day(match), hour, minute, second)
    except ValueError:
        return None
    if match["tz"]:
        offset = match["tz"].replace(":", "")
        zone = dt.UTC if offset == "Z" else dt.datetime.strptime(offset, "%z").tzinfo
        when = when.replace(tzinfo=zone).astimezone(SEOUL).replace(tzinfo=None)
    return when


def _parse_available(text: str) -> tuple[object, str | None]:
    if text == "":
        return np.datetime64("NaT", "ns"), None
    match = _DATE.fullmatch(text)
    when = _instant(match) if match else None
    if when is None:
        return None, f"available_from {text!r} is not a date or time; {_AVAILABLE_FIX}"
    if not AVAILABLE_YEARS[0] <= when.year <= AVAILABLE_YEARS[1]:
        return None, f"available_from {text!r} is in the year {when.year}; check the year"
    return np.datetime64(when, "ns"), None


def parse_available_from(raw: pd.Series) -> Parsed:
    """Parse when each shop is ready for its visit: a date (its midnight) or a date and time.

    Dates take the forms ``parse_qr_issued`` reads; a time ``HH:MM`` or ``HH:MM:SS`` may follow
    after ``T`` or a blank. Times are Seoul's unless an offset (``Z``, ``+09:00``) says otherwise;
    with one, they are converted to Seoul time. An empty cell means ready now (NaT).

    Parameters
    ----------
    raw
        The column's cells as stripped text.

    Returns
    -------
    Parsed
        ``datetime64[ns]`` Seoul wall-clock times (NaT where empty or rejected), and a reason per
        cell that is not a date or time, or names a year outside ``AVAILABLE_YEARS``.
    """
    return _parse_times(raw, _parse_available)


def available_from_text(values: pd.Series) -> pd.Series:
    """Write ``available_from`` values as files show them: a date alone at midnight, else date and time.

    Parameters
    ----------
    values
        ``datetime64`` values; NaT for shops ready now.

    Returns
    -------
    pandas.Series
        ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM[:SS]`` text, ``""`` for NaT; same index.
    """
    when = pd.to_datetime(values, format="ISO8601")
    text = when.dt.strftime("%Y-%m-%dT%H:%M:%S").str.removesuffix(":00").str.removesuffix("T00:00")
    return text.fillna("").astype(str)


def parse_payment_errors(raw: pd.Series) -> Parsed:
    """Parse counts of payment errors: whole numbers >= 0 ("3" or "3.0"); empty means 0.

    Parameters
    ----------
    raw
        The column's cells as stripped text.

    Returns
    -------
    Parsed
        ``int64`` counts (0 where rejected), and a reason per cell that is not a whole number >= 0.
    """
    number = pd.to_numeric(raw.where(raw != "", "0"), errors="coerce")
    reasons = pd.Series(
        np.select(
            [
                number.isna() | ~np.isfinite(number),
                number < 0,
                (number != np.floor(number)) | (number > 2**53),
            ],
            [
                "payment_errors is not a number; write a whole number of errors (0 if none)",
                "payment_errors is negative; write a whole number of errors (0 if none)",
                "payment_errors is not a whole number; write a whole number of errors (0 if none)",
            ],
            default=None,
        ),
        index=raw.index,
        dtype=object,
    )
    return Parsed(number.where(reasons.isna(), 0).astype("int64"), reasons)


def parse_active(raw: pd.Series) -> Parsed:
    """Parse true/false, yes/no, 1/0 (any case); empty means True (the shop is still a merchant).

    Parameters
    ----------
    raw
        The column's cells as stripped text.

    Returns
    -------
    Parsed
        Booleans (False where rejected), and a reason per cell that is not a yes or a no.
    """

    def parse_one(text: str) -> tuple[object, str | None]:
        if text == "":
            return DEFAULT_ACTIVE, None
        value = ACTIVE_WORDS.get(_word(text))
        if value is None:
            return None, f"active {text!r} is not true or false; write true or false (or yes/no, 1/0)"
        return value, None

    parsed = _parse_unique(raw, parse_one)
    return Parsed(parsed.values.where(parsed.reasons.isna(), False).astype(bool), parsed.reasons)


def parse_merchant_ids(raw: pd.Series) -> Parsed:
    """Require a printable merchant_id on every row; a repeated id keeps its first row, rejects the others.

    Parameters
    ----------
    raw
        The column's cells as stripped text; the index holds the file's row numbers.

    Returns
    -------
    Parsed
        The ids unchanged, and a reason per empty id, id with a control character, or repeat.
    """
    reasons = pd.Series(None, index=raw.index, dtype=object)
    reasons[raw == ""] = "merchant_id is empty; give every shop a unique id"
    unprintable = raw[raw.str.contains(UNPRINTABLE_ID)]
    reasons[unprintable.index] = [unprintable_id_reason("merchant_id", text) for text in unprintable]
    repeated = raw.duplicated(keep="first") & (raw != "")
    if repeated.any():
        first_rows = dict(zip(raw[~raw.duplicated()], raw.index[~raw.duplicated()], strict=True))
        reasons[repeated] = [
            f"duplicate merchant_id {value!r}: row {first_rows[value]} already has it and is kept; "
            "give this shop its own id or delete the repeated row"
            for value in raw[repeated]
        ]
    return Parsed(raw, reasons)


def unprintable_id_reason(column: str, text: str) -> str | None:
    """Why an id cannot be used: the first control or invisible character it holds, or None.

    Parameters
    ----------
    column
        The id's column, for the reason.
    text
        The id as written.

    Returns
    -------
    str or None
        A reason naming the character and the fix, or None when every character shows.
    """
    found = UNPRINTABLE_ID.search(text)
    if found is None:
        return None
    char = found.group()
    if CONTROL_CHARACTERS.fullmatch(char):
        return f"{column} holds the control character {char!r}; ids are printable text: delete it"
    return (
        f"{column} holds the invisible character U+{ord(char):04X}, so it is not the id it looks like "
        f"({UNPRINTABLE_ID.sub('', text)!r}); delete it"
    )


def parse_free_text(raw: pd.Series, column: str) -> Parsed:
    """Keep free text (name, address) as written, but reject a cell holding a NUL character.

    Parameters
    ----------
    raw
        The column's cells as stripped text.
    column
        The column's name, for the reason.

    Returns
    -------
    Parsed
        The text unchanged, and a reason per cell holding a NUL character.
    """
    reasons = pd.Series(None, index=raw.index, dtype=object)
    reasons[raw.str.contains("\x00", regex=False)] = (
        f"{column} holds a NUL character, a sign of a binary or UTF-16 file; delete it or save the file as UTF-8"
    )
    return Parsed(raw, reasons)


def _coordinate(raw: pd.Series, column: str, example: str) -> Parsed:
    number = pd.to_numeric(raw, errors="coerce")
    bad = number.isna() | ~np.isfinite(number)
    reasons = pd.Series(None, index=raw.index, dtype=object)
    reasons[bad & (raw == "")] = f"{column} is empty; give it in WGS84 decimal degrees, e.g. {example}"
    reasons[bad & (raw != "")] = f"{column} is not a number; write WGS84 decimal degrees, e.g. {example}"
    return Parsed(number, reasons)


def parse_coordinates(lat_raw: pd.Series, lon_raw: pd.Series) -> tuple[Parsed, Parsed, pd.Series]:
    """Parse lat/lon and check that each point lies in ``SEOUL_BOUNDS``.

    Parameters
    ----------
    lat_raw, lon_raw
        The latitude and longitude cells as stripped text.

    Returns
    -------
    tuple
        Parsed lat, parsed lon (number problems only) and one reason per row for points outside
        Seoul, which says when swapping lat and lon or converting from metres would fix the point.
    """
    lat, lon = _coordinate(lat_raw, "lat", "37.5665"), _coordinate(lon_raw, "lon", "126.9780")
    b = SEOUL_BOUNDS

    def inside(y: pd.Series, x: pd.Series) -> pd.Series:
        return y.between(b["lat_min"], b["lat_max"]) & x.between(b["lon_min"], b["lon_max"])

    numeric = lat.reasons.isna() & lon.reasons.isna()
    outside = numeric & ~inside(lat.values, lon.values)
    box = f"lat {b['lat_min']}-{b['lat_max']}, lon {b['lon_min']}-{b['lon_max']}"
    reasons = np.select(
        [
            outside & inside(lon.values, lat.values),
            outside & ((lat.values.abs() > 180) | (lon.values.abs() > 180)),
            outside,
        ],
        [
            "point is outside Seoul; lat and lon look swapped: swap the two values",
            "point is outside Seoul; the numbers look like projected metres: convert to WGS84 degrees",
            f"point is outside Seoul ({box}); check the coordinates",
        ],
        default=None,
    )
    return lat, lon, pd.Series(reasons, index=lat_raw.index, dtype=object)
