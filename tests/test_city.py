"""Tests of the citywide plan: district folders, city files, atomic writes and interruption."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import pytest
from typer.testing import CliRunner

import planner.planning.city as city
from planner.cli import app
from planner.geo.districts import find_district
from planner.planning.executor import Executor
from planner.planning.triage import needing, triage
from planner.samples.city import generate_city

TWO = ["Jongno-gu", "Dobong-gu"]


@pytest.fixture(scope="module")
def by_district():
    """About 60 needing shops in each of two districts."""
    districts = [find_district(n) for n in TWO]
    merchants = generate_city(scale=60 / 4150, districts=districts)
    return city.split_by_district(needing(triage(merchants, scenario="full")), districts)


@pytest.fixture(scope="module")
def quick(fast_settings):
    """Half-second zones of at most 40 shops, no improvement phase."""
    return replace(fast_settings, solver=replace(fast_settings.solver, time_limit_s=0.5, improve_s=0.0))


def test_city_plan_writes_each_district_and_the_joined_city_files(by_district, quick, tmp_path):
    """Each district gets its folder; routes.csv joins them; summary.json adds them up; progress ends full."""
    calls = []
    progress = lambda done, total, text: calls.append((done, total))  # noqa: E731
    run = city.plan_city(by_district, quick, tmp_path / "city", Executor(), progress)
    assert calls[-1][0] == calls[-1][1] > len(by_district)
    out = tmp_path / "city"
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["dobong-gu", "jongno-gu"]
    routes = pd.read_csv(out / "routes.csv")
    parts = [pd.read_csv(out / d / "routes.csv") for d in ("dobong-gu", "jongno-gu")]
    assert len(routes) == sum(map(len, parts)) and routes["merchant_id"].is_unique
    summary = json.loads((out / "summary.json").read_text())
    assert summary["needing"] == sum(map(len, by_district.values())) == run.summary()["needing"]
    assert summary["needing"] == summary["planned"] + summary["unassigned"]
    assert summary["lower_bound_staff_days"] <= summary["staff_days"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_an_interrupted_city_plan_leaves_the_previous_output_untouched(
    by_district, quick, tmp_path, monkeypatch
):
    """Ctrl-C during a district: no partial folder, and the old output is still there as it was."""
    out = tmp_path / "city"
    out.mkdir()
    (out / "summary.json").write_text("old")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(city, "plan_district", interrupted)
    with pytest.raises(KeyboardInterrupt):
        city.plan_city(by_district, quick, out, Executor())
    assert [p.name for p in tmp_path.iterdir()] == ["city"]
    assert (out / "summary.json").read_text() == "old"


def test_sample_city_writes_every_district(tmp_path):
    """`planner sample --city --scale` writes all 25 districts; without a district or --city it fails."""
    target = tmp_path / "seoul.csv"
    result = CliRunner().invoke(app, ["sample", "--city", "--scale", "0.002", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(target)["district"].nunique() == 25
    assert CliRunner().invoke(app, ["sample"]).exit_code == 1
