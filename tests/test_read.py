"""Tests for planner.io.read: opening merchant files of every format and layout."""

from __future__ import annotations

import csv
import gzip
import io
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import planner.io.read
from planner.errors import InputError
from planner.io import read_merchants, reject_path_for, write_rejects
from planner.io.read import parse_csv_text
from planner.io.text import MAX_FIELD_CHARS
from planner.schema import MERCHANT_COLUMNS, REJECT_COLUMNS

DATA = Path(__file__).parent / "data"
SMALL = DATA / "merchants_small.csv"


@pytest.fixture(scope="session")
def small() -> pd.DataFrame:
    """The valid canonical fixture, as read."""
    return read_merchants(SMALL).merchants


@pytest.fixture(scope="session")
def geo_files(tmp_path_factory, small) -> dict[str, Path]:
    """The small fixture as GeoJSON (WGS84) and GeoPackage (metric EPSG:5179), geometry only."""
    folder = tmp_path_factory.mktemp("geo")
    points = gpd.points_from_xy(small["lon"], small["lat"], crs="EPSG:4326")
    frame = gpd.GeoDataFrame(small.drop(columns=["lat", "lon"]), geometry=points)
    frame["qr_issued"] = frame["qr_issued"].dt.strftime("%Y-%m-%d").fillna("")
    paths = {"geojson": folder / "merchants.geojson", "gpkg": folder / "merchants.gpkg"}
    frame.to_file(paths["geojson"], driver="GeoJSON")
    frame.to_crs("EPSG:5179").to_file(paths["gpkg"], driver="GPKG", layer="merchants")
    return paths


def test_canonical_csv_has_schema_columns_and_dtypes(small):
    """A canonical CSV yields exactly MERCHANT_COLUMNS with the documented dtypes."""
    assert tuple(small.columns) == MERCHANT_COLUMNS
    assert small["lat"].dtype == "float64" and small["lon"].dtype == "float64"
    assert small["qr_issued"].dtype == "datetime64[ns]"
    assert small["payment_errors"].dtype == "int64"
    assert small["active"].dtype == bool
    assert all(pd.api.types.is_string_dtype(small[c]) for c in ("merchant_id", "name", "qr_status"))
    assert small["qr_issued"].isna().sum() == 1


def test_canonical_csv_round_trip(small, tmp_path):
    """Writing the merchants back to CSV and reading them again gives the same frame."""
    path = tmp_path / "again.csv"
    small.to_csv(path, index=False, date_format="%Y-%m-%d")
    pd.testing.assert_frame_equal(read_merchants(path).merchants, small)


def test_gzipped_csv_reads_like_plain(small, tmp_path):
    """A .csv.gz file is read like the CSV it holds."""
    path = tmp_path / "small.csv.gz"
    path.write_bytes(gzip.compress(SMALL.read_bytes()))
    pd.testing.assert_frame_equal(read_merchants(path).merchants, small)


@pytest.mark.parametrize(
    ("name", "encoding", "count"),
    [("register_cp949.csv", "cp949", 8), ("register_utf8.csv", "utf-8-sig", 6)],
)
def test_register_layout_is_detected_and_decoded(name, encoding, count):
    """Korean register files in CP949 or UTF-8 are decoded and mapped without being told."""
    result = read_merchants(DATA / name)
    assert (result.layout, result.encoding) == ("register", encoding)
    assert len(result.merchants) == count
    assert tuple(result.merchants.columns) == MERCHANT_COLUMNS
    assert set(result.merchants["qr_status"]) == {"ok"}
    assert result.merchants["payment_errors"].eq(0).all() and result.merchants["active"].all()


def test_register_cp949_values_are_mapped():
    """Register ids, names with branch, districts, categories, addresses and points are mapped."""
    result = read_merchants(DATA / "register_cp949.csv")
    first = result.merchants.set_index("merchant_id").loc["16000001"]
    assert first["name"] == "하늘커피 광화문점"
    assert (first["district"], first["category"]) == ("Jongno-gu", "cafe")
    assert first["address"] == "서울특별시 종로구 새문안로 1"
    assert (first["lat"], first["lon"]) == (37.5712, 126.9745)
    by_id = result.merchants.set_index("merchant_id")
    assert by_id.loc["16000004", "address"] == "서울특별시 노원구 상계동 4"  # lot address as fallback
    assert list(by_id["category"]) == [
        "cafe",
        "convenience",
        "beauty",
        "education",
        "health",
        "lodging",
        "restaurant",
        "service",
    ]


