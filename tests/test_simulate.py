"""Tests of the campaign simulation: one day's play, probabilities, determinism and the staff search."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest
from campaign_helpers import DISTRICT, JONGNO, fast_settings, jongno_merchants, no_shift_ids, small_merchants

from planner.campaign.simulate import (
    SEEDED_SOLUTION_LIMIT,
    SimulationResult,
    play_day,
    recommend_staff,
    simulate,
    simulation_settings,
)


def _route(n: int = 5, gap_s: int = 1800) -> pd.DataFrame:
    """One worker's day: n visits of 10 minutes every ``gap_s`` seconds from 09:30."""
    start = 9 * 3600 + 1800 + gap_s * pd.RangeIndex(n)
    return pd.DataFrame(
        {
            "merchant_id": [f"M{i}" for i in range(n)],
            "staff_id": "W1",
            "day": 0,
            "date": "2022-02-07",
            "stop": range(1, n + 1),
            "travel_s": 300,
            "service_s": 600,
            "start_s": start,
            "leave_office_s": 9 * 3600,
            "lunch_start_s": 12 * 3600,
        }
    )


@pytest.fixture(scope="module")
def result() -> SimulationResult:
    """Three simulated four-day weeks of about 20 shops with two workers."""
    settings = fast_settings(staff=2, time_limit_s=0.2)
    settings = replace(
        simulation_settings(settings, 0.2, SEEDED_SOLUTION_LIMIT), week=replace(settings.week, days=4)
    )
    return simulate(
        small_merchants(150), DISTRICT, settings, runs=3, fail_rate=0.3, service_jitter=0.3, seed=7
    )


def test_play_day_is_the_same_for_the_same_seed():
    """The same seed gives the same closed shops and times; another seed gives other draws."""
    home = pd.Series(600, index=[f"M{i}" for i in range(20)])
    day = 18 * 3600
    first = play_day(_route(20, 900), (1, 0), 0.3, 0.3, home, day, 3600)
    assert first.equals(play_day(_route(20, 900), (1, 0), 0.3, 0.3, home, day, 3600))
    assert not first.equals(play_day(_route(20, 900), (2, 0), 0.3, 0.3, home, day, 3600))
    assert set(first["outcome"]) == {"installed", "closed"}


def test_visits_that_no_longer_fit_the_shift_are_not_done():
    """When service runs long, the last visits that would end after the shift get no outcome."""
    home = pd.Series(600, index=[f"M{i}" for i in range(5)])
    on_time = play_day(_route(), (0, 0), 0.0, 0.0, home, 18 * 3600, 3600)
    squeezed = play_day(_route(), (0, 0), 0.0, 0.0, home, 11 * 3600 + 1800, 3600)
    assert len(on_time) == 5
    assert 0 < len(squeezed) < 5 and list(squeezed["merchant_id"]) == [f"M{i}" for i in range(len(squeezed))]


def test_simulation_reports_probabilities_and_a_finish_day_distribution(result):
    """p_finish is a probability and the finish-day shares cover every run."""
    assert 0.0 <= result.p_finish <= 1.0
    days = result.finish_days()
    assert days["runs"].sum() == 3 and days["share"].sum() == pytest.approx(1.0)
    assert set(days["finish_day"]) <= {str(d) for d in range(-1, 4)} | {"late"}
    assert result.summary()["runs"] == 3


def test_simulation_is_deterministic_for_a_seed(result):
    """The same seed plays the same weeks (plans repeat under a solution limit)."""
    settings = fast_settings(staff=2, time_limit_s=0.2)
    settings = replace(
        simulation_settings(settings, 0.2, SEEDED_SOLUTION_LIMIT), week=replace(settings.week, days=4)
    )
    again = simulate(
        small_merchants(150), DISTRICT, settings, runs=3, fail_rate=0.3, service_jitter=0.3, seed=7
    )
    assert again.runs.equals(result.runs)


def test_staff_search_finds_the_smallest_team_reaching_the_target():
    """With a chance of finishing that grows with the team, the search returns the first size at the target;
    shops no shift reaches in every run do not change the team advised."""

    def evaluate(staff: int, night: int = 0) -> SimulationResult:
        reached = [run < staff for run in range(10)]  # p = staff / 10 for the shops a shift reaches
        runs = pd.DataFrame(
            {
                "run": range(10),
                "finished": [done and night == 0 for done in reached],
                "finish_day": 3,
                "left": [night + (0 if done else 1) for done in reached],
                "no_shift": night,
            }
        )
        return SimulationResult(staff, 7, runs)

    advice = recommend_staff(evaluate, start=2, target=0.7)
    assert advice.staff == 7 and advice.tried[7] >= 0.7 and advice.tried[6] < 0.7
    assert recommend_staff(evaluate, start=2, target=1.5, max_staff=16).staff is None
    with_night = recommend_staff(lambda staff: evaluate(staff, night=2), start=2, target=0.7)
    assert with_night == advice and evaluate(7, night=2).p_finish == 0.0


def test_a_seeded_simulation_of_a_few_hundred_shops_repeats_exactly():
    """With a solution limit, two simulations of about 230 shops (several zones) give the same runs."""
    settings = simulation_settings(fast_settings(staff=3), 0.5, SEEDED_SOLUTION_LIMIT)
    settings = replace(settings, week=replace(settings.week, days=4))
    merchants = small_merchants(2000)

    def play() -> pd.DataFrame:
        return simulate(
            merchants, DISTRICT, settings, runs=2, fail_rate=0.2, service_jitter=0.3, seed=11
        ).runs

    first = play()
    assert first["installed"].sum() > 300
    pd.testing.assert_frame_equal(play(), first)


def test_a_week_whose_night_shops_no_shift_reaches_never_finishes():
    """Jongno-gu with shops open only at night: every run leaves them, so mean_left > 0 and p_finish 0,
    while every shop a shift reaches is done (p_finish_reachable 1)."""
    settings = simulation_settings(fast_settings(staff=3), 0.2, SEEDED_SOLUTION_LIMIT)
    settings = replace(settings, week=replace(settings.week, days=3))
    merchants = jongno_merchants()
    night = len(no_shift_ids(merchants, settings))
    result = simulate(merchants, JONGNO, settings, runs=2, fail_rate=0.0, service_jitter=0.0, seed=5)
    assert night > 0
    assert result.runs["no_shift"].tolist() == [night, night]
    assert result.runs["left"].tolist() == [night, night] and not result.runs["finished"].any()
    summary = result.summary()
    assert summary["p_finish"] == 0.0 and summary["mean_left"] == night and summary["no_shift"] == night
    assert result.p_finish_reachable == 1.0
    assert result.finish_days()["finish_day"].tolist() == ["late"]
