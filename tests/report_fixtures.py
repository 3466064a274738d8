"""Fixtures of the report tests: one small Jongno-gu plan, written once per session and read back."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from planner.pipeline import PlanRun, plan_file
from planner.report.load import LoadedPlan, load_plan
from planner.settings import Settings
from planner.triage import triage

SMALL_MERCHANTS = Path(__file__).parent / "data" / "jongno_small.csv"


# Test modules import these fixtures, and pytest makes one copy per module: the plan itself is
# cached here so that it is solved once per session all the same.
_RUNS: dict[str, PlanRun] = {}


@pytest.fixture(scope="session")
def report_run(tmp_path_factory) -> PlanRun:
    """The small Jongno file planned by two workers a day, one solver second per zone, no improving."""
    if "small" not in _RUNS:
        settings = Settings()
        solver = replace(settings.solver, time_limit_s=1.0, zone_max_stops=40, improve_s=0.0)
        settings = replace(settings, staff=2, solver=solver)
        _RUNS["small"] = plan_file(SMALL_MERCHANTS, tmp_path_factory.mktemp("report-plan"), settings)
    return _RUNS["small"]


@pytest.fixture(scope="session")
def report_plan(report_run):
    """The plan object of ``report_run``."""
    return report_run.plan


@pytest.fixture(scope="session")
def report_triaged(report_run):
    """Every merchant of the small file with its triage decision."""
    return triage(report_run.read.merchants)


@pytest.fixture(scope="session")
def report_loaded(report_run) -> LoadedPlan:
    """The same plan read back from its output folder with its merchants file."""
    return load_plan(report_run.written["routes"].parent, SMALL_MERCHANTS)
