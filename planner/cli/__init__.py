"""The ``planner`` command: each sub-command parses options, calls one library function, prints."""

# isort: off
# Importing the modules registers their commands, in the order `planner --help` lists them.
from planner.cli import plan, report, campaign  # noqa: F401
from planner.cli.common import app

# isort: on

__all__ = ["app"]
