"""Helpers for the campaign tests: a small synthetic district and a started campaign store."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from dataclasses import fields, replace
from pathlib import Path

import pandas as pd

from planner.campaign.replan import replan
from planner.campaign.setup import Campaign, init_campaign
from planner.campaign.store import COMMIT_DELAY_ENV, CampaignStore
from planner.geo.districts import find_district
from planner.io.read import read_merchants
from planner.planning.shops import prepare_shops
from planner.planning.triage import needing, triage
from planner.samples.district import generate_merchants
from planner.settings import Settings

DISTRICT = find_district("Dobong-gu")
JONGNO = find_district("Jongno-gu")
JONGNO_SMALL = Path(__file__).parent / "data" / "jongno_small.csv"  # 90 shops, a few open only at night
CITY_DISTRICTS = (find_district("Dobong-gu"), find_district("Jung-gu"))  # a two-district "city"


def fast_settings(staff: int = 2, time_limit_s: float = 0.5) -> Settings:
    """Default week, a small solver budget and no cross-zone improvement pass."""
    settings = Settings()
    solver = replace(settings.solver, time_limit_s=time_limit_s, zone_max_stops=60)
    if "improve_s" in {f.name for f in fields(solver)}:
        solver = replace(solver, improve_s=0.0)
    return replace(settings, solver=solver, staff=staff)


def small_merchants(n: int = 450, seed: int = 1) -> pd.DataFrame:
    """Synthetic Dobong-gu merchants; 450 of them give about 60 shops needing a panel."""
    return generate_merchants(DISTRICT, n=n, seed=seed)


def jongno_merchants() -> pd.DataFrame:
    """The 90 Jongno-gu shops of ``tests/data/jongno_small.csv``."""
    return read_merchants(JONGNO_SMALL).merchants


def no_shift_ids(merchants: pd.DataFrame, settings: Settings) -> set[str]:
    """Shops needing a panel (targeted) that are open in no shift of ``settings``' week."""
    shops = prepare_shops(needing(triage(merchants)), settings)
    return set(shops.loc[~shops["fits"], "merchant_id"])


def city_merchants(n: int = 300, seed: int = 1) -> pd.DataFrame:
    """Synthetic merchants of the two ``CITY_DISTRICTS``, ``n`` each (about 40 needing a panel each)."""
    return pd.concat([generate_merchants(d, n=n, seed=seed) for d in CITY_DISTRICTS], ignore_index=True)


def started_city_store(path: Path, merchants: pd.DataFrame, teams: dict[str, int] | None = None) -> Path:
    """Start a two-district campaign in ``path`` and plan its week; return the path (the store is closed)."""
    with CampaignStore(path) as store:
        init_campaign(store, merchants, Campaign(CITY_DISTRICTS, fast_settings(staff=1), teams=teams or {}))
        replan(store, 0)
    return path


def started_store(path: Path, merchants: pd.DataFrame, max_tries: int = 3) -> Path:
    """Start a campaign in ``path`` and plan its week; return the path (the store is closed)."""
    with CampaignStore(path) as store:
        init_campaign(store, merchants, Campaign(DISTRICT, fast_settings(), max_tries=max_tries))
        replan(store, 0)
    return path


def copy_store(source: Path, target_dir: Path) -> Path:
    """A private copy of a closed store file."""
    target = target_dir / "campaign.sqlite"
    shutil.copy(source, target)
    return target


def outcome_csv(rows: list[tuple]) -> str:
    """Outcome CSV text from ``(merchant_id, staff_id, date, outcome, time)`` tuples."""
    lines = ["merchant_id,staff_id,date,outcome,time,note"]
    lines += [",".join(map(str, row)) + "," for row in rows]
    return "\n".join(lines) + "\n"


def day_outcomes(store: CampaignStore, day: int, outcome_of=lambda i: "installed") -> list[tuple]:
    """Outcome rows for every planned visit of ``day``; ``outcome_of(i)`` picks the i-th outcome."""
    visits = store.visits(status="planned")
    visits = visits[visits["day"] == day].reset_index(drop=True)
    return [
        (v.merchant_id, v.staff_id, v.date, outcome_of(i), f"{9 + i // 6:02d}:{i % 6 * 10:02d}")
        for i, v in enumerate(visits.itertuples())
    ]


def _wait_for_write_lock(path, process, timeout_s: float = 60.0) -> None:
    """Block until ``process`` holds the store's write lock (inside its transaction)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        probe = sqlite3.connect(path, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError:
            return
        finally:
            probe.close()
        time.sleep(0.05)
    raise AssertionError("the subprocess never opened its transaction")


def _ctrl_c_as_at_a_terminal() -> None:
    """Let Ctrl-C reach the command as at a terminal: a test run started in the background (``&``)
    passes SIGINT ignored to its children, and Python then never raises KeyboardInterrupt."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def kill_inside_transaction(path, command: list[str], sig: int = signal.SIGKILL) -> str:
    """Run ``command`` with a long pause before each COMMIT; send it ``sig`` once it holds the write lock.

    With SIGKILL, check it died of it; with another signal (SIGINT: Ctrl-C) wait for it to exit.
    Return what it printed.
    """
    env = {**os.environ, COMMIT_DELAY_ENV: "60"}
    # A process group of its own, so its worker processes (orphaned by a SIGKILL) can be cleaned up with it.
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_ctrl_c_as_at_a_terminal,
    )
    try:
        _wait_for_write_lock(path, process)
        os.kill(process.pid, sig)
        code = process.wait(timeout=30)
        if sig == signal.SIGKILL:
            assert code == -signal.SIGKILL  # killed, not finished
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    return f"exit {code}\n{process.stdout.read()}{process.stderr.read()}"
