"""A scripted campaign week through the planner command: init, daily outcomes, re-plan and status."""

from __future__ import annotations

import re
import shutil
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from campaign_helpers import kill_inside_transaction
from typer.testing import CliRunner

from planner.cli import app

runner = CliRunner()
DAYS = (0, 1, 2)
PINNED_DAY = 1  # the re-plan after day 0 keeps day 1's routes: staff already have them
CURRENT = "(SELECT MAX(plan_version) FROM plans)"


@dataclass
class Step:
    """One command of the week, what it printed and the store's rows afterwards."""

    args: list[str]
    exit_code: int
    output: str  # whitespace collapsed, so rich's line wrapping does not split messages
    counts: dict[str, int]
    problems: list[str]  # conservation problems found with plain SQL


@dataclass
class Week:
    """The steps of the scripted week, by name, and the outcome rows sent each day."""

    store: Path
    steps: dict[str, Step] = field(default_factory=dict)
    sent: dict[int, list[tuple]] = field(default_factory=dict)  # day -> (id, staff, date, outcome, time)
    planned_before: dict[int, set] = field(default_factory=dict)  # day -> its (shop, staff, stop) before


def _query(store: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(store) as conn:
        return conn.execute(sql, args).fetchall()


def _counts(store: Path) -> dict[str, int]:
    tables = ("campaign", "merchants", "plans", "visits", "outcomes", "unassigned")
    return {t: _query(store, f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables}


def _conservation(store: Path) -> list[str]:
    """needing = installed + planned + unassigned, disjoint, checked with SQL alone."""
    needing = {m for (m,) in _query(store, "SELECT merchant_id FROM merchants WHERE needs_panel = 1")}
    installed = {m for (m,) in _query(store, "SELECT merchant_id FROM outcomes WHERE outcome = 'installed'")}
    planned = [
        m
        for (m,) in _query(
            store, f"SELECT merchant_id FROM visits WHERE status = 'planned' AND plan_version = {CURRENT}"
        )
    ]
    left = {m for (m,) in _query(store, f"SELECT merchant_id FROM unassigned WHERE plan_version = {CURRENT}")}
    stale = _query(
        store, f"SELECT COUNT(*) FROM visits WHERE status = 'planned' AND plan_version < {CURRENT}"
    )[0][0]
    problems = [f"{stale} planned visits of older plans"] if stale else []
    if len(planned) != len(set(planned)):
        problems.append("a shop is planned twice")
    planned_ids = set(planned)
    for name, a, b in (
        ("installed+planned", installed, planned_ids),
        ("installed+unassigned", installed, left),
    ):
        problems += [f"{name}: {m}" for m in a & b]
    problems += [f"planned+unassigned: {m}" for m in planned_ids & left]
    if installed | planned_ids | left != needing:
        problems.append("the three groups do not make up the needing shops")
    return problems


def _run(week: Week, name: str, *args) -> Step:
    result = runner.invoke(app, [str(a) for a in args])
    step = Step(
        [str(a) for a in args],
        result.exit_code,
        " ".join(result.output.split()),
        _counts(week.store),
        _conservation(week.store),
    )
    week.steps[name] = step
    return step


def _day_rows(store: Path, day: int) -> list[tuple]:
    """Outcomes of the current plan's visits of ``day``: mostly installed, some closed, one refused."""
    visits = _query(
        store,
        f"SELECT merchant_id, staff_id, date, start_s FROM visits WHERE status = 'planned' "
        f"AND plan_version = {CURRENT} AND day = ? ORDER BY staff_id, stop",
        day,
    )
    outcome = {1: "refused"} | {i: "closed" for i in range(3, len(visits), 7)}
    return [
        (m, s, d, outcome.get(i, "installed"), f"{start % 86_400 // 3600:02d}:{start % 3600 // 60:02d}")
        for i, (m, s, d, start) in enumerate(visits)
    ]


def _write(path: Path, rows: list[tuple]) -> Path:
    lines = ["merchant_id,staff_id,date,outcome,time,note"] + [",".join(r) + ",field" for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _play_day(week: Week, folder: Path, day: int) -> None:
    """Import a day's outcomes twice, try two bad files, then re-plan the days after it."""
    rows = _day_rows(week.store, day)
    week.sent[day] = rows
    earlier = week.sent.get(day - 1, [])[:3]  # a coordinator re-sends part of yesterday's file
    good = _write(folder / f"day{day}.csv", earlier + rows + rows[:1])
    _run(week, f"import {day}", "outcomes", "import", good, "--store", week.store)
    _run(week, f"import {day} again", "outcomes", "import", good, "--store", week.store)
    unknown = _write(folder / f"day{day}_unknown.csv", [rows[0], ("NO-SUCH-SHOP", *rows[0][1:])])
    _run(week, f"unknown {day}", "outcomes", "import", unknown, "--store", week.store)
    shop, staff, date, _, _ = next(r for r in rows if r[3] == "installed")
    late = _write(folder / f"day{day}_contradiction.csv", [rows[-1], (shop, staff, date, "closed", "17:59")])
    _run(week, f"contradiction {day}", "outcomes", "import", late, "--store", week.store)
    pin = ["--pin-under-way"] if day + 1 == PINNED_DAY else []
    if pin:
        week.planned_before[PINNED_DAY] = _planned_on(week.store, PINNED_DAY)
    _run(week, f"replan {day + 1}", "replan", "--day", day + 1, *pin, "--store", week.store)
    _run(week, f"status {day}", "status", "--store", week.store)


def _planned_on(store: Path, day: int) -> set[tuple]:
    sql = f"SELECT merchant_id, staff_id, stop FROM visits WHERE status = 'planned' AND plan_version = {CURRENT} AND day = ?"
    return set(_query(store, sql, day))


@pytest.fixture(scope="module")
def week(tmp_path_factory) -> Week:
    """Three days of a small Dobong-gu campaign (about 110 shops, one worker) played through the CLI."""
    folder = tmp_path_factory.mktemp("week")
    merchants = folder / "merchants.csv"
    week = Week(folder / "campaign.sqlite")
    assert (
        runner.invoke(
            app, ["sample", "Dobong-gu", "--n", "800", "--seed", "1", "-o", str(merchants)]
        ).exit_code
        == 0
    )
    init = ["campaign", "init", merchants, "--district", "Dobong-gu", "--staff", "1", "--store", week.store]
    _run(week, "init", *init, "--time-limit", "0.5", "--improve-time", "0")
    for day in DAYS:
        _play_day(week, folder, day)
    return week


def test_every_good_step_succeeds_and_conserves_shops(week):
    """Init, good imports, re-plans and status exit 0 and leave needing = installed + planned + unassigned."""
    for name, step in week.steps.items():
        if not name.startswith(("unknown", "contradiction")):
            assert step.exit_code == 0, (name, step.output)
        assert step.problems == [], (name, step.problems)


def test_importing_a_file_again_changes_nothing(week):
    """The second import of a day's file records no outcome and leaves every table as it was."""
    for day in DAYS:
        first, again = week.steps[f"import {day}"], week.steps[f"import {day} again"]
        assert f"{len(week.sent[day])} new outcomes" in first.output
        assert "0 new outcomes" in again.output and again.counts == first.counts


def test_an_unknown_shop_rejects_the_file_naming_row_and_column(week):
    """A file with an unknown shop exits 1, names file, row and column, and writes nothing."""
    for day in DAYS:
        step, before = week.steps[f"unknown {day}"], week.steps[f"import {day} again"]
        assert step.exit_code == 1
        assert f"day{day}_unknown.csv row 3, column merchant_id: unknown shop 'NO-SUCH-SHOP'" in step.output
        assert "nothing was imported" in step.output and step.counts == before.counts


def test_a_contradicting_outcome_rejects_the_file(week):
    """Closed after installed the same day exits 1 with the row and column, and writes nothing."""
    for day in DAYS:
        step, before = week.steps[f"contradiction {day}"], week.steps[f"import {day} again"]
        assert step.exit_code == 1
        assert f"day{day}_contradiction.csv row 3, column outcome:" in step.output
        assert "closed after installed" in step.output and step.counts == before.counts


def test_replan_keeps_installed_shops_and_retries_closed_ones_later(week):
    """After the week, installed shops have no planned visit; closed ones are planned on a later day or unassigned."""
    planned = dict(
        _query(
            week.store,
            f"SELECT merchant_id, day FROM visits WHERE status = 'planned' AND plan_version = {CURRENT}",
        )
    )
    reasons = dict(
        _query(week.store, f"SELECT merchant_id, reason FROM unassigned WHERE plan_version = {CURRENT}")
    )
    installed = {
        m for (m,) in _query(week.store, "SELECT merchant_id FROM outcomes WHERE outcome = 'installed'")
    }
    assert installed and not installed & set(planned)
    sent_last = {row[0]: row[3] for day in DAYS for row in week.sent[day]}  # each shop's latest outcome
    closed = [m for m, outcome in sent_last.items() if outcome == "closed"]
    assert closed
    for shop in closed:
        assert planned.get(shop, -1) > DAYS[-1] or reasons.get(shop) in {"tries_exhausted", "capacity"}
    refused = [m for m, outcome in sent_last.items() if outcome == "refused"]
    assert refused and all(reasons[m] == "refused" for m in refused)


def test_pin_under_way_keeps_the_days_routes(week):
    """`replan --pin-under-way` after day 0 keeps day 1's visits exactly as the staff received them."""
    assert week.planned_before[PINNED_DAY]
    sent = {(m, s) for m, s, *_ in week.sent[PINNED_DAY]}
    assert {(m, s) for m, s, _ in week.planned_before[PINNED_DAY]} == sent


def test_status_reports_progress_against_the_deadline(week):
    """`planner status` shows the district, its installed count and the deadline, with no conservation problem."""
    step = week.steps[f"status {DAYS[-1]}"]
    installed = _query(
        week.store, "SELECT COUNT(DISTINCT merchant_id) FROM outcomes WHERE outcome = 'installed'"
    )[0][0]
    row = re.search(r"projected_finish at_risk [- ]*Dobong-gu (\d+) (\d+) (\d+) (\d+) (\d+) ", step.output)
    assert row is not None and "deadline 2022-02-13" in step.output
    needing, done, given_up, planned, left = map(int, row.groups())
    assert done == installed and needing == done + given_up + planned + left
    assert "conservation" not in step.output


def test_an_import_killed_midway_leaves_the_store_as_before(week, tmp_path):
    """SIGKILL inside `planner outcomes import` leaves every table as before; the same import then works."""
    store = tmp_path / "campaign.sqlite"
    shutil.copy(week.store, store)
    rows = _day_rows(store, DAYS[-1] + 1)
    field_file = _write(tmp_path / "day3.csv", rows)
    before = _counts(store)
    command = [sys.executable, "-c", "from planner.cli import app; app()", "outcomes", "import"]
    kill_inside_transaction(store, [*command, str(field_file), "--store", str(store)])
    assert _counts(store) == before and _conservation(store) == []
    result = runner.invoke(app, ["outcomes", "import", str(field_file), "--store", str(store)])
    assert result.exit_code == 0 and _counts(store)["outcomes"] == before["outcomes"] + len(rows)


def test_simulate_repeats_for_a_seed_and_confirms_its_staff_advice(week, tmp_path):
    """`planner simulate --seed` on the campaign prints the same forecast twice and confirms the advised team."""
    store = tmp_path / "campaign.sqlite"
    shutil.copy(week.store, store)
    args = ["simulate", "--store", str(store), "--runs", "2", "--seed", "4"]
    advised = runner.invoke(app, [*args, "--target", "0.5"])
    plain = runner.invoke(app, args)
    assert advised.exit_code == 0 and plain.exit_code == 0, advised.output + plain.output

    def forecast_part(output: str) -> str:
        text = " ".join(output.split())
        return text[text.index("Share of runs") :]

    assert forecast_part(advised.output).startswith(forecast_part(plain.output))
    assert "Dobong-gu" in plain.output and "p_finish" in plain.output
    assert "confirmed Dobong-gu: staff" in " ".join(advised.output.split())
    # the sample's night shops: no team finishes them, and the advice says so
    assert "shops no shift reaches: no team finishes the week" in " ".join(advised.output.split())


def test_a_campaign_of_staff_who_report_at_their_first_shop_keeps_that_in_its_store(tmp_path):
    """`campaign init --start-at-first-shop`: stored with the campaign, so the week's routes and
    every re-plan start at the first shop with no way out from the office."""
    merchants, store = tmp_path / "merchants.csv", tmp_path / "campaign.sqlite"
    args = ["sample", "Dobong-gu", "--n", "300", "--seed", "2", "-o", str(merchants)]
    assert runner.invoke(app, args).exit_code == 0
    init = ["campaign", "init", str(merchants), "--district", "Dobong-gu", "--staff", "1"]
    result = runner.invoke(
        app,
        [*init, "--store", str(store), "--time-limit", "0.5", "--improve-time", "0", "--start-at-first-shop"],
    )
    assert result.exit_code == 0, result.output
    assert '"open_start": true' in _query(store, "SELECT settings FROM campaign")[0][0]
    replan = runner.invoke(app, ["replan", "--day", "1", "--store", str(store)])
    assert replan.exit_code == 0, replan.output
    sql = (
        f"SELECT travel_s, arrival_s, leave_office_s FROM visits WHERE stop = 1 AND plan_version = {CURRENT}"
    )
    firsts = _query(store, sql)
    assert _query(store, "SELECT COUNT(DISTINCT plan_version) FROM visits")[0][0] == 2
    assert firsts and all(travel == 0 and arrival == leave for travel, arrival, leave in firsts)
