"""The campaign's people as a roster names them: who works when, from where, and how they travel."""

from __future__ import annotations

from dataclasses import dataclass

START_KINDS: tuple[str, ...] = ("office", "first_shop")  # or a point: (lat, lon)
END_KINDS: tuple[str, ...] = ("office", "start", "last_shop")
MODES: tuple[str, ...] = ("walk", "transit", "car")


@dataclass(frozen=True)
class Person:
    """One person of the roster, as read from its row (blank fields already given their defaults).

    ``district`` is None for a person of the shared pool, who may be sent to any district.
    ``availability`` is an OSM opening_hours expression of the days and hours the person works
    (``"Mo-Fr 09:00-18:00; Sa 10:00-15:00"``, ``"Mo-Sa 17:00-22:00"``), read by the same parser
    as shops' opening hours. ``start`` is ``"office"``, ``"first_shop"`` or a ``(lat, lon)``
    point; ``end`` is ``"office"``, ``"start"`` (back where the day began) or ``"last_shop"``.
    ``mode`` names the travel profile (``MODES``); ``lunch`` says whether the day has the lunch
    break of the settings.
    """

    staff_id: str
    name: str
    team: str
    district: str | None
    availability: str
    start: str | tuple[float, float]
    end: str
    mode: str
    lunch: bool
