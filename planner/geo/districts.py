"""The 25 districts of Seoul: codes, names, district offices and sizes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from planner.errors import InputError

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DISTRICTS_CSV = DATA_DIR / "districts.csv"


@dataclass(frozen=True)
class District:
    """One district (gu) and its office, the staff's start and end point."""

    code: int
    name_ko: str
    name_en: str
    office_lat: float
    office_lon: float
    area_km2: float
    dong_count: int
    merchants_estimate: int

    @property
    def slug(self) -> str:
        """Lower-case file-name form of the English name, e.g. ``jongno-gu``."""
        return self.name_en.lower()


@cache
def load_districts() -> pd.DataFrame:
    """Return the districts table from ``data/districts.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per district with the fields of ``District``; read once, then cached.
    """
    return pd.read_csv(DISTRICTS_CSV)


def all_districts() -> list[District]:
    """Return every district, in statistical-code order.

    Returns
    -------
    list of District
        The 25 districts.
    """
    return [District(**row) for row in load_districts().to_dict("records")]


def find_district(name: str | int) -> District:
    """Find a district by English name, Korean name, slug or code.

    Parameters
    ----------
    name
        ``Jongno-gu``, ``jongno``, ``종로구`` or ``11110`` (any case, blanks ignored).

    Returns
    -------
    District
        The district.

    Raises
    ------
    InputError
        If no district matches; the message lists the valid names.
    """
    key = str(name).strip().lower()
    for district in all_districts():
        if key in {
            district.name_en.lower(),
            district.name_ko,
            str(district.code),
            district.name_en.lower().removesuffix("-gu"),
        }:
            return district
    names = ", ".join(d.name_en for d in all_districts())
    raise InputError(f"unknown district {name!r}; use one of: {names}")
