"""Check a merchants table row by row and turn its text into planner's typed columns."""

from __future__ import annotations

from collections.abc import Hashable
from typing import NamedTuple

import pandas as pd

from planner.errors import InputError
from planner.io.columns import (
    parse_active,
    parse_available_from,
    parse_category,
    parse_coordinates,
    parse_district,
    parse_free_text,
    parse_merchant_ids,
    parse_opening_hours,
    parse_payment_errors,
    parse_qr_issued,
    parse_qr_status,
)
from planner.io.register import (
    REGISTER_REQUIRED,
    REGISTER_SOURCES,
    is_register_layout,
    parse_register,
    source_column_names,
)
from planner.io.spreadsheet import QUOTE, unquote_cell
from planner.schema import MERCHANT_COLUMNS, REJECT_COLUMNS, REQUIRED_COLUMNS

# Other names of planner's columns, as coordinators write them (Korean ones in particular).
COLUMN_ALIASES: dict[str, str] = dict.fromkeys(
    ["ready_from", "설치가능일", "준비일", "가용일"], "available_from"
)


class Validated(NamedTuple):
    """The outcome of validating one merchants table."""

    merchants: pd.DataFrame
    rejects: pd.DataFrame
    layout: str  # "canonical" or "register"


def normalize_columns(raw: pd.DataFrame, *, source: str = "input") -> pd.DataFrame:
    """Strip blanks and byte-order marks from column names and lower-case Latin ones.

    Parameters
    ----------
    raw
        The file's cells with the header's column names.
    source
        The file's name, for messages.

    Returns
    -------
    pandas.DataFrame
        The same cells under the cleaned names.

    Raises
    ------
    InputError
        If two columns end up with the same name.
    """
    names = [str(name).replace("\ufeff", "").strip() for name in raw.columns]
    names = [name.lower() if name.isascii() else name for name in names]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise InputError(f"{source}: column {repeated[0]!r} appears twice; rename or delete the copy")
    return raw.set_axis(names, axis=1)


