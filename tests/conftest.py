"""Shared fixtures: a small Jongno-gu merchants file and one plan of it, made once per session; a started campaign."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from campaign_helpers import small_merchants, started_store

from planner.geo.districts import find_district
from planner.io.read import read_merchants
from planner.planning.plan import plan_district
from planner.planning.shops import prepare_shops
from planner.planning.triage import needing, triage
from planner.settings import Settings

DATA = Path(__file__).parent / "data"
# An unexpected exception in a CLI test propagates to the test, not into the one-line last resort.
os.environ["PLANNER_DEBUG"] = "1"


@pytest.fixture(scope="session")
def small_merchants_path() -> Path:
    """90 shops around the Jongno-gu office, in planner's own layout."""
    return DATA / "jongno_small.csv"


@pytest.fixture(scope="session")
def fast_settings() -> Settings:
    """Default week with a one-second solver budget per zone."""
    settings = Settings()
    return replace(
        settings, solver=replace(settings.solver, time_limit_s=1.0, zone_max_stops=40, improve_s=3.0)
    )


@pytest.fixture(scope="session")
def small_needing(small_merchants_path):
    """The shops of the small file that need a panel (targeted scenario)."""
    return needing(triage(read_merchants(small_merchants_path).merchants))


@pytest.fixture(scope="session")
def small_plan(small_needing, fast_settings):
    """A verified plan of the small file's needing shops with two workers a day."""
    return plan_district(small_needing, find_district("Jongno-gu"), replace(fast_settings, staff=2))


@pytest.fixture(scope="session")
def small_shops(small_needing, fast_settings):
    """The needing shops prepared for planning (metric coordinates, windows, service times)."""
    return prepare_shops(small_needing, fast_settings)


@pytest.fixture(scope="session")
def sample_roster():
    """Two Jongno-gu officials, four weekday and two Saturday-only pool people, two evening people."""
    from planner.samples.roster import generate_roster

    return generate_roster([find_district("Jongno-gu")])


@pytest.fixture(scope="module")
def base_store(tmp_path_factory) -> Path:
    """A started campaign (about 60 shops planned), closed, to copy per test; one per test module."""
    return started_store(tmp_path_factory.mktemp("campaign") / "base.sqlite", small_merchants())
