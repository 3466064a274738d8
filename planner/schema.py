"""Column names and allowed values of the canonical merchants frame."""

from __future__ import annotations

# The canonical merchants frame: every reader returns these columns, in this order.
MERCHANT_COLUMNS: tuple[str, ...] = (
    "merchant_id",  # str, unique
    "name",  # str
    "district",  # str, English district name as in data/districts.csv, e.g. "Jongno-gu"
    "category",  # str, one of CATEGORIES
    "address",  # str, may be empty
    "lat",  # float, WGS84
    "lon",  # float, WGS84
    "opening_hours",  # str, OSM opening_hours syntax, e.g. "Mo-Sa 10:00-21:00; Su off"
    "qr_issued",  # datetime64[ns] (a date), NaT when unknown or no panel was ever issued
    "qr_status",  # str, one of QR_STATUSES
    "payment_errors",  # int >= 0, payment errors reported by customers
    "active",  # bool, False for shops closed down / no longer merchants
    "available_from",  # datetime64[ns], Seoul wall-clock time: no visit before it; NaT = ready now
)
REQUIRED_COLUMNS: tuple[str, ...] = ("merchant_id", "lat", "lon")

CATEGORIES: tuple[str, ...] = (
    "restaurant",
    "cafe",
    "retail",
    "convenience",
    "market_stall",
    "beauty",
    "service",
    "education",
    "health",
    "lodging",
)
QR_STATUSES: tuple[str, ...] = ("ok", "replaced", "damaged", "missing")

# Rough bounding box of Seoul (WGS84); points outside cannot be Seoul shops.
SEOUL_BOUNDS = {"lat_min": 37.41, "lat_max": 37.72, "lon_min": 126.76, "lon_max": 127.19}

# Metric CRS for distances in Korea (Korea 2000 / Unified CS).
METRIC_CRS = "EPSG:5179"
WGS84 = "EPSG:4326"

# Columns of a reject file: one row per rejected input row.
REJECT_COLUMNS: tuple[str, ...] = ("row", "merchant_id", "column", "value", "reason")
