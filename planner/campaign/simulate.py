"""Play a campaign week many times with closed shops and uneven service times: will it finish on time?"""

from __future__ import annotations

import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from planner.campaign.outcomes import record_outcomes
from planner.campaign.replan import replan
from planner.campaign.setup import DEFAULT_MAX_TRIES, Campaign, init_campaign, load_campaign
from planner.campaign.status import GIVEN_UP_REASONS, NO_SHIFT_REASONS, OPEN_REASONS, is_left
from planner.campaign.store import CampaignStore
from planner.geo.districts import District
from planner.geo.travel import leg_time_s, project
from planner.planning.plan import Progress
from planner.settings import Settings

CLOSED_CHECK_S = 120  # finding a shop shut still takes a couple of minutes
MIN_SERVICE_SHARE = 0.25  # a visit never takes less than this share of its planned time
SIMULATION_TIME_LIMIT_S = 0.5
# With a seed, each OR-Tools search stops after this many solutions (about as good as 0.5 s on a
# 60-shop zone) so two runs repeat exactly; the time limit is then only a ceiling, high enough
# never to be the one that stops a search on a busy machine.
SEEDED_SOLUTION_LIMIT = 100
SEEDED_CEILING_S = 60.0


@dataclass(frozen=True)
class SimulationResult:
    """Outcome of many simulated campaign weeks with one team size."""

    staff: int
    days: int
    # run, finished, finish_day, installed, left, no_shift, given_up (see ``_run_row``)
    runs: pd.DataFrame = field(repr=False)

    @property
    def p_finish(self) -> float:
        """Share of runs in which every shop was installed or given up by the deadline."""
        return float(self.runs["finished"].mean()) if len(self.runs) else 0.0

    @property
    def p_finish_reachable(self) -> float:
        """Share of runs in which every shop a shift reaches was installed or given up by the deadline.

        The chance a bigger team can raise: shops no shift reaches need other shifts, not more staff.
        Equals ``p_finish`` when every shop is within some shift.
        """
        done = self.runs["left"] == self.runs["no_shift"]
        return float(done.mean()) if len(self.runs) else 0.0

    def finish_days(self) -> pd.DataFrame:
        """How many runs finished on each day (``day`` -1: nothing to do; ``"late"``: not by the deadline).

        Returns
        -------
        pandas.DataFrame
            ``finish_day`` (as text), ``runs`` and ``share``, in day order, ``late`` last.
        """
        label = self.runs["finish_day"].where(self.runs["finished"], other="late")
        counts = label.astype(str).value_counts()
        order = [str(d) for d in range(-1, self.days)] + ["late"]
        table = pd.DataFrame({"finish_day": [d for d in order if d in counts.index]})
        table["runs"] = [int(counts[d]) for d in table["finish_day"]]
        table["share"] = table["runs"] / max(1, len(self.runs))
        return table

    def summary(self) -> dict:
        """The figures a coordinator reads first (``no_shift``: most shops no shift reached in a run).

        Returns
        -------
        dict
            ``staff``, ``runs``, ``p_finish``, ``median_finish_day`` (None if no run finished),
            ``mean_left`` and ``no_shift``.
        """
        finished = self.runs.loc[self.runs["finished"], "finish_day"]
        return {
            "staff": self.staff,
            "runs": len(self.runs),
            "p_finish": round(self.p_finish, 3),
            "median_finish_day": float(finished.median()) if len(finished) else None,
            "mean_left": round(float(self.runs["left"].mean()), 1) if len(self.runs) else 0.0,
            "no_shift": int(self.runs["no_shift"].max()) if len(self.runs) else 0,
        }


@dataclass(frozen=True)
class StaffRecommendation:
    """The smallest team reaching the target probability of finishing, among the sizes tried."""

    target: float
    staff: int | None  # None: no size tried reached the target
    tried: dict[int, float]  # staff -> probability of finishing every shop a shift reaches


