"""Run independent solves on local processes or a Dask cluster."""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError, ProcessPoolExecutor
from typing import Any

from planner.errors import InputError

LOCAL = "local"  # --scheduler local: start a dask LocalCluster on this machine
POLL_S = 0.5  # how often a waiting caller checks whether the executor was closed meanwhile
PARENT_CHECK_S = 1.0  # how often a pool process checks that its parent is still alive


class Executor:
    """Runs a function over items somewhere and yields results as they finish.

    The base class runs everything in the calling process, one item after another; subclasses
    send items to worker processes. All are context managers: leaving the ``with`` block (also
    through Ctrl-C) cancels what has not started and closes the workers.
    """

    workers = 1
    closed = False

    def map_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, fn(items[index]))`` in the order the results arrive.

        Parameters
        ----------
        fn
            A function of one item; picklable for process and dask executors.
        items
            The items.

        Yields
        ------
        tuple
            ``(index, result)`` per item.
        """
        for index, item in enumerate(items):
            yield index, fn(item)

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` on a worker and return its result.

        Parameters
        ----------
        fn
            The function; picklable for process and dask executors.
        *args
            Its arguments.

        Returns
        -------
        object
            What ``fn`` returned.
        """
        return next(iter(self.map_unordered(_Apply(fn), [args])))[1]

    def close(self) -> None:
        """Cancel pending work and release the workers."""
        self.closed = True

    def _results(self, futures: list, cancel: Callable[[list], None]) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, result)`` of ``futures`` as they finish; cancel the rest when stopped early.

        Raises ``CancelledError`` if the executor is closed (say from another thread on Ctrl-C)
        while results are still awaited.
        """
        finished: queue.SimpleQueue[int] = queue.SimpleQueue()
        for index, future in enumerate(futures):
            future.add_done_callback(lambda _, index=index: finished.put(index))
        try:
            for _ in futures:
                while True:
                    try:
                        index = finished.get(timeout=POLL_S)
                        break
                    except queue.Empty:
                        if self.closed:
                            raise CancelledError("the executor was closed") from None
                yield index, futures[index].result()
        finally:
            cancel(futures)

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _Apply:
    """``fn(*args)`` as a picklable one-argument function."""

    def __init__(self, fn: Callable[..., Any]):
        self.fn = fn

    def __call__(self, args: tuple) -> Any:
        return self.fn(*args)


def _start_worker(parent: int) -> None:
    """Set up a pool process: deaf to Ctrl-C, and gone as soon as its parent is.

    Ctrl-C reaches the whole process group; only the parent should react, and it stops the
    workers. A parent killed outright (SIGKILL, out of memory) cannot stop them, so each worker
    watches its parent and exits when it has been re-parented, instead of solving on forever.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="parent-watch").start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)


def _ready() -> None:
    """Nothing: a first task that makes the pool start its processes."""


class ProcessExecutor(Executor):
    """A pool of ``workers`` local processes, started at once.

    They are forked where the system can (no re-import of the caller's script, loaded modules
    shared), and forked here, before the caller starts any threads of its own.
    """

    def __init__(self, workers: int):
        self.workers = workers
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self.pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        )
        for future in [self.pool.submit(_ready) for _ in range(workers)]:
            future.result()

    def map_unordered(self, fn, items):
        """Send each item to the pool; see ``Executor.map_unordered``.

        Parameters
        ----------
        fn
            A picklable function of one item.
        items
            The items.

        Returns
        -------
        Iterator
            ``(index, result)`` per item, as they finish; closing the executor cancels the rest.
        """
        futures = [self.pool.submit(fn, item) for item in items]
        return self._results(futures, lambda pending: [f.cancel() for f in pending])

    def close(self) -> None:
        """Cancel pending work and shut the pool down."""
        self.closed = True
        self.pool.shutdown(wait=True, cancel_futures=True)

    def __exit__(self, kind: type | None, *rest: object) -> None:
        if kind is not None and issubclass(kind, KeyboardInterrupt):
            # Ctrl-C: nothing the workers are still solving is wanted; stop them now rather than
            # wait for their searches (up to a step's time limit, or an improvement's) to end.
            for process in list((self.pool._processes or {}).values()):
                process.terminate()
        self.close()


class DaskExecutor(Executor):
    """Workers of a ``dask.distributed`` cluster: an existing scheduler or a LocalCluster."""

    def __init__(self, scheduler: str, workers: int = 2, connect_timeout_s: float = 10.0):
        from distributed import Client, LocalCluster

        self.cluster = None
        if scheduler == LOCAL:
            self.cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,  # OR-Tools holds the GIL: one solve per process
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(scheduler, timeout=f"{connect_timeout_s}s")
            except OSError as exc:
                raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        self.workers = max(1, sum(self.client.nthreads().values()))

    def map_unordered(self, fn, items):
        """Submit each item to the cluster; see ``Executor.map_unordered``.

        Parameters
        ----------
        fn
            A picklable function of one item.
        items
            The items.

        Returns
        -------
        Iterator
            ``(index, result)`` per item, as they finish; closing the executor cancels the rest.
        """
        futures = [self.client.submit(fn, item, pure=False) for item in items]
        return self._results(futures, self._cancel)

    def _cancel(self, futures: list) -> None:
        if not self.closed:
            self.client.cancel(futures)

    def close(self) -> None:
        """Close the client, and the local cluster if this executor started one."""
        if self.closed:
            return
        self.closed = True
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(workers: int = 1, scheduler: str | None = None) -> Executor:
    """The executor the options ask for.

    Parameters
    ----------
    workers
        Local worker processes (or LocalCluster workers with ``scheduler="local"``); 1 runs
        everything in this process.
    scheduler
        None for local processes, ``"local"`` for a dask LocalCluster, or a scheduler address
        such as ``tcp://host:8786``.

    Returns
    -------
    Executor
        Use it as a context manager so the workers are always closed.

    Raises
    ------
    InputError
        If ``workers`` is below 1 or the scheduler cannot be reached.
    """
    if workers < 1:
        raise InputError(f"workers must be 1 or more, got {workers}")
    if scheduler:
        return DaskExecutor(scheduler, workers)
    if workers == 1:
        return Executor()
    return ProcessExecutor(workers)
