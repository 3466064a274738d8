"""Charts of a plan as PNG (matplotlib, no display needed): progress, workload, districts side by side."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from planner.planning.plan import Plan

DPI = 120
PLANNED_COLOUR, ACTUAL_COLOUR, TRAVEL_COLOUR, SERVICE_COLOUR = "#1f77b4", "#2ca02c", "#ff7f0e", "#1f77b4"


def progress_figure(plan: Plan, actual: pd.Series | None = None) -> Figure:
    """Shops done by the end of each day, planned (and actual, if given), against the deadline.

    Parameters
    ----------
    plan
        The plan.
    actual
        Shops actually done per day, indexed by date (``datetime.date`` or ISO text), e.g. from
        the campaign store; drawn cumulatively next to the plan.

    Returns
    -------
    matplotlib.figure.Figure
        The chart; the dashed lines are the shops needing a panel and the week's last day.
    """
    week = plan.settings.week
    dates = [week.date_of(d) for d in range(week.days)]
    per_day = plan.routes.groupby("date")["merchant_id"].nunique()
    planned = [int(per_day.get(str(d), 0)) for d in dates]
    fig = Figure(figsize=(7, 4), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.plot(dates, pd.Series(planned).cumsum(), marker="o", color=PLANNED_COLOUR, label="planned")
    if actual is not None and len(actual):
        done = actual.copy()
        done.index = [dt.date.fromisoformat(str(d)[:10]) for d in done.index]
        done = done.groupby(level=0).sum().sort_index().cumsum()
        ax.plot(list(done.index), done.to_numpy(), marker="s", color=ACTUAL_COLOUR, label="done")
    ax.axhline(plan.needing, color="grey", linestyle="--", label=f"needing a panel ({plan.needing})")
    ax.axvline(dates[-1], color="#d62728", linestyle=":", label=f"deadline {dates[-1]}")
    ax.set_ylim(0, max(plan.needing, 1) * 1.08)
    ax.set_ylabel("shops with a new panel (cumulative)")
    ax.set_title(f"{plan.district.name_en}: shops done per day")
    ax.set_xticks(dates, [d.strftime("%a %m-%d") for d in dates], rotation=30)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    return fig


def workload_figure(plan: Plan) -> Figure:
    """Hours of travel and of work at shops for every worker-day, against the shift length.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    matplotlib.figure.Figure
        Stacked bars, one per worker-day, and a dashed line at the shift's length.
    """
    routes = plan.routes
    load = routes.groupby(["date", "staff_id"])[["travel_s", "service_s"]].sum().div(3600).reset_index()
    labels = [f"{d[5:]} {s.rsplit('-', 1)[-1]}" for d, s in zip(load["date"], load["staff_id"], strict=True)]
    week = plan.settings.week
    shift_h = (_seconds(week.shift_end) - _seconds(week.shift_start)) / 3600
    fig = Figure(figsize=(max(6, 0.35 * len(load) + 2), 4), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    positions = range(len(load))
    ax.bar(positions, load["service_s"], color=SERVICE_COLOUR, label="at shops")
    ax.bar(positions, load["travel_s"], bottom=load["service_s"], color=TRAVEL_COLOUR, label="travel")
    ax.axhline(shift_h, color="grey", linestyle="--", label=f"shift ({shift_h:g} h)")
    ax.set_xticks(list(positions), labels, rotation=90, fontsize=8)
    ax.set_ylabel("hours")
    ax.set_ylim(0, shift_h * 1.15)
    ax.set_title(f"{plan.district.name_en}: workload per worker-day (way back to the office not counted)")
    ax.legend(loc="upper right")
    return fig


def district_figure(summaries: Sequence[dict]) -> Figure:
    """Districts side by side: shops planned and unassigned, and the worker-days they take.

    Parameters
    ----------
    summaries
        ``Plan.summary()`` dictionaries (or ``summary.json`` contents), one per district.

    Returns
    -------
    matplotlib.figure.Figure
        Shops planned and unassigned per district, and the worker-days each takes with its last
        day used.
    """
    table = pd.DataFrame(list(summaries)).sort_values("needing", ascending=False)
    names = table["district"].tolist()
    fig = Figure(figsize=(max(6, 0.6 * len(table) + 3), 4.5), dpi=DPI, layout="constrained")
    shops, days = fig.subplots(1, 2)
    shops.bar(names, table["planned"], color=PLANNED_COLOUR, label="planned")
    shops.bar(names, table["unassigned"], bottom=table["planned"], color="#d62728", label="unassigned")
    shops.set_ylabel("shops needing a panel")
    shops.legend()
    bars = days.bar(names, table["staff_days"], color="#7f7f7f")
    last = [str(d)[5:] if d else "-" for d in table["last_day_used"]]
    days.bar_label(bars, labels=[f"to {d}" for d in last], fontsize=8)
    days.set_ylabel("worker-days (label: last day used)")
    for ax in (shops, days):
        ax.tick_params(axis="x", rotation=45)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle("Districts compared")
    return fig


def write_charts(
    plan: Plan, out_dir: str | Path, actual: pd.Series | None = None, summaries: Sequence[dict] = ()
) -> list[Path]:
    """Write ``progress.png`` and ``workload.png`` (and ``districts.png`` given summaries) to ``out_dir``.

    Parameters
    ----------
    plan
        The plan.
    out_dir
        Folder to write into; created if needed.
    actual
        Shops done per day, as in ``progress_figure``.
    summaries
        Several plans' summaries for the district comparison; none skips it.

    Returns
    -------
    list of Path
        The PNG files written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figures = {"progress": progress_figure(plan, actual), "workload": workload_figure(plan)}
    if summaries:
        figures["districts"] = district_figure(summaries)
    return [save_figure(figure, out / f"{name}.png") for name, figure in figures.items()]


def save_figure(figure: Figure, path: str | Path) -> Path:
    """Write ``figure`` as a PNG file, its folder created if needed.

    Parameters
    ----------
    figure
        The chart.
    path
        The file to write.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target)
    return target


def _seconds(clock: dt.time) -> int:
    return clock.hour * 3600 + clock.minute * 60