def test_register_row_outside_seoul_is_rejected_with_korean_column_names():
    """A Busan shop in the national register is rejected, naming the file's own columns."""
    rejects = read_merchants(DATA / "register_cp949.csv").rejects
    assert rejects[["row", "merchant_id", "column"]].values.tolist() == [[10, "26000009", "위도,경도"]]
    assert "outside Seoul" in rejects["reason"].iloc[0]


def test_wrong_explicit_encoding_raises_naming_file():
    """A CP949 file read as UTF-8 on request raises an InputError naming the file."""
    with pytest.raises(InputError, match="register_cp949.csv.*utf-8"):
        read_merchants(DATA / "register_cp949.csv", encoding="utf-8")


@pytest.mark.parametrize(
    ("encoding", "words"),
    [("rot13", "unknown encoding 'rot13'"), ("hex", "unknown encoding 'hex'"), ("utf-32", "as utf-32")],
)
def test_an_encoding_that_cannot_read_text_is_one_input_error(encoding, words):
    """A codec that is no text encoding, or cannot keep unreadable bytes, is an InputError, one line."""
    with pytest.raises(InputError, match=f"merchants_small.csv: .*{words}") as raised:
        read_merchants(SMALL, encoding=encoding)
    assert "\n" not in str(raised.value)


def test_a_file_read_in_the_wrong_encoding_gives_a_short_message(tmp_path):
    """A UTF-8 file read as UTF-16 has one garbled "column"; the message shows it cut short."""
    path = tmp_path / "merchants.csv"
    path.write_bytes(SMALL.read_bytes() * 20)
    with pytest.raises(InputError, match="no 'merchant_id' column") as raised:
        read_merchants(path, encoding="utf-16")
    assert len(str(raised.value)) < 400


@pytest.mark.parametrize("kind", ["geojson", "gpkg"])
def test_geo_formats_take_points_from_geometry(geo_files, small, kind):
    """GeoJSON and GeoPackage points give lat/lon in WGS84, whatever their CRS."""
    merchants = read_merchants(geo_files[kind]).merchants
    pd.testing.assert_frame_equal(merchants, small, check_exact=False, atol=1e-7)


def test_non_point_geometry_is_rejected(tmp_path):
    """A shop drawn as a polygon, or without geometry, is rejected, not moved to some point."""
    frame = gpd.GeoDataFrame(
        {"merchant_id": ["P1", "P2", "P3"]},
        geometry=[shapely.Point(126.98, 37.57), shapely.box(126.98, 37.57, 126.99, 37.58), None],
        crs="EPSG:4326",
    )
    path = tmp_path / "mixed.geojson"
    frame.to_file(path, driver="GeoJSON")
    result = read_merchants(path)
    assert list(result.merchants["merchant_id"]) == ["P1"]
    got = result.rejects[["row", "merchant_id", "column", "value"]].values.tolist()
    assert got == [[2, "P2", "geometry", "POLYGON"], [3, "P3", "geometry", ""]]


def test_broken_rows_are_rejected_and_good_rows_kept():
    """Each broken row is rejected with its line, column and a fix; every good row is kept."""
    result = read_merchants(DATA / "merchants_broken.csv")
    assert list(result.merchants["merchant_id"]) == ["B01", "B08", "B10"]
    got = result.rejects[["row", "merchant_id", "column"]].values.tolist()
    assert got == [
        [3, "B02", "lat"],
        [4, "B03", "lat,lon"],
        [5, "B01", "merchant_id"],
        [6, "B05", "qr_issued"],
        [7, "B06", "opening_hours"],
        [8, "B07", "qr_status"],
        [10, "B09", "lat,lon"],
    ]
    reasons = dict(zip(result.rejects["row"], result.rejects["reason"], strict=True))
    assert "not a number" in reasons[3]
    assert "swapped" in reasons[4]
    assert "row 2" in reasons[5]
    assert "YYYY-MM-DD" in reasons[6]
    assert "Mo-Sa 10:00-20:00" in reasons[7]
    assert "ok, replaced, damaged, missing" in reasons[8]
    assert "outside Seoul" in reasons[10] and "swapped" not in reasons[10]


def test_rows_are_file_line_numbers_despite_blank_and_multiline_rows():
    """A reject's row is the line where the row starts, counting blank lines and quoted newlines."""
    text = 'merchant_id,lat,lon\nA,37.5,127.0\n\nB,"37.5",127.0\nC,"x\ny",127.0\nD,1,2\n'
    cells, _ = parse_csv_text(text)
    assert list(cells.index) == [2, 4, 5, 7]


