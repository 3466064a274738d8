"""Reports benchmark: every report command on one plan folder, each timed as a subprocess, against two minutes.

Run ``python -m benchmarks.reports PLAN_DIR``, PLAN_DIR being a plan folder, a city plan
(``planner sample --city --out /tmp/city.csv``, then ``planner plan /tmp/city.csv --city
--time-limit 0.2 --processes 2 --out /tmp/city``) or a campaign export. The plan's files are
copied to a scratch folder first (``notices`` writes into the plan folders), then ``sheets``,
``map``, ``charts``, ``export``, ``kits`` and ``notices`` run one after the other, as a user
would run them. Prints one row per command (wall and CPU seconds, files written) and the total
against ``TARGET_S``, with the load average, since on a shared machine wall time follows it.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 120.0  # all reports of the city sample, wall clock
# The report folders a plan folder may already hold: left out of the scratch copy.
REPORT_FOLDERS = ("sheets", "maps", "charts", "export", "kits", "notices")
NOTICES_FILE = "notices.csv"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan_dir", type=Path, help="plan folder, city plan or campaign export")
    parser.add_argument("--processes", type=int, default=1, help="--processes of sheets, map, charts, export")
    parser.add_argument(
        "--keep", type=Path, default=None, help="folder to keep the reports in (default: deleted)"
    )
    parser.add_argument("--only", default="", help="comma-separated commands to run (default: all six)")
    return parser.parse_args(argv)


def commands(plan: Path, processes: int) -> dict[str, list[str]]:
    """Each report command's arguments on ``plan``, in the order a coordinator runs them."""
    several = ["--processes", str(processes)]
    return {
        "sheets": ["sheets", str(plan), *several],
        "map": ["map", str(plan), "--tiles", "none", *several],
        "charts": ["charts", str(plan), *several],
        "export": ["export", str(plan), *several],
        "kits": ["kits", str(plan), "--out", str(plan / "kits")],
        "notices": ["notices", str(plan), "--out", str(plan / "notices")],
    }


def scratch_copy(source: Path, target: Path) -> Path:
    """The plan files of ``source`` copied to ``target``, without reports or notices written before."""
    ignore = shutil.ignore_patterns(*REPORT_FOLDERS, NOTICES_FILE)
    return Path(shutil.copytree(source, target, ignore=ignore))


def run(arguments: list[str]) -> tuple[float, float, int, str]:
    """Run ``planner ARGUMENTS``; return its wall and CPU seconds, exit code and last output line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "planner", *arguments], capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = (done.stdout + done.stderr).strip().splitlines()
    return wall, cpu, done.returncode, " ".join(lines[-1].split()) if lines else ""


def files_under(folder: Path) -> set[Path]:
    """Every file under ``folder``."""
    return {path for path in folder.rglob("*") if path.is_file()}


def main(argv: list[str] | None = None) -> int:
    """Time each report command on a scratch copy of a plan folder and print the table."""
    args = parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="planner-reports-")) if args.keep is None else args.keep
    plan = scratch_copy(args.plan_dir, root / "plan")
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    load = os.getloadavg()[0]
    print(f"{args.plan_dir} (copied to {plan}), {os.cpu_count()} cores, load {load:.1f}")
    print(f"{'command':<8} {'wall s':>8} {'CPU s':>8} {'files':>6}  result")
    total_wall = total_cpu = 0.0
    failed = 0
    for name, arguments in commands(plan, args.processes).items():
        if chosen and name not in chosen:
            continue
        known = files_under(plan)
        wall, cpu, code, last = run(arguments)
        total_wall, total_cpu, failed = total_wall + wall, total_cpu + cpu, failed + (code != 0)
        written = len(files_under(plan) - known)
        print(
            f"{name:<8} {wall:8.1f} {cpu:8.1f} {written:6d}  {'ok' if code == 0 else f'exit {code}'}: {last[:90]}"
        )
    verdict = "within" if total_wall <= TARGET_S and not failed else "over"
    print(f"{'total':<8} {total_wall:8.1f} {total_cpu:8.1f}         {verdict} the {TARGET_S:.0f} s target")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
