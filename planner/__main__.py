"""``python -m planner``: the ``planner`` command."""

from planner.cli import app

if __name__ == "__main__":
    app(prog_name="planner")
