"""Tests for planning a district with a roster: each person's own days, shift, start, end and mode."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from routes_recheck import recheck_folder
from typer.testing import CliRunner

from planner.cli import app
from planner.geo.districts import find_district
from planner.geo.travel import project
from planner.io.people import Person
from planner.io.read import read_merchants
from planner.io.roster import write_roster
from planner.planning.crew import person_days, work_spans
from planner.planning.output import write_plan
from planner.planning.plan import plan_district
from planner.planning.shops import prepare_shops
from planner.planning.triage import needing, triage
from planner.planning.verify import plan_violations
from planner.report.audit import audit_plan
from planner.report.load import load_plan
from planner.samples.roster import generate_roster
from planner.settings import Settings

EVENING_ONLY = "Mo-Sa 19:00-02:00"  # 7 shops of the small file open only after the day shift
ROSTER = [
    Person("D1", "Kim Day", "north", "Jongno-gu", "Mo-Fr 09:00-18:00", "office", "office", "transit", True),
    Person(
        "D2", "Lee Car", "north", "Jongno-gu", "Mo-Fr 09:00-18:00", "first_shop", "last_shop", "car", True
    ),
    Person("S1", "Park Sat", "", None, "Sa 10:00-15:00", (37.5700, 126.9850), "start", "walk", False),
    Person("E1", "Choi Eve", "", None, "Mo-Sa 17:00-22:00", "first_shop", "last_shop", "walk", False),
]


@pytest.fixture(scope="module")
def settings(fast_settings):
    """The fast test settings with a short improvement."""
    return replace(fast_settings, solver=replace(fast_settings.solver, improve_s=1.0))


@pytest.fixture(scope="module")
def roster_plan(small_needing, settings):
    """The small file planned with a mixed roster of day, Saturday and evening people."""
    return plan_district(small_needing, find_district("Jongno-gu"), settings, people=ROSTER)


@pytest.fixture(scope="module")
def office_xy():
    """The Jongno-gu office in metres."""
    d = find_district("Jongno-gu")
    return project(np.array([d.office_lat]), np.array([d.office_lon]))[0]


def test_every_visit_is_a_roster_person_inside_their_own_shift(roster_plan, settings):
    """Each route is one person's, on a day they work, inside their own shift, with their name and mode."""
    days = {(d.person.staff_id, d.day): d for d in person_days(ROSTER, settings)}
    people = {p.staff_id: p for p in ROSTER}
    routes = roster_plan.routes
    assert len(routes) and set(routes["staff_id"]) <= set(people)
    for row in routes.itertuples():
        entry = days[(row.staff_id, row.day)]
        assert entry.shift_s[0] <= row.leave_office_s <= row.start_s < row.departure_s <= row.back_office_s
        assert row.back_office_s <= entry.shift_s[1]
        assert (row.staff_name, row.mode) == (people[row.staff_id].name, people[row.staff_id].mode)
        assert (row.lunch_start_s >= 0) == (entry.lunch_s > 0)


def test_evening_people_take_the_evening_only_shops(roster_plan, small_needing):
    """No evening-only shop is left unassigned: the evening person visits them all."""
    evening = set(small_needing.loc[small_needing["opening_hours"] == EVENING_ONLY, "merchant_id"])
    routes = roster_plan.routes.set_index("merchant_id")
    assert evening and evening <= set(routes.index)
    assert set(routes.loc[list(evening), "staff_id"]) == {"E1"}
    assert roster_plan.unassigned.empty


def test_a_shop_no_shift_is_open_for_stays_unassigned_with_that_reason(small_needing, settings):
    """With day people only, the evening-only shops are unassigned as no_time_window_fits."""
    plan = plan_district(small_needing, find_district("Jongno-gu"), settings, people=ROSTER[:2])
    evening = set(small_needing.loc[small_needing["opening_hours"] == EVENING_ONLY, "merchant_id"])
    reasons = plan.unassigned.set_index("merchant_id")["reason"]
    assert evening <= set(reasons.index) and set(reasons.loc[list(evening)]) == {"no_time_window_fits"}


