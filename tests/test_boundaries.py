"""Tests of placing shops in districts by boundary polygons, and of blank districts without them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.campaign.store import CampaignStore
from planner.cli import app
from planner.errors import InputError
from planner.io.boundaries import Boundaries, read_boundaries, settle_districts
from planner.io.read import read_merchants
from planner.schema import WGS84

runner = CliRunner()
HEADER = "merchant_id,name,district,category,lat,lon,qr_status\n"
# Two boxes split at latitude 37.566: Jongno-gu to the north, Jung-gu to the south.
NORTH = shapely.box(126.95, 37.566, 127.03, 37.60)
SOUTH = shapely.box(126.95, 37.54, 127.03, 37.566)
SHOPS = {  # merchant_id: (district label, lat, lon); the file's line is the row number
    "A": ("Jongno-gu", 37.580, 126.980),  # line 2: label agrees with the location
    "B": ("Jung-gu", 37.580, 126.990),  # line 3: label says Jung-gu, location is Jongno-gu
    "C": ("", 37.560, 126.990),  # line 4: no label, location is Jung-gu
    "D": ("Jongno-gu", 37.500, 127.000),  # line 5: south of both boxes
    "E": ("Jung-gu", 37.555, 127.000),  # line 6: label agrees with the location
}


@pytest.fixture
def shops_csv(tmp_path):
    """Five damaged-QR shops of Jongno-gu and Jung-gu, one unlabelled, one mislabelled, one outside."""
    lines = [f"{m},Shop {m},{d},cafe,{lat},{lon},damaged\n" for m, (d, lat, lon) in SHOPS.items()]
    path = tmp_path / "shops.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def write_polygons(path, attributes: dict, *, crs=WGS84, geometry=(NORTH, SOUTH)):
    """Write two polygons (north, south) with the given attribute columns; GeoJSON or GPKG by suffix."""
    frame = gpd.GeoDataFrame(attributes, geometry=list(geometry), crs=WGS84).to_crs(crs)
    frame.to_file(path, driver="GPKG" if path.suffix == ".gpkg" else "GeoJSON")
    return path


@pytest.fixture
def boundaries(tmp_path):
    """Jongno-gu and Jung-gu boxes with English names, as GeoJSON."""
    return write_polygons(tmp_path / "gu.geojson", {"SIG_ENG_NM": ["Jongno-gu", "Jung-gu"]})


def districts_of(read) -> dict[str, str]:
    return dict(zip(read.merchants["merchant_id"], read.merchants["district"], strict=True))


@pytest.mark.parametrize(
    ("name", "attributes", "crs"),
    [
        ("english.geojson", {"id": [7, 8], "name_eng": ["Jongno-gu", "Jung-gu"]}, WGS84),
        ("korean.gpkg", {"sggnm": ["종로구", "중구"]}, WGS84),
        ("codes.geojson", {"SIG_CD": ["11110", "11140"]}, WGS84),
        (
            "dong-codes-metric.gpkg",
            {"adm_nm": ["사직동", "소공동"], "adm_cd2": ["1111053000", "1114052000"]},
            "EPSG:5179",
        ),
    ],
)
def test_shops_take_the_district_of_the_polygon_holding_them(shops_csv, tmp_path, name, attributes, crs):
    """Each shop's district is its polygon's (name, Korean name, code or dong code; any CRS); blanks are filled."""
    path = write_polygons(tmp_path / name, attributes, crs=crs)
    read = read_merchants(shops_csv, boundaries=path)
    assert districts_of(read) == {"A": "Jongno-gu", "B": "Jongno-gu", "C": "Jung-gu", "E": "Jung-gu"}


def test_a_label_the_location_disagrees_with_is_kept_and_warned_with_both_values(shops_csv, boundaries):
    """A mislabelled shop is planned where it lies; a warning names its row, its label and its district."""
    read = read_merchants(shops_csv, boundaries=boundaries)
    assert read.warnings[["row", "merchant_id", "column", "value"]].values.tolist() == [
        [3, "B", "district", "Jung-gu"]
    ]
    assert "lies in Jongno-gu" in read.warnings.loc[0, "reason"]
    assert "B" not in set(read.rejects["merchant_id"])


def test_a_shop_outside_every_polygon_is_rejected_and_the_others_kept(shops_csv, boundaries):
    """A shop in no polygon goes to the rejects with its row and location; every other shop is kept."""
    read = read_merchants(shops_csv, boundaries=boundaries)
    assert read.rejects[["row", "merchant_id", "column", "value"]].values.tolist() == [
        [5, "D", "lat,lon", "37.5,127.0"]
    ]
    assert "outside every polygon of gu.geojson" in read.rejects.loc[0, "reason"]
    assert sorted(read.merchants["merchant_id"]) == ["A", "B", "C", "E"]


def test_without_boundaries_a_blank_district_among_several_is_rejected(shops_csv):
    """In a file naming several districts, a shop without one is rejected; the labelled shops are all kept."""
    read = read_merchants(shops_csv)
    assert read.rejects[["row", "merchant_id", "column"]].values.tolist() == [[4, "C", "district"]]
    assert "--boundaries" in read.rejects.loc[0, "reason"]
    assert sorted(read.merchants["merchant_id"]) == ["A", "B", "D", "E"]


def test_without_boundaries_a_blank_district_in_a_one_district_file_takes_it(tmp_path):
    """In a file naming one district, shops without a district get that one."""
    path = tmp_path / "one.csv"
    path.write_text(
        HEADER + "A,a,Jongno-gu,cafe,37.58,126.98,ok\nB,b,,cafe,37.57,126.97,ok\n", encoding="utf-8"
    )
    read = read_merchants(path)
    assert read.rejects.empty
    assert districts_of(read) == {"A": "Jongno-gu", "B": "Jongno-gu"}


def test_register_files_name_their_own_columns_in_rejects(boundaries):
    """Rejects and warnings of a shop register name 시군구명 and 위도,경도, the columns the user sees."""
    merchants = pd.DataFrame(
        {
            "merchant_id": ["B", "D"],
            "district": ["Jung-gu", "Jongno-gu"],
            "lat": [37.58, 37.5],
            "lon": [126.99, 127.0],
        }
    )
    settled = settle_districts(merchants, [10, 11], read_boundaries(boundaries), layout="register")
    assert settled.warnings["column"].tolist() == ["시군구명"]
    assert settled.rejects["column"].tolist() == ["위도,경도"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("labels.geojson", None, "no column names the districts (columns found: code, name)"),
        ("points.geojson", "points", "holds point geometries, not polygons"),
        ("broken.geojson", b'{"type": "FeatureCollection", "features": [', "cannot read it as polygons"),
        ("table.csv", b"name,code\nJongno-gu,11110\n", "holds no geometries"),
        ("missing.gpkg", "", "no such boundaries file"),
    ],
)
def test_an_unusable_boundaries_file_is_one_clear_error(tmp_path, name, content, expected):
    """A boundaries file without a district column, of points, unreadable or missing raises InputError."""
    path = tmp_path / name
    if content is None:  # dong names and statistical-office codes that are not district codes
        write_polygons(path, {"code": ["1101053", "1102052"], "name": ["사직동", "소공동"]})
    elif content == "points":
        write_polygons(path, {"name": ["Jongno-gu", "Jung-gu"]}, geometry=(NORTH.centroid, SOUTH.centroid))
    elif content:
        path.write_bytes(content)
    with pytest.raises(InputError, match=re.escape(expected)):
        read_boundaries(path)


def test_triage_command_places_shops_and_writes_rejects_and_warnings(shops_csv, boundaries, tmp_path):
    """`planner triage --boundaries` files shops by location and writes the rejects and warnings files."""
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["triage", str(shops_csv), "--out", str(out), "--boundaries", str(boundaries)]
    )
    assert result.exit_code == 0, result.output
    triaged = pd.read_csv(out / "triage.csv", dtype=str, keep_default_na=False)
    assert dict(zip(triaged["merchant_id"], triaged["district"], strict=True)) == {
        "A": "Jongno-gu",
        "B": "Jongno-gu",
        "C": "Jung-gu",
        "E": "Jung-gu",
    }
    assert pd.read_csv(out / "shops.rejects.csv")["merchant_id"].tolist() == ["D"]
    assert pd.read_csv(out / "shops.warnings.csv")["merchant_id"].tolist() == ["B"]
    assert "1 district labels overruled" in result.output


def test_triage_command_with_a_bad_boundaries_file_fails_in_one_line(shops_csv, tmp_path):
    """A boundaries file with no district column ends `planner triage` with exit 1 and no traceback."""
    path = write_polygons(tmp_path / "dong.geojson", {"dong": ["사직동", "소공동"]})
    result = runner.invoke(app, ["triage", str(shops_csv), "--out", str(tmp_path), "--boundaries", str(path)])
    assert result.exit_code == 1
    assert result.output.startswith("error:") and "columns found: dong" in result.output
    assert "Traceback" not in result.output


def test_plan_command_plans_a_district_from_the_shops_inside_it(shops_csv, boundaries, tmp_path):
    """`planner plan --district Jongno-gu --boundaries` plans the shops lying there, mislabelled or not."""
    args = ["plan", str(shops_csv), "--out", str(tmp_path), "--district", "Jongno-gu"]
    args += ["--boundaries", str(boundaries), "--staff", "1", "--time-limit", "1", "--improve-time", "0"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    routes = pd.read_csv(tmp_path / "routes.csv", dtype={"merchant_id": str})
    unassigned = pd.read_csv(tmp_path / "unassigned.csv", dtype={"merchant_id": str})
    assert sorted([*routes["merchant_id"], *unassigned["merchant_id"]]) == ["A", "B"]
    assert json.loads((tmp_path / "summary.json").read_text())["district"] == "Jongno-gu"
    check = ["verify", str(tmp_path), "--merchants", str(shops_csv), "--boundaries", str(boundaries)]
    assert runner.invoke(app, check).exit_code == 0


def test_city_plan_refuses_unlabelled_shops_without_boundaries(shops_csv, tmp_path):
    """`planner plan --city` without boundaries plans labelled shops only and counts the blank one as rejected."""
    args = ["plan", str(shops_csv), "--out", str(tmp_path), "--city", "--staff", "1", "--time-limit", "1"]
    result = runner.invoke(app, [*args, "--improve-time", "0"])
    assert result.exit_code == 0, result.output
    routes = pd.read_csv(tmp_path / "routes.csv", dtype={"merchant_id": str})
    assert "C" not in set(routes["merchant_id"])
    assert pd.read_csv(tmp_path / "shops.rejects.csv")["merchant_id"].tolist() == ["C"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["jongno-gu", "jung-gu"]


def test_campaign_init_stores_each_shop_in_the_district_it_lies_in(shops_csv, boundaries, tmp_path):
    """`planner campaign init --boundaries` stores shops under their location's district, not their label."""
    store = tmp_path / "campaign.sqlite"
    args = ["campaign", "init", str(shops_csv), "--staff", "1", "--store", str(store)]
    result = runner.invoke(
        app, [*args, "--boundaries", str(boundaries), "--time-limit", "0.5", "--improve-time", "0"]
    )
    assert result.exit_code == 0, result.output
    with CampaignStore.existing(store) as opened:
        stored = opened.merchants()
    assert dict(zip(stored["merchant_id"], stored["district"], strict=True)) == {
        "A": "Jongno-gu",
        "B": "Jongno-gu",
        "C": "Jung-gu",
        "E": "Jung-gu",
    }


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(37.50, 37.62), st.floats(126.90, 127.08)), min_size=1, max_size=30))
def test_every_shop_is_kept_in_the_box_holding_it_or_rejected(points):
    """Settling by polygons keeps each shop inside a box with that box's district and rejects each other one."""
    polygons = gpd.GeoDataFrame({"district": ["Jongno-gu", "Jung-gu"]}, geometry=[NORTH, SOUTH], crs=WGS84)
    ids = [f"M{i}" for i in range(len(points))]
    merchants = pd.DataFrame(
        {
            "merchant_id": ids,
            "district": "Jung-gu",
            "lat": [p[0] for p in points],
            "lon": [p[1] for p in points],
        }
    )
    settled = settle_districts(
        merchants, range(2, len(points) + 2), Boundaries(polygons, Path("gu.geojson"), "x")
    )
    assert sorted([*settled.merchants["merchant_id"], *settled.rejects["merchant_id"]]) == sorted(ids)
    for shop in settled.merchants.itertuples():
        box = NORTH if shop.district == "Jongno-gu" else SOUTH
        assert box.intersects(shapely.Point(shop.lon, shop.lat))
    for shop in merchants[merchants["merchant_id"].isin(settled.rejects["merchant_id"])].itertuples():
        assert not (NORTH | SOUTH).intersects(shapely.Point(shop.lon, shop.lat))
