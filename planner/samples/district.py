"""Generate deterministic synthetic merchants for a district, clustered like real shopping areas."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import Transformer

from planner.errors import InputError
from planner.geo.districts import DATA_DIR, District, find_district
from planner.io.columns import available_from_text
from planner.planning.triage import CUTOFF
from planner.schema import CATEGORIES, MERCHANT_COLUMNS, METRIC_CRS, SEOUL_BOUNDS, WGS84

SAMPLES_DIR = DATA_DIR / "samples"
SAMPLE_DISTRICTS: tuple[str, ...] = ("Jongno-gu", "Gangnam-gu", "Dobong-gu")

# Rough shares of the shop categories: restaurants most common, lodging rarest.
CATEGORY_SHARES: dict[str, float] = {
    "restaurant": 0.30,
    "retail": 0.18,
    "cafe": 0.12,
    "service": 0.10,
    "beauty": 0.09,
    "convenience": 0.07,
    "market_stall": 0.05,
    "education": 0.04,
    "health": 0.03,
    "lodging": 0.02,
}
# How shops are placed: around hubs, along commercial streets, anywhere in the district.
PLACEMENT_SHARES = {"hub": 0.45, "street": 0.45, "scatter": 0.10}
ARCADE_SHARE = 0.25  # of hub shops: small arcades of apartment complexes
# Zero Pay QR panels are recognised by Seoul Pay only if issued up to this day.
QR_CUTOFF = np.datetime64(CUTOFF)
QR_STATUS_SHARES = {"ok": 0.955, "replaced": 0.015, "damaged": 0.02, "missing": 0.01}
NEW_JOINER_SHARE = 0.055  # shops that joined after the cutoff (replaced panels come on top)
PAYMENT_ERROR_RATE = {"before_cutoff": 0.02, "after_cutoff": 0.15}
ACTIVE_SHARE = 0.98


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_NAME_WORDS = _words(
    "행복 우리 미소 한빛 소담 푸른 해오름 다온 새봄 늘봄 별빛 하늘 바다 청춘 으뜸 제일 명가 참 "
    "고향 엄마 할매 큰집 솔 가온 온누리 보람 초록 다정 봄날 달빛 나무 은하 금강 대박 싱싱 맛나 새롬"
)
_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "restaurant": _words("식당 국밥 분식 치킨 감자탕 칼국수 김밥 한식 고깃집 횟집 반점 순대국 곱창 냉면"),
    "cafe": _words("카페 커피 베이커리 제과점 디저트 다방"),
    "retail": _words("상회 문구 옷가게 안경원 꽃집 철물점 잡화 서점 신발 전자 가구 생활용품"),
    "convenience": _words("마트 슈퍼 편의점 할인마트 슈퍼마켓"),
    "market_stall": _words("청과 수산 건어물 떡집 반찬 정육점 야채 방앗간"),
    "beauty": _words("미용실 헤어 네일 피부관리실 헤어살롱 이용원"),
    "service": _words("세탁소 부동산 수선실 사진관 인쇄 열쇠 카센터 컴퓨터수리"),
    "education": _words("학원 수학학원 영어학원 피아노학원 태권도 공부방 미술학원"),
    "health": _words("약국 의원 한의원 치과 안과 내과 정형외과"),
    "lodging": _words("모텔 게스트하우스 호텔 여관 레지던스"),
}
_ROAD_STEMS = _words(
    "중앙 시장 은행 대학 문화 평화 새마을 한빛 솔샘 마들 도당 세곡 능안 봉은 선릉 학동 "
    "창신 인왕 사직 율곡 돈화 동일 해등 노해 방학 삼각 청계 동호 영동 광평 가락 삼일"
)
BRANCH_SHARE = 0.12


DAILY = "Mo-Su {open}-{close}"
SUN_OFF = "Mo-Sa {open}-{close}; Su off"
MON_OFF = "Tu-Su {open}-{close}; Mo off"
TUE_OFF = "Mo,We-Su {open}-{close}; Tu off"
SPLIT = "Mo-Sa {open}-15:00,17:00-{close}; Su off"
OFFICE = "Mo-Fr {open}-{close}; Sa 10:00-14:00; Su off"
CLINIC = "Mo-Fr {open}-{close}; Sa 09:00-13:00; Su off"
# Bars and late kitchens: these never meet a 09:00-18:00 shift.
NIGHT = {"Mo-Sa 19:00-02:00": 3, "Tu-Su 18:30-03:00; Mo off": 2}
RESTAURANT = {DAILY: 10, SUN_OFF: 45, SPLIT: 20, MON_OFF: 14, TUE_OFF: 6, **NIGHT}
# Per category: opening times (hours after midnight), hours open a day, and OSM opening_hours
# patterns ({open} and {close} filled per shop) with relative weights.
_HOURS: dict[str, tuple[tuple[float, ...], tuple[float, ...], dict[str, int]]] = {
    "restaurant": ((10, 10.5, 11, 11.5), (10, 10.5, 11), RESTAURANT),
    "cafe": ((8, 9, 10), (10, 11, 12), {DAILY: 15, SUN_OFF: 55, MON_OFF: 30}),
    "retail": ((9.5, 10, 10.5), (10, 10.5, 11), {DAILY: 8, SUN_OFF: 67, MON_OFF: 15, OFFICE: 10}),
    "convenience": ((6, 7, 8), (15, 16, 17), {DAILY: 25, "24/7": 20, SUN_OFF: 55}),
    "market_stall": ((7, 8, 9), (10, 10.5, 11), {DAILY: 10, SUN_OFF: 65, TUE_OFF: 25}),
    "beauty": ((10, 10.5, 11), (9.5, 10, 10.5), {DAILY: 10, SUN_OFF: 40, MON_OFF: 50}),
    "service": ((9, 9.5), (9, 9.5), {DAILY: 5, SUN_OFF: 40, OFFICE: 55}),
    "education": ((13, 14), (8, 9), {"Mo-Fr {open}-{close}; Sa 10:00-16:00; Su off": 70, SUN_OFF: 30}),
    "health": ((9, 9.5), (9, 10), {DAILY: 5, SUN_OFF: 35, CLINIC: 60}),
    "lodging": ((0,), (24,), {"24/7": 90, "Mo-Su 06:00-24:00": 10}),
}


@dataclass(frozen=True)
class Outline:
    """A district's extent in EPSG:5179 metres: a slightly irregular disc of its area."""

    centre: np.ndarray  # (2,) district office
    radius_m: float  # radius of the plain disc, scaled so the wobbly outline keeps the area
    wobble: np.ndarray  # (2, 2) amplitude and phase of the outline's 2nd and 3rd harmonics

    def edge_m(self, angle: np.ndarray) -> np.ndarray:
        """Distance from the centre to the edge in direction ``angle`` (radians).

        Parameters
        ----------
        angle
            Directions, in radians.

        Returns
        -------
        numpy.ndarray
            Metres, one per direction.
        """
        (a2, p2), (a3, p3) = self.wobble
        return self.radius_m * (1 + a2 * np.cos(2 * (angle - p2)) + a3 * np.cos(3 * (angle - p3)))

    def contains(self, xy: np.ndarray) -> np.ndarray:
        """Whether each point of ``xy`` (shape (n, 2)) lies inside the outline.

        Parameters
        ----------
        xy
            Metric coordinates.

        Returns
        -------
        numpy.ndarray
            One bool per point.
        """
        d = xy - self.centre
        return np.hypot(d[:, 0], d[:, 1]) <= self.edge_m(np.arctan2(d[:, 1], d[:, 0]))

    def scatter(self, n: int, rng: np.random.Generator, reach: float = 1.0) -> np.ndarray:
        """``n`` points spread over the outline shrunk by ``reach``.

        Parameters
        ----------
        n
            How many points.
        rng
            The random generator.
        reach
            Share of the outline's radius the points may reach.

        Returns
        -------
        numpy.ndarray
            ``(n, 2)`` metric coordinates, uniform over the area.
        """
        angle = rng.uniform(0, 2 * np.pi, n)
        r = reach * self.edge_m(angle) * np.sqrt(rng.uniform(size=n))
        return self.centre + (r * np.array([np.cos(angle), np.sin(angle)])).T


