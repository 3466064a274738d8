"""Tests for planner.geo.travel: the travel modes of one leg-time model."""

from __future__ import annotations

import numpy as np
import pytest

from planner.geo.travel import TravelMatrix, leg_time_s, travel_matrix_s, travel_time_s
from planner.settings import TravelSettings

TRAVEL = TravelSettings()


def test_transit_is_the_default_mode():
    """Without a mode, legs are timed by the walk-or-transit model, as before modes existed."""
    road = np.array([0.0, 500.0, 3000.0])
    assert list(travel_time_s(road, TRAVEL)) == list(travel_time_s(road, TRAVEL, "transit"))
    assert travel_time_s(np.array([3000.0]), TRAVEL)[0] == np.ceil(8 * 60 + 3000 / (18 / 3.6))


def test_walk_mode_walks_however_far():
    """Walkers never take transit: 3 km takes 3000 m at the walking speed."""
    assert travel_time_s(np.array([3000.0]), TRAVEL, "walk")[0] == np.ceil(3000 / 1.3)


def test_car_mode_adds_parking_to_every_leg_that_moves():
    """A car leg is the road at the car speed plus the parking minutes; a leg of 0 m costs nothing."""
    travel = TravelSettings(car_speed_kmh=36.0, car_parking_min=4.0)
    seconds = travel_time_s(np.array([0.0, 1000.0]), travel, "car")
    assert list(seconds) == [0, 4 * 60 + 100]


def test_unknown_mode_is_refused():
    """A mode that is not walk, transit or car is an error naming the known ones."""
    with pytest.raises(ValueError, match="walk"):
        travel_time_s(np.array([1.0]), TRAVEL, "bike")


def test_matrix_lazy_matrix_and_legs_agree_for_each_mode():
    """Matrices (dense and on demand) and single legs time the same leg alike, in every mode."""
    xy = np.array([[0.0, 0.0], [600.0, 0.0], [0.0, 2500.0]])
    for mode in ("walk", "transit", "car"):
        dense = travel_matrix_s(xy, TRAVEL, mode)
        lazy = TravelMatrix(xy, TRAVEL, mode=mode)
        legs = leg_time_s(xy[[0, 1, 2]], xy[[1, 2, 0]], TRAVEL, mode)
        assert [dense[0, 1], dense[1, 2], dense[2, 0]] == list(legs)
        assert (lazy[np.ix_([0, 1, 2], [0, 1, 2])] == dense).all()


def test_car_speed_and_parking_come_from_the_travel_settings():
    """[travel] car_speed_kmh and car_parking_min set the car legs; out of range they are refused."""
    from planner.errors import InputError
    from planner.settings import Settings

    settings = Settings.from_dict({"travel": {"car_speed_kmh": 36, "car_parking_min": 2}})
    assert travel_time_s(np.array([1000.0]), settings.travel, "car")[0] == 2 * 60 + 100
    with pytest.raises(InputError, match="car_parking_min"):
        Settings.from_dict({"travel": {"car_parking_min": 500}})
