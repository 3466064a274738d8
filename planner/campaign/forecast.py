"""Simulate several districts and the city as a whole; find each district's team for a target chance."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from planner.campaign.simulate import SimulationResult, recommend_staff, simulate
from planner.geo.districts import District
from planner.planning.plan import Progress
from planner.settings import Settings

CITY = "city"
CONFIRM_SEED_OFFSET = 1_000  # the confirming run draws other closed shops than the search did


@dataclass(frozen=True)
class SimulationSetup:
    """What every simulated week shares: the merchants, settings and the randomness of the field."""

    merchants: pd.DataFrame
    settings: Settings  # week and solver (see ``simulation_settings``); the team comes per district
    runs: int = 100
    fail_rate: float = 0.1
    service_jitter: float = 0.3
    seed: int = 0
    processes: int = 1
    scenario: str = "targeted"  # which shops need a panel (see ``planner.planning.triage``)


@dataclass(frozen=True)
class Forecast:
    """Simulated weeks of each district, and of the city when there are several districts."""

    districts: dict[str, SimulationResult]
    city: SimulationResult | None = None  # run i of the city is run i of every district

    def results(self) -> dict[str, SimulationResult]:
        """Each district's result, then the city's (if any).

        Returns
        -------
        dict of str to SimulationResult
            By district name, the city under ``"city"``.
        """
        return {**self.districts, **({CITY: self.city} if self.city is not None else {})}

    def table(self) -> pd.DataFrame:
        """One row per district (and the city): team, chance of finishing, median finish day.

        Returns
        -------
        pandas.DataFrame
            A ``district`` column and the figures of ``SimulationResult.summary``.
        """
        rows = [{"district": name, **r.summary()} for name, r in self.results().items()]
        return pd.DataFrame(rows)

    def finish_days(self) -> pd.DataFrame:
        """Share of runs finishing on each day (``late``: not by the deadline), one column per district.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``finish_day`` (campaign day as text, then ``late``); shares rounded to 0.001.
        """
        shares = {
            name: r.finish_days().set_index("finish_day")["share"] for name, r in self.results().items()
        }
        table = pd.DataFrame(shares).fillna(0.0).round(3)
        order = sorted(table.index, key=lambda d: (d == "late", int(d) if d != "late" else 0))
        return table.loc[order].rename_axis("finish_day")


@dataclass(frozen=True)
class StaffAdvice:
    """The smallest team per district for a target chance of finishing, and a run confirming it."""

    target: float  # for the city (or the one district)
    district_target: float  # each district's share of it: target ** (1 / districts)
    staff: dict[str, int | None]  # None: no team tried reached the target
    tried: dict[str, dict[int, float]]  # district -> staff -> chance of finishing every shop a shift reaches
    confirmation: Forecast | None  # the recommended teams simulated again with other draws
    no_shift: dict[str, int]  # district -> most shops no shift reached in a run: no team finishes those


def citywide(results: dict[str, SimulationResult]) -> SimulationResult:
    """Combine districts simulated with the same runs: a city run finishes when all its districts do.

    Its finish day is the latest district's; shops installed, left (no shift reaching some) and given up add up.

    Parameters
    ----------
    results
        Each district's result, by name; run i of each is the same week.

    Returns
    -------
    SimulationResult
        The city's runs, with the sum of the teams and the longest week.
    """
    frames = [r.runs.set_index("run") for r in results.values()]
    city = pd.DataFrame(
        {
            "finished": pd.concat([f["finished"] for f in frames], axis=1).all(axis=1),
            "finish_day": pd.concat([f["finish_day"] for f in frames], axis=1).max(axis=1),
            **{c: sum(f[c] for f in frames) for c in ("installed", "left", "no_shift", "given_up")},
        }
    ).reset_index()
    days = max(r.days for r in results.values())
    return SimulationResult(sum(r.staff for r in results.values()), days, city)


def forecast(
    setup: SimulationSetup, staff: dict[District, int], progress: Progress | None = None, seed_offset: int = 0
) -> Forecast:
    """Simulate each district with its team (``staff``), and the city when there are several.

    Every district plays the same run numbers with the same seed, so the city's run i is the
    week in which each district played its run i.

    Parameters
    ----------
    setup
        The merchants, settings and field randomness every district shares.
    staff
        Workers a day per district simulated.
    progress
        Called as ``progress(done, total, text)`` with the district and team in ``text``.
    seed_offset
        Added to ``setup.seed``, to draw other closed shops than an earlier forecast.

    Returns
    -------
    Forecast
        Each district's result, and the city's when there are several districts.
    """
    results = {}
    for district, team in staff.items():
        report = None
        if progress is not None:

            def report(done: int, total: int, _text: str, name=district.name_en, team=team) -> None:
                progress(done, total, f"{name}, staff {team}")

        results[district.name_en] = simulate(
            setup.merchants,
            district,
            replace(setup.settings, staff=team),
            setup.runs,
            setup.fail_rate,
            setup.service_jitter,
            setup.seed + seed_offset,
            report,
            processes=setup.processes,
            scenario=setup.scenario,
        )
    return Forecast(results, citywide(results) if len(results) > 1 else None)


def advise_staff(
    setup: SimulationSetup,
    found: Forecast,
    staff: dict[District, int],
    target: float,
    progress: Progress | None = None,
) -> StaffAdvice:
    """Search each district's smallest team for the target, then simulate those teams again.

    With k districts each must reach ``target ** (1 / k)``, since the city finishes only when every
    district does (their draws are independent). The confirming run uses other draws
    (``CONFIRM_SEED_OFFSET``), so its chance is a fair check of the advice, not a replay.
    The chances are of finishing every shop a shift reaches; shops no shift reaches are counted
    apart (``StaffAdvice.no_shift``), since no team finishes them.

    Parameters
    ----------
    setup
        The merchants, settings and field randomness every district shares.
    found
        The forecast with the current teams; its chances are not simulated again.
    staff
        The current team per district, where each search starts.
    target
        Chance of finishing (every shop a shift reaches) wanted for the city.
    progress
        Called as ``progress(done, total, text)`` for every simulated team.

    Returns
    -------
    StaffAdvice
        The smallest team per district (None where no size tried reached its share), the
        chances tried, and the confirming forecast when every district has a team.
    """
    district_target = target ** (1 / len(staff))
    chosen, tried = {}, {}
    for district, team in staff.items():

        def evaluate(size: int, district=district) -> SimulationResult:
            return forecast(setup, {district: size}, progress).districts[district.name_en]

        known = {team: found.districts[district.name_en].p_finish_reachable}
        advice = recommend_staff(evaluate, team, district_target, known=known)
        chosen[district.name_en], tried[district.name_en] = advice.staff, advice.tried
    confirmation = None
    if all(size is not None for size in chosen.values()):
        teams = {district: chosen[district.name_en] for district in staff}
        confirmation = forecast(setup, teams, progress, seed_offset=CONFIRM_SEED_OFFSET)
    no_shift = {name: result.summary()["no_shift"] for name, result in found.districts.items()}
    return StaffAdvice(target, district_target, chosen, tried, confirmation, no_shift)