def simulation_settings(
    settings: Settings, time_limit_s: float = SIMULATION_TIME_LIMIT_S, solution_limit: int | None = None
) -> Settings:
    """Settings for fast simulated re-plans: a small solver budget, no cross-zone improvement pass.

    With ``solution_limit`` every search stops after that many solutions and ``time_limit_s`` is
    raised to ``SEEDED_CEILING_S``: plans, hence simulations, then repeat exactly for a seed.

    Parameters
    ----------
    settings
        The campaign's settings.
    time_limit_s
        Solver budget per zone.
    solution_limit
        Solutions after which a search stops, or None.

    Returns
    -------
    Settings
        A copy with the solver's budget, one process and no improvement pass.
    """
    if solution_limit is not None:
        time_limit_s = max(time_limit_s, SEEDED_CEILING_S)
    solver = replace(
        settings.solver, time_limit_s=time_limit_s, processes=1, improve_s=0.0, solution_limit=solution_limit
    )
    return replace(settings, solver=solver)


def _draws(seed: tuple[int, ...], day: int, merchant_id: str) -> np.random.Generator:
    """Random draws of one shop on one day: the same whichever route or order the plan gives it."""
    return np.random.default_rng([*seed, day, zlib.crc32(merchant_id.encode())])


def play_day(
    visits: pd.DataFrame,
    seed: tuple[int, ...],
    fail_rate: float,
    service_jitter: float,
    home_s: pd.Series,
    shift_end_s: int,
    lunch_s: int,
) -> pd.DataFrame:
    """Play one day's planned visits; return the outcomes the field would report.

    Each shop is closed with probability ``fail_rate``; an open shop's service takes its planned
    time times a normal factor. Draws depend only on ``seed``, the day and the shop, so two plans
    of the same week meet the same closed shops (common random numbers across team sizes) (mean 1, spread ``service_jitter``, at least ``MIN_SERVICE_SHARE``).
    Staff follow their route in order, never start a visit before its planned start, take lunch
    when planned, and stop when the next visit would bring them back to the office (``home_s``:
    seconds from each shop) after ``shift_end_s``: the visits left get no outcome.

    Parameters
    ----------
    visits
        One day's planned visits, in route order, with ``start_s`` and ``service_s``.
    seed
        The run's seed; the day and the shop are added for each draw.
    fail_rate
        Chance that a shop is closed.
    service_jitter
        Spread of the service time factor.
    home_s
        Seconds from each shop back to the office, by ``merchant_id``.
    shift_end_s
        End of the day's shift.
    lunch_s
        Length of the lunch break.

    Returns
    -------
    pandas.DataFrame
        ``merchant_id, staff_id, date, outcome, time, note`` (outcome installed or closed).
    """
    records = []
    for _, route in visits.sort_values(["staff_id", "stop"]).groupby("staff_id", sort=True):
        clock, lunch_taken = int(route["leave_office_s"].iat[0]), False
        for visit in route.itertuples(index=False):
            if not lunch_taken and visit.lunch_start_s < visit.start_s:
                clock, lunch_taken = max(clock, visit.lunch_start_s) + lunch_s, True
            start = max(clock + visit.travel_s, visit.start_s)
            draws = _draws(seed, int(visit.day), visit.merchant_id)
            closed = draws.random() < fail_rate
            factor = max(MIN_SERVICE_SHARE, draws.normal(1.0, service_jitter))
            took = min(CLOSED_CHECK_S, visit.service_s) if closed else round(visit.service_s * factor)
            if start + took + home_s[visit.merchant_id] > shift_end_s:
                break
            clock = start + took
            seconds = start % 86_400
            records.append(
                {
                    "merchant_id": visit.merchant_id,
                    "staff_id": visit.staff_id,
                    "date": visit.date,
                    "outcome": "closed" if closed else "installed",
                    "time": f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}",
                    "note": "simulated",
                }
            )
    return pd.DataFrame(records, columns=["merchant_id", "staff_id", "date", "outcome", "time", "note"])


