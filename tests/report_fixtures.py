"""Fixtures of the report tests: one small Jongno-gu plan, written once per test run and read back."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import strategies as st

from planner.planning.pipeline import PlanRun, plan_file
from planner.planning.plan import Plan
from planner.planning.triage import triage
from planner.report.load import LoadedPlan, load_plan
from planner.settings import Settings

SMALL_MERCHANTS = Path(__file__).parent / "data" / "jongno_small.csv"
CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (.ci/run installs Debian's chromium)"
)
BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--virtual-time-budget=5000",
    "--window-size=1200,900",
)
# Appended to a page under test: after load, writes how many injected scripts ran (``window.hits``).
HITS_PROBE = """<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var verdict = document.createElement("pre");
    verdict.id = "verdict";
    verdict.textContent = "hits=" + (window.hits || 0) + ";";
    document.body.appendChild(verdict);
  }, 500);
});
</script>"""


# Test modules import these fixtures, and pytest makes one copy per module: the plan itself is
# cached here so that it is solved once per test run all the same.
_RUNS: dict[str, PlanRun] = {}


@pytest.fixture(scope="session")
def report_run(tmp_path_factory) -> PlanRun:
    """The small Jongno file planned by two workers a day, one solver second per zone, no improving."""
    if "small" not in _RUNS:
        settings = Settings()
        solver = replace(settings.solver, time_limit_s=1.0, zone_max_stops=40, improve_s=0.0)
        settings = replace(settings, staff=2, solver=solver)
        _RUNS["small"] = plan_file(SMALL_MERCHANTS, tmp_path_factory.mktemp("report-plan"), settings)
    return _RUNS["small"]


@pytest.fixture(scope="session")
def report_plan(report_run):
    """The plan object of ``report_run``."""
    return report_run.plan


@pytest.fixture(scope="session")
def report_triaged(report_run):
    """Every merchant of the small file with its triage decision."""
    return triage(report_run.read.merchants)


@pytest.fixture(scope="session")
def report_loaded(report_run) -> LoadedPlan:
    """The same plan read back from its output folder with its merchants file."""
    return load_plan(report_run.written["routes"].parent, SMALL_MERCHANTS)


def hostile_texts(marker: Path) -> list[str]:
    """Shop and roster texts that must show as typed: templates, scripts, controls, Korean, length.

    Every script payload adds one to ``window.hits``; the ``lipsum`` one creates ``marker`` if a
    template engine ever evaluates it.
    """
    hit = "window.hits=(window.hits||0)+1"
    return [
        "{{7*7}}",
        "{{ 'tmpl' ~ 'ated' }}",
        f"{{{{ lipsum.__globals__.os.popen('touch {marker}').read() }}}}",
        "{% for i in range(2) %}looped{% endfor %}",
        "{# gone #}",
        f"</script><script>{hit}</script>",
        f"${{{hit}}}",
        f'<img src=x onerror="{hit}">',
        f'";{hit};//',
        f"`;{hit};//",
        f"'--><svg onload={hit}>",
        "line\u2028sep\u2029para",
        "종로 가게 <b>굵게</b> & 'quotes'",
        "nul\x00ctl\x01\x1f\x7f",
        "x" * 3000,
    ]


def plan_with_texts(plan: Plan, texts: list[str]) -> Plan:
    """A copy of ``plan`` whose shops' and unassigned shops' texts and staff ids are ``texts``, cycled.

    Staff ids and merchant ids get a running number so that they stay distinct.
    """
    routes = plan.routes.copy()
    cycle = [texts[i % len(texts)] for i in range(len(routes))]
    for column in ("name", "address", "opening_hours", "category", "reason"):
        routes[column] = cycle[::-1] if column == "address" else cycle
    routes["merchant_id"] = [f"{text}{i}" for i, text in enumerate(cycle)]
    staff = sorted(routes["staff_id"].unique())
    renamed = {old: f"{texts[k % len(texts)]}{k}" for k, old in enumerate(staff)}
    routes["staff_id"] = routes["staff_id"].map(renamed)
    count = max(len(plan.unassigned), 1)
    unassigned = pd.DataFrame(
        {
            "merchant_id": [f"{texts[-1 - i % len(texts)]}u{i}" for i in range(count)],
            "reason": [texts[i % len(texts)] for i in range(count)],
            "name": [texts[-1 - i % len(texts)] for i in range(count)],
            "lat": plan.routes["lat"].iloc[:count].to_numpy(),
            "lon": plan.routes["lon"].iloc[:count].to_numpy(),
        }
    )
    return replace(plan, routes=routes, unassigned=unassigned)


def browse(page: Path, profile: Path, *flags: str) -> subprocess.CompletedProcess:
    """Open ``page`` in headless Chromium with ``flags``; return the finished process."""
    command = [CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={profile}", *flags, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def shop_texts(marker: Path) -> st.SearchStrategy[str]:
    """Any text a merchants or routes file may hold: controls, NUL, Korean, long, template and script."""
    payloads = hostile_texts(marker)
    korean = st.text(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), max_size=20)
    controls = st.text(st.characters(max_codepoint=0x1F), max_size=10)
    long = st.builds(lambda unit, n: unit * n, st.text(min_size=1, max_size=4), st.integers(500, 3000))
    pieces = st.one_of(st.text(max_size=30), st.sampled_from(payloads), korean, controls, long)
    return st.lists(pieces, min_size=1, max_size=3).map("".join)