def test_verifier_checks_each_persons_own_days_and_mode(roster_plan, settings, office_xy, small_needing):
    """Moving a route to someone off that day, or re-checking a transit rider as a walker, is caught."""
    crew = {(d.day, d.seat): d for d in person_days(ROSTER, settings)}
    shops = prepare_shops(small_needing, settings, work_spans(list(crew.values())))
    args = (roster_plan.unassigned, shops, office_xy, settings, None)
    assert plan_violations(roster_plan.routes, *args, crew=crew) == []
    monday = roster_plan.routes[(roster_plan.routes["day"] == 0) & (roster_plan.routes["staff_id"] == "D1")]
    moved = roster_plan.routes.copy()
    moved.loc[monday.index, "staff_id"] = "S1"
    assert any("S1" in p and "not available" in p for p in plan_violations(moved, *args, crew=crew))
    walker = [replace(p, mode="walk") if p.staff_id == "D1" else p for p in ROSTER]
    as_walker = {(d.day, d.seat): d for d in person_days(walker, settings)}
    assert any(
        "D1" in p and "travel" in p for p in plan_violations(roster_plan.routes, *args, crew=as_walker)
    )


SAMPLES = Path(__file__).parent.parent / "data" / "samples"
EVENING_HOURS = (
    r"^[A-Za-z,\- ]+(1[7-9]|2[0-3]):\d\d-0\d:\d\d"  # opens at 17:00 or later, closes after midnight
)


@pytest.fixture(scope="module")
def three_districts(tmp_path_factory):
    """Small cuts of three sample districts: 25 shops each and 4 that open only in the evening."""
    parts = []
    for name in ("jongno-gu", "dobong-gu", "gangnam-gu"):
        merchants = pd.read_csv(SAMPLES / f"{name}.csv", dtype=str, keep_default_na=False)
        evening = merchants["opening_hours"].str.match(EVENING_HOURS)
        parts += [merchants[~evening].head(25), merchants[evening].head(4)]
    path = tmp_path_factory.mktemp("three") / "merchants.csv"
    pd.concat(parts).to_csv(path, index=False)
    return path


THREE = ("Jongno-gu", "Dobong-gu", "Gangnam-gu")


@pytest.fixture(scope="module")
def three_district_plan(three_districts, tmp_path_factory):
    """The three districts planned as a city with a mixed roster: the output, the people, what plan said."""
    districts = [find_district(n) for n in THREE]
    people = generate_roster(districts, per_district=1, pool=2, saturday=1, evening=2)
    folder = tmp_path_factory.mktemp("three-plan")
    roster = write_roster(people, folder / "roster.csv")
    out = folder / "city"
    options = ["--scenario", "full", "--time-limit", "0.3", "--improve-time", "0", "--processes", "1"]
    result = CliRunner().invoke(
        app, ["plan", str(three_districts), "--city", "--roster", str(roster), "-o", str(out), *options]
    )
    assert result.exit_code == 0, result.output
    return out, people, result.output


def test_a_mixed_roster_plans_and_verifies_three_districts(three_districts, three_district_plan):
    """Officials from their offices, pool by transit from their first shop, Saturday-only and evening
    people: the city plan verifies from its files, each pool person works one district a day, and
    evening people serve evening-only shops; what is left no roster shift could serve."""
    districts = [find_district(n) for n in THREE]
    out, people, _ = three_district_plan
    runner = CliRunner()
    checked = runner.invoke(app, ["verify", str(out), "--merchants", str(three_districts)])
    assert checked.exit_code == 0, checked.output
    routes = pd.concat(
        [pd.read_csv(out / d.slug / "routes.csv", dtype=str).assign(at=d.name_en) for d in districts]
    )
    unassigned = pd.concat([pd.read_csv(out / d.slug / "unassigned.csv", dtype=str) for d in districts])
    assert all((out / d.slug / "roster.csv").is_file() for d in districts)
    assert set(routes["staff_id"]) <= {p.staff_id for p in people}
    assert routes.groupby(["staff_id", "date"])["at"].nunique().max() == 1
    evening = routes[routes["opening_hours"].str.match(EVENING_HOURS)]
    assert len(evening) and set(evening["staff_name"]) <= {
        p.name for p in people if p.availability.endswith("22:00")
    }
    assert set(unassigned["reason"]) <= {"no_time_window_fits"}


def test_three_district_routes_recheck_from_their_files(three_districts, three_district_plan):
    """Re-checked from routes.csv and roster.csv alone, every person keeps their own days, hours,
    start, end and mode, and every shop open when someone of the roster works is planned."""
    out, people, said = three_district_plan
    for name in THREE:
        assert recheck_folder(out / find_district(name).slug) == []
    shops = prepare_shops(
        needing(triage(read_merchants(three_districts).merchants, scenario="full")),
        Settings(),
        work_spans(person_days(people, Settings())),
    )
    some_shift = set(shops.loc[shops["fits"], "merchant_id"])  # open when someone of the roster works
    planned = set(pd.read_csv(out / "routes.csv", dtype=str)["merchant_id"])
    assert some_shift - planned == set()
    assert "with the pool sent day by day" in " ".join(said.split())


