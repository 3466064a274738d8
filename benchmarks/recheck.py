"""Recompute costs, gaps and feasibility from written solutions, without solving anything.

    python -m benchmarks.recheck benchmarks/results/x-20261127-120000/
    python -m benchmarks.recheck --instances 'other/X-*.vrp' --root other-root results/x-*/X-n1001*.sol

Each ``.sol`` file (``benchmarks.solutions``) names its set, instance, objective and solver. The
instance is read again, from ``--instances`` when its file is there, else from the set's folder
under ``--root`` (random1000 instances are generated again from the seed in their name), and the
routes are checked by ``benchmarks.check`` as in the run. Prints the run's table and averages, and
every file whose written cost differs from the recomputed one.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from benchmarks import random1000
from benchmarks.instances import (
    DEFAULT_ROOT,
    Instance,
    instance_paths,
    read_bks,
    read_instance,
    set_spec,
)
from benchmarks.report import (
    Outcome,
    add_pyvrp_ratios,
    averages_markdown,
    markdown_table,
    new_outcome,
    score,
)
from benchmarks.solutions import Written, read_solution

COST_TOLERANCE = 1e-3  # written costs are rounded to 4 decimals


def solution_files(paths: list[str]) -> list[Path]:
    """The ``.sol`` files among ``paths`` (files, or folders searched for ``*.sol``), sorted."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(path.glob("*.sol"))
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such solution file or folder")
    return found


def find_instance(written: Written, root: Path, given: list[Path]) -> Instance:
    """The instance a solution was written for, read with the objective it was solved under."""
    if written.set == "random1000":
        match = re.fullmatch(r"random(\d+)-s(\d+)", written.instance)
        if not match:
            raise ValueError(f"{written.path}: cannot tell the seed of {written.instance!r}")
        return random1000.generate(int(match[2]), shops=int(match[1]))
    folder = set_spec(written.set)[0]  # raises for an unknown set
    candidates = [p for p in given if p.stem == written.instance]
    if not candidates:
        candidates = [p for p in instance_paths(written.set, root) if p.stem == written.instance]
    if not candidates:
        raise FileNotFoundError(
            f"{written.path}: instance {written.instance} is neither among --instances nor in "
            f"{Path(root) / folder}; pass its file with --instances"
        )
    objective = "hierarchical" if written.objective == "hierarchical" else "distance"
    bks = read_bks(written.set, root, objective).get(written.instance)
    return read_instance(candidates[0], written.set, objective, bks)


def recheck(files: list[Path], root: Path, given: list[Path]) -> tuple[list[Outcome], list[str]]:
    """An outcome per solution file as the checker sees it, and the files whose cost disagrees."""
    outcomes, disagreements = [], []
    instances: dict[tuple[str, str, str], Instance] = {}  # one read per instance, whatever the solvers
    for path in files:
        written = read_solution(path)
        key = (written.set, written.instance, written.objective)
        if key not in instances:
            instances[key] = find_instance(written, root, given)
        instance = instances[key]
        outcome = new_outcome(instance, written.solver, written.time_limit_s or 0.0, written.set)
        score(outcome, instance, written.routes)
        outcome.seconds = written.seconds
        outcomes.append(outcome)
        if written.cost is not None and abs(written.cost - (outcome.cost or 0.0)) > COST_TOLERANCE:
            disagreements.append(f"{path}: written cost {written.cost}, recomputed {outcome.cost}")
    add_pyvrp_ratios(outcomes)
    return outcomes, disagreements


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: solution files or folders, where to find the instances."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.recheck", description=__doc__)
    parser.add_argument("solutions", nargs="+", help=".sol files or folders of them")
    parser.add_argument("--root", default=str(DEFAULT_ROOT), help="folder holding solomon/, homberger/, x/")
    parser.add_argument("--instances", nargs="*", default=[], help="instance files or globs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Recheck the files and print the table; exit 1 if one is infeasible or its cost disagrees, 2 on bad input."""
    args = parse_args(argv)
    given = instance_paths("x", Path(args.root), args.instances) if args.instances else []
    try:
        files = solution_files(args.solutions)
        if not files:
            raise FileNotFoundError(f"no .sol files in {', '.join(args.solutions)}")
        outcomes, disagreements = recheck(files, Path(args.root), given)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    ratio = any(o.set == "random1000" for o in outcomes)
    print(markdown_table(outcomes, with_ratio=ratio))
    print("\nAverages over feasible runs\n")
    print(averages_markdown(outcomes))
    for line in disagreements:
        print(line)
    infeasible = [o for o in outcomes if not o.feasible]
    for o in infeasible:
        print(f"{o.instance} {o.solver}: infeasible: {o.problem}")
    return 1 if infeasible or disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
