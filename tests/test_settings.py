"""Settings are checked when made: TOML files, command-line options and code get the same rules."""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import fields, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import InputError
from planner.schema import CATEGORIES
from planner.settings import Settings, SolverSettings, TravelSettings, WeekSettings
from planner.settings_rules import RULES

runner = CliRunner()

SECTIONS = {"week": WeekSettings, "travel": TravelSettings, "solver": SolverSettings}
KEYS = [
    *((section, f.name) for section, kind in SECTIONS.items() for f in fields(kind)),
    ("", "staff"),
    ("", "default_service_min"),
    *(("service_min", category) for category in CATEGORIES),
]
CLOCKS = ("shift_start", "shift_end", "lunch_earliest", "lunch_latest_end", "evening_start", "evening_end")

# One bad setting per line of the hardening list: the TOML and the key its message must name.
BAD_FILES = [
    ("staff = -3", "staff"),
    ("staff = 0", "staff"),
    ('staff = "many"', "staff"),
    ("[week]\ndays = 0", "[week] days"),
    ("[week]\ndays = 32", "[week] days"),
    ("[week]\ndays = 7.9", "[week] days"),
    ('[week]\nshift_start = "18:00"\nshift_end = "09:00"', "shift_end"),
    ("[week]\nlunch_min = 600", "lunch_min"),
    ('[week]\nshift_start = "09:00"\nshift_end = "10:00"', "shift_end"),  # a 1-hour shift
    ('[week]\nshift_start = "09:00"\nshift_end = "12:00"', "shift_end"),  # a 3-hour shift
    ("[week]\nshift_start = 900", "[week] shift_start"),
    ("[week]\nstart_date = 1900-01-01", "[week] start_date"),
    ('[week]\nstart_date = "9999-12-31"', "[week] start_date"),
    ("week = 5", "[week]"),
    ('[week]\nevening_start = "21:30"', "evening_start"),  # under an hour of evening
    ('[week]\nevening_end = "16:00"', "evening_end"),  # the evening ends before it starts
    ("[week]\nevening_end = 22", "[week] evening_end"),
    ("[service_min]\ncafe = 0", "[service_min] cafe"),
    ("default_service_min = -1", "default_service_min"),
    ("[travel]\nwalk_speed_mps = 0", "[travel] walk_speed_mps"),
    ("[travel]\ntransit_speed_kmh = -18", "[travel] transit_speed_kmh"),
    ("[travel]\ncar_speed_kmh = 0", "[travel] car_speed_kmh"),
    ("[travel]\ncar_parking_min = -1", "[travel] car_parking_min"),
    ('[solver]\nopen_routes = "false"', "[solver] open_routes"),
    ("[solver]\ntime_limit_s = 0", "[solver] time_limit_s"),
    ("[solver]\nprocesses = 0", "[solver] processes"),
    ("[solver]\nimprove_s = nan", "[solver] improve_s"),
]
BAD_OPTIONS = [
    (["plan", "{merchants}", "--staff", "0"], "--staff"),
    (["plan", "{merchants}", "--staff", "-3"], "--staff"),
    (["plan", "{merchants}", "--days", "0"], "--days"),
    (["plan", "{merchants}", "--days", "32"], "--days"),
    (["plan", "{merchants}", "--time-limit", "0"], "--time-limit"),
    (["plan", "{merchants}", "--time-limit", "nan"], "--time-limit"),
    (["plan", "{merchants}", "--improve-time", "-1"], "--improve-time"),
    (["plan", "{merchants}", "--processes", "0"], "--processes"),
    (["plan", "{merchants}", "--city", "--workers", "100000"], "--workers"),
    (["plan", "{merchants}", "--start", "1900-01-01"], "--start"),
    (["plan", "{merchants}", "--start", "9999-12-31"], "--start"),
    (["staffing", "{merchants}", "--days", "0"], "--days"),
    (["staffing", "{merchants}", "--time-limit", "0"], "--time-limit"),
    (["verify", "{out}", "--start", "0001-01-01"], "--start"),
    (["demo", "--out", "{out}", "--time-limit", "-4"], "--time-limit"),
    (["campaign", "init", "{merchants}", "--staff", "0", "--store", "{store}"], "--staff"),
    (
        ["campaign", "init", "{merchants}", "--staff", "2", "--max-tries", "0", "--store", "{store}"],
        "--max-tries",
    ),
    (["campaign", "init", "{merchants}", "--staff", "2", "--budget", "-1", "--store", "{store}"], "--budget"),
    (["simulate", "{merchants}", "--staff", "2", "--runs", "0"], "--runs"),
    (["simulate", "{merchants}", "--staff", "2", "--fail-rate", "2"], "--fail-rate"),
    (["simulate", "{merchants}", "--staff", "2", "--seed", "-1"], "--seed"),
    (["simulate", "{merchants}", "--staff", "0"], "--staff"),
    (["sample", "Jongno-gu", "--out", "{out}/s.csv", "--seed", "-1"], "--seed"),
]