def _home_seconds(merchants: pd.DataFrame, district: District, settings: Settings) -> pd.Series:
    """Travel seconds from each shop back to the district office (none when days end at the last shop)."""
    if settings.solver.open_routes:
        return pd.Series(0, index=merchants["merchant_id"].to_numpy(), dtype=np.int64)
    xy = project(merchants["lat"].to_numpy(), merchants["lon"].to_numpy())
    office = project(np.array([district.office_lat]), np.array([district.office_lon]))
    back = leg_time_s(xy, np.repeat(office, len(xy), axis=0), settings.travel)
    return pd.Series(np.asarray(back, dtype=np.int64), index=merchants["merchant_id"].to_numpy())


def play_campaign_day(
    store: CampaignStore, day: int, seed: tuple[int, ...], fail_rate: float = 0.1, service_jitter: float = 0.3
) -> pd.DataFrame:
    """Play the current plan's visits of campaign day ``day`` in every district (see :func:`play_day`).

    Parameters
    ----------
    store
        The campaign store.
    day
        The campaign day to play.
    seed
        The run's seed.
    fail_rate
        Chance that a shop is closed.
    service_jitter
        Spread of the service time factor.

    Returns
    -------
    pandas.DataFrame
        The outcomes the field would report, ready for ``planner.campaign.outcomes.record_outcomes``
        (with ``source_file`` and ``source_row``) or for an outcome CSV.
    """
    campaign = load_campaign(store)
    week = campaign.settings.week
    shift_end = week.shift_s(day)[1]
    visits = store.visits(status="planned", plan_version=store.current_plan_version())
    visits = visits[visits["day"] == day]
    merchants = store.merchants()
    merchants = merchants[merchants["merchant_id"].isin(visits["merchant_id"])]
    frames = []
    for district in campaign.districts:
        mine = merchants[merchants["district"].isin([district.name_en, ""])]
        home_s = _home_seconds(mine, district, campaign.settings)
        today = visits[visits["merchant_id"].isin(mine["merchant_id"])]
        frames.append(
            play_day(today, seed, fail_rate, service_jitter, home_s, shift_end, 60 * week.lunch_min)
        )
    outcomes = pd.concat(frames, ignore_index=True)
    source = f"simulated day {day}"
    return outcomes.assign(source_file=source, source_row=range(2, len(outcomes) + 2))


def _one_run(args: tuple) -> dict:
    """One simulated campaign in a throw-away in-memory store."""
    run, merchants, campaign, fail_rate, jitter, seed = args
    week = campaign.settings.week
    home_s = _home_seconds(merchants, campaign.district, campaign.settings)
    shift_end = week.shift_s(0)[1]
    with CampaignStore(":memory:") as store:
        init_campaign(store, merchants, campaign)
        replan(store, 0)
        for day in range(campaign.days):
            today = store.visits(status="planned")
            today = today[today["day"] == day]
            outcomes = play_day(
                today, (seed, run), fail_rate, jitter, home_s, day * 86_400 + shift_end, 60 * week.lunch_min
            )
            source = f"simulated day {day}"
            rows = outcomes.assign(source_file=source, source_row=range(2, len(outcomes) + 2))
            record_outcomes(store, rows, source)
            left = store.visits(status="planned")
            waiting = store.unassigned()["reason"].isin(OPEN_REASONS)
            if left.empty and not waiting.any():
                break
            if day + 1 < campaign.days and (waiting.any() or (left["day"] <= day).any()):
                replan(store, day + 1)
        return _run_row(run, store)


def _run_row(run: int, store: CampaignStore) -> dict:
    """Whether a simulated campaign finished, and when.

    ``left`` counts the shops neither installed nor given up: still planned, or unassigned for
    any other reason, those no shift reaches (``no_shift``) included. The run finished when
    none is left.
    """
    outcomes = store.outcomes()
    installed = outcomes[outcomes["outcome"] == "installed"]
    unassigned = store.unassigned()
    left = len(store.visits(status="planned")) + int(is_left(unassigned["reason"]).sum())
    start = pd.Timestamp(load_campaign(store).settings.week.start_date)
    finish_day = int((pd.to_datetime(installed["date"]).max() - start).days) if len(installed) else -1
    return {
        "run": run,
        "finished": left == 0,
        "finish_day": finish_day,
        "installed": len(installed),
        "left": left,
        "no_shift": int(unassigned["reason"].isin(NO_SHIFT_REASONS).sum()),
        "given_up": int(unassigned["reason"].isin(GIVEN_UP_REASONS).sum()),
    }


