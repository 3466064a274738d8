"""Tests of the executors: in-process, local processes and a real dask LocalCluster."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import pytest

from planner.errors import InputError
from planner.geo.districts import find_district
from planner.planning.executor import DaskExecutor, Executor, ProcessExecutor, make_executor
from planner.planning.plan import plan_district
from planner.planning.triage import needing, triage
from planner.samples.district import generate_merchants


def _square_with_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _long_search(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@pytest.fixture(scope="module")
def dask_executor():
    """A LocalCluster with two single-threaded worker processes, shared by this module's tests."""
    executor = DaskExecutor("local", workers=2)
    yield executor
    executor.close()


def test_make_executor_picks_in_process_local_processes_or_dask():
    """1 worker runs in this process, more use a process pool; fewer than 1 is refused."""
    assert type(make_executor(1)) is Executor
    with make_executor(2) as pool:
        assert isinstance(pool, ProcessExecutor)
    with pytest.raises(InputError):
        make_executor(0)


def test_ctrl_c_stops_the_workers_search_at_once():
    """Leaving a process pool through Ctrl-C stops a running search instead of waiting for it to end."""
    began = time.perf_counter()
    with pytest.raises(KeyboardInterrupt), make_executor(2) as pool:
        pool.pool.submit(_long_search, 30.0)
        time.sleep(0.3)
        raise KeyboardInterrupt
    assert time.perf_counter() - began < 10


def test_process_pool_returns_every_result_under_its_index():
    """map_unordered yields each item's result once, tagged with the item's position."""
    with make_executor(2) as pool:
        results = dict(pool.map_unordered(_square_with_pid, range(8)))
    assert {k: v[0] for k, v in results.items()} == {k: k * k for k in range(8)}
    assert os.getpid() not in {pid for _, pid in results.values()}


def test_local_cluster_runs_items_on_two_worker_processes(dask_executor):
    """A real LocalCluster has two workers, neither of them this process, and returns all results."""
    assert dask_executor.workers == 2
    results = dict(dask_executor.map_unordered(_square_with_pid, range(6)))
    assert {k: v[0] for k, v in results.items()} == {k: k * k for k in range(6)}
    assert os.getpid() not in {pid for _, pid in results.values()}
    assert dask_executor.call(_square_with_pid, 7)[0] == 49


def test_a_district_planned_on_the_cluster_matches_conservation(dask_executor, fast_settings):
    """Zones, leftovers and improvement on dask workers still give a verified, conserving plan."""
    district = find_district("Dobong-gu")
    shops = needing(triage(generate_merchants(district, n=150), scenario="full"))
    settings = replace(fast_settings, solver=replace(fast_settings.solver, time_limit_s=0.5, improve_s=2.0))
    plan = plan_district(shops, district, settings, executor=dask_executor)
    planned, left = set(plan.routes["merchant_id"]), set(plan.unassigned["merchant_id"])
    assert planned | left == set(shops["merchant_id"]) and not planned & left
    assert len(planned) > 0.8 * len(shops)


def test_unreachable_scheduler_is_a_one_line_input_error():
    """A scheduler address nobody listens on raises InputError instead of hanging."""
    with pytest.raises(InputError, match="Dask scheduler"):
        DaskExecutor("tcp://127.0.0.1:1", connect_timeout_s=1.0)


def test_pool_processes_exit_when_their_parent_is_killed(tmp_path):
    """SIGKILL of the planning process does not leave its pool processes solving on."""
    import signal
    import subprocess
    import sys
    import time

    script = (
        "import os, sys, time\n"
        "from planner.planning.executor import ProcessExecutor\n"
        "pool = ProcessExecutor(2)\n"
        "print(' '.join(str(p) for p in pool.pool._processes), flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(workers) == 2
    parent.send_signal(signal.SIGKILL)
    parent.wait()

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        state = Path(f"/proc/{pid}/stat")
        return not (state.exists() and state.read_text().split(") ")[-1].startswith("Z"))

    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in workers)
