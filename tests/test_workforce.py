"""Tests for planner.planning.shiftwork and workforce: shift work, the proposed roster, the pool, the shortfall."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.geo.districts import find_district
from planner.io.people import Person
from planner.io.roster import read_roster, write_roster
from planner.planning.shiftwork import ShiftWork, finish_day, person_days, shift_work
from planner.planning.teams import city_finish, fixed_allocation
from planner.planning.workforce import (
    PROPOSAL_SPARE,
    allocate_pool,
    finish_table,
    propose_roster,
    proposed_teams,
    roster_warnings,
    shortfall,
    shortfall_lines,
)
from planner.settings import Settings

SETTINGS = Settings()
WEEK = SETTINGS.week  # Mon 2022-02-07 to Sun 2022-02-13, day 09-18, evening 17-22
ALL_WEEK = np.ones(7, dtype=bool)


def person(staff_id: str, district: str | None, availability: str = "Mo-Su 09:00-18:00") -> Person:
    """A roster person starting at the office."""
    return Person(staff_id, "", "", district, availability, "office", "office", "transit", True)


def work_of(name: str, day: float, evening: float = 0.0) -> ShiftWork:
    """A district's work given directly in staff-days, open every day."""
    district = find_district(name)
    return ShiftWork(
        district,
        {"day": day, "evening": evening},
        {"day": ALL_WEEK, "evening": ALL_WEEK},
        {"day": 1, "evening": 1},
        [],
    )


def with_hours(small_needing: pd.DataFrame, hours: list[str]) -> pd.DataFrame:
    """The first shops of the small file, given these opening hours."""
    shops = small_needing.head(len(hours)).copy()
    shops["opening_hours"] = hours
    return shops


def test_shops_split_into_day_evening_and_no_shift(small_needing):
    """A shop open only 19-23 is evening work, one open 23-24 no shift's; both-shift shops are day work."""
    shops = with_hours(small_needing, ["Mo-Su 10:00-20:00", "Mo-Su 19:00-23:00", "Mo-Su 23:00-24:00"])
    work = shift_work(shops, find_district("Jongno-gu"), SETTINGS)
    assert work.shops == {"day": 1, "evening": 1}
    assert work.no_shift == [shops["merchant_id"].iat[2]]
    assert work.days["evening"] > 0 and work.days["day"] > 0


def test_evening_work_is_open_only_on_its_days(small_needing):
    """Evening work open only on Saturdays can be done only on the campaign's Saturday."""
    shops = with_hours(small_needing, ["Sa 19:00-23:00"])
    work = shift_work(shops, find_district("Jongno-gu"), SETTINGS)
    assert list(np.flatnonzero(work.open_on["evening"])) == [5]


def test_person_days_count_one_shift_a_day():
    """A 09-22 person counts as a whole day shift, not also an evening; an evening person as evenings."""
    both = person_days(person("A", None, "Mo 09:00-22:00"), WEEK)
    assert both[0].tolist() == [1.0, 0.0] and both[1:].sum() == 0
    evening = person_days(person("E", None, "Sa 17:00-22:00"), WEEK)
    assert evening[5].tolist() == [0.0, 1.0]
    half = person_days(person("H", None, "Tu 09:00-13:30"), WEEK)
    assert half[1, 0] == pytest.approx(0.5)


def test_proposed_roster_has_day_and_evening_teams_on_their_days(small_needing):
    """Less than a day of day work goes to one person on the first day; the evening team works the evening work's day."""
    shops = with_hours(small_needing, ["Mo-Su 10:00-20:00"] * 5 + ["Sa 19:00-23:00"] * 3)
    work = {"Jongno-gu": shift_work(shops, find_district("Jongno-gu"), SETTINGS)}
    people = propose_roster(work, SETTINGS)
    assert [p.staff_id for p in people] == ["11110-D01", "11110-E01"]
    assert people[0].availability == "Mo 09:00-18:00" and people[0].lunch
    assert people[1].availability == "Sa 17:00-22:00" and not people[1].lunch


