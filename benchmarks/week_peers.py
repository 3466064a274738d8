"""One district week solved by planner, PyVRP and plain OR-Tools side by side, every plan re-checked.

Run ``python -m benchmarks.week_peers --help``. The sample district's merchants (full scenario) are
cut to the shops nearest the district office, and each cut is solved by

- planner (``plan_district``, the product, with its own budgets); its wall time is the budget of
- PyVRP (``benchmarks.baselines.solve_pyvrp``) at 1 and 3 times that wall time, and of
- plain OR-Tools (``solve_ortools``: first solution and guided local search) as one model.

The peers solve the week as one problem: every shop is one visit with its opening windows over
the week (in PyVRP one client per window, the copies in a required mutually exclusive group), one
vehicle per worker and day with that day's shift, leaving and returning to the office, and
planner's fixed cost per worker-day, so staff-days come first and travel second. Their fleet is
the team planner sized (times ``--fleet``; a looser fleet gave PyVRP more staff-days, not fewer,
within these budgets). PyVRP has no breaks, so every solver works the same shared model: no
lunch, and the shift shortened by the lunch (09:00-17:00 by default).

Each solver runs in its own process (so peak memories do not mix); each plan is written as a
plan folder and re-checked from its files by ``planner.report.audit`` as ``planner verify`` does.
``verified`` is False for a plan that breaks a rule, and for a solver that returned no solution:
a plan with no route while shops were left for capacity (``record``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd

from planner.geo.districts import District, find_district
from planner.geo.travel import project
from planner.planning.output import write_plan
from planner.planning.pipeline import CUTOFF
from planner.planning.plan import Plan, plan_district, unassigned_table
from planner.planning.schedule import assemble_routes
from planner.planning.shops import prepare_shops
from planner.planning.staffing import office_of
from planner.planning.triage import needing, triage
from planner.planning.week import Slot, build_problem, solution_rows
from planner.report.audit import audit_plan
from planner.routing.problem import Route, Solution
from planner.samples.city import generate_city
from planner.samples.district import write_sample
from planner.settings import Settings

COLUMNS = (
    "district",
    "size",
    "seed",
    "solver",
    "budget_s",
    "staff_days",
    "travel_min",
    "wall_s",
    "peak_mb",
    "verified",
    "unassigned",  # shops no worker-day serves: staff-days only compare when these match
)
SOLVERS = ("planner", "pyvrp", "ortools")
WHOLE = "all"  # --sizes value for the whole district


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options of the benchmark."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.week_peers", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--district", default="Jongno-gu")
    parser.add_argument(
        "--sizes",
        default="300,1000",
        help=f"comma-separated shop counts, or '{WHOLE}' for the whole district",
    )
    parser.add_argument("--seed", type=int, default=0, help="merchants sample and solver seed")
    parser.add_argument("--out", required=True, help="folder for week_peers.csv and the plan folders")
    parser.add_argument("--solvers", default=",".join(SOLVERS), help="comma-separated")
    parser.add_argument("--pyvrp-factors", default="1,3", help="PyVRP budgets in multiples of planner's wall")
    parser.add_argument("--ortools-max", type=int, default=5000, help="largest cut plain OR-Tools is given")
    parser.add_argument("--fleet", type=float, default=1.0, help="peers' workers a day / planner's team")
    defaults = Settings().solver
    parser.add_argument(
        "--time-limit", type=float, default=defaults.time_limit_s, help="planner's step budget"
    )
    parser.add_argument(
        "--improve", type=float, default=defaults.improve_s, help="planner's improvement budget"
    )
    parser.add_argument("--chart", default=None, help="also draw staff-days against size into this PNG")
    args = parser.parse_args(argv)
    args.solvers = [s.strip() for s in args.solvers.split(",") if s.strip()]
    unknown = sorted(set(args.solvers) - set(SOLVERS))
    if unknown or "planner" not in args.solvers:
        parser.error(
            f"--solvers takes planner (always, it sets the budgets) and {SOLVERS[1:]}; got {unknown}"
        )
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    if any(s != WHOLE and not s.isdigit() for s in args.sizes):
        parser.error(f"--sizes takes whole numbers or '{WHOLE}', got {args.sizes}")
    args.pyvrp_factors = [float(f) for f in args.pyvrp_factors.split(",") if f.strip()]
    return args


def shared_settings(args: argparse.Namespace) -> Settings:
    """Default settings without lunch, the shift shortened by it, and the benchmark's budgets."""
    settings = Settings()
    week = settings.week
    end = dt.datetime.combine(week.start_date, week.shift_end) - dt.timedelta(minutes=week.lunch_min)
    week = replace(week, shift_end=end.time(), lunch_min=0)
    solver = replace(settings.solver, time_limit_s=args.time_limit, improve_s=args.improve, seed=args.seed)
    return replace(settings, week=week, solver=solver)


