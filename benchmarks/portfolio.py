"""Run differently configured searches side by side in forked processes and keep the best."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable

from planner.routing.problem import Solution

GRACE_S = 5.0  # how long past the budget a search may take before it is abandoned


def processes_available() -> int:
    """Cores this process may use (at least one); searches beyond that only slow each other down.

    Returns
    -------
    int
        The CPU affinity's size on Linux, else the machine's core count.
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Whether searches can run in forked children (the problem is then shared, never pickled).

    Returns
    -------
    bool
        True where the ``fork`` start method exists (Linux, macOS).
    """
    return "fork" in multiprocessing.get_all_start_methods()


def best_of(
    searches: list[Callable[[], Solution]], score: Callable[[Solution], int], budget_s: float
) -> Solution:
    """Run ``searches[1:]`` in forked children and ``searches[0]`` here; return the best by ``score``.

    A child that fails or is not done ``GRACE_S`` after the budget is left out (and ended); ties
    keep the earlier search, so the result depends only on what each search found. Children are
    forked: the caller must not hold OpenMP threads (see ``planner.routing.zones``).

    Parameters
    ----------
    searches
        Functions without arguments, each returning a Solution of the same problem.
    score
        Cost of a solution (lower is better).
    budget_s
        The searches' own time limit, used to bound the wait for the children.

    Returns
    -------
    Solution
        The lowest-scoring solution found.
    """
    if len(searches) == 1 or not can_fork():
        return searches[0]()
    context = multiprocessing.get_context("fork")
    deadline = time.perf_counter() + budget_s + GRACE_S
    children = []
    for search in searches[1:]:
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=_run_child, args=(search, send), daemon=True)
        child.start()
        send.close()
        children.append((child, receive))
    found = [searches[0]()]
    for child, receive in children:
        try:
            if receive.poll(max(0.0, deadline - time.perf_counter())):
                found.append(receive.recv())
        except (EOFError, OSError):  # the child died before sending: keep the others
            pass
        finally:
            receive.close()
            child.join(timeout=1.0)
            if child.is_alive():
                child.terminate()
                child.join()
    scores = [score(solution) for solution in found]
    return found[scores.index(min(scores))]


def _run_child(search: Callable[[], Solution], send) -> None:
    try:
        send.send(search())
    finally:
        send.close()