def test_row_with_wrong_field_count_is_rejected():
    """A row with more fields than the header goes to the rejects instead of shifting columns."""
    cells, rejects = parse_csv_text("merchant_id,lat,lon\nA,37.5,127.0\nB,37,5,127.0\n")
    assert list(cells["merchant_id"]) == ["A"]
    assert rejects[["row", "merchant_id"]].values.tolist() == [[3, "B"]]
    assert "4 fields but the header has 3" in rejects["reason"].iloc[0]


def test_missing_required_column_names_file_and_column(tmp_path):
    """A file without a lat column raises an InputError naming the file, the column and those found."""
    path = tmp_path / "nolat.csv"
    path.write_text("merchant_id,name,lon\nA,x,127.0\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"nolat\.csv.*'lat'.*merchant_id, name, lon"):
        read_merchants(path)


def test_register_without_latitude_names_korean_column(tmp_path):
    """A register file without 위도 raises an InputError that names 위도."""
    path = tmp_path / "register.csv"
    path.write_text("상가업소번호,상호명,경도\n1,가게,127.0\n", encoding="utf-8")
    with pytest.raises(InputError, match="register.csv.*위도"):
        read_merchants(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\n\n  \n", "empty"),
        ("merchants.xlsx", b"PK", "unknown file type"),
        ("fake.csv", b"PK\x03\x04rest", "Excel"),
        ("broken.geojson", b"{not json", "cannot read"),
    ],
)
def test_unusable_files_raise_input_error_naming_file(tmp_path, name, content, message):
    """Empty, unknown or unreadable files raise an InputError that names the file."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        read_merchants(path)
    assert name in str(caught.value)


def test_missing_file_raises_input_error(tmp_path):
    """A path that does not exist raises an InputError, not FileNotFoundError."""
    with pytest.raises(InputError, match="no such file"):
        read_merchants(tmp_path / "nowhere.csv")


def test_header_only_file_gives_empty_frames(tmp_path):
    """A header without rows is valid: no merchants, no rejects, schema columns kept."""
    path = tmp_path / "header.csv"
    path.write_text(",".join(MERCHANT_COLUMNS) + "\n", encoding="utf-8")
    result = read_merchants(path)
    assert result.merchants.empty and result.rejects.empty
    assert tuple(result.merchants.columns) == MERCHANT_COLUMNS


def test_write_rejects_round_trips_korean_text(tmp_path):
    """Rejects written next to their source read back unchanged, Korean text included."""
    result = read_merchants(DATA / "register_cp949.csv")
    path = write_rejects(result.rejects, reject_path_for(result.source, tmp_path / "out"))
    assert path == tmp_path / "out" / "register_cp949.rejects.csv"
    back = pd.read_csv(path, dtype={"merchant_id": str}, encoding="utf-8-sig")
    assert list(back.columns) == list(REJECT_COLUMNS)
    assert back["column"].tolist() == ["위도,경도"]


def test_reject_path_drops_compound_suffix(tmp_path):
    """The rejects of ``shops.csv.gz`` go to ``shops.rejects.csv``."""
    assert reject_path_for("in/shops.csv.gz", tmp_path) == tmp_path / "shops.rejects.csv"


HEADER = "merchant_id,name,district,lat,lon,qr_issued\n"


def shop_line(merchant_id: str, name: str = "x", qr_issued: str = "") -> str:
    """One valid Jongno-gu row of the HEADER layout."""
    return f"{merchant_id},{name},Jongno-gu,37.57,126.98,{qr_issued}\n"


def test_undecodable_row_is_rejected_and_the_others_kept(tmp_path):
    """A row whose bytes are neither UTF-8 nor CP949 is rejected with its line and column, not the file."""
    path = tmp_path / "bytes.csv"
    path.write_bytes(
        (HEADER + shop_line("A1")).encode()
        + b"A2,\xff\xfe,Jongno-gu,37.57,126.98,\n"
        + shop_line("A3").encode()
    )
    result = read_merchants(path)
    assert list(result.merchants["merchant_id"]) == ["A1", "A3"]
    assert result.rejects[["row", "merchant_id", "column", "value"]].values.tolist() == [
        [3, "A2", "name", "\\xff\\xfe"]
    ]
    assert "--encoding" in result.rejects["reason"].iloc[0]


def test_one_cp949_row_in_a_utf8_file_is_read_in_cp949(tmp_path):
    """A row pasted in from a CP949 file is decoded on its own, and the UTF-8 rows stay UTF-8."""
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        (HEADER + shop_line("A1", "종로 꽃집")).encode()
        + shop_line("A2", "서울 가게").encode("cp949")
        + shop_line("A3", "세운 상가").encode()
    )
    result = read_merchants(path)
    assert list(result.merchants["name"]) == ["종로 꽃집", "서울 가게", "세운 상가"]
    assert result.rejects.empty


def test_explicit_encoding_rejects_rows_it_cannot_read(tmp_path):
    """With an encoding given, a row it cannot decode is rejected and the rows it can are kept."""
    path = tmp_path / "latin.csv"
    path.write_bytes(
        (HEADER + shop_line("A1", "종로")).encode("cp949") + b"A2,\xff\xff,Jongno-gu,37.57,126.98,\n"
    )
    result = read_merchants(path, encoding="cp949")
    assert list(result.merchants["name"]) == ["종로"]
    assert result.rejects[["row", "column"]].values.tolist() == [[3, "name"]]


def test_giant_field_rejects_its_row_only(tmp_path):
    """A cell over 131,072 characters rejects its row, naming the column; the other rows are kept."""
    path = tmp_path / "giant.csv"
    path.write_text(HEADER + shop_line("A1", "x" * 200_000) + shop_line("A2"), encoding="utf-8")
    result = read_merchants(path)
    assert list(result.merchants["merchant_id"]) == ["A2"]
    assert result.rejects[["row", "merchant_id", "column"]].values.tolist() == [[2, "A1", "name"]]
    assert "200,000 characters" in result.rejects["reason"].iloc[0]


def test_unclosed_quote_swallows_no_following_row(tmp_path):
    """A quote opened and never closed rejects its own line; the rows after it are still read."""
    path = tmp_path / "quote.csv"
    path.write_text(HEADER + shop_line("A1") + "A2,\"Kim's,Jongno-gu,37.57,126.98,\n" + shop_line("A3"))
    result = read_merchants(path)
    assert list(result.merchants["merchant_id"]) == ["A1", "A3"]
    assert result.rejects[["row", "merchant_id", "column"]].values.tolist() == [[3, "A2", "name"]]
    assert "never closed" in result.rejects["reason"].iloc[0]


def test_utf16_file_with_bom_is_read(tmp_path):
    """A UTF-16 file (Excel's "Unicode text" CSV) is recognised by its byte-order mark."""
    path = tmp_path / "utf16.csv"
    path.write_bytes((HEADER + shop_line("A1", "종로")).encode("utf-16"))
    result = read_merchants(path)
    assert (list(result.merchants["name"]), result.encoding) == (["종로"], "utf-16")


@pytest.mark.parametrize("issued", ["9999-12-31", "2999-01-01"])
def test_future_qr_issue_date_is_rejected(tmp_path, issued):
    """A QR issue date after the day of the run is rejected with the reason, not read as a valid date."""
    path = tmp_path / "future.csv"
    path.write_text(HEADER + shop_line("A1", qr_issued=issued) + shop_line("A2", qr_issued="2021-05-01"))
    result = read_merchants(path)
    assert list(result.merchants["merchant_id"]) == ["A2"]
    assert result.rejects[["row", "column", "value"]].values.tolist() == [[2, "qr_issued", issued]]
    assert "future" in result.rejects["reason"].iloc[0]


def test_nul_in_an_id_is_rejected(tmp_path):
    """An id holding a NUL byte is rejected with its column, and the row with a clean id is kept."""
    path = tmp_path / "nul.csv"
    path.write_text(HEADER + shop_line("A\x001") + shop_line("A2"))
    result = read_merchants(path)
    assert list(result.merchants["merchant_id"]) == ["A2"]
    assert result.rejects[["row", "column"]].values.tolist() == [[2, "merchant_id"]]


def test_reject_file_neither_runs_formulas_nor_holds_control_characters(tmp_path):
    """Cells copied into the reject file cannot run as spreadsheet formulas or carry NUL bytes."""
    rejects = pd.DataFrame(
        {
            "row": [2, 3, 4],
            "merchant_id": ["=cmd|' /C calc'!A0", "A\x001", "A3"],
            "column": ["merchant_id", "merchant_id", "payment_errors"],
            "value": ["@SUM(A1)", "A\x001", "-1"],
            "reason": ["r", "r", "r"],
        }
    )
    back = pd.read_csv(write_rejects(rejects, tmp_path / "r.csv"), dtype=str, encoding="utf-8-sig")
    assert back["merchant_id"].tolist() == ["'=cmd|' /C calc'!A0", "A\\x001", "A3"]
    assert back["value"].tolist() == ["'@SUM(A1)", "A\\x001", "'-1"]  # text, quoted like any sign


GOOD_CELLS = {
    "name": ["종로 꽃집", "Haneul Coffee", ""],
    "district": ["Jongno-gu", "종로구", ""],
    "category": ["cafe", "음식점", ""],
    "lat": ["37.57", "37.5712"],
    "lon": ["126.98", "126.9745"],
    "qr_issued": ["2021-03-15", ""],
    "qr_status": ["ok", "damaged", ""],
    "payment_errors": ["0", "3"],
}
PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "+82 2-123-4567",
    "@SUM(A1:A9)",
    "{{7*7}}",
    "${jndi:ldap://x/a}",
    "<script>alert(1)</script>",
    "'; DROP TABLE merchants;--",
    "%s%n%x",
    '"quoted, with comma"',
    "line\nbreak",
    "tab\there",
    "\x00",
    "9999-12-31",
    "서울특별시 종로구 세종대로 175",
    "x" * (MAX_FIELD_CHARS + 1),
]
HOSTILE = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30),
    st.text(st.sampled_from("\x00\x01\x1b\x7f\r\n,\"' 가나다=+-@;"), max_size=12),
)


