"""The command's last line of defence: a bad option or an unexpected error is one line and exit 1."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from planner.errors import PlannerError

DEBUG_VARIABLE = "PLANNER_DEBUG"  # set to 1: unexpected errors propagate with their traceback
SHOWN_CHARS = 300  # of an unexpected error's message, so it stays one line a user can copy

_console = Console()


def debugging() -> bool:
    """True when ``PLANNER_DEBUG`` asks for tracebacks (any value but empty or 0).

    Returns
    -------
    bool
        Whether unexpected errors should propagate with their traceback.
    """
    return os.environ.get(DEBUG_VARIABLE, "").strip() not in ("", "0")


def one_line(text: str, limit: int | None = None) -> str:
    """``text`` on one line: line breaks and runs of blanks become single spaces, cut at ``limit``.

    Parameters
    ----------
    text
        A message, perhaps over several lines.
    limit
        Most characters kept (an ellipsis marks a cut), or None for all.

    Returns
    -------
    str
        The message on one line.
    """
    flat = " ".join(text.split())
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return flat


def usage_message(error: typer.TyperException) -> str:
    """A usage error (bad option value, unknown option, missing argument) in one line.

    Parameters
    ----------
    error
        What click found wrong with the command line.

    Returns
    -------
    str
        E.g. ``Invalid value for '--staff': 'many' is not a valid integer. (see 'planner plan --help')``.
    """
    text = one_line(error.format_message())
    ctx = getattr(error, "ctx", None)  # usage errors know the command they were found in
    if ctx is not None:
        text += f" (see '{ctx.command_path} --help')"
    return text


class PlannerGroup(TyperGroup):
    """The ``planner`` command group: however a run fails, the user reads one line and gets exit 1.

    Usage errors (click's exit code 2 and boxed panel) become one ``error:`` line and exit code 1; an
    exception no command turned into a message becomes ``internal error: <type>: <message>`` and exit
    code 1, or propagates with its traceback when ``PLANNER_DEBUG=1``.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line like click does, with failures reported in one line.

        Parameters
        ----------
        args, prog_name, complete_var, standalone_mode, **extra
            As for ``click.Command.main``; with ``standalone_mode=False`` nothing is caught.

        Returns
        -------
        Any
            Only with ``standalone_mode=False``: what click returns.

        Raises
        ------
        SystemExit
            Always in standalone mode: 0 on success, 1 on an error, 130 on Ctrl-C.
        """
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.TyperException as error:  # typer's own click: usage and file errors
            if type(error).__name__ == "NoArgsIsHelpError":
                sys.exit(2)  # the help is printed already, as typer does
            _fail(usage_message(error))
        except PlannerError as error:  # raised outside a command's own error handling
            _fail(one_line(str(error)))
        except typer.Abort:
            _console.print("[yellow]interrupted: nothing more was written[/yellow]")
            sys.exit(130)
        except Exception as error:
            if debugging():
                raise
            name = type(error).__name__
            message = one_line(str(error), SHOWN_CHARS) or "(no message)"
            _fail(f"internal error: {name}: {message}; set {DEBUG_VARIABLE}=1 for the traceback")
        sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str) -> None:
    """Print ``error: <message>`` on one line and exit with code 1."""
    _console.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    sys.exit(1)
