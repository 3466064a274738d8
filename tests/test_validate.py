"""Tests for planner.io.validate and its column parsers: pure checks on text frames."""

from __future__ import annotations

import opening_hours
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.errors import InputError
from planner.io import columns, register_category, validate_merchants
from planner.io.columns import DEFAULT_OPENING_HOURS
from planner.schema import CATEGORIES, MERCHANT_COLUMNS


def frame(rows: list[dict[str, str]], first_row: int = 2) -> pd.DataFrame:
    """Text frame whose index is the file line of each row (header on line 1)."""
    return pd.DataFrame(rows, index=range(first_row, first_row + len(rows)), dtype=str)


def shop(**cells: str) -> dict[str, str]:
    """A valid minimal row, changed by ``cells``."""
    return {"merchant_id": "M1", "lat": "37.57", "lon": "126.98", **cells}


def reasons_of(rows: list[dict[str, str]]) -> dict[tuple[int, str], str]:
    """Validate rows and return {(row, column): reason}."""
    rejects = validate_merchants(frame(rows)).rejects
    return {(r.row, r.column): r.reason for r in rejects.itertuples()}


def test_missing_optional_columns_take_documented_defaults():
    """Only the required columns given: every other column gets its documented default."""
    merchants = validate_merchants(frame([shop()])).merchants
    row = merchants.iloc[0]
    assert tuple(merchants.columns) == MERCHANT_COLUMNS
    assert (row["name"], row["district"], row["address"]) == ("", "", "")
    assert (row["category"], row["opening_hours"]) == ("retail", DEFAULT_OPENING_HOURS["retail"])
    assert (row["qr_status"], row["payment_errors"], row["active"]) == ("ok", 0, True)
    assert pd.isna(row["qr_issued"])


def test_opening_hours_default_follows_category():
    """An empty opening_hours cell takes the default of the row's category."""
    merchants = validate_merchants(frame([shop(category="convenience", opening_hours="")])).merchants
    assert merchants["opening_hours"].iloc[0] == "24/7"


def test_every_category_has_parseable_default_hours():
    """Each category has default opening hours that the opening_hours package accepts."""
    assert set(DEFAULT_OPENING_HOURS) == set(CATEGORIES)
    for hours in DEFAULT_OPENING_HOURS.values():
        opening_hours.OpeningHours(hours)


@pytest.mark.parametrize(
    ("column", "given", "expected"),
    [
        ("category", "Coffee Shop", "cafe"),
        ("category", "MARKET-STALL", "market_stall"),
        ("category", "편의점", "convenience"),
        ("qr_status", " OK ", "ok"),
        ("qr_status", "Broken", "damaged"),
        ("district", "종로구", "Jongno-gu"),
        ("district", "jongno gu", "Jongno-gu"),
        ("district", "Gangnam", "Gangnam-gu"),
        ("opening_hours", "24시간", "24/7"),
    ],
)
def test_synonyms_and_case_are_mapped(column, given, expected):
    """Common spellings of categories, statuses, districts and hours map to planner's values."""
    merchants = validate_merchants(frame([shop(**{column: given})])).merchants
    assert merchants[column].iloc[0] == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [("2021-12-15", "2021-12-15"), ("2021.12.15", "2021-12-15"), ("2021/1/5", "2021-01-05"),
     ("20211215", "2021-12-15"), ("2021-12-15 14:30:00", "2021-12-15")],
)  # fmt: skip
def test_qr_issued_accepts_common_date_forms(given, expected):
    """Issue dates written in the usual Korean and ISO forms are read as that day."""
    merchants = validate_merchants(frame([shop(qr_issued=given)])).merchants
    assert merchants["qr_issued"].iloc[0] == pd.Timestamp(expected)


@pytest.mark.parametrize(
    ("cells", "column", "phrase"),
    [
        ({"lat": ""}, "lat", "empty"),
        ({"lon": "east"}, "lon", "not a number"),
        ({"lat": "126.98", "lon": "37.57"}, "lat,lon", "swapped"),
        ({"lat": "1951234", "lon": "953456"}, "lat,lon", "projected metres"),
        ({"merchant_id": ""}, "merchant_id", "empty"),
        ({"qr_issued": "15/12/2021"}, "qr_issued", "YYYY-MM-DD"),
        ({"qr_issued": "2012-12-15"}, "qr_issued", "check the year"),
        ({"opening_hours": "always"}, "opening_hours", "not OSM opening_hours"),
        ({"qr_status": "fixed"}, "qr_status", "ok, replaced, damaged, missing"),
        ({"category": "bank"}, "category", "restaurant, cafe, retail"),
        ({"district": "Suwon"}, "district", "Jongno-gu"),
        ({"payment_errors": "-2"}, "payment_errors", "negative"),
        ({"payment_errors": "2.5"}, "payment_errors", "whole number"),
        ({"payment_errors": "many"}, "payment_errors", "not a number"),
        ({"active": "maybe"}, "active", "true or false"),
        ({"available_from": "next week"}, "available_from", "YYYY-MM-DD"),
        ({"available_from": "2024-02-30"}, "available_from", "leave it empty"),
        ({"available_from": "2024-03-14T25:00"}, "available_from", "YYYY-MM-DDTHH:MM"),
        ({"available_from": "1924-03-14"}, "available_from", "check the year"),
    ],
)
def test_bad_cell_is_rejected_with_column_and_fix(cells, column, phrase):
    """Each kind of bad cell rejects its row, naming the column and saying what would fix it."""
    rows = [shop(merchant_id="OK1"), shop(**{"merchant_id": "BAD", **cells})]
    result = validate_merchants(frame(rows))
    assert list(result.merchants["merchant_id"]) == ["OK1"]
    assert result.rejects["row"].tolist() == [3]
    assert result.rejects["column"].iloc[0] == column
    assert phrase in result.rejects["reason"].iloc[0]