def simulate(
    merchants: pd.DataFrame,
    district: District,
    settings: Settings,
    runs: int = 100,
    fail_rate: float = 0.1,
    service_jitter: float = 0.3,
    seed: int = 0,
    progress: Progress | None = None,
    scenario: str = "targeted",
    max_tries: int = DEFAULT_MAX_TRIES,
    processes: int = 1,
) -> SimulationResult:
    """Play the campaign week ``runs`` times: each day's plan meets closed shops and uneven service.

    Each run starts a campaign in a throw-away store, plays each day's routes (see
    :func:`play_day`), records the outcomes and re-plans the next day, exactly as a coordinator
    would. A run finishes when every shop is installed or given up (after ``max_tries`` closed
    visits). A shop no shift reaches is left, so a week with such shops never finishes: see
    ``SimulationResult.p_finish_reachable`` for the chance of the rest.

    Parameters
    ----------
    merchants
        Canonical merchants; the campaign triages them (``scenario``) and keeps ``district``'s.
    district
        The district to simulate.
    settings
        Week, team (``settings.staff``) and solver budget (keep ``solver.time_limit_s`` small,
        see :func:`simulation_settings`).
    runs
        Simulated weeks.
    fail_rate
        Probability a shop is closed when staff arrive.
    service_jitter
        Spread (standard deviation, as a share of the planned time) of service times.
    seed
        Same seed, same random draws. Plans are the same too when ``settings`` carry a solution
        limit (see :func:`simulation_settings`); with a time limit alone the solver may stop at
        different points on a busier machine.
    progress
        Called as ``progress(done, runs, label)`` after each run.
    processes
        Runs simulated in parallel.

    Returns
    -------
    SimulationResult
        One row per run: finished, finish day, installed, left, no shift and given up.
    """
    campaign = Campaign(district, settings, scenario=scenario, max_tries=max_tries)
    jobs = [(run, merchants, campaign, fail_rate, service_jitter, seed) for run in range(runs)]
    rows = []
    if processes > 1:
        with ProcessPoolExecutor(processes) as pool:
            results = pool.map(_one_run, jobs)
            for row in results:
                rows.append(row)
                if progress:
                    progress(len(rows), runs, f"staff {settings.staff}")
    else:
        for job in jobs:
            rows.append(_one_run(job))
            if progress:
                progress(len(rows), runs, f"staff {settings.staff}")
    return SimulationResult(int(settings.staff or 0), settings.week.days, pd.DataFrame(rows))


def recommend_staff(
    evaluate, start: int, target: float = 0.95, max_staff: int = 200, known: dict[int, float] | None = None
) -> StaffRecommendation:
    """Find the smallest team whose probability of finishing every shop a shift reaches is ``target``.

    Shops no shift reaches are left out of the chance searched (``p_finish_reachable``): no team
    size reaches them, so counting them would send the search to ``max_staff`` for nothing.

    Parameters
    ----------
    evaluate
        ``evaluate(staff) -> SimulationResult``, e.g. :func:`simulate` with fixed seeds, so that
        every size meets the same closed shops (common random numbers).
    start
        First team size tried.
    target
        Probability of finishing (every shop a shift reaches) by the deadline to reach.
    max_staff
        Largest team tried.
    known
        Probabilities already simulated, by team size.

    Returns
    -------
    StaffRecommendation
        The smallest size reaching ``target`` (None if none up to ``max_staff`` did) and the
        chance of every size tried.
    """
    tried: dict[int, float] = dict(known or {})

    def p(staff: int) -> float:
        if staff not in tried:
            tried[staff] = evaluate(staff).p_finish_reachable
        return tried[staff]

    low, high = 0, max(1, start)  # low never reaches the target; high is the candidate
    while p(high) < target:
        if high >= max_staff:
            return StaffRecommendation(target, None, dict(sorted(tried.items())))
        low, high = high, min(max_staff, 2 * high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if p(middle) >= target else (middle, high)
    return StaffRecommendation(target, high, dict(sorted(tried.items())))
