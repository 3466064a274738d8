"""Settle each shop's district: from boundary polygons around its location, else from its label."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from planner.errors import InputError
from planner.io.columns import parse_district
from planner.io.register import REGISTER_SOURCES
from planner.io.validate import empty_rejects, shown_columns
from planner.schema import REJECT_COLUMNS, WGS84

_GEO_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.FeatureError,
)
_POLYGONAL = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)
# Statistical codes of districts are 5 digits; dong codes start with their district's code.
_CODE_DIGITS = 5


@dataclass(frozen=True)
class Boundaries:
    """District polygons read from a file, each labelled with the district it lies in."""

    # Columns "district" (English name, as in data/districts.csv), "name" (the file's most detailed
    # name of the polygon, e.g. a dong's, for maps), geometry.
    polygons: gpd.GeoDataFrame
    source: Path
    column: str  # the file's column that names or codes the districts

    def describe(self) -> str:
        """One line for the coordinator: the file, its polygons and the column used.

        Returns
        -------
        str
            For example ``gu.gpkg: 25 polygons of 25 districts (from column SIG_KOR_NM)``.
        """
        count = self.polygons["district"].nunique()
        return f"{self.source.name}: {len(self.polygons)} polygons of {count} districts (from column {self.column})"


class Settled(NamedTuple):
    """Merchants with their districts settled, and the rows this rejected or warned about."""

    merchants: pd.DataFrame  # the merchants kept, districts filled in or corrected
    rejects: pd.DataFrame  # planner.schema.REJECT_COLUMNS: rows left out
    warnings: pd.DataFrame  # same columns: rows kept whose district label lost to their location


def read_boundaries(path: str | Path) -> Boundaries:
    """Read district or dong polygons from any file GeoPandas reads (GeoJSON, GeoPackage, shapefile...).

    The district of each polygon comes from the first column whose every value is a Seoul
    district: an English or Korean name (``Jongno-gu``, ``종로구``) or a statistical code
    (``11110``), or a longer code that starts with one (dong codes such as ``1111053000``).
    Name columns are tried before code columns. Polygons without a value are left out.

    Parameters
    ----------
    path
        The boundary file; polygons in any CRS (none given: WGS84 if the coordinates fit).

    Returns
    -------
    Boundaries
        The polygons, each with the English name of its district.

    Raises
    ------
    InputError
        If the file cannot be read, holds other geometries than polygons, has no usable CRS, or
        has no column naming districts (the message lists the columns found).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such boundaries file")
    try:
        frame = pyogrio.read_dataframe(path)
    except (*_GEO_ERRORS, OSError) as error:
        why = str(error).split(";")[0]  # GDAL's advice after ";" is about driver prefixes, not for users
        raise InputError(
            f"{path}: cannot read it as polygons (GeoJSON, GeoPackage, shapefile): {why}"
        ) from error
    if "geometry" not in frame.columns or frame.geometry.isna().all():
        raise InputError(f"{path}: holds no geometries; give district or dong polygons")
    return parse_boundaries(frame, source=path)


def parse_boundaries(frame: gpd.GeoDataFrame, *, source: str | Path = "boundaries") -> Boundaries:
    """Label the polygons of ``frame`` with their districts; see ``read_boundaries``.

    Parameters
    ----------
    frame
        Polygons or multipolygons with attribute columns, as read from a GIS file.
    source
        The file's name, for messages.

    Returns
    -------
    Boundaries
        The polygons with a ``district`` column of English names (unlabelled ones dropped), in the
        frame's CRS, or WGS84 when it had none.

    Raises
    ------
    InputError
        If a geometry is not a polygon, the CRS is missing and the coordinates are not degrees,
        or no column names or codes Seoul districts.
    """
    source = Path(source)
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    kinds = shapely.get_type_id(frame.geometry.to_numpy())
    other = sorted({shapely.GeometryType(k).name.lower() for k in kinds if k not in _POLYGONAL})
    if other or frame.empty:
        found = f"{' and '.join(other)} geometries" if other else "no geometry"
        raise InputError(f"{source}: holds {found}, not polygons; give district or dong polygons")
    attributes = pd.DataFrame(frame.drop(columns="geometry"))
    column, districts = district_column(attributes, source=source)
    geometry = frame.geometry
    if geometry.crs is None:
        west, south, east, north = geometry.total_bounds
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise InputError(
                f"{source}: has no CRS and its coordinates are not degrees; save it with its CRS"
            )
        geometry = geometry.set_crs(WGS84)
    geometry = geometry.make_valid()  # hand-drawn or simplified outlines may cross themselves
    polygons = gpd.GeoDataFrame(
        {"district": districts.to_numpy(), "name": _finest_names(attributes, districts).to_numpy()},
        geometry=geometry.to_numpy(),
        crs=geometry.crs,
    )
    return Boundaries(polygons[polygons["district"] != ""].reset_index(drop=True), source, column)


