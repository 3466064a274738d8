"""Campaign benchmark: start a campaign (a district or the city), play two days, time the re-plans.

Run ``python -m benchmarks.campaign --help``. Starts a campaign in a throw-away store from the
sample merchants, plays days 0 and 1 of the first plan with closed shops and uneven service
(``planner.campaign.simulate.play_campaign_day``), imports the outcomes, then times a re-plan of
every district from day 2 and a re-plan of one district alone. Conservation is checked inside
every operation (a broken one raises), so a finished run is also a consistency check.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from planner.campaign.budget import AUTO
from planner.campaign.outcomes import record_outcomes
from planner.campaign.replan import replan
from planner.campaign.setup import Campaign, init_campaign
from planner.campaign.simulate import play_campaign_day
from planner.campaign.status import campaign_status
from planner.campaign.store import CampaignStore
from planner.geo.districts import find_district
from planner.planning.executor import make_executor
from planner.planning.triage import needing, triage
from planner.samples.city import generate_city
from planner.settings import Settings

TARGET_CITY_S = 300
TARGET_DISTRICT_S = 30
VISITS_PER_WORKER_DAY = 38  # for sizing each district's team: about what plans reach in the full scenario


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of each district's merchants")
    parser.add_argument("--districts", default="", help="comma-separated districts (default: all 25)")
    parser.add_argument("--scenario", default="full", choices=("full", "targeted"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler", default=None, help="dask scheduler address or 'local'")
    parser.add_argument("--time-limit", type=float, default=None, help="solver seconds per zone")
    parser.add_argument("--improve", type=float, default=None, help="improvement seconds per district")
    parser.add_argument("--budget", type=float, default=None, help="re-plan seconds (default: auto; 0: none)")
    parser.add_argument("--one", default="Jongno-gu", help="district re-planned alone at the end")
    parser.add_argument("--fail-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--store", default=None, help="keep the store here (default: a temporary file)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures and which targets hold."""
    args = parse_args(argv)
    chosen = [find_district(n) for n in args.districts.split(",") if n.strip()] or None
    merchants = generate_city(args.seed, args.scale, chosen)
    shops = needing(triage(merchants, scenario=args.scenario))
    sizes = shops["district"].value_counts()
    districts = tuple(d for d in (chosen or []) if d.name_en in sizes) or tuple(
        find_district(name) for name in sorted(sizes.index)
    )
    teams = {n: max(1, math.ceil(k / (7 * VISITS_PER_WORKER_DAY))) for n, k in sizes.items()}
    settings = Settings()
    solver = settings.solver
    if args.time_limit is not None:
        solver = replace(solver, time_limit_s=args.time_limit)
    if args.improve is not None:
        solver = replace(solver, improve_s=args.improve)
    settings = replace(settings, solver=solver, staff=1)
    campaign = Campaign(districts, settings, args.scenario, teams=teams)
    print(
        f"{len(shops):,} needing shops in {len(districts)} districts ({args.scenario}), "
        f"{sum(teams.values())} workers a day, {args.workers} workers"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.store or Path(folder) / "campaign.sqlite")
        _run(path, merchants, campaign, args)


def _timed(label: str, fn):
    began = time.perf_counter()
    result = fn()
    print(f"{label:>32}: {time.perf_counter() - began:7.1f} s")
    return result, time.perf_counter() - began


def _run(path: Path, merchants, campaign: Campaign, args: argparse.Namespace) -> None:
    budget = AUTO if args.budget is None else (args.budget or None)
    with make_executor(args.workers, args.scheduler) as executor, CampaignStore(path) as store:
        _timed("init (store merchants)", lambda: init_campaign(store, merchants, campaign))
        first, _ = _timed(
            "first plan (replan --day 0)", lambda: replan(store, 0, executor=executor, budget_s=budget)
        )
        print(f"{'':>32}  {first.summary()}")
        for day in (0, 1):
            outcomes = play_campaign_day(store, day, (args.seed, 0), args.fail_rate)
            imported, _ = _timed(
                f"import day {day} ({len(outcomes):,} rows)",
                lambda outcomes=outcomes, day=day: record_outcomes(store, outcomes, f"day {day}"),
            )
        city, city_s = _timed(
            "city re-plan (replan --day 2)", lambda: replan(store, 2, executor=executor, budget_s=budget)
        )
        print(f"{'':>32}  {city.summary()}")
        one = find_district(args.one)
        district_s = None
        if one in campaign.districts:
            alone, district_s = _timed(
                f"{one.name_en} alone (--district)",
                lambda: replan(store, 2, executor=executor, districts=[one.name_en], budget_s=budget),
            )
            print(f"{'':>32}  {alone.summary()}")
        table, _ = _timed("status", lambda: campaign_status(store))
        print(table.to_string(index=False))
    checks = {f"city re-plan <= {TARGET_CITY_S} s": city_s <= TARGET_CITY_S}
    if district_s is not None:
        checks[f"{args.one} re-plan <= {TARGET_DISTRICT_S} s"] = district_s <= TARGET_DISTRICT_S
    checks["conservation holds"] = table.attrs["conservation"] == []
    for name, held in checks.items():
        print(f"[{'x' if held else ' '}] {name}")


if __name__ == "__main__":
    main()