def test_duplicate_id_keeps_first_row_and_names_it():
    """A repeated merchant_id keeps the first row and rejects later ones, naming the first."""
    rows = [shop(name="first"), shop(merchant_id="M2"), shop(name="again")]
    result = validate_merchants(frame(rows, first_row=10))
    assert list(result.merchants["name"]) == ["first", ""]
    assert result.rejects["row"].tolist() == [12]
    assert "row 10" in result.rejects["reason"].iloc[0]


@pytest.mark.parametrize("invisible", ["\u200b", "\u202e", "\ufeff", "\xad"])
def test_id_with_an_invisible_character_is_rejected_not_taken_for_another_shop(invisible):
    """An id that looks like M1 but holds a zero-width, direction or soft-hyphen character is rejected."""
    rows = [shop(), shop(merchant_id="M1" + invisible, name="copied from a web page")]
    result = validate_merchants(frame(rows))
    assert list(result.merchants["merchant_id"]) == ["M1"]
    reason = result.rejects["reason"].iloc[0]
    assert f"U+{ord(invisible):04X}" in reason and "'M1'" in reason


def test_one_reject_line_per_problem_of_a_row():
    """A row with two bad cells gets two reject lines, both with its row and merchant_id."""
    rejects = validate_merchants(frame([shop(lat="x", qr_status="?")])).rejects
    assert rejects[["row", "merchant_id", "column"]].values.tolist() == [
        [2, "M1", "lat"],
        [2, "M1", "qr_status"],
    ]


def test_missing_required_column_raises_with_columns_found():
    """Without merchant_id, validation raises an InputError listing the columns it found."""
    with pytest.raises(InputError, match=r"shops\.csv: no 'merchant_id' column.*lat, lon"):
        validate_merchants(frame([{"lat": "37.5", "lon": "127.0"}]), source="shops.csv")


def test_column_names_are_matched_without_case_and_blanks():
    """Headers like ' Merchant_ID ' and 'LAT' are read as planner's columns."""
    raw = pd.DataFrame({" Merchant_ID ": ["A"], "LAT": ["37.5"], "Lon": ["127.0"]}, index=[2])
    assert validate_merchants(raw).merchants["merchant_id"].tolist() == ["A"]


def test_opening_hours_parsed_once_per_distinct_string(monkeypatch):
    """Opening hours are parsed once per distinct string, not once per row."""
    calls = []
    real = opening_hours.OpeningHours

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(columns.opening_hours, "OpeningHours", counting)
    rows = [shop(merchant_id=f"M{i}", opening_hours="Mo-Fr 09:00-18:00") for i in range(50)]
    validate_merchants(frame(rows))
    assert calls == ["Mo-Fr 09:00-18:00"]


@pytest.mark.parametrize(
    ("major", "middle", "minor", "expected"),
    [
        ("음식", "커피점/카페", "", "cafe"),
        ("음식", "한식", "한식/백반/한정식", "restaurant"),
        ("음식", "비알코올", "카페", "cafe"),
        ("소매", "종합소매점", "편의점", "convenience"),
        ("소매", "의복의류", "", "retail"),
        ("생활서비스", "이/미용/건강", "", "beauty"),
        ("수리·개인", "세탁", "", "service"),
        ("학문/교육", "학원-예능취미체육", "", "education"),
        ("보건의료", "병원", "", "health"),
        ("숙박", "호텔/콘도", "", "lodging"),
        ("관광/여가/오락", "PC/오락/당구/볼링등", "", "service"),
        ("예술 · 스포츠", "스포츠 서비스", "", "service"),
        ("기타", "", "", None),
    ],
)
def test_register_classes_map_to_categories(major, middle, minor, expected):
    """Old and new register business classes map to planner's categories, unknown ones to None."""
    assert register_category(major, middle, minor) == expected


