"""Read benchmark instances and best-known solutions, and turn them into planner Problems."""

from __future__ import annotations

import glob
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import vrplib

from planner.routing.problem import Problem, Vehicle

DEFAULT_ROOT = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"
SCALE = 1000  # Euclidean distances become integers in thousandths for the solvers
OBJECTIVES = ("hierarchical", "distance")

# set name -> (folder under the root holding the instance files, file pattern, BKS file under the root)
SETS = {
    "solomon": ("solomon", "*.txt", "solomon/BKS.csv"),
    "homberger200": ("homberger/h200", "*.txt", "homberger/BKS.csv"),
    "homberger400": ("homberger/h400", "*.txt", "homberger/BKS.csv"),
    "x": ("x", "*.vrp", "x/BKS.csv"),
}


def set_spec(set_name: str) -> tuple[str, str, str]:
    """Folder, file pattern and BKS file of a set; ``homberger<N>`` for any size N (``homberger/h<N>``).

    Raises
    ------
    ValueError
        If the name is neither a known set nor ``homberger`` with a size.
    """
    if set_name in SETS:
        return SETS[set_name]
    size = re.fullmatch(r"homberger(\d+)", set_name)
    if size:
        return (f"homberger/h{size[1]}", "*.txt", "homberger/BKS.csv")
    raise ValueError(f"unknown set {set_name!r}: choose from {', '.join(SETS)} or homberger<size>")


@dataclass(frozen=True)
class Bks:
    """A best-known solution: routes used and objective, in the convention's precision."""

    vehicles: int | None
    cost: float | None


@dataclass(frozen=True)
class Instance:
    """One benchmark instance with the data an independent checker needs.

    ``distance`` holds the objective's arc values in the convention's own precision (double
    precision for Solomon and Homberger, rounded for X, seconds for random1000); ``duration``
    the travel times that feasibility uses. Node 0 is the depot. ``windows[i]`` bounds the
    start of service at ``i``; ``windows[0]`` is the depot's opening, i.e. the shift.
    """

    name: str
    objective: str  # "hierarchical" (fewer vehicles first), "distance", or "workers" (random1000)
    coords: np.ndarray
    demand: np.ndarray
    capacity: int | None
    service: np.ndarray
    windows: np.ndarray | None  # (n, 2), None without time windows
    fleet_size: int
    distance: np.ndarray
    duration: np.ndarray
    scale: int
    fixed_cost: int  # per vehicle, in scaled units; large for the hierarchical convention
    bks: Bks | None = None

    @property
    def size(self) -> int:
        """Number of nodes, the depot included."""
        return len(self.demand)


def instance_paths(
    set_name: str, root: Path = DEFAULT_ROOT, paths=(), limit: int | None = None
) -> list[Path]:
    """Files of ``set_name`` under ``root``, or the given paths and globs, sorted, at most ``limit``."""
    if paths:
        found = [Path(p) for pattern in paths for p in sorted(glob.glob(str(pattern)))]
    else:
        folder, pattern, _ = set_spec(set_name)
        found = sorted((Path(root) / folder).glob(pattern))
    return found[:limit] if limit else found


def read_bks(set_name: str, root: Path = DEFAULT_ROOT, objective: str = "hierarchical") -> dict[str, Bks]:
    """Best-known solutions of a set by instance name, in the columns matching ``objective``."""
    path = Path(root) / set_spec(set_name)[2]
    if not path.exists():
        return {}
    return parse_bks(pd.read_csv(path), set_name, objective)


def parse_bks(frame: pd.DataFrame, set_name: str, objective: str) -> dict[str, Bks]:
    """Pick the BKS columns of ``frame`` that match the set's objective convention."""
    if set_name == "x" or objective == "hierarchical":
        cost, vehicles = "bks_objective", "bks_vehicles"
    elif set_name == "solomon":
        cost, vehicles = "bks_distance_only", "bks_distance_only_vehicles"
    else:
        cost, vehicles = "dimacs_distance_only_bks", "dimacs_distance_only_vehicles"
    table = {}
    for row in frame.to_dict("records"):
        has_cost = cost in row and not pd.isna(row[cost])
        has_vehicles = vehicles in row and not pd.isna(row[vehicles])
        table[str(row["instance"])] = Bks(
            vehicles=int(row[vehicles]) if has_vehicles else None,
            cost=float(row[cost]) if has_cost else None,
        )
    return table