def assert_one_line_naming(result, key: str) -> None:
    """Exit code 1 and a single line of output that names ``key``, with no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.output.strip().count("\n") == 0, result.output
    assert key in result.output and "Traceback" not in result.output


def test_a_settings_file_nested_too_deep_is_one_input_error(tmp_path):
    """Arrays nested 100,000 deep are refused as not valid TOML, not a RecursionError."""
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="deep.toml: not valid TOML: .*nested too deep"):
        Settings.from_file(path)


@pytest.mark.parametrize(("text", "key"), BAD_FILES)
def test_a_bad_setting_in_a_file_is_refused_naming_the_file_and_key(tmp_path, text, key):
    """A settings file with a value of the wrong kind or range raises InputError naming it, one line."""
    path = tmp_path / "week.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        Settings.from_file(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and key in message and "\n" not in message


@pytest.mark.parametrize(("text", "key"), BAD_FILES)
def test_plan_with_a_bad_settings_file_exits_1_with_one_line(tmp_path, small_merchants_path, text, key):
    """`planner plan --settings` with a bad value exits 1 and prints one line naming the key."""
    path = tmp_path / "week.toml"
    path.write_text(text + "\n", encoding="utf-8")
    args = ["plan", str(small_merchants_path), "--settings", str(path), "--out", str(tmp_path / "out")]
    assert_one_line_naming(runner.invoke(app, args), key)


@pytest.mark.parametrize(("args", "option"), BAD_OPTIONS)
def test_a_bad_option_exits_1_with_one_line_naming_it(tmp_path, small_merchants_path, args, option):
    """A numeric or date option out of its range exits 1 with one line naming the option."""
    places = {"merchants": small_merchants_path, "out": tmp_path, "store": tmp_path / "c.sqlite"}
    result = runner.invoke(app, [a.format(**places) for a in args])
    assert_one_line_naming(result, option)


def test_a_lunch_longer_than_its_window_is_refused_promptly(tmp_path, small_merchants_path):
    """`lunch_min = 600` ends `planner plan` at once with one line, instead of spinning forever."""
    path = tmp_path / "long_lunch.toml"
    path.write_text("[week]\nlunch_min = 600\n", encoding="utf-8")
    began = time.monotonic()
    args = ["plan", str(small_merchants_path), "--settings", str(path), "--out", str(tmp_path / "out")]
    result = runner.invoke(app, args)
    assert_one_line_naming(result, "lunch_min")
    assert time.monotonic() - began < 5


def test_settings_made_in_code_follow_the_same_rules():
    """A notebook's WeekSettings(days=0) or replace(settings, staff=0) raises the same InputError."""
    with pytest.raises(InputError, match=r"\[week\] days = 0: must be a whole number from 1 to 31"):
        WeekSettings(days=0)
    with pytest.raises(InputError, match="^staff = 0: "):
        replace(Settings(), staff=0)
    with pytest.raises(InputError, match=r"\[solver\] open_routes = 'false'"):
        SolverSettings(open_routes="false")