def test_proposed_teams_are_sized_day_by_day():
    """10.5 staff-days open every day: two people, the second one off on the last two days (11 staff-days)."""
    work = {"Jongno-gu": work_of("Jongno-gu", 10.5 / (1 + PROPOSAL_SPARE))}
    people = propose_roster(work, SETTINGS)
    assert [p.availability for p in people] == ["Mo-Sa 09:00-18:00", "Mo-Fr 09:00-18:00"]
    teams = proposed_teams(work, SETTINGS)
    assert teams[["people", "staff_days"]].values.tolist() == [[2, 11]]
    assert teams.iloc[0, 2:9].tolist() == [2, 2, 2, 2, 2, 1, 0]


def test_proposed_evening_team_is_sized_to_the_evening_the_shops_open(small_needing):
    """Shops open only from 19:00 leave three hours of the evening, those from 18:00 four: the estimate counts those hours."""
    late = with_hours(small_needing, ["Mo-Su 19:00-23:00"] * 30)
    early = with_hours(small_needing, ["Mo-Su 18:00-23:00"] * 30)
    district = find_district("Jongno-gu")
    ratio = (
        shift_work(late, district, SETTINGS).days["evening"]
        / shift_work(early, district, SETTINGS).days["evening"]
    )
    assert ratio == pytest.approx(4 / 3, rel=0.01)


def test_proposed_day_team_takes_the_confirmed_staffing(small_needing):
    """Given staffing's confirmed team, the day team has that many people."""
    work = {"Jongno-gu": shift_work(small_needing, find_district("Jongno-gu"), SETTINGS)}
    people = propose_roster(work, SETTINGS, {"Jongno-gu": 3})
    assert [p.staff_id for p in people if p.team == "day"] == ["11110-D01", "11110-D02", "11110-D03"]


def test_proposed_roster_writes_and_reads_back(small_needing, tmp_path):
    """The proposal written as a roster file reads back to the same people, without rejects."""
    shops = with_hours(small_needing, ["Mo-Fr 10:00-20:00"] * 5 + ["We,Sa 19:00-23:00"] * 3)
    people = propose_roster({"Jongno-gu": shift_work(shops, find_district("Jongno-gu"), SETTINGS)}, SETTINGS)
    result = read_roster(write_roster(people, tmp_path / "proposal.csv"), SETTINGS)
    assert result.rejects.empty and result.people == people


def test_proposed_roster_has_no_shortfall(small_needing):
    """The roster planner proposes is never short of its own estimate."""
    shops = with_hours(small_needing, ["Mo-Su 10:00-20:00"] * 40 + ["Fr-Sa 19:00-23:00"] * 17)
    work = {"Jongno-gu": shift_work(shops, find_district("Jongno-gu"), SETTINGS)}
    assert shortfall(propose_roster(work, SETTINGS), work, SETTINGS)["short_days"].sum() == 0


def test_shortfall_is_said_per_district_and_shift():
    """A district whose evening work exceeds its evening people is short by the difference, in one line."""
    work = {"Jongno-gu": work_of("Jongno-gu", 5.0, 4.0), "Jung-gu": work_of("Jung-gu", 2.0)}
    people = [
        person("D1", "Jongno-gu"),
        person("E1", "Jongno-gu", "Mo,Tu 17:00-22:00"),
        person("J1", "Jung-gu"),
    ]
    table = shortfall(people, work, SETTINGS)
    evening = table[(table["district"] == "Jongno-gu") & (table["shift"] == "evening")].iloc[0]
    assert (evening["work_days"], evening["roster_days"], evening["short_days"]) == (4.0, 2.0, 2.0)
    assert table.loc[table["district"] == "Jung-gu", "short_days"].tolist() == [0.0]
    assert shortfall_lines(table) == ["Jongno-gu: the roster is 2.0 staff-days short (evening 2 of 4)"]