@dataclass(frozen=True)
class Layout:
    """A district's synthetic geography in EPSG:5179 metres: outline, hubs and streets."""

    outline: Outline
    hubs: np.ndarray  # (h, 2) stations and market areas, then apartment-complex arcades
    hub_sigma_m: np.ndarray  # (h,) spread of shops around each hub
    hub_weight: np.ndarray  # (h,) share of hub shops at each hub, sums to 1
    streets: np.ndarray  # (s, 2, 2) start and end of each commercial street
    road_names: tuple[str, ...]  # stems, e.g. "은행"; hub i is on road i, street j on road h + j


@cache
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def build_layout(district: District, rng: np.random.Generator) -> Layout:
    """Place the district's outline, hubs and commercial streets.

    The outline is a slightly irregular disc of the district's area around its office; hubs
    (stations, markets) and small arcades grow in number with the neighbourhoods (dong).

    Parameters
    ----------
    district
        The district, for its office, area and neighbourhoods.
    rng
        The random generator.

    Returns
    -------
    Layout
        The outline, hubs, streets and road names the shops are placed on.
    """
    centre = np.array(_transformer(WGS84, METRIC_CRS).transform(district.office_lon, district.office_lat))
    amplitude = rng.uniform(0.04, 0.12, 2)
    radius = np.sqrt(district.area_km2 * 1e6 / np.pi / (1 + (amplitude**2).sum() / 2))
    outline = Outline(centre, radius, np.column_stack([amplitude, rng.uniform(0, 2 * np.pi, 2)]))
    main = _place_hubs(outline, max(3, round(0.8 * district.dong_count)), rng)
    arcades = outline.scatter(3 * district.dong_count, rng, reach=0.95)
    main_weight = (1 - ARCADE_SHARE) * rng.dirichlet(np.ones(len(main)))
    arcade_weight = ARCADE_SHARE * rng.dirichlet(np.ones(len(arcades)))
    return Layout(
        outline=outline,
        hubs=np.vstack([main, arcades]),
        hub_sigma_m=np.concatenate([rng.uniform(60, 250, len(main)), rng.uniform(20, 50, len(arcades))]),
        hub_weight=np.concatenate([main_weight, arcade_weight]),
        streets=_place_streets(main, rng),
        road_names=tuple(str(name) for name in rng.permutation(_ROAD_STEMS)),
    )


