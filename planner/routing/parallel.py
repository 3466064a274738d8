"""Route-based decomposition on several cores: groups of routes far apart re-solved side by side."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

import numpy as np

from planner.routing.improve import (
    SUB_VISITS,
    Group,
    apply_groups,
    choose_group,
    group_vehicles,
    improve,
    solve_group,
    total_cost,
)
from planner.routing.ortools_solver import GUIDED, Search
from planner.routing.portfolio import can_fork
from planner.routing.problem import Problem, Solution

_PROBLEM: Problem | None = None  # the problem, in each forked worker


def can_split(processes: int) -> bool:
    """Whether work can go to ``processes`` forked workers (not from a daemon process, which can't)."""
    return processes > 1 and can_fork() and not multiprocessing.current_process().daemon


@contextmanager
def workers(problem: Problem, processes: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``processes`` forked workers that each hold ``problem`` (never pickled).

    Work left when the block ends (Ctrl-C included) is cancelled; running solves finish first.
    """
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(processes, mp_context=context, initializer=_remember, initargs=(problem,))
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _remember(problem: Problem) -> None:
    global _PROBLEM
    _PROBLEM = problem


def _call(fn: Callable, args: tuple):
    return fn(_PROBLEM, *args)


def map_with_problem(
    pool: ProcessPoolExecutor | None, problem: Problem, fn: Callable, items: list[tuple]
) -> list:
    """``[fn(problem, *item) for item in items]``, run in ``pool``'s workers when there is one."""
    if pool is None:
        return [fn(problem, *item) for item in items]
    futures = [pool.submit(_call, fn, item) for item in items]
    return [future.result() for future in futures]


def improve_side_by_side(
    problem: Problem,
    solution: Solution,
    time_limit_s: float,
    pool: ProcessPoolExecutor | None,
    processes: int,
    seed: int = 0,
    sub_time_s: float = 1.0,
    progress: Callable[[float, float, str], None] | None = None,
    sub_visits: int = SUB_VISITS,
    search: Search = GUIDED,
    removal_growth: float = 1.0,
) -> Solution:
    """``planner.routing.improve.improve`` with ``processes`` groups of routes re-solved at once.

    Each round picks up to ``processes`` groups that share no route, no spare vehicle and no
    loose visit (each as ``improve`` picks one), solves them in ``pool`` and applies every
    result that lowers the cost of its own group; as the groups are disjoint their gains add
    up. Without a pool (or with one process) this is ``improve``.
    """
    if pool is None or processes <= 1:
        return improve(
            problem, solution, time_limit_s, seed, sub_time_s, progress, sub_visits, search, removal_growth
        )
    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    best, best_cost = solution, total_cost(problem, solution)
    while time.perf_counter() - began < time_limit_s - sub_time_s / 2 and best.routes:
        left = time_limit_s - (time.perf_counter() - began)
        groups = disjoint_groups(
            problem, best, rng, processes, sub_time_s, sub_visits, (removal_growth, left)
        )
        results = map_with_problem(pool, problem, solve_group, [(group, search) for group in groups])
        gains = []
        for group, result in zip(groups, results, strict=True):
            if result is not None and total_cost(problem, apply_groups(best, [(group, result)])) < best_cost:
                gains.append((group, result))
        if gains:
            best = apply_groups(best, gains)
            best_cost = total_cost(problem, best)
        if progress:
            progress(time.perf_counter() - began, time_limit_s, f"cost {best_cost}")
    best.seconds = solution.seconds + time.perf_counter() - began
    best.objective = best_cost
    return best


def disjoint_groups(
    problem: Problem,
    current: Solution,
    rng: np.random.Generator,
    count: int,
    sub_time_s: float,
    sub_visits: int,
    large_removal: tuple[float, float],
) -> list[Group]:
    """Up to ``count`` groups (see ``choose_group``) with no route, spare vehicle or loose visit in common."""
    groups: list[Group] = []
    taken: set[int] = set()
    taken_visits: set[int] = set()
    routes = {r.vehicle for r in current.routes}
    while len(groups) < count and routes - taken:
        group = choose_group(
            problem,
            current,
            rng,
            sub_time_s,
            sub_visits,
            large_removal,
            frozenset(taken),
            frozenset(taken_visits),
        )
        groups.append(group)
        taken |= group_vehicles(current, group) | set(group.spare)
        taken_visits |= set(group.loose)
    return groups