def test_pool_people_count_where_the_allocation_sends_them():
    """A pool person sent to a district covers its shortfall on the days sent."""
    work = {"Jongno-gu": work_of("Jongno-gu", 10.0)}
    people = [person("D1", "Jongno-gu"), person("P1", None), person("P2", None)]
    assert shortfall(people, work, SETTINGS)["short_days"].tolist() == [0.0]
    assert shortfall(people[:1], work, SETTINGS)["short_days"].tolist() == [3.0]


def test_pool_goes_to_the_district_with_more_work():
    """Of two districts with equal teams, the one with more work gets more pool days."""
    work = {"Jongno-gu": work_of("Jongno-gu", 30.0), "Jung-gu": work_of("Jung-gu", 12.0)}
    people = [person(f"J{k}", "Jongno-gu") for k in range(2)] + [person(f"U{k}", "Jung-gu") for k in range(2)]
    people += [person(f"P{k}", None) for k in range(3)]
    days = allocate_pool(people, work, SETTINGS)["district"].value_counts()
    assert days.get("Jongno-gu", 0) > days.get("Jung-gu", 0)


def test_evening_pool_people_go_to_evening_work():
    """An evening pool person is sent only where there is evening work, on an evening shift."""
    work = {"Jongno-gu": work_of("Jongno-gu", 3.0), "Jung-gu": work_of("Jung-gu", 3.0, 3.0)}
    people = [person("J1", "Jongno-gu"), person("U1", "Jung-gu"), person("E1", None, "Mo-Su 17:00-22:00")]
    allocation = allocate_pool(people, work, SETTINGS)
    assert set(allocation["district"]) == {"Jung-gu"} and set(allocation["shift"]) == {"evening"}
    assert len(allocation) == 3  # the three evenings the work needs, no more


def test_unneeded_pool_days_are_given_back():
    """Pool days that do not bring the city's last day forward are not allocated."""
    work = {"Jongno-gu": work_of("Jongno-gu", 2.0)}
    people = [person("D1", "Jongno-gu"), person("P1", None)]
    allocation = allocate_pool(people, work, SETTINGS)
    assert allocation["day"].tolist() == [0]  # D1 and P1 finish on day 0; later days are not needed


def _city_last_day(people, work, allocation=None) -> float:
    """The estimated last day over all districts, the pool counted by the allocation (or not at all)."""
    capacity = {name: np.zeros((WEEK.days, 2)) for name in work}
    for p in people:
        if p.district is not None:
            capacity[p.district] += person_days(p, WEEK)
    if allocation is not None:
        shares = {p.staff_id: person_days(p, WEEK) for p in people}
        for row in allocation.itertuples():
            column = 0 if row.shift == "day" else 1
            capacity[row.district][row.day, column] += shares[row.staff_id][row.day, column]
    return max(finish_day(work[name], capacity[name]) for name in work)


NAMES = ("Jongno-gu", "Jung-gu", "Yongsan-gu")


@settings(max_examples=60, deadline=None)
@given(
    loads=st.lists(st.tuples(st.floats(0, 40), st.floats(0, 8)), min_size=3, max_size=3),
    teams=st.lists(st.integers(0, 4), min_size=3, max_size=3),
    pool=st.lists(
        st.sampled_from(["Mo-Fr 09:00-18:00", "Sa-Su 10:00-15:00", "Mo-Sa 17:00-22:00"]), max_size=6
    ),
)
def test_the_pool_never_makes_the_city_finish_later(loads, teams, pool):
    """With the pool allocated, the city's estimated last day is never later than without it."""
    work = {name: work_of(name, day, evening) for name, (day, evening) in zip(NAMES, loads, strict=True)}
    people = [
        person(f"{name}-{k}", name) for name, team in zip(NAMES, teams, strict=True) for k in range(team)
    ]
    people += [person(f"P{k}", None, hours) for k, hours in enumerate(pool)]
    allocation = allocate_pool(people, work, SETTINGS)
    without, with_pool = _city_last_day(people, work), _city_last_day(people, work, allocation)
    assert with_pool <= without or (math.isinf(without) and math.isinf(with_pool))
    assert not allocation.duplicated(["staff_id", "day"]).any()  # one district a person a day


