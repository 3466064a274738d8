"""Settings of a planning run: the week, shifts, service times, travel model and solver budget."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from planner.errors import InputError
from planner.schema import CATEGORIES
from planner.settings_rules import (
    RULES,
    SERVICE_MIN_RULE,
    check_week,
    checked,
    checked_section,
    key_name,
    shown,
)

DEFAULT_SERVICE_MIN: dict[str, float] = {
    "restaurant": 7,
    "cafe": 6,
    "retail": 6,
    "convenience": 5,
    "market_stall": 5,
    "beauty": 6,
    "service": 6,
    "education": 6,
    "health": 7,
    "lodging": 8,
}


@dataclass(frozen=True)
class TravelSettings:
    """Parameters of the travel-time model (see ``planner.geo.travel``)."""

    circuity: float = 1.25  # road distance / straight-line distance in Korean cities
    walk_speed_mps: float = 1.3
    walk_max_m: float = 800.0  # beyond this road distance, staff take the bus or subway
    transit_speed_kmh: float = 18.0  # Seoul bus average, stops included
    transit_access_min: float = 8.0  # walk to the stop, wait, walk from the stop
    car_speed_kmh: float = 20.0  # Seoul daytime traffic, lights included
    car_parking_min: float = 5.0  # finding a place to stop at each shop

    def __post_init__(self) -> None:
        _check_fields(self, "travel")


def clock_s(time: dt.time) -> int:
    """Seconds after midnight of a time of day.

    Parameters
    ----------
    time
        A time of day.

    Returns
    -------
    int
        Whole seconds.
    """
    return time.hour * 3600 + time.minute * 60 + time.second


@dataclass(frozen=True)
class WeekSettings:
    """The campaign calendar: which days, the shift and the lunch break."""

    start_date: dt.date = dt.date(2022, 2, 7)
    days: int = 7
    shift_start: dt.time = dt.time(9, 0)
    shift_end: dt.time = dt.time(18, 0)
    lunch_earliest: dt.time = dt.time(11, 30)  # the break may start from here ...
    lunch_latest_end: dt.time = dt.time(14, 0)  # ... and must be over by here
    lunch_min: int = 60
    evening_start: dt.time = dt.time(17, 0)  # the evening shift, for shops open only after the day shift
    evening_end: dt.time = dt.time(22, 0)

    def __post_init__(self) -> None:
        _check_fields(self, "week")
        check_week(self)

    def day_offset_s(self, day: int) -> int:
        """Seconds from the start of the week (start_date 00:00) to the start of ``day``.

        Parameters
        ----------
        day
            Day number, 0-based.

        Returns
        -------
        int
            ``day`` times 86,400.
        """
        return day * 86_400

    def shift_s(self, day: int) -> tuple[int, int]:
        """The shift of ``day``: ``(start, end)`` in seconds from the start of the week.

        Parameters
        ----------
        day
            Day number, 0-based.

        Returns
        -------
        tuple of int
            The shift's start and end.
        """
        base = self.day_offset_s(day)
        return base + clock_s(self.shift_start), base + clock_s(self.shift_end)

    def lunch_window_s(self, day: int) -> tuple[int, int]:
        """When the lunch break of ``day`` may start: ``(earliest, latest)`` in seconds from the
        start of the week; the latest start ends the break at ``lunch_latest_end``.

        Parameters
        ----------
        day
            Day number, 0-based.

        Returns
        -------
        tuple of int
            The earliest and latest start of the break.
        """
        base, duration = self.day_offset_s(day), 60 * self.lunch_min
        return base + clock_s(self.lunch_earliest), base + clock_s(self.lunch_latest_end) - duration

    def evening_week(self) -> WeekSettings:
        """The same week with the evening shift as its shift and no lunch break.

        Returns
        -------
        WeekSettings
            A copy whose ``shift_start``/``shift_end`` are ``evening_start``/``evening_end``; time
            windows and worker-days computed with it are those of the evening shift.
        """
        return replace(
            self,
            shift_start=self.evening_start,
            shift_end=self.evening_end,
            lunch_earliest=self.evening_start,
            lunch_latest_end=self.evening_end,
            lunch_min=0,
        )

    def date_of(self, day: int) -> dt.date:
        """Calendar date of day number ``day`` (0-based).

        Parameters
        ----------
        day
            Day number, 0-based.

        Returns
        -------
        datetime.date
            ``start_date`` plus ``day`` days.
        """
        return self.start_date + dt.timedelta(days=day)


@dataclass(frozen=True)
class SolverSettings:
    """Budget and shape of the routing search."""

    zone_max_stops: int = 120  # OR-Tools shines below a few hundred stops
    time_limit_s: float = 5.0  # most seconds of one solve (a chain step of one worker-day)
    seed: int = 0
    worker_day_cost: int = 36_000  # fixed cost of calling one more worker-day, in travel seconds
    later_day_cost: int = 3_600  # extra fixed cost per day later in the week
    open_routes: bool = False  # True: routes end at the last shop instead of the office
    open_start: bool = False  # True: staff report at their first shop instead of the office
    processes: int = 1  # zones solved in parallel
    improve_s: float = 20.0  # re-optimising routes across zone borders after the zones are solved
    sub_time_s: float = 1.0  # budget of one re-optimised group of routes
    # Stop each OR-Tools search after this many solutions: runs then repeat exactly whatever the
    # machine's load (the time limit stays a ceiling). None: the time limit alone ends a search.
    solution_limit: int | None = None

    def __post_init__(self) -> None:
        _check_fields(self, "solver")

    @property
    def office_legs(self) -> int:
        """Ways between the office and the shops in one worker-day: 2, 1 (one end open) or 0."""
        return int(not self.open_start) + int(not self.open_routes)


@dataclass(frozen=True)
class Settings:
    """Everything a planning run needs besides the merchants themselves.

    ``Settings.from_file(path)`` reads a TOML file with the sections ``[week]``,
    ``[travel]``, ``[solver]`` and ``[service_min]``; missing keys keep their defaults.
    """

    week: WeekSettings = field(default_factory=WeekSettings)
    travel: TravelSettings = field(default_factory=TravelSettings)
    solver: SolverSettings = field(default_factory=SolverSettings)
    service_min: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_SERVICE_MIN))
    default_service_min: float = 6.0
    staff: int | None = None  # workers per day; None lets planner size the team

    def __post_init__(self) -> None:
        _check_fields(self, "", ("staff", "default_service_min"))
        if not isinstance(self.service_min, dict):
            raise InputError(
                f"[service_min] must be a table of minutes by category, not {shown(self.service_min)}"
            )
        unknown = [c for c in self.service_min if c not in CATEGORIES]
        if unknown:
            raise InputError(
                f"[service_min] {shown(unknown[0])}: unknown category; known: {', '.join(CATEGORIES)}"
            )
        service = {
            c: checked(m, SERVICE_MIN_RULE, key_name("service_min", c)) for c, m in self.service_min.items()
        }
        object.__setattr__(self, "service_min", service)

    def service_s(self, category: str) -> int:
        """Service seconds for a shop of ``category``.

        Parameters
        ----------
        category
            The shop's category; an unknown one takes ``default_service_min``.

        Returns
        -------
        int
            Whole seconds.
        """
        return round(60 * self.service_min.get(category, self.default_service_min))

    def to_dict(self) -> dict[str, Any]:
        """The settings as nested dicts of plain values (JSON-ready), as ``from_dict`` reads them.

        Returns
        -------
        dict
            Sections ``week``, ``travel``, ``solver``, ``service_min`` and the scalars; dates and times
            as ISO text.
        """

        def plain(section: object) -> dict[str, Any]:
            return {
                k: v.isoformat() if isinstance(v, dt.date | dt.time) else v
                for k, v in asdict(section).items()
            }

        data: dict[str, Any] = {
            "week": plain(self.week),
            "travel": plain(self.travel),
            "solver": plain(self.solver),
            "service_min": dict(self.service_min),
            "default_service_min": self.default_service_min,
        }
        if self.staff is not None:
            data["staff"] = self.staff
        return data

    @classmethod
    def from_file(cls, path: str | Path) -> Settings:
        """Read settings from a TOML file.

        Parameters
        ----------
        path
            A TOML file.

        Returns
        -------
        Settings
            The defaults, overridden by the file's keys.

        Raises
        ------
        InputError
            If the file is missing or is not TOML, or a setting is unknown, of the wrong kind or
            out of its range (``planner.settings_rules``); the message names the file and the key.
        """
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # Notepad writes a BOM
        except FileNotFoundError as exc:
            raise InputError(f"{path}: settings file not found") from exc
        except OSError as exc:
            raise InputError(f"{path}: cannot read the settings file ({exc.strerror})") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: not valid TOML: {exc}") from exc
        except RecursionError:  # tomllib reads nested arrays and tables recursively
            raise InputError(f"{path}: not valid TOML: arrays or tables nested too deep") from None
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "settings") -> Settings:
        """Build settings from nested dictionaries (as read from TOML); missing keys keep their defaults.

        Parameters
        ----------
        data
            Sections and keys as in a settings file.
        source
            How messages name where the data came from (a file's path).

        Returns
        -------
        Settings
            The defaults, overridden by ``data``.

        Raises
        ------
        InputError
            One line naming ``source`` and the setting that is unknown, of the wrong kind or out of
            its range.
        """
        try:
            return _from_dict(cls(), data)
        except InputError as exc:
            raise InputError(f"{source}: {exc}") from None


def _from_dict(settings: Settings, data: Any) -> Settings:
    if not isinstance(data, dict):
        raise InputError(f"must be a table of settings, not {shown(data)}")
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key in {"week", "travel", "solver", "service_min"} and not isinstance(value, dict):
            raise InputError(f"[{key}] must be a table of settings, not {shown(value)}")
        if key in {"week", "travel", "solver"}:
            changes[key] = replace(getattr(settings, key), **checked_section(key, value))
        elif key == "service_min":
            changes[key] = {**settings.service_min, **value}
        elif key in RULES[""]:
            changes[key] = value
        else:
            known = ", ".join(["week", "travel", "solver", "service_min", *RULES[""]])
            raise InputError(f"unknown setting {shown(key)}; known: {known}")
    return replace(settings, **changes)


def _check_fields(section: Any, name: str, keys: tuple[str, ...] | None = None) -> None:
    """Parse the fields ``keys`` (default: all) of a frozen settings object by their rules, in place."""
    keys = keys or tuple(f.name for f in fields(section))
    for key, value in checked_section(name, {k: getattr(section, k) for k in keys}).items():
        object.__setattr__(section, key, value)
