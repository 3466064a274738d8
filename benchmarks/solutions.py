"""Every solver's routes, written in the VRPLIB solution format so gaps can be recomputed later.

One file per instance and solver, ``<instance>.<solver>.sol``: a ``Route #k:`` line per route
(customer nodes in visiting order, the depot implied at both ends; numbered as ``vrplib`` reads
the instance, so the customers of a CVRPLIB file are its node ids less one, those of a Solomon
file its customer numbers), then the figures of the run. ``python -m benchmarks.recheck`` reads
them back and checks them against the instances.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import vrplib

from benchmarks.report import Outcome


@dataclass(frozen=True)
class Written:
    """A solution file read back: which run it came from, its routes and what it claimed."""

    path: Path
    set: str
    instance: str
    objective: str
    solver: str
    time_limit_s: float | None
    seconds: float | None
    cost: float | None
    routes: list[list[int]]


def solution_path(folder: Path, instance: str, solver: str) -> Path:
    """Where the routes of ``solver`` on ``instance`` go."""
    return Path(folder) / f"{instance}.{solver}.sol"


def write_solution(folder: Path, outcome: Outcome, routes: list[list[int]]) -> Path:
    """Write ``routes`` with the run's figures as the checker saw them; returns the path."""
    path = solution_path(folder, outcome.instance, outcome.solver)
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = {
        "Cost": "" if outcome.cost is None else outcome.cost,
        "Vehicles": outcome.vehicles or 0,
        "Set": outcome.set,
        "Instance": outcome.instance,
        "Objective": outcome.objective,
        "Solver": outcome.solver,
        "TimeLimit": outcome.time_limit_s,
        "Seconds": "" if outcome.seconds is None else round(outcome.seconds, 2),
        "Feasible": "yes" if outcome.feasible else "no",
    }
    vrplib.write_solution(path, [list(map(int, r)) for r in routes if len(r)], figures)
    return path


def read_solution(path: Path) -> Written:
    """Read a file that ``write_solution`` wrote."""
    data = vrplib.read_solution(str(path))
    missing = [key for key in ("set", "instance", "objective", "solver") if key not in data]
    if missing:
        raise ValueError(f"{path}: no {', '.join(missing)} line; was it written by benchmarks.run?")

    def number(key: str) -> float | None:
        value = data.get(key)
        return None if value in (None, "") else float(value)

    return Written(
        path=Path(path),
        set=str(data["set"]),
        instance=str(data["instance"]),
        objective=str(data["objective"]),
        solver=str(data["solver"]),
        time_limit_s=number("timelimit"),
        seconds=number("seconds"),
        cost=number("cost"),
        routes=[list(map(int, route)) for route in data["routes"]],
    )
