"""Find the plans in a folder given to a command: the folder itself, or one folder per district."""

from __future__ import annotations

from pathlib import Path

from planner.report.load import PLAN_FILES


def plan_folders_in(root: Path) -> list[Path]:
    """The plan folders ``root`` holds: its district folders, else ``root`` itself if it is a plan.

    A district folder is a folder directly under ``root`` with a ``summary.json``; one missing
    another plan file is kept, so that reading it names the file missing rather than the district
    being passed over. ``root`` is a plan when it holds every file of ``PLAN_FILES``.

    Parameters
    ----------
    root
        A plan folder, a city plan folder or a campaign export.

    Returns
    -------
    list of pathlib.Path
        The district folders, sorted; ``[root]`` for a plan folder; empty when there is no plan
        (or no such folder).
    """
    districts = sorted(summary.parent for summary in root.glob("*/summary.json"))
    if districts:
        return districts
    return [root] if all((root / name).is_file() for name in PLAN_FILES) else []