def settings_toml(settings: Settings) -> str:
    """The shared model's week as a settings file for ``planner verify --settings``."""
    week = settings.week
    return f'[week]\nshift_end = "{week.shift_end.isoformat()}"\nlunch_min = {week.lunch_min}\n'


def district_cuts(district: District, sizes: list[str], seed: int) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """For each size, the merchants and needing shops of the cut: the needing shops nearest the
    district office (all of them for ``WHOLE``)."""
    merchants = generate_city(seed, 1.0, [district])
    shops = needing(triage(merchants, scenario="full", cutoff=CUTOFF))
    xy = project(shops["lat"].to_numpy(), shops["lon"].to_numpy())
    by_distance = shops.iloc[np.argsort(np.hypot(*(xy - office_of(district)).T), kind="stable")]
    cuts = []
    for size in sizes:
        cut = by_distance if size == WHOLE else by_distance.iloc[: int(size)]
        cuts.append((merchants[merchants["merchant_id"].isin(cut["merchant_id"])], cut))
    return cuts


def run_planner(shops: pd.DataFrame, district: District, settings: Settings) -> Plan:
    """planner's plan of the week, with its own team size and budgets."""
    return plan_district(shops, district, settings)


def run_peer(
    solver: str,
    needing_shops: pd.DataFrame,
    district: District,
    settings: Settings,
    staff: int,
    budget_s: float,
) -> Plan:
    """A peer's plan of the week as one problem (see the module docstring), built within ``budget_s``."""
    began = time.perf_counter()
    shops = prepare_shops(needing_shops, settings)
    office_xy = office_of(district)
    fit = np.flatnonzero(shops["fits"].to_numpy())
    slots = [Slot(day, seat) for day in range(settings.week.days) for seat in range(staff)]
    problem = build_problem(shops.iloc[fit], office_xy, slots, settings)
    left = max(0.1, budget_s - (time.perf_counter() - began))
    if solver == "pyvrp":
        from benchmarks.baselines import solve_pyvrp

        problem = replace(problem, penalty=None)  # every shop that fits is a required client group
        solution = solve_pyvrp(problem, left, settings.solver.seed)
        solution.routes = [with_lunch(route, problem.service_s, settings, slots) for route in solution.routes]
    else:
        from planner.routing.ortools_solver import solve_ortools

        solution = solve_ortools(problem, left, settings.solver.seed)
    return peer_plan(solution, shops, fit, slots, district, settings, staff)


def with_lunch(route: Route, service_s: np.ndarray, settings: Settings, slots: list[Slot]) -> Route:
    """``route`` with its lunch of no length placed where it interrupts no visit: at the start of
    the lunch window, or at the end of the first visit inside it."""
    earliest, latest = settings.week.lunch_window_s(slots[route.vehicle].day)
    ends = [start + int(service_s[node]) for node, start in zip(route.visits, route.start_s, strict=True)]
    spans = list(zip(route.start_s, ends, strict=True))
    for moment in [earliest, *ends]:
        if earliest <= moment <= latest and not any(a < moment < b for a, b in spans):
            return replace(route, breaks_s=(moment,))
    return replace(route, breaks_s=(earliest,))


def peer_plan(
    solution: Solution,
    shops: pd.DataFrame,
    fit: np.ndarray,
    slots: list[Slot],
    district: District,
    settings: Settings,
    staff: int,
) -> Plan:
    """A peer's routes in planner's plan form; shop ``fit[k]`` is node ``k + 1``."""
    shops = shops.assign(zone=0)  # the peers solve the week whole: one zone
    rows, _ = solution_rows(solution, shops.iloc[fit], slots)
    routes = assemble_routes(pd.DataFrame(rows), shops, office_of(district), district, settings)
    served = shops["merchant_id"].isin(set(routes["merchant_id"])).to_numpy()
    reasons = {
        int(k): "capacity" if fits else "no_time_window_fits"
        for k, fits in zip(np.flatnonzero(~served), shops["fits"].to_numpy()[~served], strict=True)
    }
    unassigned = unassigned_table(shops, reasons)
    return Plan(
        district, settings, staff, len(shops), routes, unassigned, scenario="full", cutoff=str(CUTOFF)
    )


def measured(fn, *args) -> tuple[object, float, float]:
    """``fn(*args)``, its wall seconds and the peak resident MB of this process and its children."""
    began = time.perf_counter()
    result = fn(*args)
    wall = time.perf_counter() - began
    usage = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    return result, wall, usage / 1024


