"""Share a re-plan's wall-clock budget among its districts' zone solves and improvement passes."""

from __future__ import annotations

import math
from dataclasses import replace

from planner.settings import SolverSettings

AUTO = "auto"  # a budget chosen from the districts re-planned: see default_budget_s
DISTRICT_BUDGET_S = 20.0  # default budget per district re-planned: a district's re-plan in <= 30 s
CITY_BUDGET_S = 210.0  # ... and at most this for many districts: the city's re-plan in <= 5 minutes
OVERHEAD_SHARE = 0.2  # of the budget, for reading, preparing, verifying and writing (this process)
IMPROVE_SHARE = 0.25  # of the rest, for the improvement passes across zone borders
MIN_ZONE_S = 0.2  # a 0.1 s floor re-plans the city 19% faster but plans 2.6% fewer shops


def default_budget_s(districts: int) -> float:
    """The budget ``planner replan`` uses unless told: ``DISTRICT_BUDGET_S`` a district, at most ``CITY_BUDGET_S``.

    Parameters
    ----------
    districts
        How many districts are re-planned.

    Returns
    -------
    float
        Seconds for the whole re-plan.
    """
    return min(CITY_BUDGET_S, DISTRICT_BUDGET_S * max(1, districts))


def solver_budgets(
    shops: dict[str, int], solver: SolverSettings, processes: int, budget_s: float | str | None
) -> dict[str, SolverSettings]:
    """Solver settings per district so that a re-plan of ``shops`` fits ``budget_s`` seconds.

    The work left sets the budget's use: the zones of all districts share the zone part of the
    budget on ``processes`` worker processes, each zone getting the same seconds, never more than
    ``solver.time_limit_s`` nor less than ``MIN_ZONE_S``; each district's improvement pass gets
    its share of the improvement part by size, never more than ``solver.improve_s``. A small
    re-plan thus keeps the campaign's full budgets, a large one gets shorter searches.

    Parameters
    ----------
    shops
        Shops to plan per district (name -> count).
    solver
        The campaign's solver settings (caps of every budget).
    processes
        Processes the zones are solved on.
    budget_s
        Wall seconds the whole re-plan should take, or ``AUTO`` for :func:`default_budget_s`;
        None (or a solver with a solution limit, whose searches must stop at the same point
        every time) keeps ``solver`` unchanged.

    Returns
    -------
    dict
        Solver settings per district name.
    """
    if budget_s is None or solver.solution_limit or not shops:
        return dict.fromkeys(shops, solver)
    busy = [name for name, count in shops.items() if count]
    if budget_s == AUTO:
        budget_s = default_budget_s(len(busy))
    total = max(1, sum(shops.values()))
    solve_s = budget_s * (1 - OVERHEAD_SHARE)
    improve_wall = IMPROVE_SHARE * solve_s if solver.improve_s > 0 else 0.0
    # Districts improve side by side, at most `processes` at a time: their passes share them.
    improve_core_s = improve_wall * min(processes, max(1, len(busy)))
    zones = sum(math.ceil(shops[name] / solver.zone_max_stops) for name in busy)
    zone_core_s = (solve_s - improve_wall) * processes
    zone_s = min(solver.time_limit_s, max(MIN_ZONE_S, zone_core_s / max(1, zones)))
    return {
        name: replace(
            solver,
            time_limit_s=round(zone_s, 2),
            improve_s=round(min(solver.improve_s, improve_core_s * count / total), 1),
        )
        for name, count in shops.items()
    }
