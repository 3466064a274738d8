"""Tests of the PNG charts: progress against the deadline, workload per worker-day, districts compared."""

from __future__ import annotations

import pandas as pd
from report_fixtures import report_plan, report_run  # noqa: F401

from planner.report.charts import district_figure, progress_figure, workload_figure, write_charts

PNG = b"\x89PNG\r\n\x1a\n"


def test_write_charts_writes_progress_and_workload_pngs(report_plan, tmp_path):  # noqa: F811
    """Without summaries, write_charts writes progress.png and workload.png, both real PNG images."""
    written = write_charts(report_plan, tmp_path)
    assert [p.name for p in written] == ["progress.png", "workload.png"]
    assert all(p.read_bytes().startswith(PNG) for p in written)


def test_districts_chart_when_summaries_are_given(report_plan, tmp_path):  # noqa: F811
    """Given several plans' summaries, a districts.png comparison is written too."""
    other = dict(report_plan.summary(), district="Dobong-gu", needing=10, planned=9, unassigned=1)
    written = write_charts(report_plan, tmp_path, summaries=[report_plan.summary(), other])
    assert written[-1].name == "districts.png" and written[-1].read_bytes().startswith(PNG)


def test_progress_line_climbs_to_the_planned_total(report_plan):  # noqa: F811
    """The planned line is cumulative per day of the week and ends at the number of planned shops."""
    line = progress_figure(report_plan).axes[0].get_lines()[0]
    heights = list(line.get_ydata())
    assert len(heights) == report_plan.settings.week.days
    assert heights == sorted(heights)
    assert heights[-1] == report_plan.routes["merchant_id"].nunique()


def test_progress_draws_an_actual_series_cumulatively(report_plan):  # noqa: F811
    """Shops actually done per day (from the campaign) are drawn as a second, cumulative line."""
    actual = pd.Series([3, 4], index=["2022-02-07", "2022-02-08"])
    lines = progress_figure(report_plan, actual).axes[0].get_lines()
    assert list(lines[1].get_ydata()) == [3, 7]


def test_workload_has_one_bar_pair_per_worker_day(report_plan):  # noqa: F811
    """Each worker-day gets a service bar and a travel bar whose heights add up to its hours."""
    days = report_plan.routes.groupby(["date", "staff_id"])[["travel_s", "service_s"]].sum()
    bars = workload_figure(report_plan).axes[0].patches
    assert len(bars) == 2 * len(days)
    total = sum(b.get_height() for b in bars)
    assert abs(total - days.to_numpy().sum() / 3600) < 1e-6


def test_district_comparison_has_english_labels(report_plan):  # noqa: F811
    """District names on the comparison are the English ones, so no CJK font is needed."""
    figure = district_figure([report_plan.summary()])
    labels = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert labels == ["Jongno-gu"]
