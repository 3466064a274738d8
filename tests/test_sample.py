"""Tests for planner.samples.district: deterministic, realistic, clustered synthetic merchants."""

from __future__ import annotations

import datetime as dt

import numpy as np
import opening_hours
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from planner.errors import InputError
from planner.geo.districts import all_districts, find_district
from planner.samples import district as sample
from planner.samples.district import (
    SAMPLE_DISTRICTS,
    generate_merchants,
    generate_samples,
    sample_path,
    write_sample,
)
from planner.schema import CATEGORIES, MERCHANT_COLUMNS, METRIC_CRS, QR_STATUSES, SEOUL_BOUNDS, WGS84

CUTOFF = pd.Timestamp("2021-12-31")


@pytest.fixture(scope="session")
def jongno() -> pd.DataFrame:
    return generate_merchants(find_district("Jongno-gu"))


@pytest.fixture(scope="session")
def gangnam() -> pd.DataFrame:
    return generate_merchants(find_district("Gangnam-gu"))


def _inside_seoul(frame: pd.DataFrame) -> pd.Series:
    b = SEOUL_BOUNDS
    return frame["lat"].between(b["lat_min"], b["lat_max"]) & frame["lon"].between(b["lon_min"], b["lon_max"])


def _mean_nearest_m(xy: np.ndarray) -> float:
    gaps = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(gaps, np.inf)
    return float(gaps.min(axis=1).mean())


def test_same_inputs_give_identical_frames():
    """The same district, n and seed always give the same merchants."""
    district = find_district("Dobong-gu")
    first = generate_merchants(district, n=500, seed=7)
    pd.testing.assert_frame_equal(first, generate_merchants(district, n=500, seed=7))


def test_seed_and_district_change_the_merchants():
    """Another seed or another district gives other shops."""
    jongno, jung = find_district("Jongno-gu"), find_district("Jung-gu")
    base = generate_merchants(jongno, n=200, seed=0)
    assert not np.allclose(base["lat"], generate_merchants(jongno, n=200, seed=1)["lat"])
    assert not np.allclose(base["lat"], generate_merchants(jung, n=200, seed=0)["lat"])


def test_n_defaults_to_the_district_estimate(jongno):
    """Without n, a district gets its merchants_estimate shops; with n, exactly n."""
    assert len(jongno) == find_district("Jongno-gu").merchants_estimate
    assert len(generate_merchants(find_district("Jongno-gu"), n=123)) == 123


def test_negative_n_is_an_input_error():
    """Asking for a negative number of shops is refused with InputError."""
    with pytest.raises(InputError, match="number of merchants"):
        generate_merchants(find_district("Jongno-gu"), n=-1)


def test_columns_and_dtypes_are_the_canonical_frame(jongno):
    """The frame has exactly MERCHANT_COLUMNS, in order, with the canonical dtypes."""
    assert tuple(jongno.columns) == MERCHANT_COLUMNS
    assert jongno["lat"].dtype == "float64" and jongno["lon"].dtype == "float64"
    assert jongno["qr_issued"].dtype == "datetime64[ns]"
    assert jongno["payment_errors"].dtype == "int64"
    assert jongno["active"].dtype == bool
    for column in ("merchant_id", "name", "district", "category", "address", "opening_hours", "qr_status"):
        assert pd.api.types.is_string_dtype(jongno[column]), column
        assert jongno[column].map(type).eq(str).all(), column


def test_values_come_from_the_schema(jongno):
    """District, category and QR status take only the allowed values; addresses are in the gu."""
    assert (jongno["district"] == "Jongno-gu").all()
    assert jongno["category"].isin(CATEGORIES).all()
    assert jongno["qr_status"].isin(QR_STATUSES).all()
    assert jongno["address"].str.startswith("서울특별시 종로구 ").all()
    assert (jongno["payment_errors"] >= 0).all() and (jongno["payment_errors"] <= 5).all()
    assert (jongno["name"].str.len() > 1).all()


def test_merchant_ids_are_unique_and_carry_the_district_code(gangnam):
    """Every merchant_id is unique and reads <district code>-<6 digits>."""
    assert gangnam["merchant_id"].is_unique
    assert gangnam["merchant_id"].str.fullmatch(r"11680-\d{6}").all()


