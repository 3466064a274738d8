"""What a map's panel lists: each person with colour and label, the days, each route, and the tiles to try."""

from __future__ import annotations

import html
from urllib.parse import urlsplit

import pandas as pd

from planner.report.colours import person_colour

# Online tiles the page tries first; None (``--tiles none``) keeps a map from ever asking the network.
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
TILE_MAX_ZOOM = 19
PANEL_OPEN_ROWS = 16  # a panel with more lines than this starts folded


def people(routes: pd.DataFrame) -> dict[str, dict]:
    """Each person of ``routes`` with their colour and legend label, in staff id order.

    Parameters
    ----------
    routes
        Visits with ``staff_id`` and, when a roster named the people, ``staff_name``.

    Returns
    -------
    dict
        By staff id: ``id``, ``colour`` (``person_colour``) and ``label``, the first non-blank
        ``staff_name`` with the id in brackets, or the id alone.
    """
    names = routes["staff_name"] if "staff_name" in routes.columns else pd.Series("", index=routes.index)
    names = names.fillna("").astype(str).str.strip()
    found: dict[str, dict] = {}
    for staff_id, name in zip(routes["staff_id"].astype(str), names, strict=True):
        person = found.setdefault(staff_id, {"id": staff_id, "colour": person_colour(staff_id), "label": ""})
        if name and not person["label"]:
            person["label"] = f"{name} ({staff_id})"
    for person in found.values():
        person["label"] = person["label"] or person["id"]
    return dict(sorted(found.items()))


def panel_spec(
    crew: dict[str, dict], days: list[str], routes: list[dict], others: list[dict], marks: list[dict], tiles
) -> dict:
    """The data the page's panel script (``assets/map/planner-map.js``) is called with.

    Parameters
    ----------
    crew
        From ``people``.
    days
        The dates drawn, in order.
    routes
        One ``{"day": index into days, "person": index into crew, "stops": n}`` per route layer.
    others
        One ``{"symbol", "colour", "label"}`` per other layer (outlines, unassigned shops...).
    marks
        Legend lines without a layer (the office), same keys.
    tiles
        URL template of the online tiles, or None.

    Returns
    -------
    dict
        JSON-ready; texts are plain (the script sets them as text, never as markup) except the
        tiles' attribution, which is HTML built here.
    """
    lines = len(crew) + (len(days) if len(days) > 1 else 0) + len(others)
    return {
        "people": list(crew.values()),
        "days": days,
        "routes": routes,
        "others": others,
        "marks": marks,
        "open": lines <= PANEL_OPEN_ROWS,
        "summary": f"legend and layers ({len(routes) + len(others)})",
        "tiles": None if tiles is None else _tile_spec(tiles),
    }


def _tile_spec(url: str) -> dict:
    attribution = OSM_ATTRIBUTION if url == OSM_TILES else html.escape(f"tiles: {urlsplit(url).netloc}")
    return {"url": url, "attribution": attribution, "max_zoom": TILE_MAX_ZOOM}
