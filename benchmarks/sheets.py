"""Route sheets benchmark: one district day's sheets timed, and stops per printed A4 page counted.

Run ``python -m benchmarks.sheets PLAN_DIR``, PLAN_DIR being a folder ``planner plan`` wrote, e.g.
``planner plan data/samples/gangnam-gu.csv --scenario full --staff 200 --time-limit 0.2
--improve-time 0 --out /tmp/gangnam``. Prints the seconds to read the plan and to write the
busiest day's sheets (printable page, phone pages, outcome files), against ``TARGET_S``; with
``--pdf`` it also prints the day page in headless Chromium and counts its A4 pages.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from planner.report.load import load_plan
from planner.report.sheets import write_sheets

TARGET_S = 10.0  # a district day's sheets, read and written
STOPS_PER_PAGE = 20  # at least, on every full printed page


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan_dir", type=Path, help="folder 'planner plan --out' wrote")
    parser.add_argument("--date", default="", help="day to write (default: the day with most visits)")
    parser.add_argument("--pdf", action="store_true", help="also print the day page and count pages")
    return parser.parse_args(argv)


def printed_pages(page: Path, profile: Path) -> int:
    """A4 pages of ``page`` printed to PDF by headless Chromium."""
    chromium = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))))
    pdf = profile / "day.pdf"
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        page.as_uri(),
    ]
    subprocess.run(command, capture_output=True, check=True, timeout=1800)
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))


def main(argv: list[str] | None = None) -> None:
    """Time one day's sheets of a plan folder and print the figures."""
    args = parse_args(argv)
    started = time.perf_counter()
    plan = load_plan(args.plan_dir).plan
    read_s = time.perf_counter() - started
    date = args.date or str(plan.routes["date"].value_counts().idxmax())
    visits = plan.routes[plan.routes["date"] == date]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        written = write_sheets(plan, Path(folder) / "sheets", dates=[date])
        write_s = time.perf_counter() - started
        size = visits.groupby("staff_id").size()
        print(f"{plan.district.name_en} {date}: {len(size)} worker-days, {len(visits):,} stops")
        verdict = "ok" if read_s + write_s <= TARGET_S else "over"
        print(
            f"read {read_s:.2f} s, sheets {write_s:.2f} s ({len(written)} files): {verdict}, target {TARGET_S:g} s"
        )
        if args.pdf:
            pages = printed_pages(written[1], Path(folder))
            bound = int((-(-size // STOPS_PER_PAGE)).sum())  # each worker starts a new page
            verdict = "ok" if pages <= bound else "over"
            print(
                f"printed {pages} A4 pages, {len(visits) / pages:.1f} stops a page: {verdict}, at most {bound}"
            )


if __name__ == "__main__":
    main()
