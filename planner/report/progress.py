"""Charts of a campaign's progress read from its store: installs per day, the plan ahead, districts at risk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from planner.campaign.status import CITY, campaign_status, daily_progress
from planner.campaign.store import CampaignStore
from planner.report.charts import ACTUAL_COLOUR, DPI, PLANNED_COLOUR, save_figure

LEFT_COLOUR, GIVEN_UP_COLOUR, RISK_COLOUR = "#d62728", "#7f7f7f", "#d62728"


def campaign_progress_figure(daily: pd.DataFrame, status: pd.DataFrame) -> Figure:
    """Shops installed so far, day by day, and the current plan's projection to its finish.

    Parameters
    ----------
    daily
        ``planner.campaign.status.daily_progress``.
    status
        ``planner.campaign.status.campaign_status``, for the shops left and the districts at risk.

    Returns
    -------
    matplotlib.figure.Figure
        Bars of the shops installed each day, the line of those installed so far, the dashed
        line the plan projects from there, the shops needing a panel and the deadline; the
        title names the projected finish and the districts at risk.
    """
    dates = [dt.date.fromisoformat(d) for d in daily["date"]]
    installed_days = daily["installed"].to_numpy() > 0
    last_done = max((i for i, done in enumerate(installed_days) if done), default=-1)
    fig = Figure(figsize=(8, 4.5), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.bar(dates, daily["installed"], color=ACTUAL_COLOUR, alpha=0.35, label="installed that day")
    if last_done >= 0:
        done = daily.iloc[: last_done + 1]
        ax.plot(
            dates[: last_done + 1], done["done"], marker="s", color=ACTUAL_COLOUR, label="installed so far"
        )
    planned_days = daily["planned"].to_numpy() > 0
    last_planned = max((i for i, planned in enumerate(planned_days) if planned), default=-1)
    if last_planned > last_done:  # the plan's projection, from the last install to its finish
        start = max(last_done, 0)
        ahead = daily.iloc[start : last_planned + 1]
        ax.plot(
            dates[start : last_planned + 1], ahead["projected"], marker="o", linestyle="--",
            color=PLANNED_COLOUR, label="installed + planned",
        )  # fmt: skip
    needing = daily.attrs["needing"]
    deadline = dt.date.fromisoformat(daily.attrs["deadline"])
    ax.axhline(needing, color="grey", linestyle="--", label=f"needing a panel ({needing:,})")
    ax.axvline(deadline, color=RISK_COLOUR, linestyle=":", label=f"deadline {deadline}")
    total = status.iloc[-1]
    finish = total["projected_finish"] or "-"
    ax.set_ylim(0, max(needing, 1) * 1.08)
    ax.set_ylabel("shops with a new panel (cumulative)")
    ax.set_title(
        f"{total['installed']:,} installed, {total['planned']:,} planned, {total['left']:,} left; "
        f"projected finish {finish}\n{_at_risk_text(status)}",
        fontsize=10,
    )
    ax.set_xticks(dates, [d.strftime("%a %m-%d") for d in dates], rotation=30)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    return fig


def districts_progress_figure(status: pd.DataFrame) -> Figure:
    """Each district's shops: installed, planned, left and given up; districts at risk in red.

    Parameters
    ----------
    status
        ``planner.campaign.status.campaign_status``.

    Returns
    -------
    matplotlib.figure.Figure
        One stacked horizontal bar per district; an at-risk district's name is red and marked.
    """
    table = status[status["district"] != CITY].iloc[::-1].reset_index(drop=True)
    fig = Figure(figsize=(8, max(2.5, 0.35 * len(table) + 1.5)), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    left = pd.Series(0, index=table.index)
    parts = (
        ("installed", ACTUAL_COLOUR),
        ("planned", PLANNED_COLOUR),
        ("left", LEFT_COLOUR),
        ("given_up", GIVEN_UP_COLOUR),
    )
    for column, colour in parts:
        ax.barh(table.index, table[column], left=left, color=colour, label=column.replace("_", " "))
        left = left + table[column]
    names = [
        f"{d} (at risk)" if risk else d for d, risk in zip(table["district"], table["at_risk"], strict=True)
    ]
    ax.set_yticks(list(table.index), names, fontsize=8)
    for label, risk in zip(ax.get_yticklabels(), table["at_risk"], strict=True):
        label.set_color(RISK_COLOUR if risk else "black")
    ax.set_xlabel("shops needing a panel")
    ax.set_title(f"Districts: {_at_risk_text(status)}", fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def write_progress_charts(store_path: str | Path, out_dir: str | Path) -> list[Path]:
    """Write ``campaign-progress.png`` and ``campaign-districts.png`` from a campaign store.

    Parameters
    ----------
    store_path
        The campaign's SQLite file.
    out_dir
        Folder to write into; created if needed.

    Returns
    -------
    list of Path
        The PNG files written; none when the store holds outcomes but no campaign.

    Raises
    ------
    InputError
        If there is no store at ``store_path``.
    """
    with CampaignStore.existing(store_path) as store:
        if store.read_campaign() is None:
            return []
        daily = daily_progress(store)
        status = campaign_status(store)
    out = Path(out_dir)
    return [
        save_figure(campaign_progress_figure(daily, status), out / "campaign-progress.png"),
        save_figure(districts_progress_figure(status), out / "campaign-districts.png"),
    ]


def _at_risk_text(status: pd.DataFrame) -> str:
    districts = status[status["district"] != CITY]
    at_risk = districts.loc[districts["at_risk"], "district"].tolist()
    if not at_risk:
        return "no district at risk"
    shown = ", ".join(at_risk[:6]) + (f" and {len(at_risk) - 6} more" if len(at_risk) > 6 else "")
    return f"at risk ({len(at_risk)}): {shown}"