def in_own_process(fn, *args) -> tuple[Plan, float, float]:
    """``measured(fn, *args)`` in a fresh process, so each solver's peak memory is its own."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(measured, fn, *args).result()


def travel_min(routes: pd.DataFrame) -> float:
    """Minutes of travel of all worker-days: office to first shop, between shops, and back."""
    if routes.empty:
        return 0.0
    back = routes.groupby(["staff_id", "day"])[["back_office_s", "departure_s"]].max()
    return round((routes["travel_s"].sum() + (back["back_office_s"] - back["departure_s"]).sum()) / 60, 1)


def record(plan: Plan, folder: Path, merchants: pd.DataFrame, settings: Settings) -> tuple[bool, dict]:
    """Write ``plan`` as a plan folder, re-check it from its files; return the verdict and figures.

    A plan without a single route while shops wait for a worker is a solver that found no
    solution: its verdict is False even though an empty plan breaks no rule.
    """
    write_plan(plan, folder)
    audit = audit_plan(folder, merchants, settings)
    for line in audit.problems[:5]:
        print(f"    {folder.name}: {line}")
    solved = not (plan.routes.empty and (plan.unassigned["reason"] == "capacity").any())
    if not solved:
        print(f"    {folder.name}: no solution (no route, {len(plan.unassigned)} shops unassigned)")
    figures = {
        "staff_days": audit.worker_days,
        "travel_min": travel_min(plan.routes),
        "unassigned": audit.unassigned,
    }
    return solved and not audit.problems, figures


def solve_cut(args, district, settings, merchants, shops, folder: Path, writer) -> None:
    """Every solver on one cut; one CSV row each, written as soon as it is known."""
    folder.mkdir(parents=True, exist_ok=True)
    write_sample(merchants, folder / "merchants.csv")
    base = {"district": district.name_en, "size": len(shops), "seed": args.seed}

    def row(solver: str, budget_s: float, plan: Plan, wall: float, peak: float, name: str) -> None:
        verified, figures = record(plan, folder / name, merchants, settings)
        line = {**base, "solver": solver, "budget_s": round(budget_s, 1), **figures}
        line.update(wall_s=round(wall, 1), peak_mb=round(peak), verified=verified)
        writer(line)

    plan, wall, peak = in_own_process(run_planner, shops, district, settings)
    row("planner", wall, plan, wall, peak, "planner")
    runs = [("pyvrp", f) for f in args.pyvrp_factors if "pyvrp" in args.solvers]
    if "ortools" in args.solvers and len(shops) <= args.ortools_max:
        runs.append(("ortools", 1.0))
    for solver, factor in runs:
        budget = factor * wall
        fleet = math.ceil(args.fleet * plan.staff)
        peer, peer_wall, peer_peak = in_own_process(
            run_peer, solver, shops, district, settings, fleet, budget
        )
        row(solver, budget, peer, peer_wall, peer_peak, f"{solver}-{factor:g}x")


def write_chart(table: pd.DataFrame, path: str | Path) -> None:
    """Staff-days against size, one line per solver and budget."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    planner_wall = table[table["solver"] == "planner"].set_index("size")["budget_s"]
    table = table.assign(factor=(table["budget_s"] / table["size"].map(planner_wall)).round(1))
    groups = sorted(table.groupby(["solver", "factor"]), key=lambda item: item[0][0] != "planner")
    for (solver, factor), runs in groups:
        label = solver if solver == "planner" else f"{solver}, {factor:g} x planner's time"
        # A run that served no shop found no solution in its budget: no point, but a legend entry.
        runs = runs[runs["size"] > runs["unassigned"]].sort_values("size")
        if runs.empty:
            label += ": no solution in its budget"
        good = runs[runs["verified"].astype(bool)]
        (line,) = ax.plot(good["size"], good["staff_days"], marker="o", label=label)
        bad = runs[~runs["verified"].astype(bool)]
        if len(bad):
            ax.plot(
                bad["size"], bad["staff_days"], "x", color=line.get_color(), label=f"{label}, not verified"
            )
    sizes = sorted(table["size"].unique())
    ax.set_xscale("log")
    ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
    ax.minorticks_off()
    ax.set_xlabel("shops in the week")
    ax.set_ylabel("staff-days")
    districts = ", ".join(table["district"].unique())
    ax.set_title(f"{districts}: staff-days for the week (lower is better)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    """Solve every cut with every solver; write ``week_peers.csv`` (and the chart) into ``--out``."""
    args = parse_args(argv)
    district = find_district(args.district)
    settings = shared_settings(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "week_peers.csv"
    (out / "settings.toml").write_text(settings_toml(settings), encoding="utf-8")
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()

        def write(line: dict) -> None:
            writer.writerow(line)
            file.flush()
            print(", ".join(f"{k} {line[k]}" for k in COLUMNS[1:]), flush=True)

        for merchants, shops in district_cuts(district, args.sizes, args.seed):
            folder = out / f"{district.slug}-{len(shops)}"
            solve_cut(args, district, settings, merchants, shops, folder, write)
    print(
        f"wrote {path}; re-check a cut: planner verify {out}/<cut> --merchants {out}/<cut>/merchants.csv "
        f"--settings {out}/settings.toml"
    )
    if args.chart:
        write_chart(pd.read_csv(path), args.chart)
        print(f"wrote {args.chart}")


if __name__ == "__main__":
    main()
