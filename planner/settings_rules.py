"""The allowed value of every setting, checked wherever settings are made: TOML, options, code."""

from __future__ import annotations

import datetime as dt
import math
import numbers
from dataclasses import dataclass
from typing import Any

from planner.errors import InputError

MAX_DAYS = 31  # a campaign "week" of up to a month
MAX_STAFF = 1_000  # workers a day in one district; a whole district's shops fit in a day at a few hundred
MIN_WORK_MIN = 60  # a worker-day's shift less its lunch: less leaves no room for a visit and the way back
SHOWN_CHARS = 40  # of a refused value in a message, so the message stays one short line

KIND_NAMES = {
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    dt.date: "a date like 2022-02-07",
    dt.time: "a time of day like 09:00",
}


@dataclass(frozen=True)
class Rule:
    """What one setting accepts: a kind of value and, for numbers and dates, a closed range.

    ``above`` excludes ``low`` itself (a speed must be more than 0); ``optional`` allows None.
    """

    kind: type
    low: Any = None
    high: Any = None
    above: bool = False
    optional: bool = False

    def allowed(self) -> str:
        """The rule in words, e.g. ``a whole number from 1 to 31``.

        Returns
        -------
        str
            What the rule accepts, for messages.
        """
        text = KIND_NAMES[self.kind]
        if self.low is not None and self.high is not None:
            low, high = _bound(self.low), _bound(self.high)
            text += f" above {low} up to {high}" if self.above else f" from {low} to {high}"
        return text + (" (or left out)" if self.optional else "")

    def parse(self, value: Any) -> Any:
        """``value`` as this rule's kind; raises ValueError if it is not one or is out of range.

        Parameters
        ----------
        value
            The value as given.

        Returns
        -------
        Any
            The value as the rule's kind.

        Raises
        ------
        ValueError
            If it is not of the kind or is out of range.
        """
        if value is None and self.optional:
            return None
        parsed = _as_kind(value, self.kind)
        if self.low is not None and (parsed < self.low or (self.above and parsed == self.low)):
            raise ValueError("out of range")
        if self.high is not None and parsed > self.high:
            raise ValueError("out of range")
        return parsed


def _bound(value: Any) -> str:
    """A range's end as a message shows it: ``10,000,000``, ``0.5``, ``2022-02-07``."""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,g}" if isinstance(value, float) else str(value)


def _as_kind(value: Any, kind: type) -> Any:
    """``value`` converted to ``kind`` without losing anything (7.9 is no whole number)."""
    if kind is bool:
        if isinstance(value, bool):
            return value
    elif isinstance(value, bool):
        pass  # true is no number of days
    elif kind is int:
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real) and float(value).is_integer():
            return int(value)
    elif kind is float:
        if isinstance(value, numbers.Real) and math.isfinite(value):
            return float(value)
    elif kind is dt.date:
        if isinstance(value, str):
            value = _iso(dt.date.fromisoformat, value)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
    elif kind is dt.time:
        if isinstance(value, str):
            value = _iso(dt.time.fromisoformat, value)
        if isinstance(value, dt.time) and value.tzinfo is None:
            return value
    raise ValueError(f"not {KIND_NAMES[kind]}")


def _iso(parse, text: str) -> Any:
    try:
        return parse(text)
    except ValueError:
        return text  # left as text: refused as the wrong kind


_COST = Rule(int, 0, 10_000_000)
_SERVICE_MIN = Rule(float, 0, 24 * 60, above=True)
_CLOCK = Rule(dt.time)
RULES: dict[str, dict[str, Rule]] = {
    "week": {
        "start_date": Rule(dt.date, dt.date(2000, 1, 1), dt.date(2099, 12, 31)),
        "days": Rule(int, 1, MAX_DAYS),
        "shift_start": _CLOCK,
        "shift_end": _CLOCK,
        "lunch_earliest": _CLOCK,
        "lunch_latest_end": _CLOCK,
        "lunch_min": Rule(int, 0, 24 * 60),
        "evening_start": _CLOCK,
        "evening_end": _CLOCK,
    },
    "travel": {
        "circuity": Rule(float, 1.0, 5.0),
        "walk_speed_mps": Rule(float, 0.0, 10.0, above=True),
        "walk_max_m": Rule(float, 0.0, 100_000.0),
        "transit_speed_kmh": Rule(float, 0.0, 200.0, above=True),
        "transit_access_min": Rule(float, 0.0, 240.0),
        "car_speed_kmh": Rule(float, 0.0, 200.0, above=True),
        "car_parking_min": Rule(float, 0.0, 240.0),
    },
    "solver": {
        "zone_max_stops": Rule(int, 1, 1_000),
        "time_limit_s": Rule(float, 0.0, 86_400.0, above=True),
        "seed": Rule(int, 0, 2**31 - 1),
        "worker_day_cost": _COST,
        "later_day_cost": _COST,
        "open_routes": Rule(bool),
        "open_start": Rule(bool),
        "processes": Rule(int, 1, 256),
        "improve_s": Rule(float, 0.0, 86_400.0),
        "sub_time_s": Rule(float, 0.0, 3_600.0, above=True),
        "solution_limit": Rule(int, 1, 1_000_000_000, optional=True),
    },
    "": {
        "staff": Rule(int, 1, MAX_STAFF, optional=True),
        "default_service_min": _SERVICE_MIN,
    },
    "service_min": {},  # any category of planner.schema.CATEGORIES: SERVICE_MIN_RULE
}
SERVICE_MIN_RULE = _SERVICE_MIN