def test_the_recheck_catches_a_day_off_and_another_mode(roster_plan, tmp_path):
    """The independent re-check passes the plan as written and flags a person's day off and changed mode."""
    folder = tmp_path / "plan"
    write_plan(roster_plan, folder)
    assert recheck_folder(folder) == []
    roster = pd.read_csv(folder / "roster.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    roster.loc[roster["staff_id"] == "E1", "availability"] = "Su 17:00-22:00"
    roster.loc[roster["staff_id"] == "D1", "mode"] = "car"
    roster.to_csv(folder / "roster.csv", index=False)
    problems = recheck_folder(folder)
    assert any(p.startswith("E1") and "outside their availability" in p for p in problems)
    assert any(p.startswith("D1") and "by car" in p for p in problems)


def test_a_roster_plan_is_rechecked_from_its_folder(roster_plan, small_merchants_path, tmp_path):
    """The folder's roster.csv makes verify re-check each person: a day taken off their availability fails."""
    folder = tmp_path / "plan"
    write_plan(roster_plan, folder)
    merchants = triage(read_merchants(small_merchants_path).merchants)
    assert audit_plan(folder, merchants, Settings()).problems == []
    loaded = load_plan(folder).plan
    assert loaded.people == roster_plan.people and loaded.routes["staff_name"].str.len().min() > 0
    roster = pd.read_csv(folder / "roster.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    roster.loc[roster["staff_id"] == "D1", "availability"] = "Sa 09:00-18:00"
    roster.to_csv(folder / "roster.csv", index=False)
    problems = audit_plan(folder, merchants, Settings()).problems
    assert problems and all("not available" in p or "D1" in p for p in problems)


def test_routes_without_the_roster_columns_still_load(small_plan, tmp_path):
    """A routes.csv written before staff_name and mode existed loads, with both columns empty."""
    folder = tmp_path / "old"
    write_plan(small_plan, folder)
    routes = pd.read_csv(folder / "routes.csv", dtype=str, keep_default_na=False)
    routes.drop(columns=["staff_name", "mode"]).to_csv(folder / "routes.csv", index=False)
    loaded = load_plan(folder).plan.routes
    assert (loaded["staff_name"] == "").all() and (loaded["mode"] == "").all()
    assert len(loaded) == len(small_plan.routes)


def test_district_plan_with_a_roster_says_what_no_shift_serves(small_merchants_path, tmp_path):
    """plan --roster takes the district's people, says the shops no shift of theirs is open for, writes roster.csv."""
    roster = write_roster(ROSTER[:2], tmp_path / "roster.csv")
    out = tmp_path / "plan"
    options = ["--time-limit", "0.5", "--improve-time", "0"]
    result = CliRunner().invoke(
        app, ["plan", str(small_merchants_path), "--roster", str(roster), "-o", str(out), *options]
    )
    assert result.exit_code == 0, result.output
    assert "no shift of the roster" in " ".join(result.output.split())
    assert (out / "roster.csv").is_file()
    both = CliRunner().invoke(
        app, ["plan", str(small_merchants_path), "--roster", str(roster), "--staff", "2"]
    )
    assert both.exit_code == 1 and "--staff or --roster" in both.output


def test_one_evening_person_takes_all_of_a_weeks_evening_shops_that_fit(settings):
    """Jongno-gu's 75 evening-only shops fit one evening person's six evenings: none is left for want of a route."""
    merchants = read_merchants(Path(__file__).parents[1] / "data" / "samples" / "jongno-gu.csv").merchants
    shops = needing(triage(merchants, "full"))
    day = prepare_shops(shops, settings)["fits"].to_numpy()
    evening = shops.reset_index(drop=True)[~day]
    assert len(evening) == 75
    person = Person(
        "E1", "", "evening", "Jongno-gu", "Mo-Sa 17:00-22:00", "office", "office", "transit", False
    )
    # The default zones, a fixed search (a solution limit) and no improvement: the rounds alone place them.
    solver = replace(Settings().solver, time_limit_s=5.0, solution_limit=50, improve_s=0.0)
    plan = plan_district(
        evening, find_district("Jongno-gu"), replace(settings, solver=solver), people=[person]
    )
    assert plan.unassigned.empty and plan.routes["day"].nunique() == 6
