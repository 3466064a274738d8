"""Map the Korean public shop register's columns and business classes onto planner's layout."""

from __future__ import annotations

import re

import pandas as pd

# The register (소상공인시장진흥공단 상가(상권)정보) names a column of planner's layout; the first
# name found in the file wins. Newer files drop the 상권업종 prefix in some exports.
REGISTER_SOURCES: dict[str, tuple[str, ...]] = {
    "merchant_id": ("상가업소번호",),
    "name": ("상호명",),
    "branch": ("지점명",),
    "district": ("시군구명",),
    "major": ("상권업종대분류명", "대분류명"),
    "middle": ("상권업종중분류명", "중분류명"),
    "minor": ("상권업종소분류명", "소분류명"),
    "address": ("도로명주소",),
    "lot_address": ("지번주소",),
    "lon": ("경도",),
    "lat": ("위도",),
}
# Columns whose presence marks a file as the register layout.
REGISTER_SIGNATURE: frozenset[str] = frozenset(
    {"상가업소번호", "상호명", "시군구명", "경도", "위도", "도로명주소"}
)
REGISTER_REQUIRED: tuple[str, ...] = ("merchant_id", "lon", "lat")

# Keywords looked for in the middle and minor class names, before the major class decides.
# Order matters: a 편의점 is a 소매 shop, but planner treats it as its own category.
CLASS_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("편의점", "convenience"),
    ("커피", "cafe"),
    ("카페", "cafe"),
    ("비알코올", "cafe"),
    ("다방", "cafe"),
    ("미용", "beauty"),
    ("이발", "beauty"),
    ("뷰티", "beauty"),
    ("네일", "beauty"),
    ("피부", "beauty"),
    ("병원", "health"),
    ("의원", "health"),
    ("의료", "health"),
    ("의약", "health"),
    ("약국", "health"),
    ("학원", "education"),
    ("교육", "education"),
    ("노점", "market_stall"),
)
# Major classes of the register, old files (to 2022) and new ones (2023 on), separators removed.
MAJOR_CLASSES: dict[str, str] = {
    "음식": "restaurant",
    "소매": "retail",
    "생활서비스": "service",
    "수리개인": "service",
    "학문교육": "education",
    "교육": "education",
    "보건의료": "health",
    "관광여가오락": "service",
    "예술스포츠": "service",
    "스포츠": "service",
    "숙박": "lodging",
    "과학기술": "service",
    "시설관리임대": "service",
    "부동산": "service",
}
_SEPARATORS = re.compile(r"[\s/·ㆍ・.,-]+")


def is_register_layout(columns: list[str] | pd.Index) -> bool:
    """Tell whether column names look like the Korean shop register.

    Parameters
    ----------
    columns
        Column names of the file, stripped of blanks.

    Returns
    -------
    bool
        True when the id column 상가업소번호 or at least two other register columns are present.
    """
    found = REGISTER_SIGNATURE.intersection(columns)
    return "상가업소번호" in found or len(found) >= 2


def register_category(major: str, middle: str = "", minor: str = "") -> str | None:
    """Map the register's business classes (대/중/소분류명) to one of planner's categories.

    Parameters
    ----------
    major, middle, minor
        The class names of one shop, e.g. ``"음식"``, ``"커피점/카페"``, ``""``.

    Returns
    -------
    str or None
        A value of ``planner.schema.CATEGORIES``, or None when no rule matches.
    """
    detail = f"{middle} {minor}"
    for keyword, category in CLASS_KEYWORDS:
        if keyword in detail:
            return category
    return MAJOR_CLASSES.get(_SEPARATORS.sub("", major))


def _first_present(raw: pd.DataFrame, key: str) -> pd.Series | None:
    for name in REGISTER_SOURCES[key]:
        if name in raw.columns:
            return raw[name].fillna("").astype(str).str.strip()
    return None


def source_column_names(raw: pd.DataFrame) -> dict[str, str]:
    """Return, for each planner column filled from the register, the register column it came from.

    Parameters
    ----------
    raw
        The register's cells, with its Korean column names.

    Returns
    -------
    dict of str to str
        Planner column (``merchant_id``, ``name``, ``category``, ...) to register column name, for
        the columns present; used to name the register's column in rejects.
    """
    names = {}
    for key, candidates in REGISTER_SOURCES.items():
        found = next((name for name in candidates if name in raw.columns), None)
        if found is not None:
            names[key] = found
    if "major" in names:
        names["category"] = names["major"]
    return names


def _categories(raw: pd.DataFrame) -> pd.Series | None:
    major = _first_present(raw, "major")
    if major is None:
        return None
    empty = pd.Series("", index=raw.index, dtype=str)
    middle = _first_present(raw, "middle")
    minor = _first_present(raw, "minor")
    middle = empty if middle is None else middle
    minor = empty if minor is None else minor
    keys = major + "\t" + middle + "\t" + minor
    codes, uniques = pd.factorize(keys)
    mapped = []
    for key in uniques:
        major_name, middle_name, minor_name = key.split("\t")
        category = register_category(major_name, middle_name, minor_name)
        # An unmapped class is passed on as written, so validation rejects it and shows it.
        mapped.append(category if category is not None else "/".join(filter(None, key.split("\t"))))
    return pd.Series(pd.Index(mapped, dtype=str).take(codes), index=raw.index, dtype=str)


def parse_register(raw: pd.DataFrame) -> pd.DataFrame:
    """Turn a register frame (Korean columns, text values) into planner's column names.

    Only the columns the register has are produced; validation fills in the rest. Columns of
    planner's own layout that a user added to the register file (``qr_status``, ...) are kept.

    Parameters
    ----------
    raw
        The register as read, one text column per register column; the index holds row numbers.

    Returns
    -------
    pandas.DataFrame
        Text columns named as in ``planner.schema.MERCHANT_COLUMNS``, same index.
    """
    out = pd.DataFrame(index=raw.index)
    for key in ("merchant_id", "district", "lat", "lon"):
        values = _first_present(raw, key)
        if values is not None:
            out[key] = values
    name = _first_present(raw, "name")
    if name is not None:
        branch = _first_present(raw, "branch")
        out["name"] = name if branch is None else (name + " " + branch).str.strip()
    address = _first_present(raw, "address")
    lot_address = _first_present(raw, "lot_address")
    if address is not None and lot_address is not None:
        address = address.where(address != "", lot_address)
    if address is not None or lot_address is not None:
        out["address"] = address if address is not None else lot_address
    category = _categories(raw)
    if category is not None:
        out["category"] = category
    for column in ("opening_hours", "qr_issued", "qr_status", "payment_errors", "active", "available_from"):
        if column in raw.columns and column not in out.columns:
            out[column] = raw[column]
    # Coordinates may come from a geometry when the file had no 경도/위도 columns.
    for column in ("lat", "lon"):
        if column not in out.columns and column in raw.columns:
            out[column] = raw[column]
    return out