def _place_hubs(outline: Outline, count: int, rng: np.random.Generator) -> np.ndarray:
    """Hubs inside 80% of the outline, at least 400 m apart (relaxed if the district is crowded)."""
    hubs: list[np.ndarray] = []
    spacing = 400.0
    while len(hubs) < count:
        for point in outline.scatter(200, rng, reach=0.8):
            if all(np.hypot(*(point - hub)) >= spacing for hub in hubs):
                hubs.append(point)
                break
        else:
            spacing /= 2
    return np.array(hubs)


def _place_streets(hubs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Streets from each hub to its two nearest hubs, plus spurs of 0.3-1.2 km from half the hubs."""
    gaps = np.hypot(*(hubs[:, None, :] - hubs[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(gaps, np.inf)
    nearest = np.argsort(gaps, axis=1)[:, :2]
    pairs = {tuple(sorted((i, int(j)))) for i, row in enumerate(nearest) for j in row}
    links = [(hubs[i], hubs[j]) for i, j in sorted(pairs)]
    spur_from = rng.choice(len(hubs), size=max(1, len(hubs) // 2), replace=False)
    angle = rng.uniform(0, 2 * np.pi, len(spur_from))
    length = rng.uniform(300, 1200, len(spur_from))
    ends = hubs[spur_from] + (length * np.array([np.cos(angle), np.sin(angle)])).T
    links += list(zip(hubs[spur_from], ends, strict=True))
    return np.array(links)


def draw_locations(layout: Layout, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Draw shop locations (WGS84 lon, lat; shape (n, 2)) and the road each shop is on.

    Shops cluster around hubs and along streets, a minority lie anywhere in the district; points
    outside the outline or Seoul's bounding box are drawn again anywhere in the district.

    Parameters
    ----------
    layout
        The district's layout.
    n
        How many shops.
    rng
        The random generator.

    Returns
    -------
    tuple of numpy.ndarray
        The ``(n, 2)`` lon, lat points and each shop's road index.
    """
    kind = rng.choice(3, size=n, p=list(PLACEMENT_SHARES.values()))
    xy = np.empty((n, 2))
    road = rng.integers(0, len(layout.road_names), n)
    at_hub = kind == 0
    hub = rng.choice(len(layout.hubs), size=at_hub.sum(), p=layout.hub_weight)
    xy[at_hub] = layout.hubs[hub] + rng.normal(size=(hub.size, 2)) * layout.hub_sigma_m[hub, None]
    road[at_hub] = hub % len(layout.road_names)
    on_street = kind == 1
    start, end = layout.streets[:, 0], layout.streets[:, 1]
    length = np.hypot(*(end - start).T)
    street = rng.choice(len(length), size=on_street.sum(), p=length / length.sum())
    along = rng.uniform(size=street.size)[:, None]
    xy[on_street] = start[street] + along * (end - start)[street] + rng.normal(0, 30, (street.size, 2))
    road[on_street] = (len(layout.hubs) + street) % len(layout.road_names)
    xy[kind == 2] = layout.outline.scatter((kind == 2).sum(), rng)
    lonlat = np.column_stack(_transformer(METRIC_CRS, WGS84).transform(xy[:, 0], xy[:, 1]))
    redraw = ~layout.outline.contains(xy) | ~_in_seoul(lonlat)
    while redraw.any():
        fresh = layout.outline.scatter(redraw.sum(), rng)
        lonlat[redraw] = np.column_stack(_transformer(METRIC_CRS, WGS84).transform(fresh[:, 0], fresh[:, 1]))
        redraw[redraw] = ~_in_seoul(lonlat[redraw])
    return np.round(lonlat, 6), road


def _in_seoul(lonlat: np.ndarray) -> np.ndarray:
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    b = SEOUL_BOUNDS
    return (b["lon_min"] <= lon) & (lon <= b["lon_max"]) & (b["lat_min"] <= lat) & (lat <= b["lat_max"])


def draw_names(categories: np.ndarray, roads: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Korean shop names: a word and a category word, sometimes a branch named after the road.

    Parameters
    ----------
    categories
        Each shop's category.
    roads
        Each shop's road index.
    rng
        The random generator.

    Returns
    -------
    list of str
        One name per shop.
    """
    n = len(categories)
    words = rng.choice(_NAME_WORDS, n)
    gaps = np.where(rng.uniform(size=n) < 0.3, " ", "")
    picks = rng.uniform(size=n)
    branches = np.char.add(np.char.add(" ", roads), rng.choice(["점", "역점"], n))
    branches = np.where(rng.uniform(size=n) < BRANCH_SHARE, branches, "")
    return [
        f"{word}{gap}{_CATEGORY_WORDS[c][int(pick * len(_CATEGORY_WORDS[c]))]}{branch}"
        for word, gap, c, pick, branch in zip(words, gaps, categories, picks, branches, strict=True)
    ]


def draw_addresses(district: District, roads: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Road addresses ``서울특별시 <gu> <road>로[<k>길] <number>``.

    Parameters
    ----------
    district
        The district, for its Korean name.
    roads
        Each shop's road index.
    rng
        The random generator.

    Returns
    -------
    list of str
        One address per shop.
    """
    n = len(roads)
    lane = np.where(rng.uniform(size=n) < 0.6, rng.integers(1, 40, n), 0)
    number = 1 + rng.geometric(1 / 60, n) % 300
    return [
        f"서울특별시 {district.name_ko} {road}로{f'{k}길' if k else ''} {num}"
        for road, k, num in zip(roads, lane, number, strict=True)
    ]


def _clock(hours: float) -> str:
    minutes = min(round(hours * 60), 1440)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def draw_opening_hours(categories: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """OSM ``opening_hours`` strings typical of each category (see ``_HOURS``).

    Parameters
    ----------
    categories
        Each shop's category.
    rng
        The random generator.

    Returns
    -------
    numpy.ndarray
        One opening-hours string per shop.
    """
    hours = np.empty(len(categories), dtype=object)
    for category in CATEGORIES:
        where = np.flatnonzero(categories == category)
        opens_h, lengths_h, patterns = _HOURS[category]
        weights = np.array(list(patterns.values()))
        pattern = rng.choice(list(patterns), size=where.size, p=weights / weights.sum())
        opens = rng.choice(opens_h, size=where.size)
        closes = opens + rng.choice(lengths_h, size=where.size)
        hours[where] = [
            p.format(open=_clock(start), close=_clock(end))
            for p, start, end in zip(pattern.tolist(), opens, closes, strict=True)
        ]
    return hours


def draw_qr_fields(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """QR panel issue date, status and payment errors.

    Most panels date from the Zero Pay launch (late 2018 to mid 2019) or later up to ``QR_CUTOFF``;
    replaced panels and new joiners come after it and report payment errors more often. Half the
    missing panels were never issued (NaT).

    Parameters
    ----------
    n
        How many shops.
    rng
        The random generator.

    Returns
    -------
    dict of str to numpy.ndarray
        ``qr_issued``, ``qr_status`` and ``payment_errors``, one value per shop.
    """
    status = rng.choice(list(QR_STATUS_SHARES), size=n, p=list(QR_STATUS_SHARES.values()))
    launch = _uniform_days(rng, "2018-11-15", "2019-06-30", n)
    later = _uniform_days(rng, "2019-07-01", str(QR_CUTOFF), n)
    issued = np.where(rng.uniform(size=n) < 0.35, launch, later)
    late = (status == "replaced") | (rng.uniform(size=n) < NEW_JOINER_SHARE)
    issued = np.where(late, _uniform_days(rng, "2022-01-01", "2022-02-04", n), issued)
    issued = np.where((status == "missing") & (rng.uniform(size=n) < 0.5), np.datetime64("NaT"), issued)
    rate = np.where(late, PAYMENT_ERROR_RATE["after_cutoff"], PAYMENT_ERROR_RATE["before_cutoff"])
    count = rng.choice(np.arange(1, 6), size=n, p=[0.4, 0.25, 0.15, 0.12, 0.08])
    errors = np.where(rng.uniform(size=n) < rate, count, 0)
    return {"qr_issued": issued.astype("datetime64[ns]"), "qr_status": status, "payment_errors": errors}


def _uniform_days(rng: np.random.Generator, first: str, last: str, n: int) -> np.ndarray:
    start, stop = np.datetime64(first, "D"), np.datetime64(last, "D")
    return start + rng.integers(0, (stop - start).astype(int) + 1, n).astype("timedelta64[D]")


_DTYPES = dict.fromkeys(MERCHANT_COLUMNS, "str") | {"lat": "float64", "lon": "float64", "active": "bool"}
_DTYPES |= {"qr_issued": "datetime64[ns]", "payment_errors": "int64", "available_from": "datetime64[ns]"}


def generate_merchants(district: District, n: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Generate synthetic merchants for one district.

    Parameters
    ----------
    district
        The district; its office, area and neighbourhood count shape where shops lie.
    n
        Number of merchants; by default the district's ``merchants_estimate``.
    seed
        Random seed. The same district, ``n`` and ``seed`` give the same frame.

    Returns
    -------
    pandas.DataFrame
        Exactly ``MERCHANT_COLUMNS`` in order, ids ``<district code>-<6 digits>``.

    Raises
    ------
    InputError
        If ``n`` is negative.
    """
    n = district.merchants_estimate if n is None else n
    if n < 0:
        raise InputError(f"number of merchants must be 0 or more, got {n}")
    rng = np.random.default_rng([seed, district.code])  # districts differ for the same seed
    layout = build_layout(district, rng)
    lonlat, road_index = draw_locations(layout, n, rng)
    roads = np.array(layout.road_names)[road_index]
    categories = rng.choice(list(CATEGORY_SHARES), size=n, p=list(CATEGORY_SHARES.values()))
    frame = pd.DataFrame(
        {
            "merchant_id": [f"{district.code}-{i:06d}" for i in range(1, n + 1)],
            "name": draw_names(categories, roads, rng),
            "district": district.name_en,
            "category": categories,
            "address": draw_addresses(district, roads, rng),
            "lat": lonlat[:, 1],
            "lon": lonlat[:, 0],
            "opening_hours": draw_opening_hours(categories, rng),
            **draw_qr_fields(n, rng),
            "active": rng.uniform(size=n) < ACTIVE_SHARE,
            "available_from": pd.NaT,  # every synthetic shop is ready from the start
        },
        columns=list(MERCHANT_COLUMNS),
    )
    return frame.astype(_DTYPES)


def sample_path(district: District) -> Path:
    """Path of the district's committed sample, ``data/samples/<slug>.csv``.

    Parameters
    ----------
    district
        The district.

    Returns
    -------
    pathlib.Path
        The file's path; it may not exist.
    """
    return SAMPLES_DIR / f"{district.slug}.csv"


def write_sample(frame: pd.DataFrame, path: str | Path) -> None:
    """Write merchants as UTF-8 CSV, dates as YYYY-MM-DD and empty cells for NaT.

    ``available_from`` is an optional column: it is left out when no shop has one, and written
    with its time of day where it has one.

    Parameters
    ----------
    frame
        Merchants with ``MERCHANT_COLUMNS``.
    path
        Destination file; its folder is created if needed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if "available_from" in frame:
        ready = frame["available_from"]
        frame = (
            frame.drop(columns="available_from")
            if ready.isna().all()
            else frame.assign(available_from=available_from_text(ready))
        )
    frame.to_csv(path, index=False, encoding="utf-8", date_format="%Y-%m-%d", na_rep="", lineterminator="\n")


def generate_samples(districts: Iterable[str] = SAMPLE_DISTRICTS, seed: int = 0) -> list[Path]:
    """Regenerate the committed samples at full ``merchants_estimate`` size.

    Parameters
    ----------
    districts
        District names (anything ``find_district`` accepts).
    seed
        Random seed.

    Returns
    -------
    list of pathlib.Path
        The files written, one per district.
    """
    paths = []
    for name in districts:
        district = find_district(name)
        paths.append(sample_path(district))
        write_sample(generate_merchants(district, seed=seed), paths[-1])
    return paths
