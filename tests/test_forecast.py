"""Tests of the city forecast: districts combined run by run, tables, and staff advice confirmed."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from campaign_helpers import DISTRICT, JONGNO, fast_settings, jongno_merchants, no_shift_ids, small_merchants

from planner.campaign.forecast import CITY, Forecast, SimulationSetup, advise_staff, citywide, forecast
from planner.campaign.simulate import SEEDED_SOLUTION_LIMIT, SimulationResult, simulation_settings


def _result(staff: int, finished: list[bool], finish_day: list[int]) -> SimulationResult:
    runs = pd.DataFrame(
        {"run": range(len(finished)), "finished": finished, "finish_day": finish_day, "installed": 10}
    )
    return SimulationResult(
        staff, 7, runs.assign(left=[0 if f else 3 for f in finished], no_shift=0, given_up=0)
    )


def test_a_city_run_finishes_only_when_every_district_does():
    """Run i of the city finishes when run i of each district does, on the latest district's day."""
    city = citywide(
        {"A": _result(2, [True, True, False], [3, 5, 6]), "B": _result(3, [True, False, True], [4, 6, 2])}
    )
    assert city.staff == 5
    assert city.runs["finished"].tolist() == [True, False, False]
    assert city.runs["finish_day"].tolist() == [4, 6, 6]
    assert city.runs["left"].tolist() == [0, 3, 3] and city.p_finish == pytest.approx(1 / 3)


def test_forecast_tables_have_a_column_or_row_per_district_and_the_city():
    """The finish-day table has a share column per district and the city, each summing to one."""
    found = Forecast(
        {"A": _result(2, [True, True], [3, 5]), "B": _result(3, [True, False], [4, 6])},
        citywide({"A": _result(2, [True, True], [3, 5]), "B": _result(3, [True, False], [4, 6])}),
    )
    days = found.finish_days()
    assert list(days.columns) == ["A", "B", CITY] and days.index[-1] == "late"
    assert (days.sum() == 1.0).all()
    assert found.table()["district"].tolist() == ["A", "B", CITY]


def test_advised_staff_is_the_smallest_reaching_the_target_and_is_confirmed():
    """One worker falls short, two reach the target; the confirming run simulates the advised two again."""
    settings = simulation_settings(fast_settings(staff=1), 0.2, SEEDED_SOLUTION_LIMIT)
    settings = replace(settings, week=replace(settings.week, days=3))
    setup = SimulationSetup(small_merchants(700), settings, runs=3, fail_rate=0.1, seed=3)
    found = forecast(setup, {DISTRICT: 1})
    advice = advise_staff(setup, found, {DISTRICT: 1}, target=0.6)
    tried = advice.tried[DISTRICT.name_en]
    assert advice.staff[DISTRICT.name_en] == 2 and tried[1] < 0.6 <= tried[2]
    assert advice.confirmation is not None
    assert advice.confirmation.districts[DISTRICT.name_en].staff == 2


def test_advice_for_a_district_with_night_shops_names_them_and_still_advises_a_team():
    """Jongno-gu's night shops: no run finishes, yet the advice finds the team for every other shop
    and counts the shops no shift reaches apart."""
    settings = simulation_settings(fast_settings(staff=3), 0.2, SEEDED_SOLUTION_LIMIT)
    settings = replace(settings, week=replace(settings.week, days=3))
    setup = SimulationSetup(jongno_merchants(), settings, runs=2, fail_rate=0.0, service_jitter=0.0, seed=2)
    found = forecast(setup, {JONGNO: 3})
    advice = advise_staff(setup, found, {JONGNO: 3}, target=0.5)
    night = len(no_shift_ids(jongno_merchants(), settings))
    assert found.districts[JONGNO.name_en].p_finish == 0.0 and found.table()["no_shift"].tolist() == [night]
    assert advice.no_shift == {JONGNO.name_en: night}
    assert advice.staff[JONGNO.name_en] is not None and advice.staff[JONGNO.name_en] <= 3
    assert advice.confirmation is not None