def test_sample_roster_reads_back_and_has_every_kind(sample_roster, tmp_path):
    """The sample roster writes and reads back whole, with officials, pool, Saturday and evening people."""
    read = read_roster(write_roster(sample_roster, tmp_path / "sample.csv"), SETTINGS)
    assert read.rejects.empty and read.people == sample_roster
    pool = [p for p in sample_roster if p.district is None]
    assert len(pool) == 8 and {p.start for p in pool} == {"first_shop"}
    assert sum(p.availability.startswith("Sa ") for p in pool) == 2
    assert sum("17:00" in p.availability and not p.lunch for p in pool) == 2


def test_roster_warnings_name_each_district_short(small_needing, sample_roster):
    """Planning with a roster too small for the work gives one warning line for the district."""
    by_district = {find_district("Jongno-gu"): small_needing}
    officials = [p for p in sample_roster if p.district is not None]
    lines = roster_warnings(officials[:1], by_district, replace(SETTINGS, week=replace(WEEK, days=1)))
    assert len(lines) == 1 and lines[0].startswith("Jongno-gu: the roster is")
    assert roster_warnings(sample_roster, by_district, SETTINGS) == []


@settings(max_examples=80, deadline=None)
@given(
    loads=st.lists(st.tuples(st.floats(0, 40), st.floats(0, 8)), min_size=3, max_size=3),
    teams=st.lists(st.integers(1, 4), min_size=3, max_size=3),
    pool=st.lists(
        st.tuples(
            st.sampled_from(["Mo-Fr 09:00-18:00", "Sa-Su 10:00-15:00", "Mo-Sa 17:00-22:00"]),
            st.sampled_from(NAMES),
        ),
        max_size=6,
    ),
)
def test_the_pool_finishes_the_city_no_later_than_fixed_district_teams(loads, teams, pool):
    """Allocating the pool day by day finishes the city no later than giving each pool person one district."""
    work = {name: work_of(name, day, evening) for name, (day, evening) in zip(NAMES, loads, strict=True)}
    officials = [
        person(f"{name}-{k}", name) for name, team in zip(NAMES, teams, strict=True) for k in range(team)
    ]
    floating = [person(f"P{k}", None, hours) for k, (hours, _) in enumerate(pool)]
    fixed = [person(f"P{k}", name, hours) for k, (hours, name) in enumerate(pool)]
    people = officials + floating
    allocated = _city_last_day(people, work, allocate_pool(people, work, SETTINGS))
    assert allocated <= _city_last_day(officials + fixed, work) + 1e-6


def test_evening_work_nobody_can_do_does_not_hold_back_the_day_pool():
    """Evening work with no evening people at all still leaves the day pool sent where the day work is."""
    work = {"Jongno-gu": work_of("Jongno-gu", 20.0, 2.0), "Jung-gu": work_of("Jung-gu", 5.0)}
    people = [person("J1", "Jongno-gu"), person("U1", "Jung-gu"), person("P1", None), person("P2", None)]
    allocation = allocate_pool(people, work, SETTINGS)
    assert set(allocation["shift"]) == {"day"}
    assert (
        allocation["district"].tolist() == ["Jongno-gu"] * 13
    )  # 20 staff-days by the last day: 7 own, 13 pool


def test_finish_table_says_when_each_district_finishes_without_and_with_the_pool():
    """The finish table gives dates, days past the week, and names the shift nobody works."""
    work = {"Jongno-gu": work_of("Jongno-gu", 10.0), "Jung-gu": work_of("Jung-gu", 2.0, 1.0)}
    people = [person("J1", "Jongno-gu"), person("U1", "Jung-gu"), person("E1", None, "Mo-Su 17:00-22:00")]
    table = finish_table(people, work, SETTINGS, allocate_pool(people, work, SETTINGS)).set_index("district")
    assert table.at["Jongno-gu", "own_finish"] == "after 2022-02-13 (about 3 days more)"
    assert table.at["Jung-gu", "own_finish"] == "never: nobody works the evening shift"
    assert table.at["Jung-gu", "pool_finish"] == "2022-02-08" and table.at["Jung-gu", "pool_days"] == 1