@st.composite
def hostile_rows(draw) -> list[tuple[dict[str, str], bool]]:
    """Rows, each with whether all its cells were drawn valid; the others hold hostile text."""
    rows = []
    for number in range(draw(st.integers(0, 12))):
        clean = draw(st.booleans())
        row = {"merchant_id": f"M{number}" if clean or draw(st.booleans()) else draw(HOSTILE)}
        for column, good in GOOD_CELLS.items():
            hostile = not clean and draw(st.booleans())
            row[column] = draw(HOSTILE) if hostile else draw(st.sampled_from(good))
        rows.append((row, clean))
    return rows


def hostile_file(rows: list[dict[str, str]], cp949_row: bool) -> bytes:
    """The rows as a UTF-8 CSV file, and maybe one valid row in CP949 at the end."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["merchant_id", *GOOD_CELLS], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    pasted = "M99,종로 꽃집,종로구,cafe,37.57,126.98,,ok,0\n".encode("cp949") if cp949_row else b""
    return buffer.getvalue().encode() + pasted


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_rows(), st.booleans())
def test_hostile_text_keeps_valid_rows_and_rejects_the_rest_with_reasons(drawn, cp949_row):
    """Rows in = kept + rejected; each reject has its row, a column and a reason; valid rows are kept."""
    rows = [row for row, _ in drawn] + [{"merchant_id": "M99"}] * cp949_row
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hostile.csv"
        path.write_bytes(hostile_file([row for row, _ in drawn], cp949_row))
        result = read_merchants(path)
    rejects = result.rejects
    written = [row for row in rows if "".join(row.values()).strip()]  # blank lines are not rows
    assert len(result.merchants) + rejects["row"].nunique() == len(written)
    assert (rejects["row"] >= 2).all() and rejects["reason"].str.len().gt(0).all()
    assert set(rejects["column"]) <= {"", "merchant_id", *GOOD_CELLS, "lat,lon"}
    assert set(rejects.loc[rejects["column"] == "", "reason"].str[:8]) <= {"row has "}
    # A valid row is kept, unless a hostile id earlier in the file happens to be the same id.
    ids = [row["merchant_id"].strip() for row in rows]
    valid = [clean for _, clean in drawn] + [True] * cp949_row
    kept = set(result.merchants["merchant_id"])
    assert all(ids[i] in kept for i, ok in enumerate(valid) if ok and ids.index(ids[i]) == i)


def test_a_gzip_file_inflating_past_the_limit_is_refused_before_it_is_all_read(tmp_path, monkeypatch):
    """A .csv.gz that inflates past MAX_GUNZIPPED_BYTES (a decompression bomb) is one InputError."""
    monkeypatch.setattr(planner.io.read, "MAX_GUNZIPPED_BYTES", 10_000)
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(b"merchant_id,lat,lon\n" + b"x" * 50_000))
    with pytest.raises(InputError, match="bomb.csv.gz: inflates to more than"):
        read_merchants(path)
    path.write_bytes(gzip.compress(SMALL.read_bytes()))
    assert len(read_merchants(path).merchants) == len(read_merchants(SMALL).merchants)