def district_column(attributes: pd.DataFrame, *, source: str | Path = "boundaries") -> tuple[str, pd.Series]:
    """Find the column naming or coding the polygons' districts and map it to English names.

    Columns of names are tried before columns of digits.

    Parameters
    ----------
    attributes
        The polygons' attribute columns, without the geometry.
    source
        The file's name, for messages.

    Returns
    -------
    tuple
        The column's name and, per polygon, the district's English name ("" where empty).

    Raises
    ------
    InputError
        If no column has only Seoul district names or codes; the message lists the columns.
    """
    texts = {name: _as_text(column) for name, column in attributes.items()}
    by_kind = sorted(texts, key=lambda name: texts[name].str.fullmatch(r"\d*").all())  # names first
    for name in by_kind:
        districts = _districts_of(texts[name])
        if districts is not None:
            return str(name), districts
    shown = shown_columns(list(attributes.columns))
    raise InputError(
        f"{source}: no column names the districts (columns found: {shown}); give polygons with a "
        "column of Seoul district names (Jongno-gu or 종로구) or codes (11110, or dong codes starting with it)"
    )


def _finest_names(attributes: pd.DataFrame, districts: pd.Series) -> pd.Series:
    """Each polygon's most detailed name: a dong's in a dong file, else its district's.

    The column of words (not codes) with the most distinct values wins, if it tells polygons apart
    better than the districts do.
    """
    best, count = districts, districts.nunique()
    for column in attributes.columns:
        text = _as_text(attributes[column])
        if text.str.fullmatch(r"[\d.\s-]*").all():
            continue  # codes and numbers say nothing to a reader
        if text.nunique() > count:
            best, count = text, text.nunique()
    return best.where(best != "", districts)


def _as_text(column: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(column):
        whole = column.dropna()
        if whole.eq(whole.round()).all():
            column = column.astype("Int64")  # codes stored as floats: "11110", not "11110.0"
    return column.astype(str).where(column.notna(), "").str.strip()


def _districts_of(text: pd.Series) -> pd.Series | None:
    """English district names for a column, or None unless every non-empty value is a district."""
    if not text.ne("").any():
        return None
    codes = text.str.fullmatch(rf"\d{{{_CODE_DIGITS},}}")
    keys = text.where(~codes, text.str[:_CODE_DIGITS])
    parsed = parse_district(keys.reset_index(drop=True))
    if parsed.reasons.notna().any():
        return None
    return pd.Series(parsed.values.to_numpy(), index=text.index, dtype=str)


def locate(lat: np.ndarray, lon: np.ndarray, boundaries: Boundaries) -> np.ndarray:
    """The district of each WGS84 point: the first polygon holding it (borders count), "" if none.

    Parameters
    ----------
    lat, lon
        The points' WGS84 coordinates, in degrees.
    boundaries
        District polygons, from ``read_boundaries``.

    Returns
    -------
    numpy.ndarray
        One English district name per point, ``""`` for a point outside every polygon.
    """
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=WGS84)
    if boundaries.polygons.crs is not None and not boundaries.polygons.crs.equals(points.crs):
        points = points.to_crs(boundaries.polygons.crs)
    joined = gpd.sjoin(points, boundaries.polygons, how="inner", predicate="intersects")
    joined = joined.reset_index(names="point").sort_values(["point", "index_right"], kind="stable")
    first = joined.drop_duplicates("point")
    districts = np.full(len(points), "", dtype=object)
    districts[first["point"].to_numpy()] = first["district"].to_numpy()
    return districts