@pytest.mark.parametrize("district", all_districts(), ids=lambda d: d.slug)
def test_every_district_stays_inside_seoul(district):
    """Shops of every district lie inside Seoul's bounding box and near their district office."""
    frame = generate_merchants(district, n=2000)
    assert _inside_seoul(frame).all()
    to_metric = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
    x, y = to_metric.transform(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    ox, oy = to_metric.transform(district.office_lon, district.office_lat)
    radius_m = np.sqrt(district.area_km2 * 1e6 / np.pi)
    assert np.hypot(x - ox, y - oy).max() < 1.3 * radius_m


def test_all_opening_hours_parse(gangnam):
    """Every opening_hours string is valid OSM syntax for the opening_hours package."""
    for expression in gangnam["opening_hours"].unique():
        opening_hours.OpeningHours(expression)


def test_opening_hours_are_realistic(gangnam):
    """About 13% never close, a few are 24/7, and 1-2% never meet a 09:00-18:00 shift."""
    hours = gangnam["opening_hours"]
    never_close = hours.str.startswith("Mo-Su") | (hours == "24/7")
    assert 0.08 < never_close.mean() < 0.18
    assert 0.005 < (hours == "24/7").mean() < 0.06
    monday = dt.datetime(2022, 2, 7)
    shift = [monday + dt.timedelta(days=d, minutes=m) for d in range(7) for m in range(540, 1080, 30)]
    outside_shift = {
        s
        for s in hours.unique()
        if all(opening_hours.OpeningHours(s).state(t)[0] != opening_hours.State.OPEN for t in shift)
    }
    assert 0.005 < hours.isin(outside_shift).mean() < 0.03


def test_shares_are_roughly_right(gangnam):
    """Category, QR status, late QR, payment error and active shares are near their targets."""
    categories = gangnam["category"].value_counts(normalize=True)
    assert categories.index[0] == "restaurant" and 0.25 < categories["restaurant"] < 0.35
    assert categories["lodging"] < categories["cafe"] < categories["retail"]
    status = gangnam["qr_status"].value_counts(normalize=True)
    assert status["ok"] > 0.9
    assert 0.005 < status["replaced"] < 0.03 and 0.01 < status["damaged"] < 0.035
    assert 0.003 < status["missing"] < 0.02
    assert 0.03 < (gangnam["qr_issued"] > CUTOFF).mean() < 0.12
    assert 0.015 < (gangnam["payment_errors"] > 0).mean() < 0.05
    assert 0.96 < gangnam["active"].mean() < 0.995


def test_qr_dates_follow_the_campaign_story(gangnam):
    """Panels date from late 2018 to 2022-02-04; replaced panels are post-cutoff; NaT only if missing."""
    issued = gangnam["qr_issued"]
    assert issued.min() >= pd.Timestamp("2018-11-01")
    assert issued.max() <= pd.Timestamp("2022-02-04")
    assert (issued[gangnam["qr_status"] == "replaced"] > CUTOFF).all()
    assert gangnam.loc[issued.isna(), "qr_status"].eq("missing").all()
    assert issued.isna().any()


def test_shops_cluster_like_commercial_areas(jongno):
    """Shops lie much closer to their nearest neighbour than uniformly spread points would."""
    district = find_district("Jongno-gu")
    to_metric = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
    first = jongno.head(1500)
    shops = np.column_stack(to_metric.transform(first["lon"].to_numpy(), first["lat"].to_numpy()))
    rng = np.random.default_rng(0)
    angle = rng.uniform(0, 2 * np.pi, len(shops))
    r = np.sqrt(district.area_km2 * 1e6 / np.pi) * np.sqrt(rng.uniform(size=len(shops)))
    uniform = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    assert _mean_nearest_m(shops) < 0.8 * _mean_nearest_m(uniform)


def test_write_sample_writes_plain_dates_and_empty_nat(tmp_path, jongno):
    """Dates read YYYY-MM-DD, NaT is empty, an all-empty available_from is left out; the file reads back."""
    path = tmp_path / "out" / "jongno.csv"
    write_sample(jongno, path)
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert text["qr_issued"].str.fullmatch(r"\d{4}-\d{2}-\d{2}|").all()
    assert (text["qr_issued"] == "").sum() == jongno["qr_issued"].isna().sum()
    back = pd.read_csv(path, dtype={"merchant_id": str}, parse_dates=["qr_issued"])
    back["qr_issued"] = back["qr_issued"].astype("datetime64[ns]")
    assert "available_from" not in back
    pd.testing.assert_frame_equal(back, jongno.drop(columns="available_from"), check_dtype=False)


def test_sample_path_is_under_data_samples():
    """A district's sample lives at data/samples/<slug>.csv."""
    path = sample_path(find_district("Gangnam-gu"))
    assert path.parts[-3:] == ("data", "samples", "gangnam-gu.csv")


def test_committed_samples_equal_the_generator(tmp_path, monkeypatch):
    """The committed sample files are exactly what generate_samples writes with seed 0."""
    monkeypatch.setattr(sample, "SAMPLES_DIR", tmp_path)
    written = generate_samples()
    assert [p.name for p in written] == [find_district(d).slug + ".csv" for d in SAMPLE_DISTRICTS]
    for path in written:
        committed = sample.DATA_DIR / "samples" / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is stale; run generate_samples()"


@settings(max_examples=25, deadline=None)
@given(
    code=st.sampled_from([d.code for d in all_districts()]),
    n=st.integers(min_value=0, max_value=300),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_any_small_sample_is_valid(code, n, seed):
    """For any district, size and seed: n rows, unique ids, inside Seoul, parseable hours."""
    frame = generate_merchants(find_district(code), n=n, seed=seed)
    assert len(frame) == n and tuple(frame.columns) == MERCHANT_COLUMNS
    assert frame["merchant_id"].is_unique
    assert _inside_seoul(frame).all()
    for expression in frame["opening_hours"].unique():
        opening_hours.OpeningHours(expression)
