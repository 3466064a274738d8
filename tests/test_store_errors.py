"""Tests of unusable campaign files: every command that opens one exits 1 with one line naming it."""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from pathlib import Path

import pytest
from campaign_helpers import copy_store, outcome_csv
from typer.testing import CliRunner

from planner.campaign import store as store_module
from planner.campaign.export import write_current_plan
from planner.campaign.store import CampaignStore
from planner.cli import app
from planner.cli.common import console

runner = CliRunner()
MERCHANTS = Path(__file__).parent / "data" / "merchants_small.csv"
NOBODY = 65534


@pytest.fixture(scope="module")
def plan_dir(base_store, tmp_path_factory):
    """The started campaign's plan folder, for 'planner charts --store'."""
    with CampaignStore(base_store) as store:
        return write_current_plan(store, tmp_path_factory.mktemp("plan"))[0]


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """A console wide enough that a one-line message is printed on one line."""
    monkeypatch.setattr(console, "width", 1000)


def _commands(store: Path, plan_dir: Path, tmp_path: Path) -> dict[str, list[str]]:
    """Every command that opens a campaign store, pointed at ``store``."""
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(outcome_csv([]), encoding="utf-8")
    commands = {
        "campaign init": ["campaign", "init", MERCHANTS, "--staff", "2"],
        "campaign export-plan": ["campaign", "export-plan", "--out", tmp_path / "exported"],
        "outcomes import": ["outcomes", "import", outcomes],
        "replan": ["replan", "--day", "1", "--budget", "1"],
        "status": ["status"],
        "simulate": ["simulate", "--runs", "1"],
        "charts": ["charts", plan_dir],
        "notices": ["notices", plan_dir, "--day", "1"],
    }
    return {name: [*map(str, args), "--store", str(store)] for name, args in commands.items()}


def _error_line(args: list[str]) -> str:
    """Run a command that must fail; return its one error line after checking there is no traceback."""
    result = runner.invoke(app, args)
    assert result.exit_code == 1, (args, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), (args, result.exception)
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, (args, result.output)
    return errors[0]


def _not_a_database(path: Path, good: Path) -> None:
    path.write_bytes(b"merchant_id,staff_id,date,outcome\n" * 200)


def _truncated(path: Path, good: Path) -> None:
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _damaged_pages(path: Path, good: Path) -> None:
    data = bytearray(good.read_bytes())
    data[4096 : len(data) - 4096] = b"\xa5" * (len(data) - 8192)  # every page but the first and last
    path.write_bytes(bytes(data))


def _without_a_table(path: Path, good: Path) -> None:
    path.write_bytes(good.read_bytes())
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE outcomes")


def _newer_schema(path: Path, good: Path) -> None:
    path.write_bytes(good.read_bytes())
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")


def _a_folder(path: Path, good: Path) -> None:
    path.mkdir()


BROKEN = {
    "not a database": (_not_a_database, "damaged or not a campaign file"),
    "truncated": (_truncated, "damaged or not a campaign file"),
    "damaged pages": (_damaged_pages, "damaged or not a campaign file"),
    "a table dropped": (_without_a_table, "no table outcomes"),
    "newer schema": (_newer_schema, "written by a newer planner"),
    "a folder": (_a_folder, "is a folder, not a campaign file"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_every_command_refuses_a_broken_store_in_one_line(case, base_store, plan_dir, tmp_path):
    """A damaged, truncated, foreign-made or newer file, or a folder: exit 1, one line naming it, no traceback."""
    make, phrase = BROKEN[case]
    store = tmp_path / "campaign.sqlite"
    make(store, base_store)
    for name, args in _commands(store, plan_dir, tmp_path).items():
        line = _error_line(args)
        assert str(store) in line and phrase in line, (name, line)


@pytest.mark.parametrize("settings", ["{'districts': ", "{}", '{"districts": ["Atlantis"]}'])
def test_a_hand_edited_campaign_record_is_refused_in_one_line(settings, base_store, plan_dir, tmp_path):
    """Stored campaign settings that are not JSON, or lack what a campaign needs, give one line saying so."""
    store = copy_store(base_store, tmp_path)
    with sqlite3.connect(store) as conn:
        conn.execute("UPDATE campaign SET settings = ?", (settings,))
    commands = _commands(store, plan_dir, tmp_path)
    del commands["campaign init"]  # it refuses any store holding a campaign
    del commands["charts"]  # it reads outcomes only
    del commands["notices"]  # it reads the plan versions, not the campaign record
    for name, args in commands.items():
        line = _error_line(args)
        assert str(store) in line and "damaged" in line, (name, line)


def test_init_into_a_missing_folder_is_refused_in_one_line(tmp_path):
    """Starting a campaign in a folder that does not exist says so in one line."""
    store = tmp_path / "no such folder" / "campaign.sqlite"
    line = _error_line(["campaign", "init", str(MERCHANTS), "--staff", "2", "--store", str(store)])
    assert str(store) in line and "check that its folder exists" in line


def test_another_programs_database_is_refused_and_left_untouched(base_store, plan_dir, tmp_path):
    """An SQLite file of another program's tables is not a campaign: one line, and no table is added to it."""
    store = tmp_path / "notes.sqlite"
    with sqlite3.connect(store) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('keep me')")
    before = store.read_bytes()
    for name, args in _commands(store, plan_dir, tmp_path).items():
        line = _error_line(args)
        assert str(store) in line and "another program's tables" in line, (name, line)
    assert store.read_bytes() == before


def test_a_store_held_by_another_program_fails_after_the_wait(base_store, tmp_path, monkeypatch):
    """A writer held off by another program's lock waits LOCK_WAIT_S, then says so in one line."""
    monkeypatch.setattr(store_module, "LOCK_WAIT_S", 0.5)
    store = copy_store(base_store, tmp_path)
    outcomes = tmp_path / "outcomes.csv"
    outcomes.write_text(outcome_csv([]), encoding="utf-8")
    holder = sqlite3.connect(store, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        line = _error_line(["outcomes", "import", str(outcomes), "--store", str(store)])
        waited_s = time.monotonic() - started
        # A reader is not held off: the file's write-ahead log lets it read the last commit.
        assert runner.invoke(app, ["status", "--store", str(store)]).exit_code == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(store) in line and "another program holds the campaign file (waited 0.5 s)" in line
    assert 0.5 <= waited_s < 5


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork to drop root's right to write anything")
def test_a_read_only_store_is_refused_in_one_line(base_store):
    """A store the user may not write (file and folder read-only) gives one line saying so."""
    folder = Path(tempfile.mkdtemp(prefix="planner-ro-"))
    store = copy_store(base_store, folder)
    store.chmod(0o444)
    folder.chmod(0o555)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: as root, become a user without rights on the file
        try:
            os.close(read)
            if os.geteuid() == 0:
                os.setgid(NOBODY)
                os.setuid(NOBODY)
            line = _error_line(["status", "--store", str(store)])
        except BaseException as exc:  # the parent reports it
            line = f"the child failed: {exc!r}"
        finally:
            os.write(write, line.encode())
            os._exit(0)
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            line = pipe.read()
        os.waitpid(pid, 0)
    finally:
        folder.chmod(0o755)
        store.unlink()
        folder.rmdir()
    assert str(store) in line and "is read-only" in line, line