def test_unmapped_register_class_is_rejected_showing_it():
    """A register row whose class has no mapping is rejected, showing the class text."""
    raw = pd.DataFrame(
        {
            "상가업소번호": ["1"],
            "상권업종대분류명": ["기타"],
            "상권업종중분류명": ["미분류"],
            "경도": ["127"],
            "위도": ["37.5"],
        },
        index=[2],
    )
    rejects = validate_merchants(raw).rejects
    assert rejects[["column", "value"]].values.tolist() == [["상권업종대분류명", "기타/미분류"]]


GOOD = {
    "lat": ["37.5", "37.61"],
    "lon": ["127.0", "126.9"],
    "opening_hours": ["", "Mo-Sa 10:00-20:00"],
    "qr_issued": ["", "2021-12-01"],
    "qr_status": ["ok", "Replaced"],
    "payment_errors": ["0", "4"],
    "active": ["true", "0"],
}
BAD = {
    "lat": ["", "abc", "127.0", "999"],
    "lon": ["x", ""],
    "opening_hours": ["Mon-Sat 10-20"],
    "qr_issued": ["2021-02-31", "later"],
    "qr_status": ["unknown"],
    "payment_errors": ["-1", "0.5"],
    "active": ["perhaps"],
}


@st.composite
def merchant_rows(draw) -> tuple[list[dict[str, str]], int]:
    """Random rows mixing good and bad cells; ids from a small pool so some repeat."""
    rows, expected_good, seen = [], 0, set()
    for _ in range(draw(st.integers(0, 25))):
        row = {"merchant_id": draw(st.sampled_from(["", "A", "B", "C", "D", "E", "F", "G", "H"]))}
        row_ok = row["merchant_id"] != "" and row["merchant_id"] not in seen
        seen.add(row["merchant_id"])
        for column in GOOD:
            bad = draw(st.booleans()) and draw(st.booleans())
            row[column] = draw(st.sampled_from(BAD[column] if bad else GOOD[column]))
            row_ok = row_ok and not bad
        rows.append(row)
        expected_good += row_ok
    return rows, expected_good


@settings(max_examples=60, deadline=None)
@given(merchant_rows())
def test_every_row_is_kept_or_rejected(case):
    """Every input row is either a merchant or a rejected row, never both, never lost."""
    rows, expected_good = case
    raw = frame(rows) if rows else pd.DataFrame(columns=["merchant_id", *GOOD], dtype=str)
    result = validate_merchants(raw)
    assert len(result.merchants) + result.rejects["row"].nunique() == len(rows)
    assert len(result.merchants) == expected_good


@pytest.mark.parametrize(
    ("given", "expected"),
    [("", None), ("2024-03-14", "2024-03-14 00:00"), ("2024.3.14", "2024-03-14 00:00"),
     ("2024-03-14T13:30", "2024-03-14 13:30"), ("2024-03-14 13:30:15", "2024-03-14 13:30:15"),
     ("2024-03-14T04:30Z", "2024-03-14 13:30"), ("2024-03-14T13:30+09:00", "2024-03-14 13:30")],
)  # fmt: skip
def test_available_from_reads_dates_and_seoul_times(given, expected):
    """available_from is a date (its midnight) or a Seoul time, offsets converted; empty means ready now."""
    value = validate_merchants(frame([shop(available_from=given)])).merchants["available_from"].iloc[0]
    assert (pd.isna(value) and expected is None) or value == pd.Timestamp(expected)


def test_korean_available_from_column_is_read_and_named_in_rejects():
    """A 설치가능일 column is read as available_from, and its bad cells are reported under that name."""
    rows = [shop(merchant_id="A", 설치가능일="2024-03-14"), shop(merchant_id="B", 설치가능일="soon")]
    result = validate_merchants(frame(rows))
    assert result.merchants["available_from"].tolist() == [pd.Timestamp("2024-03-14")]
    assert result.rejects[["merchant_id", "column"]].values.tolist() == [["B", "설치가능일"]]


def test_available_from_given_twice_is_refused():
    """A file with both available_from and its alias 설치가능일 is refused, naming both columns."""
    with pytest.raises(InputError, match="'available_from' and '설치가능일'"):
        validate_merchants(frame([shop(available_from="", 설치가능일="")]))


def test_cells_quoted_by_the_spreadsheet_writer_read_back_as_written():
    """A merchants file planner wrote with formula-like text quoted (``'=...``) reads back unquoted."""
    rows = [
        shop(name='\'=HYPERLINK("http://x")', address="'+cmd"),
        shop(merchant_id="M2", name="'quote kept"),
    ]
    merchants = validate_merchants(frame(rows)).merchants
    assert list(merchants["name"]) == ['=HYPERLINK("http://x")', "'quote kept"]
    assert list(merchants["address"]) == ["+cmd", ""]