def key_name(section: str, key: str) -> str:
    """How a message names a setting: ``[week] days``, or ``staff`` for a top-level one.

    Parameters
    ----------
    section, key
        The section (empty for top level) and the key.

    Returns
    -------
    str
        The setting's name in messages.
    """
    return f"[{section}] {key}" if section else key


def shown(value: Any) -> str:
    """``value`` as a message shows it, cut short.

    Parameters
    ----------
    value
        Any value.

    Returns
    -------
    str
        Its ``repr``, at most ``SHOWN_CHARS`` characters.
    """
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 3] + "..."


def checked(value: Any, rule: Rule, name: str) -> Any:
    """``value`` parsed by ``rule``.

    Parameters
    ----------
    value
        The value as given (from TOML, JSON, an option or code).
    rule
        What the setting accepts.
    name
        How the message names the setting: ``[week] days`` or ``--days``.

    Returns
    -------
    Any
        The value as the rule's kind (``5`` becomes ``5.0`` for a number, ``"09:00"`` a time).

    Raises
    ------
    InputError
        One line naming the setting, the value and what is allowed.
    """
    try:
        return rule.parse(value)
    except (ValueError, TypeError, OverflowError):
        given = f" {str(value)[:SHOWN_CHARS]}" if name.startswith("--") else f" = {shown(value)}"
        raise InputError(f"{name}{given}: must be {rule.allowed()}") from None


def checked_section(section: str, values: dict[str, Any]) -> dict[str, Any]:
    """Every value of a section parsed by its rule (see ``checked``); unknown keys are refused.

    Parameters
    ----------
    section
        ``week``, ``travel`` or ``solver``.
    values
        The section's keys and values as given.

    Returns
    -------
    dict
        The values parsed by their rules.

    Raises
    ------
    InputError
        For an unknown key or a value its rule refuses, naming the key.
    """
    rules = RULES[section]
    unknown = [key for key in values if key not in rules]
    if unknown:
        known = ", ".join(rules)
        raise InputError(f"{key_name(section, shown(unknown[0]))}: unknown setting; known: {known}")
    return {key: checked(value, rules[key], key_name(section, key)) for key, value in values.items()}


def check_week(week: Any) -> None:
    """The week's clock rules: the shift ends after it starts, and the lunch window lies inside it,
    holds the break and leaves at least ``MIN_WORK_MIN`` minutes of work; the evening shift holds
    at least ``MIN_WORK_MIN`` minutes.

    Parameters
    ----------
    week
        A ``WeekSettings``.

    Raises
    ------
    InputError
        One line naming the settings at fault and the rule.
    """
    _check_evening(week)
    start, end = _minutes(week.shift_start), _minutes(week.shift_end)
    earliest, latest_end = _minutes(week.lunch_earliest), _minutes(week.lunch_latest_end)
    shift = f"shift_start {week.shift_start:%H:%M} to shift_end {week.shift_end:%H:%M}"
    window = f"lunch_earliest {week.lunch_earliest:%H:%M} to lunch_latest_end {week.lunch_latest_end:%H:%M}"
    if end <= start:
        raise InputError(
            f"[week] shift_end {week.shift_end:%H:%M} must be after shift_start {week.shift_start:%H:%M}"
        )
    if not start <= earliest < latest_end <= end:
        raise InputError(f"[week] the lunch window ({window}) must lie inside the shift ({shift})")
    if week.lunch_min > latest_end - earliest:
        raise InputError(
            f"[week] lunch_min = {week.lunch_min} does not fit in the lunch window ({window}): "
            f"at most {latest_end - earliest:g} minutes"
        )
    if end - start - week.lunch_min < MIN_WORK_MIN:
        raise InputError(
            f"[week] the shift ({shift}) less lunch_min = {week.lunch_min} leaves under "
            f"{MIN_WORK_MIN} minutes of work"
        )


def _check_evening(week: Any) -> None:
    """The evening shift ends after it starts and holds at least ``MIN_WORK_MIN`` minutes of work."""
    start, end = _minutes(week.evening_start), _minutes(week.evening_end)
    if end - start < MIN_WORK_MIN:
        raise InputError(
            f"[week] the evening shift (evening_start {week.evening_start:%H:%M} to evening_end "
            f"{week.evening_end:%H:%M}) must end at least {MIN_WORK_MIN} minutes after it starts"
        )


def _minutes(time: dt.time) -> float:
    return time.hour * 60 + time.minute + time.second / 60
