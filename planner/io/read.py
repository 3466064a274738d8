"""Open merchant files (CSV, GeoJSON, GeoPackage) and write the rows they reject."""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from planner.errors import InputError
from planner.io.boundaries import Boundaries, read_boundaries, settle_districts
from planner.io.columns import CONTROL_CHARACTERS
from planner.io.spreadsheet import write_spreadsheet_csv
from planner.io.text import decode_text, parse_csv_text
from planner.io.validate import empty_rejects, validate_merchants
from planner.schema import REJECT_COLUMNS, WGS84

CSV_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz")
GEO_SUFFIXES: tuple[str, ...] = (".geojson", ".json", ".gpkg")
_COORDINATE_COLUMNS = frozenset({"lat", "lon", "위도", "경도"})
_ID_COLUMNS = ("merchant_id", "상가업소번호")
# Seoul's whole shop register is a few hundred MB as CSV; a gzip file that inflates past this is
# a mistake or a decompression bomb (each byte costs about nine in memory while it is read).
MAX_GUNZIPPED_BYTES = 1 << 29
_GEO_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.FeatureError,
)


@dataclass(frozen=True)
class ReadResult:
    """Merchants read from one file, the rows it rejected and where they came from."""

    merchants: pd.DataFrame  # exactly planner.schema.MERCHANT_COLUMNS
    rejects: pd.DataFrame  # planner.schema.REJECT_COLUMNS, one line per problem
    source: Path
    layout: str = "canonical"  # or "register": the Korean shop register
    encoding: str | None = None  # text encoding used, for CSV files
    warnings: pd.DataFrame | None = None  # REJECT_COLUMNS: rows kept whose district label lost

    @property
    def rejected_rows(self) -> int:
        """Rows rejected: ``rejects`` has one line per problem, and a row may have several."""
        return int(self.rejects["row"].nunique())

    def summary(self) -> str:
        """One line for the coordinator: how many shops were read and how many rows rejected.

        Returns
        -------
        str
            ``<file>: <n> merchants read, <m> rows rejected (<layout> layout)``.
        """
        return (
            f"{self.source.name}: {len(self.merchants)} merchants read, {self.rejected_rows} rows rejected "
            f"({self.layout} layout)"
        )


class RawTable(NamedTuple):
    """A file's cells as text, before validation."""

    cells: pd.DataFrame  # one text column per file column; the index holds row numbers
    rejects: pd.DataFrame  # rows that could not even be split into cells
    encoding: str | None


def read_merchants(
    path: str | Path, *, encoding: str | None = None, boundaries: str | Path | Boundaries | None = None
) -> ReadResult:
    """Read and validate a merchants file.

    The format follows the extension: ``.csv`` / ``.csv.gz``, ``.geojson`` / ``.json``, ``.gpkg``.
    In GeoJSON and GeoPackage files without lat/lon columns, point geometries give the
    coordinates, reprojected to WGS84 when needed. Both planner's own columns and the Korean
    shop register (상가(상권)정보) are understood, detected from the header; see
    ``planner.io.validate.validate_merchants`` for the checks and defaults.

    Parameters
    ----------
    path
        The file to read.
    encoding
        Text encoding of a CSV file. By default UTF-8 (with or without BOM), else CP949, else
        each row in whichever of the two reads it; rows that no encoding reads are rejected.
    boundaries
        District polygons (a file or ``read_boundaries``' result) placing each shop by its
        location; see ``planner.io.boundaries.settle_districts`` for how labels and blanks are settled.

    Returns
    -------
    ReadResult
        Valid merchants and rejected rows. A reject's ``row`` is, for CSV files, the line number
        in the file where the row starts (the header is line 1); for GeoJSON and GeoPackage it is
        the 1-based feature number.

    Raises
    ------
    InputError
        If the file is missing, empty, of an unknown type, unreadable, or lacks a required column,
        or the boundaries cannot be used, or the header line cannot be decoded.
    """
    path = Path(path)
    if boundaries is not None and not isinstance(boundaries, Boundaries):
        boundaries = read_boundaries(boundaries)
    table = read_table(path, encoding=encoding)
    validated = validate_merchants(table.cells, source=str(path))
    # validate_merchants keeps, in file order, exactly the rows it does not reject
    rows = table.cells.index[~table.cells.index.isin(validated.rejects["row"])]
    settled = settle_districts(validated.merchants, rows, boundaries, layout=validated.layout)
    rejects = validated.rejects
    parts = [part for part in (table.rejects, rejects, settled.rejects) if not part.empty]
    if len(parts) > 1:
        rejects = pd.concat(parts, ignore_index=True).sort_values("row", kind="stable", ignore_index=True)
    elif parts:
        rejects = parts[0]
    return ReadResult(settled.merchants, rejects, path, validated.layout, table.encoding, settled.warnings)


