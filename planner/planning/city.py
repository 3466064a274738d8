"""Plan the whole city: every district's week on one shared executor, written all at once or not at all."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pandas as pd

from planner.geo.districts import District, all_districts, find_district
from planner.io.boundaries import Boundaries
from planner.io.read import ReadResult, read_merchants
from planner.io.spreadsheet import write_spreadsheet_csv
from planner.planning.executor import Executor
from planner.planning.output import write_plan
from planner.planning.plan import Plan, Progress, plan_district
from planner.planning.shops import prepare_shops
from planner.planning.staffing import fewest_worker_days, office_of
from planner.planning.triage import needing, triage
from planner.settings import Settings

T = TypeVar("T")
TIME_USE = ("total_service_min", "total_travel_min", "office_legs_min", "idle_min")  # summed per city


@dataclass(frozen=True)
class CityRun:
    """What ``plan_city`` planned and wrote: one summary row per district and the city's totals."""

    districts: pd.DataFrame  # one row per district: Plan.summary() plus the lower bound
    written: dict[str, Path]

    def summary(self) -> dict:
        """The city's totals; ``verified`` is true because an unverified plan stops the run.

        Returns
        -------
        dict
            Districts, needing, planned and unassigned shops, staff, staff-days against their lower
            bound, the last day used and the time use totals.
        """
        table = self.districts
        bound = int(table["lower_bound_staff_days"].sum())
        return {
            "districts": len(table),
            "needing": int(table["needing"].sum()),
            "planned": int(table["planned"].sum()),
            "unassigned": int(table["unassigned"].sum()),
            "unassigned_capacity": int(table["unassigned_capacity"].sum()),
            "staff_per_day": int(table["staff_per_day"].sum()),
            "staff_days": int(table["staff_days"].sum()),
            "lower_bound_staff_days": bound,
            "staff_days_over_bound": round(int(table["staff_days"].sum()) / max(1, bound), 3),
            "last_day_used": table["last_day_used"].dropna().max(),
            **{key: round(float(table[key].sum()), 1) for key in TIME_USE if key in table},
            "verified": True,
        }


class CityProgress:
    """Adds up the shops routed in every district into one ``progress(done, total, text)`` call.

    A district not started yet counts with its needing shops, so the total (and the ETA) is
    right from the start.
    """

    def __init__(self, expected: dict[str, int], report: Progress | None):
        self.expected = dict(expected)
        self.done = dict.fromkeys(expected, 0)
        self.finished: set[str] = set()
        self.report = report
        self.lock = threading.Lock()

    def for_district(self, name: str) -> Progress:
        """The callback one district's ``plan_district`` reports to.

        Parameters
        ----------
        name
            The district's English name.

        Returns
        -------
        Progress
            ``update(done, total, text)``, which reports the city's totals.
        """

        def update(done: int, total: int, text: str) -> None:
            with self.lock:
                self.expected[name], self.done[name] = total, done
            self._send(f"{name} {text}")

        return update

    def district_done(self, name: str) -> None:
        """Count a district's shops as all done.

        Parameters
        ----------
        name
            The district's English name.
        """
        with self.lock:
            self.done[name] = self.expected[name]
            self.finished.add(name)
        self._send(f"{name} done")

    def _send(self, text: str) -> None:
        if self.report:
            with self.lock:
                done, total = sum(self.done.values()), sum(self.expected.values())
                districts = f"{len(self.finished)}/{len(self.expected)} districts"
            self.report(done, total, f"{districts}, {text}")