def work_open(name: str, evening: dict[int, float]) -> ShiftWork:
    """A district with only evening work, given by the set of evenings (bit mask) each part opens."""
    open_on = np.array([any(mask >> d & 1 for mask in evening) for d in range(7)])
    return ShiftWork(
        find_district(name),
        {"day": 0.0, "evening": sum(evening.values())},
        {"day": np.zeros(7, dtype=bool), "evening": open_on},
        {"day": 0, "evening": 2},
        [],
        {"day": {}, "evening": evening},
    )


def test_evening_pool_goes_on_the_evenings_the_shops_open():
    """An evening pool person reaches shops open Tue-Sun evenings, not only a Monday another shop opens."""
    work = {"Gangnam-gu": work_open("Gangnam-gu", {0b0000001: 0.5, 0b1111110: 0.5})}
    people = [person("E1", None, "Mo-Su 17:00-22:00")]
    allocation = allocate_pool(people, work, SETTINGS)
    assert allocation["day"].tolist() == [0, 1] and set(allocation["shift"]) == {"evening"}
    assert shortfall(people, work, SETTINGS, allocation)["short_days"].tolist() == [0.0]


def test_shortfall_counts_evenings_the_work_cannot_use():
    """Evening people only on Mondays leave Tue-Sun evening shops short, however many Mondays they give."""
    work = {"Gangnam-gu": work_open("Gangnam-gu", {0b0000001: 0.5, 0b1111110: 0.5})}
    people = [person(f"E{k}", "Gangnam-gu", "Mo 17:00-22:00") for k in range(3)]
    assert shortfall(people, work, SETTINGS)["short_days"].tolist() == [0.5]


def test_proposed_evening_team_covers_evenings_crowded_into_saturday(small_needing):
    """Evening work mostly open only on Saturday gets a team big enough for that Saturday."""
    shops = with_hours(small_needing, ["Sa 19:00-23:00"] * 30 + ["Mo-Su 19:00-23:00"] * 5)
    work = {"Jongno-gu": shift_work(shops, find_district("Jongno-gu"), SETTINGS)}
    people = propose_roster(work, SETTINGS)
    evening = [p for p in people if p.team == "evening"]
    assert len(evening) >= math.ceil(work["Jongno-gu"].openings("evening")[0b0100000])
    assert shortfall(people, work, SETTINGS)["short_days"].sum() == 0


@settings(max_examples=60, deadline=None)
@given(
    evenings=st.lists(
        st.dictionaries(st.integers(1, 127), st.floats(0.2, 3.0), max_size=3), min_size=3, max_size=3
    ),
    days=st.lists(st.floats(0, 20), min_size=3, max_size=3),
    pool=st.lists(
        st.sampled_from(["Mo-Fr 09:00-18:00", "Sa-Su 10:00-15:00", "Mo-Sa 17:00-22:00", "Tu,Th 17:00-22:00"]),
        max_size=6,
    ),
)
def test_the_pool_finishes_no_later_than_its_people_fixed_to_districts(evenings, days, pool):
    """With evening work open on some evenings only, the pool's city last day is never after the fixed teams'."""
    work = {}
    for name, evening, day in zip(NAMES, evenings, days, strict=True):
        shift = work_open(name, evening)
        work[name] = replace(
            shift,
            days={"day": day, "evening": shift.days["evening"]},
            open_on={"day": ALL_WEEK, "evening": shift.open_on["evening"]},
            patterns={"day": {127: day}, "evening": evening},
        )
    people = [person(f"{name}-1", name) for name in NAMES]
    people += [person(f"P{k}", None, hours) for k, hours in enumerate(pool)]
    allocation = allocate_pool(people, work, SETTINGS)
    fixed = fixed_allocation(people, work, WEEK)
    assert city_finish(people, work, WEEK, allocation) <= city_finish(people, work, WEEK, fixed) + 1e-6
    assert not allocation.duplicated(["staff_id", "day"]).any()