def settle_districts(
    merchants: pd.DataFrame,
    rows: pd.Index | np.ndarray,
    boundaries: Boundaries | None = None,
    *,
    layout: str = "canonical",
) -> Settled:
    """Give every shop the district it is planned from, or reject it.

    With ``boundaries`` the location decides: a shop takes the district of the polygon holding
    it, whatever its label says; a label that disagrees is kept in ``warnings`` (the row, the
    label and the district found), as the label is more often stale or mistyped than a
    geocoded point. A shop outside every polygon is rejected: with no polygon, its office is
    unknown. Without boundaries the labels decide: a file naming one district gives it to the
    shops without one; a file naming several rejects them, as their office is unknown.

    Parameters
    ----------
    merchants
        Valid merchants (``planner.schema.MERCHANT_COLUMNS``).
    rows
        The file's row number of each merchant, for the rejects and warnings.
    boundaries
        District polygons (``read_boundaries``), or None to go by the labels.
    layout
        ``"register"`` names the register's columns (시군구명, 위도, 경도) in rejects and warnings.

    Returns
    -------
    Settled
        The merchants kept (fresh 0-based index), the rows rejected and the disagreements.

    Raises
    ------
    ValueError
        If ``rows`` does not hold one row number per merchant.
    """
    rows = np.asarray(rows, dtype="int64")
    if len(rows) != len(merchants):
        raise ValueError("settle_districts needs one row number per merchant")
    merchants = merchants.reset_index(drop=True)
    label = merchants["district"].fillna("").astype(str)
    if boundaries is not None:
        return _by_location(merchants, rows, label, boundaries, layout)
    named = sorted(set(label) - {""})
    if len(named) == 1:
        return Settled(merchants.assign(district=named[0]), empty_rejects(), empty_rejects())
    if not named:
        return Settled(merchants, empty_rejects(), empty_rejects())
    reject = label.eq("").to_numpy()
    reason = (
        f"the district is empty and the file holds {len(named)} districts, so the shop's office is "
        "unknown; fill in its district, or give --boundaries to place shops by their location"
    )
    rejects = _lines(rows, merchants, reject, _label("district", layout), label, reason)
    return Settled(merchants[~reject].reset_index(drop=True), rejects, empty_rejects())


def _by_location(merchants, rows, label: pd.Series, boundaries: Boundaries, layout: str) -> Settled:
    located = pd.Series(locate(merchants["lat"].to_numpy(), merchants["lon"].to_numpy(), boundaries))
    outside = located.eq("").to_numpy()
    point = merchants["lat"].astype(str) + "," + merchants["lon"].astype(str)
    reason = (
        f"the shop lies outside every polygon of {boundaries.source.name}; check its lat and lon, "
        "or give boundaries that cover it"
    )
    rejects = _lines(rows, merchants, outside, _label("lat,lon", layout), point, reason)
    warn = (label.ne("") & located.ne("") & label.ne(located)).to_numpy()
    reasons = pd.Series("", index=merchants.index)
    reasons[warn] = [
        f"labelled {was} but its location ({at}) lies in {now} ({boundaries.source.name}); the location "
        f"wins, so it is planned from {now}'s office. Fix the label, or the lat and lon if they are wrong"
        for was, at, now in zip(label[warn], point[warn], located[warn], strict=True)
    ]
    warnings = _lines(rows, merchants, warn, _label("district", layout), label, reasons)
    kept = merchants.assign(district=located)[~outside].reset_index(drop=True)
    return Settled(kept, rejects, warnings)


def _label(column: str, layout: str) -> str:
    if layout != "register":
        return column
    return ",".join(REGISTER_SOURCES[name][0] for name in column.split(","))


def _lines(rows, merchants, chosen, column: str, values, reasons) -> pd.DataFrame:
    """Reject-file lines for the ``chosen`` merchants."""
    if not chosen.any():
        return empty_rejects()
    values = pd.Series(values).astype(str).to_numpy()[chosen]
    reasons = pd.Series(reasons, index=merchants.index).astype(str).to_numpy()[chosen]
    lines = pd.DataFrame(
        {
            "row": rows[chosen],
            "merchant_id": merchants["merchant_id"].to_numpy()[chosen],
            "column": column,
            "value": values,
            "reason": reasons,
        },
        columns=list(REJECT_COLUMNS),
    )
    return lines.astype(empty_rejects().dtypes.to_dict())
