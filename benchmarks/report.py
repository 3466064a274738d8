"""Benchmark outcomes as rows, a CSV file and a Markdown table with averages per solver."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from benchmarks.check import check_routes
from benchmarks.instances import Instance


@dataclass
class Outcome:
    """One solver's result on one instance, as the independent checker saw it."""

    set: str
    instance: str
    objective: str
    solver: str
    time_limit_s: float
    bks_vehicles: int | None
    bks_cost: float | None
    vehicles: int | None = None
    cost: float | None = None  # recomputed distance (random1000: travel seconds)
    gap_pct: float | None = None  # 100 * (cost - bks_cost) / bks_cost, feasible runs only
    vs_pyvrp: float | None = None  # cost / PyVRP's cost on the same instance, feasible runs only
    total: float | None = None  # cost + vehicles * fixed cost per vehicle: the solvers' own objective
    seconds: float | None = None
    feasible: bool = False
    unassigned: int | None = None
    problem: str = ""  # first violation or error, empty when feasible


def new_outcome(instance: Instance, solver: str, time_limit_s: float, set_name: str) -> Outcome:
    """An outcome with nothing measured yet: the instance, its best-known solution, the solver."""
    bks = instance.bks
    return Outcome(
        set=set_name,
        instance=instance.name,
        objective=instance.objective,
        solver=solver,
        time_limit_s=time_limit_s,
        bks_vehicles=None if bks is None else bks.vehicles,
        bks_cost=None if bks is None else bks.cost,
    )


def score(outcome: Outcome, instance: Instance, routes: list[list[int]]) -> None:
    """Fill ``outcome``'s vehicles, cost, gap and feasibility from the checker's view of ``routes``."""
    check = check_routes(instance, routes)
    outcome.vehicles = check.vehicles
    outcome.cost = round(check.cost, 4) if check.vehicles else None  # no routes: no solution found
    outcome.gap_pct = gap_pct(check.cost, outcome.bks_cost) if check.feasible else None
    if outcome.cost is not None:
        outcome.total = outcome.cost + check.vehicles * instance.fixed_cost / instance.scale
    outcome.feasible = check.feasible
    outcome.problem = check.problems[0] if check.problems else ""


def gap_pct(cost: float | None, bks_cost: float | None) -> float | None:
    """Percentage above the best-known cost, or None without both."""
    if cost is None or not bks_cost:
        return None
    return 100.0 * (cost - bks_cost) / bks_cost


def add_pyvrp_ratios(outcomes: list[Outcome]) -> None:
    """Fill ``vs_pyvrp`` of every outcome whose instance has a feasible PyVRP result."""
    reference = {o.instance: o.cost for o in outcomes if o.solver == "pyvrp" and o.feasible and o.cost}
    for outcome in outcomes:
        if outcome.feasible and outcome.cost is not None and outcome.instance in reference:
            outcome.vs_pyvrp = outcome.cost / reference[outcome.instance]


def frame_of(outcomes: list[Outcome]) -> pd.DataFrame:
    """One row per instance and solver."""
    return pd.DataFrame([asdict(o) for o in outcomes])


def _number(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        text = f"{value:.{digits}f}"
        return text[1:] if text.startswith("-") and float(text) == 0 else text  # no "-0.00"
    return str(value)


def markdown_table(outcomes: list[Outcome], with_ratio: bool = False) -> str:
    """A wide table: one row per instance, a group of columns per solver."""
    solvers = list(dict.fromkeys(o.solver for o in outcomes))
    per_solver = ["veh", "cost", "vs PyVRP" if with_ratio else "gap %", "s", "ok"]
    header = ["instance", "BKS veh", "BKS cost"] + [f"{s} {c}" for s in solvers for c in per_solver]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    by_key = {(o.instance, o.solver): o for o in outcomes}
    for instance in dict.fromkeys(o.instance for o in outcomes):
        first = next(o for o in outcomes if o.instance == instance)
        cells = [instance, _number(first.bks_vehicles), _number(first.bks_cost)]
        for solver in solvers:
            o = by_key.get((instance, solver))
            if o is None:
                cells += [""] * len(per_solver)
                continue
            third = _number(o.vs_pyvrp, 3) if with_ratio else _number(o.gap_pct)
            ok = "yes" if o.feasible else "NO"
            cells += [_number(o.vehicles), _number(o.cost), third, _number(o.seconds, 1), ok]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def averages(outcomes: list[Outcome]) -> pd.DataFrame:
    """Per solver: feasible count, and over feasible runs total vehicles, mean gap, ratio and time."""
    frame = frame_of(outcomes)
    rows = []
    for solver, runs in frame.groupby("solver", sort=False):
        ok = runs[runs["feasible"]]
        rows.append(
            {
                "solver": solver,
                "feasible": f"{len(ok)}/{len(runs)}",
                "vehicles (sum)": int(ok["vehicles"].sum()) if len(ok) else None,
                "mean gap %": _mean(ok["gap_pct"]),
                "mean vs PyVRP": _mean(ok["vs_pyvrp"], 3),
                "mean s": _mean(runs["seconds"], 1),
            }
        )
    return pd.DataFrame(rows)


def _mean(column: pd.Series, digits: int = 2) -> float | None:
    values = pd.to_numeric(column, errors="coerce").dropna()
    return round(float(values.mean()), digits) if len(values) else None


def averages_markdown(outcomes: list[Outcome]) -> str:
    """The per-solver averages as a Markdown table."""
    table = averages(outcomes)
    header = list(table.columns)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in table.to_dict("records"):
        digits = {"vehicles (sum)": 0, "mean vs PyVRP": 3}
        lines.append("| " + " | ".join(_number(row[c], digits.get(c, 2)) for c in header) + " |")
    return "\n".join(lines)


def write(outcomes: list[Outcome], stem: Path, title: str, with_ratio: bool = False) -> tuple[Path, Path]:
    """Write ``<stem>.csv`` and ``<stem>.md``; returns both paths."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = stem.with_suffix(".csv"), stem.with_suffix(".md")
    frame_of(outcomes).to_csv(csv_path, index=False)
    table, means = markdown_table(outcomes, with_ratio), averages_markdown(outcomes)
    md_path.write_text(f"# {title}\n\n{table}\n\n## Averages over feasible runs\n\n{means}\n")
    return csv_path, md_path
