"""The options every command shares: one --processes flag (old name --workers) and defaults shown in --help."""

from __future__ import annotations

from contextlib import nullcontext

import pytest
import typer
from typer.testing import CliRunner

from planner.cli import app
from planner.errors import InputError

runner = CliRunner()
STOP = "stopped before solving"


def _recording(seen: list, value_of=lambda *args: args[0]):
    """A stand-in that records what it was called with, then stops the command in one line."""

    def fake(*args, **kwargs):
        seen.append(value_of(*args, **kwargs))
        raise InputError(STOP)

    return fake


def _commands(group, prefix: str = "") -> dict:
    found = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found |= _commands(command, f"{prefix}{name} ")
        else:
            found[f"{prefix}{name}"] = command
    return found


COMMANDS = _commands(typer.main.get_command(app))
# The commands whose solves run on worker processes, with what each needs before it starts them.
EXECUTOR_COMMANDS = {
    "plan --city": ("planner.cli.plan", ["plan", "{merchants}", "--city"]),
    "staffing": ("planner.cli.plan", ["staffing", "{merchants}", "--district", "Jongno-gu"]),
    "campaign init": (
        "planner.cli.campaign",
        ["campaign", "init", "{merchants}", "--staff", "2", "--store", "{store}"],
    ),
    "replan": ("planner.cli.campaign", ["replan", "--day", "1", "--store", "{store}"]),
}


def _args(args: list[str], merchants, tmp_path) -> list[str]:
    return [a.format(merchants=merchants, store=tmp_path / "campaign.sqlite") for a in args]


@pytest.mark.parametrize("flag", ["--processes", "--workers"])
@pytest.mark.parametrize("command", EXECUTOR_COMMANDS)
def test_processes_and_its_old_name_size_the_executor(
    command, flag, small_merchants_path, tmp_path, monkeypatch
):
    """`--processes 3` (or the old `--workers 3`) starts three worker processes in every command that solves."""
    module, args = EXECUTOR_COMMANDS[command]
    seen = []
    monkeypatch.setattr(f"{module}.make_executor", _recording(seen))
    monkeypatch.setattr("planner.cli.campaign.CampaignStore.existing", lambda path: nullcontext(None))
    result = runner.invoke(app, [*_args(args, small_merchants_path, tmp_path), flag, "3"])
    assert STOP in result.output, result.output
    assert seen == [3]


@pytest.mark.parametrize("flag", ["--processes", "--workers"])
def test_plan_of_one_district_solves_its_zones_on_that_many_processes(
    flag, small_merchants_path, tmp_path, monkeypatch
):
    """`plan --processes 3` (or the old `--workers 3`) plans the district with three processes."""
    seen = []
    monkeypatch.setattr("planner.cli.plan.plan_file", _recording(seen, lambda *a, **k: a[2].solver.processes))
    result = runner.invoke(app, ["plan", str(small_merchants_path), "--out", str(tmp_path), flag, "3"])
    assert STOP in result.output, result.output
    assert seen == [3]


def test_simulate_runs_its_runs_on_that_many_processes(small_merchants_path, monkeypatch):
    """`simulate --processes 3` gives the simulation three processes, each running whole runs."""
    seen = []
    monkeypatch.setattr(
        "planner.cli.campaign.campaign_forecast.forecast", _recording(seen, lambda s, *a: s.processes)
    )
    result = runner.invoke(app, ["simulate", str(small_merchants_path), "--staff", "2", "--processes", "3"])
    assert STOP in result.output, result.output
    assert seen == [3]


def test_processes_and_workers_that_disagree_are_refused(small_merchants_path, tmp_path):
    """`--processes 2 --workers 3` stops with one line asking for --processes only."""
    args = ["plan", str(small_merchants_path), "--out", str(tmp_path), "--processes", "2", "--workers", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "give --processes only" in result.output


@pytest.mark.parametrize("name", ["plan", "staffing", "campaign init", "replan", "simulate"])
def test_help_names_processes_and_hides_workers(name):
    """Every command that runs solves lists --processes in its help; the old --workers is not listed."""
    result = runner.invoke(app, [*name.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--processes" in result.output
    assert "--workers" not in result.output


def _undefaulted(command) -> list[str]:
    """Options whose help shows no default, or a date's default with a time (flags off unless given excepted)."""
    context = command.context_class(command, info_name="planner")
    missing = []
    for option in command.params:
        if not isinstance(option, typer.core.TyperOption) or option.hidden or option.required:
            continue
        if option.is_flag and not option.secondary_opts and not option.default:
            continue
        names, text = option.get_help_record(context)
        if "default" not in text or "00:00:00" in text:
            missing.append(names)
    return missing


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_shows_every_options_default(name):
    """Each option's help says what it defaults to: typer's [default: ...] or '(default: ...)' in its text."""
    assert _undefaulted(COMMANDS[name]) == []
