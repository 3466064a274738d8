"""What a map draws of each stop and shop, as data for the page's script: places, numbers, escaped texts."""

from __future__ import annotations

import html
from typing import NamedTuple

import pandas as pd


class Visit(NamedTuple):
    """The fields of a visit that its stop's tooltip and popup show."""

    lat: float
    lon: float
    stop: int
    name: str
    address: str
    opening_hours: str
    arrival: str
    start: str
    departure: str
    reason: str
    merchant_id: str


def route_stops(routes: pd.DataFrame) -> list[list]:
    """Each visit as the page's ``plannerRoute`` draws it: ``[lat, lon, number, tooltip, popup]``.

    Read column by column in one pass: rows taken one at a time (``itertuples`` over every route
    column) cost more than the rest of a large district's maps.

    Parameters
    ----------
    routes
        Visits with the columns of ``Visit``, in the order they are drawn.

    Returns
    -------
    list of list
        One per visit, in order; tooltip and popup are HTML with every text from the plan escaped.
    """
    columns = [routes[field].tolist() for field in Visit._fields]
    stops = []
    for visit in map(Visit._make, zip(*columns, strict=True)):
        number = int(visit.stop)
        tip = html.escape(f"{number}. {visit.name}")
        stops.append([float(visit.lat), float(visit.lon), number, tip, stop_popup(visit)])
    return stops


def stop_popup(visit: Visit) -> str:
    """A stop's popup: shop, address, opening hours, planned times, why it needs a panel, shop id.

    Parameters
    ----------
    visit
        The visit.

    Returns
    -------
    str
        HTML lines, each text from the plan escaped.
    """
    rows = [
        ("", f"<b>{int(visit.stop)}. {html.escape(str(visit.name))}</b>"),
        ("address", html.escape(str(visit.address))),
        ("opening hours", html.escape(str(visit.opening_hours))),
        (
            "planned",
            html.escape(
                f"arrive {str(visit.arrival)[11:16]}, work {str(visit.start)[11:16]}-{str(visit.departure)[11:16]}"
            ),
        ),
        ("why", html.escape(str(visit.reason))),
        ("shop id", html.escape(str(visit.merchant_id))),
    ]
    return "<br>".join(f"{label + ': ' if label else ''}{value}" for label, value in rows)


def unassigned_points(unassigned: pd.DataFrame) -> list[list]:
    """Unassigned shops as the page's ``plannerDots`` draws them: a popup saying why, no tooltip.

    Parameters
    ----------
    unassigned
        Shops with ``lat``, ``lon``, ``name`` and ``reason``.

    Returns
    -------
    list of list
        ``[lat, lon, "", popup]`` per shop, the popup's texts escaped.
    """
    rows = zip(*(unassigned[c].tolist() for c in ("lat", "lon", "name", "reason")), strict=True)
    return [
        [
            float(lat),
            float(lon),
            "",
            f"<b>not planned</b>: {html.escape(str(name))}<br>why: {html.escape(str(reason))}",
        ]
        for lat, lon, name, reason in rows
    ]


def shop_points(shops: pd.DataFrame) -> list[list]:
    """Triaged shops as the page's ``plannerDots`` draws them: a tooltip with name and reason.

    Parameters
    ----------
    shops
        Shops with ``lat``, ``lon``, ``name`` and ``reason`` (blank or missing: ``ok``).

    Returns
    -------
    list of list
        ``[lat, lon, tooltip, ""]`` per shop, the tooltip escaped.
    """
    rows = zip(*(shops[c].tolist() for c in ("lat", "lon", "name", "reason")), strict=True)
    return [
        [float(lat), float(lon), html.escape(f"{name}: {reason or 'ok'}"), ""]
        for lat, lon, name, reason in rows
    ]
