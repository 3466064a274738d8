"""City-scale benchmark: the full scenario for every district, timed, with peak memory and the bound.

Run ``python -m benchmarks.city --help``. Prints wall time, peak RSS (this process and its
worker processes), staff-days against the nearest-neighbour lower bound, unassigned shops and
whether every district's plan passed the verifier (a failing plan raises, so the run stops).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from planner.geo.districts import find_district
from planner.planning.city import plan_city, split_by_district
from planner.planning.executor import make_executor
from planner.planning.triage import needing, triage
from planner.planning.week import workday_s
from planner.samples.city import generate_city
from planner.samples.district import write_sample
from planner.settings import Settings

TARGET_WALL_S = 600
TARGET_RSS_MB = 4096
TARGET_RATIO = 1.10
TARGET_SPEEDUP = 1.7


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="share of each district's merchants")
    parser.add_argument("--districts", default="", help="comma-separated districts (default: all 25)")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler", default=None, help="dask scheduler address or 'local'")
    parser.add_argument(
        "--time-limit", type=float, default=0.5, help="most solver seconds per one-worker-day step"
    )
    parser.add_argument("--improve", type=float, default=0.0, help="improvement seconds per district")
    parser.add_argument("--zone-max-stops", type=int, default=120)
    parser.add_argument("--speedup", action="store_true", help="also run with 1 worker and compare")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--start-at-first-shop",
        "--open-start",
        dest="open_start",
        action="store_true",
        help="staff report at their first shop (as planner plan --start-at-first-shop)",
    )
    parser.add_argument("--open-routes", action="store_true", help="worker-days end at the last shop")
    parser.add_argument(
        "--out",
        default=None,
        help="keep the plan in this folder (re-check it with planner verify; default: thrown away)",
    )
    return parser.parse_args(argv)


def city_settings(args: argparse.Namespace) -> Settings:
    """Default settings with the benchmark's week and solver budgets."""
    settings = Settings()
    solver = replace(
        settings.solver,
        time_limit_s=args.time_limit,
        improve_s=args.improve,
        zone_max_stops=args.zone_max_stops,
        open_start=args.open_start,
        open_routes=args.open_routes,
    )
    return replace(settings, week=replace(settings.week, days=args.days), solver=solver)


def run_once(
    by_district, settings: Settings, workers: int, scheduler: str | None, out: str | None = None
) -> tuple[dict, float, pd.DataFrame]:
    """Plan the city once into ``out`` (None: a throw-away folder); return its summary, wall seconds
    and districts."""
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder, make_executor(workers, scheduler) as executor:
        run = plan_city(by_district, settings, Path(out or folder) / "city", executor)
        summary = run.summary()
    return summary, time.perf_counter() - began, run.districts


def print_districts(table: pd.DataFrame) -> None:
    """One line per district: staff-days against its bound, worst ratio first."""
    table = table.assign(ratio=table["staff_days"] / table["lower_bound_staff_days"].clip(lower=1))
    for row in table.sort_values("ratio", ascending=False).itertuples():
        print(
            f"{row.district:>24}: {row.needing:>6} shops, {row.staff_per_day:>3} staff, "
            f"{row.staff_days:>4} staff-days / bound {row.lower_bound_staff_days:>4} = {row.ratio:.3f}, "
            f"{row.unassigned_capacity} left for capacity"
        )


def print_time_use(summary: dict, shift_min: float) -> None:
    """Where the staff-days go, as shares of the shifts worked (shift less lunch)."""
    shifts = summary["staff_days"] * shift_min
    service, legs, idle = (summary[k] for k in ("total_service_min", "office_legs_min", "idle_min"))
    between = shifts - service - legs - idle  # the rest of the travel: from shop to shop
    print(
        f"{'time of the staff-days':>24}: service {100 * service / shifts:.1f} %, between shops "
        f"{100 * between / shifts:.1f} %, office legs {100 * legs / shifts:.1f} % "
        f"({legs / summary['staff_days']:.0f} min a worker-day), idle {100 * idle / shifts:.1f} %"
    )


def peak_rss_mb() -> dict[str, float]:
    """Peak resident memory of this process and of its largest finished child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self": round(own), "largest_child": round(child)}


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its figures and which targets hold."""
    args = parse_args(argv)
    chosen = [find_district(n) for n in args.districts.split(",") if n.strip()] or None
    began = time.perf_counter()
    merchants = generate_city(args.seed, args.scale, chosen)
    by_district = split_by_district(needing(triage(merchants, scenario="full")), chosen)
    if args.out:  # the merchants beside the plan, so that planner verify can re-check it alone
        Path(args.out).mkdir(parents=True, exist_ok=True)
        write_sample(merchants, Path(args.out) / "merchants.csv")
    del merchants
    print(
        f"{sum(map(len, by_district.values())):,} needing shops in {len(by_district)} districts, "
        f"sampled in {time.perf_counter() - began:.1f} s"
    )
    settings = city_settings(args)
    print(
        f"settings: {args.days} days, {args.time_limit} s at most per one-day step, zones of at most "
        f"{args.zone_max_stops} shops, {args.improve} s improvement per district, "
        f"{args.workers} workers{' on ' + args.scheduler if args.scheduler else ''}, worker-days "
        f"{'start at the first shop' if args.open_start else 'leave the district office'} and "
        f"{'end at the last shop' if args.open_routes else 'end back there'}"
    )
    summary, wall, districts = run_once(by_district, settings, args.workers, args.scheduler, args.out)
    rss = peak_rss_mb()
    print_districts(districts)
    for key, value in summary.items():
        print(f"{key:>24}: {value}")
    print_time_use(summary, workday_s(settings) / 60)
    print(f"{'wall_s':>24}: {wall:.1f}")
    print(
        f"{'peak_rss_mb':>24}: self {rss['self']}, largest worker {rss['largest_child']}, "
        f"all {args.workers} workers at most {rss['self'] + args.workers * rss['largest_child']}"
    )
    checks = {
        f"wall <= {TARGET_WALL_S} s": wall <= TARGET_WALL_S,
        f"peak RSS <= {TARGET_RSS_MB} MB": rss["self"] + args.workers * rss["largest_child"] <= TARGET_RSS_MB,
        "every plan verified": summary["verified"],
        "no shop lost (needing = planned + unassigned)": summary["needing"]
        == summary["planned"] + summary["unassigned"],
        "0 unassigned for capacity": summary["unassigned_capacity"] == 0,
        f"staff-days <= {TARGET_RATIO} x bound": summary["staff_days_over_bound"] <= TARGET_RATIO,
    }
    if args.speedup and args.workers > 1:
        _, one, _ = run_once(by_district, settings, 1, None)
        print(f"{'wall_s with 1 worker':>24}: {one:.1f} (speed-up {one / wall:.2f}x)")
        checks[f"{args.workers} workers >= {TARGET_SPEEDUP}x faster than 1"] = one / wall >= TARGET_SPEEDUP
    for name, held in checks.items():
        print(f"[{'x' if held else ' '}] {name}")
    if args.out:
        out = Path(args.out)
        print(
            f"plan kept in {out / 'city'}; re-check: planner verify {out / 'city'} --merchants {out / 'merchants.csv'}"
        )


if __name__ == "__main__":
    main()