def toml_value(value) -> str:
    """``value`` written as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = (c if c.isprintable() and c not in '"\\' else f"\\U{ord(c):08x}" for c in value)
        return '"' + "".join(escaped) + '"'
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_file(directory, section: str, key: str, value) -> str:
    """A settings file setting only ``key`` of ``section`` (top level for "")."""
    path = directory / "settings.toml"
    line = f"{key} = {toml_value(value)}\n"
    path.write_text(line if not section else f"[{section}]\n{line}", encoding="utf-8")
    return path


def names(message: str, section: str, key: str) -> bool:
    """Whether a one-line ``message`` names the key (a week's clock rule names its section and keys)."""
    return "\n" not in message and key in message and (not section or f"[{section}]" in message)


def value_of(loaded: Settings, section: str, key: str):
    if section == "service_min":
        return loaded.service_min[key]
    return getattr(getattr(loaded, section) if section else loaded, key)


def kind_of(section: str, key: str) -> type:
    return RULES[section][key].kind if section != "service_min" else float


TEXT = st.text(max_size=20)
DATES = st.dates()
TIMES = st.times()
LISTS = st.lists(st.integers(-5, 5), max_size=3)
TABLES = st.dictionaries(st.sampled_from(["a", "b"]), st.integers(-5, 5), max_size=2)
NUMBERS = st.one_of(st.integers(-(2**63), 2**63 - 1), st.floats())
ANY_VALUE = st.one_of(NUMBERS, st.booleans(), TEXT, DATES, TIMES, st.datetimes(), LISTS, TABLES)
WRONG_KIND = {  # values never of the key's kind, whatever their content
    int: st.one_of(
        TEXT, st.booleans(), DATES, TIMES, LISTS, TABLES, st.floats().filter(lambda f: f % 1 != 0)
    ),
    float: st.one_of(TEXT, st.booleans(), DATES, TIMES, LISTS, TABLES),
    bool: st.one_of(NUMBERS, TEXT, DATES, TIMES, LISTS, TABLES),
    dt.date: st.one_of(NUMBERS, st.booleans(), TIMES, st.datetimes(), LISTS, TABLES),
    dt.time: st.one_of(NUMBERS, st.booleans(), DATES, LISTS, TABLES),
}


@settings(max_examples=300, deadline=None)
@given(place=st.sampled_from(KEYS), value=ANY_VALUE)
def test_any_value_loads_as_its_kind_or_is_refused_naming_the_key(tmp_path_factory, place, value):
    """Whatever TOML value a key gets, it loads as the key's kind or raises a one-line InputError naming it."""
    section, key = place
    path = toml_file(tmp_path_factory.getbasetemp(), section, key, value)
    try:
        loaded = Settings.from_file(path)
    except InputError as exc:
        assert names(str(exc), section, key)
        return
    assert type(value_of(loaded, section, key)) is kind_of(section, key)


@settings(max_examples=300, deadline=None)
@given(place=st.sampled_from(KEYS), data=st.data())
def test_a_value_of_the_wrong_kind_is_refused_naming_the_key(tmp_path_factory, place, data):
    """Text for a number, a number for a time, "false" for a flag: InputError naming the key."""
    section, key = place
    value = data.draw(WRONG_KIND[kind_of(section, key)])
    path = toml_file(tmp_path_factory.getbasetemp(), section, key, value)
    with pytest.raises(InputError) as raised:
        Settings.from_file(path)
    assert names(str(raised.value), section, key)


def around_range(section: str, key: str):
    """Values inside a key's range and a stretch either side of it."""
    rule = RULES[section][key] if section != "service_min" else RULES[""]["default_service_min"]
    if rule.kind is dt.date:
        return st.dates()
    if rule.kind is int:
        return st.integers(rule.low - 1_000, rule.high + 1_000)
    return st.floats(rule.low - 10, 2 * rule.high + 10)


def in_rule(section: str, key: str, value) -> bool:
    rule = RULES[section][key] if section != "service_min" else RULES[""]["default_service_min"]
    return rule.low <= value <= rule.high and not (rule.above and value == rule.low)


RANGED = [k for k in KEYS if k[1] not in CLOCKS and kind_of(*k) is not bool]


@settings(max_examples=300, deadline=None)
@given(place=st.sampled_from(RANGED), data=st.data())
def test_a_value_loads_unchanged_exactly_when_in_its_range(tmp_path_factory, place, data):
    """A number or date loads, unchanged, exactly when it lies in the range its message states."""
    section, key = place
    value = data.draw(around_range(section, key))
    path = toml_file(tmp_path_factory.getbasetemp(), section, key, value)
    if not in_rule(section, key, value) or (key == "lunch_min" and value > 150):  # the default window
        with pytest.raises(InputError):
            Settings.from_file(path)
    else:
        assert value_of(Settings.from_file(path), section, key) == value


@st.composite
def clock_days(draw):
    """Any shift, lunch window (minutes of the day) and lunch length."""
    clocks = draw(st.lists(st.integers(0, 1439), min_size=4, max_size=4))
    keys = ("shift_start", "lunch_earliest", "lunch_latest_end", "shift_end")
    return dict(zip(keys, clocks, strict=True)), draw(st.integers(0, 600))


@settings(max_examples=300, deadline=None)
@given(day=clock_days())
def test_a_day_loads_exactly_when_its_lunch_fits_and_leaves_an_hour_of_work(day):
    """A week loads exactly when the lunch window lies in the shift, holds the break and leaves an hour."""
    clocks, lunch = day
    week = {"week": {**{k: f"{m // 60:02d}:{m % 60:02d}" for k, m in clocks.items()}, "lunch_min": lunch}}
    start, earliest, latest_end, end = clocks.values()
    workable = (
        start <= earliest < latest_end <= end and lunch <= latest_end - earliest and end - start - lunch >= 60
    )
    if workable:
        loaded = Settings.from_dict(week).week
        assert {k: getattr(loaded, k).hour * 60 + getattr(loaded, k).minute for k in clocks} == clocks
    else:
        with pytest.raises(InputError, match=r"^settings: \[week\] "):
            Settings.from_dict(week)


def test_the_evening_shift_is_a_week_with_that_shift_and_no_lunch():
    """week.evening_week() has evening_start..evening_end as its shift and no lunch break."""
    evening = Settings.from_dict(
        {"week": {"evening_start": "18:00", "evening_end": "21:00"}}
    ).week.evening_week()
    assert (evening.shift_start, evening.shift_end, evening.lunch_min) == (dt.time(18), dt.time(21), 0)
    assert evening.shift_s(1) == (86_400 + 18 * 3600, 86_400 + 21 * 3600)
