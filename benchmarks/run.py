"""Run planner's engine, plain OR-Tools, PyVRP and VROOM side by side on a benchmark set."""

from __future__ import annotations

import argparse
import datetime as dt
import traceback
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from benchmarks import random1000
from benchmarks.baselines import solve_pyvrp, solve_vroom
from benchmarks.instances import DEFAULT_ROOT, OBJECTIVES, SETS, Instance, load_set, set_spec, to_problem
from benchmarks.report import (
    Outcome,
    add_pyvrp_ratios,
    averages_markdown,
    markdown_table,
    new_outcome,
    score,
    write,
)
from benchmarks.solutions import write_solution

RESULTS = Path(__file__).resolve().parent / "results"
SET_NAMES = (*SETS, "random1000")


def _planner(problem, time_limit_s: float, seed: int):
    from benchmarks.engine import solve  # imported here, like each solver, only when it runs

    return solve(problem, time_limit_s, seed=seed)


def _ortools(problem, time_limit_s: float, seed: int):
    from planner.routing.ortools_solver import solve_ortools

    return solve_ortools(problem, time_limit_s, seed=seed)


SOLVERS: dict[str, Callable] = {
    "planner": _planner,
    "ortools": _ortools,
    "pyvrp": solve_pyvrp,
    "vroom": solve_vroom,
}


def set_name(text: str) -> str:
    """A ``--set`` value: a known set, random1000, or ``homberger<N>``."""
    if text != "random1000":
        try:
            set_spec(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return text


def run_one(
    instance: Instance, solver: str, time_limit_s: float, seed: int, set_name: str
) -> tuple[Outcome, list[list[int]]]:
    """Solve one instance with one solver, check the routes independently; return both."""
    outcome = new_outcome(instance, solver, time_limit_s, set_name)
    try:
        solution = SOLVERS[solver](to_problem(instance), time_limit_s, seed)
    except Exception as error:  # one failing solver must not stop the benchmark
        outcome.problem = f"{type(error).__name__}: {error}".splitlines()[0]
        traceback.print_exc()
        return outcome, []
    routes = [list(route.visits) for route in solution.routes]
    score(outcome, instance, routes)
    outcome.seconds = solution.seconds
    outcome.unassigned = len(solution.unassigned)
    return outcome, routes


def load_instances(args: argparse.Namespace) -> list[Instance]:
    """The instances the command line asks for."""
    if args.set == "random1000":
        return random1000.generate_set(args.limit or 3, first_seed=args.seed + 1)
    return load_set(args.set, Path(args.root), args.paths, args.limit, args.objective)


def run(args: argparse.Namespace, console: Console, solutions: Path) -> list[Outcome]:
    """Every solver on every instance, with a progress bar; each solution written into ``solutions``."""
    instances = load_instances(args)
    outcomes: list[Outcome] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(args.set, total=len(instances))
        for instance in instances:
            for solver in args.solvers:
                progress.update(task, description=f"{instance.name} {solver}")
                outcome, routes = run_one(instance, solver, args.time_limit, args.seed, args.set)
                if routes:
                    write_solution(solutions, outcome, routes)
                outcomes.append(outcome)
            progress.advance(task)
    add_pyvrp_ratios(outcomes)
    return outcomes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: set, time limit, solvers, instance limit, optional paths."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument(
        "--set",
        required=True,
        type=set_name,
        help=f"{', '.join(SET_NAMES)}, or homberger<N> for Gehring-Homberger files in homberger/h<N>",
    )
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per solver and instance")
    parser.add_argument("--solvers", default="planner,ortools,pyvrp,vroom", help="comma-separated")
    parser.add_argument("--limit", type=int, default=None, help="first N instances (random1000: N seeds)")
    parser.add_argument(
        "--objective",
        choices=OBJECTIVES,
        default="hierarchical",
        help="Solomon/Homberger: fewer vehicles first, or distance only (X is always distance)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--root", default=str(DEFAULT_ROOT), help="folder holding solomon/, homberger/, x/")
    parser.add_argument("--out", default=str(RESULTS), help="folder for the CSV and Markdown files")
    parser.add_argument("paths", nargs="*", help="instance files or globs instead of the whole set")
    args = parser.parse_args(argv)
    args.solvers = [name.strip() for name in args.solvers.split(",") if name.strip()]
    unknown = [name for name in args.solvers if name not in SOLVERS]
    if unknown:
        parser.error(f"unknown solvers {unknown}; choose from {list(SOLVERS)}")
    return args


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark, write ``<out>/<set>-<timestamp>.csv``, ``.md`` and routes folder; print the table."""
    args = parse_args(argv)
    console = Console()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = Path(args.out) / f"{args.set}-{stamp}"
    outcomes = run(args, console, stem)
    objective = "workers" if args.set == "random1000" else ("distance" if args.set == "x" else args.objective)
    title = f"{args.set}, {objective} objective, {args.time_limit:g} s per solver and instance"
    ratio = args.set == "random1000"
    csv_path, md_path = write(outcomes, stem, title, with_ratio=ratio)
    console.print(f"\n{title}\n")
    console.print(markdown_table(outcomes, with_ratio=ratio), markup=False, soft_wrap=True)
    console.print("\nAverages over feasible runs\n")
    console.print(averages_markdown(outcomes), markup=False, soft_wrap=True)
    console.print(f"\nwrote {csv_path}, {md_path} and the routes in {stem}/ (benchmarks.recheck reads them)")


if __name__ == "__main__":
    main()