def _renamed_aliases(frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Give columns named by a ``COLUMN_ALIASES`` alias their planner name; refuse a column given twice.

    Returns the renamed frame and, for the reject file, each renamed column's name in the file.
    """
    renames = {name: COLUMN_ALIASES[name] for name in frame.columns if name in COLUMN_ALIASES}
    names = [renames.get(name, name) for name in frame.columns]
    for alias, column in renames.items():
        if names.count(column) > 1:
            raise InputError(
                f"{source}: columns {column!r} and {alias!r} both give {column}; keep one of them"
            )
    return frame.rename(columns=renames), {column: alias for alias, column in renames.items()}


def clean_text(column: pd.Series) -> pd.Series:
    """Return the cells as stripped text, missing cells as "".

    Parameters
    ----------
    column
        One column of a file's cells.

    Returns
    -------
    pandas.Series
        The stripped text, same index.
    """
    return column.fillna("").astype(str).str.strip()


def _unquoted(column: pd.Series) -> pd.Series:
    """The cells with the ``'`` that planner's CSV writers put before formula-like text taken off."""
    quoted = column.str.startswith(QUOTE)
    if not quoted.any():
        return column
    column = column.copy()
    column[quoted] = column[quoted].map(unquote_cell)
    return column


def detect_layout(columns: list[str] | pd.Index) -> str:
    """Return ``"register"`` for the Korean shop register's columns, else ``"canonical"``.

    Parameters
    ----------
    columns
        The file's column names.

    Returns
    -------
    str
        ``"register"`` or ``"canonical"``.
    """
    return "register" if is_register_layout(columns) else "canonical"


SHOWN_COLUMNS = 40  # column names a message lists, each cut to as many characters


def shown_columns(names: list) -> str:
    """Column names for a one-line message: the first ``SHOWN_COLUMNS``, each cut to that length.

    A file read in the wrong encoding has one "column" holding the whole file; the message
    about it must stay short.

    Parameters
    ----------
    names
        The file's column names.

    Returns
    -------
    str
        For example ``id, name, lat``; ``none`` when there are none.
    """
    cut = [n if len(n) <= SHOWN_COLUMNS else n[: SHOWN_COLUMNS - 1] + "…" for n in map(str, names)]
    more = ", ..." if len(cut) > SHOWN_COLUMNS else ""
    return ", ".join(cut[:SHOWN_COLUMNS]) + more if cut else "none"


def _require_columns(frame: pd.DataFrame, layout: str, source: str) -> None:
    found = list(frame.columns)
    shown = shown_columns(found)
    if layout == "register":
        for column in REGISTER_REQUIRED:
            names = REGISTER_SOURCES[column]
            if column not in found and not any(name in found for name in names):
                raise InputError(
                    f"{source}: looks like the shop register but has no {names[0]} column ({column}); "
                    f"columns found: {shown}. Add the column, or export the register with it"
                )
        return
    for column in REQUIRED_COLUMNS:
        if column not in found:
            raise InputError(
                f"{source}: no {column!r} column; columns found: {shown}. Rename the column holding "
                f"it to {column!r} (needed: {', '.join(REQUIRED_COLUMNS)}), or give the shop register "
                "as published (상가업소번호, 경도, 위도)"
            )


def _rejects(frame: pd.DataFrame, problems: list[tuple[str, pd.Series, pd.Series]]) -> pd.DataFrame:
    parts = []
    for column, raw, reasons in problems:
        bad = reasons.notna().to_numpy()
        if bad.any():
            parts.append(
                pd.DataFrame(
                    {
                        "row": raw.index[bad],
                        "column": column,
                        "value": raw[bad].to_numpy(),
                        "reason": reasons[bad].to_numpy(),
                    }
                )
            )
    rejects = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["row", "column"])
    rejects = rejects.sort_values("row", kind="stable", ignore_index=True)
    rejects["merchant_id"] = frame["merchant_id"].reindex(rejects["row"]).to_numpy()
    return empty_rejects() if rejects.empty else rejects[list(REJECT_COLUMNS)].astype(_REJECT_DTYPES)


_REJECT_DTYPES = {"row": "int64", "merchant_id": str, "column": str, "value": str, "reason": str}


def empty_rejects() -> pd.DataFrame:
    """Return a rejects frame with no rows and the columns of ``REJECT_COLUMNS``.

    Returns
    -------
    pandas.DataFrame
        Typed columns (``row`` is ``int64``), so that it concatenates with other rejects.
    """
    return pd.DataFrame({c: pd.Series(dtype=_REJECT_DTYPES[c]) for c in REJECT_COLUMNS})


def _typed_merchants(frame: pd.DataFrame) -> tuple[dict[str, pd.Series], list]:
    """Parse every column of a canonical text frame; return the typed columns and the problems."""
    category = parse_category(frame["category"])
    district = parse_district(frame["district"])
    lat, lon, outside = parse_coordinates(frame["lat"], frame["lon"])
    hours = parse_opening_hours(frame["opening_hours"], category.values)
    issued = parse_qr_issued(frame["qr_issued"])
    status = parse_qr_status(frame["qr_status"])
    errors = parse_payment_errors(frame["payment_errors"])
    active = parse_active(frame["active"])
    available = parse_available_from(frame["available_from"])
    ids = parse_merchant_ids(frame["merchant_id"])
    name, address = parse_free_text(frame["name"], "name"), parse_free_text(frame["address"], "address")
    point = frame["lat"] + "," + frame["lon"]
    problems = [
        ("merchant_id", frame["merchant_id"], ids.reasons),
        ("name", frame["name"], name.reasons),
        ("address", frame["address"], address.reasons),
        ("district", frame["district"], district.reasons),
        ("category", frame["category"], category.reasons),
        ("lat", frame["lat"], lat.reasons),
        ("lon", frame["lon"], lon.reasons),
        ("lat,lon", point, outside),
        ("opening_hours", frame["opening_hours"], hours.reasons),
        ("qr_issued", frame["qr_issued"], issued.reasons),
        ("qr_status", frame["qr_status"], status.reasons),
        ("payment_errors", frame["payment_errors"], errors.reasons),
        ("active", frame["active"], active.reasons),
        ("available_from", frame["available_from"], available.reasons),
    ]
    typed = {
        "merchant_id": frame["merchant_id"],
        "name": frame["name"],
        "district": district.values,
        "category": category.values,
        "address": frame["address"],
        "lat": lat.values,
        "lon": lon.values,
        "opening_hours": hours.values,
        "qr_issued": issued.values,
        "qr_status": status.values,
        "payment_errors": errors.values,
        "active": active.values,
        "available_from": available.values,
    }
    return typed, problems


_MERCHANT_DTYPES: dict[str, Hashable] = {
    **{c: str for c in MERCHANT_COLUMNS},
    "lat": "float64",
    "lon": "float64",
    "qr_issued": "datetime64[ns]",
    "payment_errors": "int64",
    "active": "bool",
    "available_from": "datetime64[ns]",
}


def validate_merchants(raw: pd.DataFrame, *, source: str = "input") -> Validated:
    """Validate a merchants table of text cells and return typed merchants and rejected rows.

    Both layouts are accepted: planner's own (``MERCHANT_COLUMNS``; optional columns may be
    missing) and the Korean shop register as published. Empty cells and missing optional columns
    take defaults (``planner.io.columns``): name, district and address ``""``, category
    ``"retail"``, opening_hours the category's ``DEFAULT_OPENING_HOURS``, qr_issued NaT,
    qr_status ``"ok"``, payment_errors 0, active True, available_from NaT (ready now). Columns
    named by a ``COLUMN_ALIASES`` alias (``설치가능일`` for ``available_from``) are read as that column.
    No valid row is dropped: each invalid row
    is left out of ``merchants`` and has one line per problem in ``rejects``; of rows sharing a
    merchant_id the first in the file is kept, whether or not it is valid.

    Parameters
    ----------
    raw
        One column per file column, cells as text; the index holds the row numbers that rejects
        report (line numbers for CSV files).
    source
        Name of the input, used in error messages.

    Returns
    -------
    Validated
        ``merchants`` with exactly ``MERCHANT_COLUMNS`` and a fresh 0-based index, ``rejects``
        with ``REJECT_COLUMNS`` (column names as in the input file), and the detected layout.

    Raises
    ------
    InputError
        If a required column is missing; the message names it and lists the columns found.
    """
    if not raw.index.is_unique:
        raise ValueError("validate_merchants needs one row number per row: the index has repeats")
    frame, labels = _renamed_aliases(normalize_columns(raw, source=source), source)
    layout = detect_layout(frame.columns)
    _require_columns(frame, layout, source)
    if layout == "register":
        labels |= source_column_names(frame)
        frame = parse_register(frame)
    # Only the columns planner uses are cleaned: register files carry 39 columns.
    frame = pd.DataFrame(
        {c: _unquoted(clean_text(frame[c])) if c in frame.columns else "" for c in MERCHANT_COLUMNS},
        index=frame.index,
    )
    typed, problems = _typed_merchants(frame)
    rejects = _rejects(frame, problems)
    rejects["column"] = [",".join(labels.get(c, c) for c in name.split(",")) for name in rejects["column"]]
    keep = ~frame.index.isin(rejects["row"])
    merchants = pd.DataFrame({c: typed[c][keep] for c in MERCHANT_COLUMNS}).astype(_MERCHANT_DTYPES)
    return Validated(merchants.reset_index(drop=True), rejects, layout)