@contextmanager
def atomic_folder(target: str | Path) -> Iterator[Path]:
    """Yield a temporary folder next to ``target`` that becomes ``target`` only on success.

    On any error (Ctrl-C included) the temporary folder is removed and ``target`` is left as it
    was, so a reader never sees half a plan.

    Parameters
    ----------
    target
        The folder to write; replaced whole when the block ends without error.

    Yields
    ------
    pathlib.Path
        The temporary folder to write into.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.parent / f".{target.name}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        yield partial
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    previous = target.parent / f".{target.name}.previous-{os.getpid()}"
    if target.exists():
        target.rename(previous)
    partial.rename(target)
    shutil.rmtree(previous, ignore_errors=True)


def split_by_district(
    needing: pd.DataFrame, only: list[District] | None = None
) -> dict[District, pd.DataFrame]:
    """The needing shops of each district, largest district first (so the slowest starts first).

    Parameters
    ----------
    needing
        Shops needing a panel, with a ``district`` column.
    only
        The districts to keep, or None for all.

    Returns
    -------
    dict of District to pandas.DataFrame
        Districts without a needing shop are left out.
    """
    chosen = only or all_districts()
    groups = {d: needing[needing["district"] == d.name_en] for d in chosen}
    return dict(sorted(((d, g) for d, g in groups.items() if len(g)), key=lambda item: -len(item[1])))


def plan_city(
    by_district: dict[District, pd.DataFrame],
    settings: Settings,
    out_dir: str | Path,
    executor: Executor,
    progress: Progress | None = None,
    threads: int | None = None,
    triaged: dict[str, str] | None = None,
    rosters: dict[str, tuple[list, dict]] | None = None,
) -> CityRun:
    """Plan every district's week, solving their zones on one executor, and write the outputs.

    Districts are planned by ``threads`` threads of this process (by default one more than the
    executor's workers, so the workers always have zones queued); the OR-Tools solves run on
    the executor. Only per-zone travel matrices are built (a district's improvement phase
    computes travel times lazily), and each district's plan is written and dropped as soon as it
    is verified, so memory grows with the districts in flight, not with the city.

    Parameters
    ----------
    by_district
        Needing shops per district (see ``split_by_district``).
    settings
        Week and solver budgets; ``settings.staff`` is per district (None sizes each team).
    out_dir
        Folder for ``<district>/routes.csv`` etc., the city's ``routes.csv``,
        ``unassigned.csv``, ``districts.csv`` and ``summary.json``; written atomically.
    executor
        Where the zones, leftovers and improvements are solved.
    progress
        Called as ``progress(done, total, text)`` over the shops of the whole city.
    threads
        Districts planned at the same time.
    triaged
        The ``scenario`` and ``cutoff`` the shops were triaged with, recorded in every plan.
    rosters
        With a roster: each district's people and the days pool people work there
        (``planner.planning.crew.district_rosters``), by district name; None plans with
        ``settings.staff``.

    Returns
    -------
    CityRun
        The per-district summaries and the written paths.

    Raises
    ------
    PlanVerificationError
        If any district's plan breaks a rule; then nothing is written.
    """
    tracker = CityProgress({d.name_en: len(s) for d, s in by_district.items()}, progress)
    threads = threads or executor.workers + 1
    with atomic_folder(out_dir) as partial:
        plans = {"triaged": triaged or {}, "rosters": rosters}
        rows = _run_districts(by_district, settings, executor, tracker, partial, threads, plans)
        table = pd.DataFrame(rows).sort_values("district", ignore_index=True)
        written = _write_city(table, [partial / d.slug for d in by_district], partial)
    final = Path(out_dir)
    return CityRun(table, {name: final / path.relative_to(partial) for name, path in written.items()})


def _run_districts(
    by_district, settings, executor, tracker: CityProgress, folder: Path, threads: int, plans: dict
) -> list:
    stop = threading.Event()

    def one(district: District, shops: pd.DataFrame) -> dict:
        if stop.is_set():
            raise InterruptedError("the run was stopped")
        report = tracker.for_district(district.name_en)
        people, workdays = (None, None)
        if plans["rosters"] is not None:
            people, workdays = plans["rosters"].get(district.name_en, ([], {}))
        plan = plan_district(
            shops, district, settings, report, executor, **plans["triaged"], people=people, workdays=workdays
        )
        if stop.is_set():
            raise InterruptedError("the run was stopped")
        write_plan(plan, folder / district.slug)
        tracker.district_done(district.name_en)
        return _district_row(plan, shops, settings)

    return side_by_side(one, list(by_district.items()), threads, executor, stop)


def side_by_side(
    fn: Callable[..., T], items: list[tuple], threads: int, executor: Executor, stop: threading.Event
) -> list[T]:
    """Run ``fn(*item)`` for every item on ``threads`` threads of this process, results as they finish.

    Each thread plans one district at a time and sends its solves to ``executor``. On any error,
    Ctrl-C included, ``stop`` is set (so running districts give up at their next check), what
    has not started is cancelled, the executor is closed (pending solves are cancelled and the
    threads waiting on them return at once) and the error is raised again.

    Parameters
    ----------
    fn
        Called once per item, on one of the threads.
    items
        The argument tuples.
    threads
        Threads of this process.
    executor
        The executor the calls send their solves to; closed on error.
    stop
        Set on error, for ``fn`` to check.

    Returns
    -------
    list
        ``fn``'s results, in the order they finished.
    """
    pool = ThreadPoolExecutor(threads, thread_name_prefix="district")
    futures = [pool.submit(fn, *item) for item in items]
    try:
        return [future.result() for future in as_completed(futures)]
    except BaseException:
        stop.set()
        for future in futures:
            future.cancel()
        executor.close()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _district_row(plan: Plan, shops: pd.DataFrame, settings: Settings) -> dict:
    prepared = prepare_shops(shops, settings)
    bound = fewest_worker_days(prepared[prepared["fits"]], settings, office_of(plan.district))
    return {
        **plan.summary(),
        "unassigned_capacity": int((plan.unassigned["reason"] == "capacity").sum()),
        "lower_bound_staff_days": bound,
    }


def _write_city(table: pd.DataFrame, folders: list[Path], out: Path) -> dict[str, Path]:
    """Write the city's files: district folders joined into one routes.csv and unassigned.csv."""
    written = {"districts": out / "districts.csv", "summary": out / "summary.json"}
    for name in ("routes", "unassigned"):
        written[name] = out / f"{name}.csv"
        _join_csv([folder / f"{name}.csv" for folder in folders], written[name])
    write_spreadsheet_csv(table, written["districts"])
    summary = CityRun(table, {}).summary()
    written["summary"].write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return written


def _join_csv(parts: list[Path], target: Path) -> None:
    """Concatenate CSV files with the same header, streaming (no frame of the whole city)."""
    with target.open("w", encoding="utf-8", newline="") as out:
        for k, part in enumerate(parts):
            with part.open(encoding="utf-8", newline="") as lines:
                header = lines.readline()
                if k == 0:
                    out.write(header)
                shutil.copyfileobj(lines, out)


def needing_by_district(
    path: str | Path,
    scenario: str,
    cutoff,
    districts: list[str] | None = None,
    boundaries: str | Path | Boundaries | None = None,
    encoding: str | None = None,
) -> tuple[ReadResult, dict[District, pd.DataFrame]]:
    """Read a merchants file, triage it and split the needing shops by district.

    With ``boundaries`` each shop's district is the one its location lies in
    (``planner.io.boundaries.settle_districts``).

    Parameters
    ----------
    path
        The merchants file.
    scenario
        The triage scenario (``planner.planning.triage.SCENARIOS``).
    cutoff
        Panels issued on or before this date count as old.
    districts
        District names to keep, or None for all.
    boundaries
        District polygons placing the shops by location, or None.
    encoding
        The merchants file's encoding, or None to detect it.

    Returns
    -------
    tuple
        The read result (its rejects are not written) and the needing shops per district,
        largest first.
    """
    read = read_merchants(path, encoding=encoding, boundaries=boundaries)
    shops = needing(triage(read.merchants, scenario=scenario, cutoff=cutoff))
    chosen = [find_district(name) for name in districts] if districts else None
    return read, split_by_district(shops, chosen)