def read_vrptw(path: Path, objective: str = "hierarchical", bks: Bks | None = None) -> Instance:
    """A Solomon or Homberger instance: double-precision Euclidean distances, travel time = distance."""
    data = vrplib.read_instance(str(path), instance_format="solomon", compute_edge_weights=True)
    distance = np.asarray(data["edge_weight"], dtype=float)
    n = len(distance)
    fixed = hierarchical_fixed_cost(distance, SCALE) if objective == "hierarchical" else 0
    return Instance(
        name=Path(path).stem,
        objective=objective,
        coords=np.asarray(data["node_coord"], dtype=float),
        demand=np.asarray(data["demand"], dtype=np.int64),
        capacity=int(data["capacity"]),
        service=np.asarray(data["service_time"], dtype=float).reshape(n),
        windows=np.asarray(data["time_window"], dtype=float),
        fleet_size=int(data["vehicles"]),
        distance=distance,
        duration=distance,
        scale=SCALE,
        fixed_cost=fixed,
        bks=bks,
    )


def read_cvrp(path: Path, bks: Bks | None = None) -> Instance:
    """An X instance: arcs are Euclidean distances rounded to the nearest integer, routes free."""
    data = vrplib.read_instance(str(path))
    distance = np.rint(np.asarray(data["edge_weight"], dtype=float))
    demand = np.asarray(data["demand"], dtype=np.int64)
    capacity = int(data["capacity"])
    depot = int(np.asarray(data["depot"]).ravel()[0])
    if depot != 0:
        raise ValueError(f"{path}: the depot must be the first node, found {depot}")
    # The fewest routes capacity allows, plus a margin: X's best-known solutions often use more.
    least = math.ceil(demand.sum() / capacity)
    return Instance(
        name=Path(path).stem,
        objective="distance",
        coords=np.asarray(data["node_coord"], dtype=float),
        demand=demand,
        capacity=capacity,
        service=np.zeros(len(demand)),
        windows=None,
        fleet_size=least + max(3, math.ceil(0.2 * least)),
        distance=distance,
        duration=distance,
        scale=1,
        fixed_cost=0,
        bks=bks,
    )


def load_set(
    set_name: str,
    root: Path = DEFAULT_ROOT,
    paths=(),
    limit: int | None = None,
    objective: str = "hierarchical",
) -> list[Instance]:
    """Read the instances of a public set with their best-known solutions."""
    bks = read_bks(set_name, root, objective)
    return [
        read_instance(path, set_name, objective, bks.get(path.stem))
        for path in instance_paths(set_name, root, paths, limit)
    ]


def read_instance(
    path: Path, set_name: str, objective: str = "hierarchical", bks: Bks | None = None
) -> Instance:
    """One instance file of ``set_name``: CVRPLIB for ``x``, the Solomon text format otherwise."""
    if set_name == "x":
        return read_cvrp(path, bks)
    return read_vrptw(path, objective, bks)


def hierarchical_fixed_cost(distance: np.ndarray, scale: int) -> int:
    """A fixed cost per vehicle larger than any total distance, so fewer vehicles always win."""
    return int(math.ceil(distance.max() * scale)) * len(distance) + 1


def scaled_cost(instance: Instance) -> np.ndarray:
    """Integer arc costs: the objective's distances times the scale, rounded."""
    return np.rint(instance.distance * instance.scale).astype(np.int64)


def scaled_travel(instance: Instance) -> np.ndarray:
    """Integer travel times rounded up, so a schedule feasible in integers is feasible in doubles."""
    return np.ceil(instance.duration * instance.scale - 1e-7).astype(np.int64)


def to_problem(instance: Instance) -> Problem:
    """The planner Problem of an instance: one depot, ``fleet_size`` identical vehicles."""
    s = instance.scale
    if instance.windows is None:
        # No time windows: a shift long enough for any route, so only capacity binds.
        shift = (0, int(scaled_travel(instance).max()) * instance.size + 1)
        windows = tuple(() for _ in range(instance.size))
    else:
        shift = (math.ceil(instance.windows[0, 0] * s), math.floor(instance.windows[0, 1] * s))
        windows = tuple(
            () if i == 0 else ((math.ceil(early * s), math.floor(late * s)),)
            for i, (early, late) in enumerate(instance.windows)
        )
    vehicle = Vehicle(0, 0, shift[0], shift[1], instance.fixed_cost, instance.capacity)
    return Problem(
        travel_s=scaled_travel(instance),
        service_s=np.ceil(instance.service * s - 1e-7).astype(np.int64),
        windows=windows,
        vehicles=tuple(vehicle for _ in range(instance.fleet_size)),
        cost=scaled_cost(instance),
        demand=instance.demand.astype(np.int64),
        coords=instance.coords,
    )
