"""The benchmark harness writes every solution, and benchmarks.recheck recomputes it on its own."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import random1000
from benchmarks.instances import read_vrptw
from benchmarks.recheck import main as recheck_main
from benchmarks.recheck import recheck
from benchmarks.report import new_outcome, score
from benchmarks.solutions import read_solution, write_solution


def solomon_file(path, customers: int = 8):
    """A small instance in the Solomon format: customers on a circle, wide windows."""
    lines = ["tiny", "", "VEHICLE", "NUMBER     CAPACITY", f"  {customers}         100", "", "CUSTOMER"]
    lines += ["CUST NO.  XCOORD.    YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME", ""]
    lines.append(f"{0:5d} {50:10d} {50:10d} {0:10d} {0:10d} {1000:10d} {0:10d}")
    for k in range(1, customers + 1):
        x, y = 50 + round(30 * np.cos(k)), 50 + round(30 * np.sin(k))
        lines.append(f"{k:5d} {x:10d} {y:10d} {10:10d} {0:10d} {900:10d} {10:10d}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_written_solutions_are_rechecked_from_the_instance_file(tmp_path):
    instance = read_vrptw(solomon_file(tmp_path / "tiny.txt"), objective="distance")
    routes = [[1, 2, 3, 4], [5, 6, 7, 8]]
    outcome = new_outcome(instance, "planner", 5.0, "solomon")
    score(outcome, instance, routes)
    outcome.seconds = 4.2
    path = write_solution(tmp_path / "run", outcome, routes)

    written = read_solution(path)
    assert (written.instance, written.solver, written.set) == ("tiny", "planner", "solomon")
    assert written.routes == routes and written.cost == pytest.approx(outcome.cost)

    again, disagreements = recheck([path], tmp_path, [tmp_path / "tiny.txt"])
    assert disagreements == []
    assert again[0].feasible and again[0].cost == pytest.approx(outcome.cost) and again[0].vehicles == 2
    assert recheck_main([str(tmp_path / "run"), "--instances", str(tmp_path / "tiny.txt")]) == 0


def test_recheck_catches_a_missing_visit_and_a_cost_that_was_not_earned(tmp_path):
    instance = random1000.generate(3, shops=12)
    routes = [[k] for k in range(1, 13)]  # one worker a shop: feasible, and its cost is known
    outcome = new_outcome(instance, "planner", 1.0, "random1000")
    score(outcome, instance, routes)
    assert outcome.feasible
    honest = write_solution(tmp_path / "a", outcome, routes)
    assert recheck([honest], tmp_path, [])[1] == []

    outcome.cost -= 100  # a claimed cost the routes do not give
    bad = write_solution(tmp_path / "b", outcome, routes[:-1])  # and a shop left out
    again, disagreements = recheck([bad], tmp_path, [])
    assert not again[0].feasible and "not visited" in again[0].problem
    assert len(disagreements) == 1
    assert recheck_main([str(tmp_path / "b")]) == 1
    assert recheck_main([str(tmp_path / "nothing-here")]) == 2


def test_any_gehring_homberger_size_is_a_set_and_unknown_sets_are_refused():
    from benchmarks.instances import set_spec

    assert set_spec("homberger1000") == ("homberger/h1000", "*.txt", "homberger/BKS.csv")
    assert set_spec("x")[0] == "x"
    with pytest.raises(ValueError, match="unknown set 'hombergers'"):
        set_spec("hombergers")