def _gunzip(data: bytes, path: Path) -> bytes:
    """The bytes a gzip file holds, refused past ``MAX_GUNZIPPED_BYTES`` before they are all inflated."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as inflating:
            inflated = inflating.read(MAX_GUNZIPPED_BYTES + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(f"{path}: not a readable gzip file ({error})") from error
    if len(inflated) > MAX_GUNZIPPED_BYTES:
        raise InputError(
            f"{path}: inflates to more than {MAX_GUNZIPPED_BYTES >> 20:,} MB; "
            "split the merchants file by district, or check it is the file you meant"
        )
    return inflated


def read_table(path: Path, *, encoding: str | None = None) -> RawTable:
    """Read a merchants file into text cells, choosing the reader by extension.

    Parameters
    ----------
    path
        A ``.csv``, ``.csv.gz``, ``.geojson``, ``.json`` or ``.gpkg`` file.
    encoding
        The text encoding of a CSV file; None to detect it (see ``planner.io.text.decode_text``).

    Returns
    -------
    RawTable
        The cells as text indexed by row number, the rows that could not be split into cells,
        and the encoding used.

    Raises
    ------
    InputError
        If the file is missing, empty, of an unknown type or cannot be read.
    """
    name = path.name.lower()
    if not name.endswith(CSV_SUFFIXES + GEO_SUFFIXES):
        raise InputError(f"{path}: unknown file type; give a .csv, .csv.gz, .geojson, .json or .gpkg file")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty; expected a header and one row per shop")
    if name.endswith(GEO_SUFFIXES):
        return _read_geo(path)
    data = path.read_bytes()
    if name.endswith(".gz"):
        data = _gunzip(data, path)
    if data.startswith(b"PK\x03\x04"):
        raise InputError(f"{path}: looks like an Excel workbook; save it as CSV (UTF-8) first")
    decoded = decode_text(data, source=str(path), encoding=encoding)
    if not decoded.text.strip():
        raise InputError(f"{path}: the file is empty; expected a header and one row per shop")
    cells, rejects = parse_csv_text(
        decoded.text, source=str(path), encoding=decoded.encoding, fallback=decoded.fallback
    )
    used = (
        decoded.encoding if decoded.fallback is None else f"{decoded.encoding} or {decoded.fallback} by row"
    )
    return RawTable(cells, rejects, used)


def _pick_layer(path: Path) -> str | None:
    layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    if len(layers) <= 1:
        return None
    if "merchants" in layers:
        return "merchants"
    raise InputError(f"{path}: has layers {', '.join(layers)}; name the merchants layer 'merchants'")


def _read_geo(path: Path) -> RawTable:
    try:
        frame = pyogrio.read_dataframe(path, layer=_pick_layer(path))
    except _GEO_ERRORS as error:
        raise InputError(f"{path}: cannot read it as GeoJSON or GeoPackage ({error})") from error
    geometry = frame.geometry if "geometry" in frame.columns else None
    cells = _as_text(pd.DataFrame(frame.drop(columns="geometry", errors="ignore")))
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    rejects = empty_rejects()
    names = {str(name).strip().lower() for name in cells.columns}
    if geometry is not None and not names & _COORDINATE_COLUMNS:
        if geometry.crs is not None and geometry.crs.to_epsg() != 4326:
            geometry = geometry.to_crs(WGS84)
        cells, rejects = _add_points(cells, geometry.to_numpy())
    return RawTable(cells, rejects, None)


def _add_points(cells: pd.DataFrame, geometry: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add text lat/lon from point geometries; features without one point go to the rejects."""
    kinds = shapely.get_type_id(geometry)
    usable = (kinds == shapely.GeometryType.POINT) & ~shapely.is_empty(geometry)
    points = np.where(usable, geometry, None)
    cells = cells.assign(lat=shapely.get_y(points).astype(str), lon=shapely.get_x(points).astype(str))
    ids = next((cells[c] for c in cells.columns if str(c).strip().lower() in _ID_COLUMNS), None)
    kinds_shown = [shapely.GeometryType(kind).name if kind >= 0 else "" for kind in kinds[~usable]]
    rejects = pd.DataFrame(
        {
            "row": cells.index[~usable],
            "merchant_id": ids[~usable].to_numpy() if ids is not None else "",
            "column": "geometry",
            "value": kinds_shown,
            "reason": "feature is not one point; give each shop one point (its entrance)",
        },
        columns=list(REJECT_COLUMNS),
    )
    return cells[usable], rejects.astype(empty_rejects().dtypes.to_dict())


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn typed attribute columns into the text cells validation expects; missing becomes ""."""
    columns = {}
    for name, column in frame.items():
        if pd.api.types.is_float_dtype(column):
            values = column.dropna()
            if values.abs().lt(2**53).all() and values.eq(values.round()).all():
                column = column.astype("Int64")  # ids and counts stored as floats: "123", not "123.0"
        columns[name] = column.astype(str).where(column.notna(), "")
    return pd.DataFrame(columns, index=frame.index)


def reject_path_for(source: str | Path, out_dir: str | Path) -> Path:
    """Where the rejects of ``source`` go: ``out_dir / "<name>.rejects.csv"``.

    Parameters
    ----------
    source
        The merchants file; its known suffix (``.csv``, ``.csv.gz``, ``.gpkg``, ...) is dropped.
    out_dir
        The output folder.

    Returns
    -------
    pathlib.Path
        The reject file's path; nothing is created.
    """
    name = Path(source).name
    for suffix in sorted(CSV_SUFFIXES + GEO_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
            break
    return Path(out_dir) / f"{name}.rejects.csv"


def write_rejects(rejects: pd.DataFrame, path: str | Path, id_column: str = "merchant_id") -> Path:
    """Write rejects as CSV, UTF-8 with a byte-order mark so that Excel shows Korean text.

    The cells copied from the merchants file are made safe to open: control characters are
    written as ``\\xNN`` and a cell that a spreadsheet would run as a formula gets a leading ``'``
    (``planner.io.spreadsheet``).

    Parameters
    ----------
    rejects
        Rows of ``planner.schema.REJECT_COLUMNS``, one per problem.
    path
        The file to write.
    id_column
        The header of the rows' ids: ``staff_id`` for a roster's rejects.

    Returns
    -------
    pathlib.Path
        The file written; its folder is created if needed.
    """
    table = rejects.loc[:, list(REJECT_COLUMNS)].copy()
    for column in ("merchant_id", "column", "value"):
        table[column] = [visible_controls(str(text)) for text in table[column]]
    return write_spreadsheet_csv(table.rename(columns={"merchant_id": id_column}), path, bom=True)


def visible_controls(text: str) -> str:
    """``text`` with each control character written as ``\\xNN``, as the reject file shows it.

    Parameters
    ----------
    text
        A cell's text.

    Returns
    -------
    str
        The text, printable.
    """
    return CONTROL_CHARACTERS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
