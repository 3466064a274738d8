"""The package's layout follows the pipeline: imports drawn from the source flow one way between stages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import planner

PACKAGE = Path(planner.__file__).resolve().parent

# Sub-packages in pipeline order: a stage may import itself and the stages before it, never one after.
# "" is the package root (errors, settings, schema), which every stage may use.
STAGES = ("", "geo", "io", "routing", "planning", "samples", "campaign", "report", "cli")
ROOT_MODULES = {"__init__", "__main__", "errors", "schema", "settings", "settings_rules"}
ENTRY_POINT = "planner.__main__"  # `python -m planner`: the command line itself


def module_name(path: Path) -> str:
    """The dotted name of a source file of the package (``planner/io/read.py`` -> ``planner.io.read``)."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, is_package: bool) -> set[str]:
    """Every ``planner`` module a source imports, relative, lazy and type-checking imports included."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            # ``from planner.x import y`` may name a module y: count it too
            found |= {f"{name}.{alias.name}" for alias in node.names}
    return {name for name in found if name == "planner" or name.startswith("planner.")}


def existing(names: set[str], modules: set[str]) -> set[str]:
    """The names that are modules or packages of planner (drops ``planner.io.read.read_merchants``)."""
    return {name for name in names if name in modules}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    """Each module of the package and the planner modules it imports."""
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(path) for path in paths}
    return {
        module_name(path): existing(
            imported_modules(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"),
            modules,
        )
        - {module_name(path)}
        for path in paths
    }


def stage(module: str) -> str:
    """The stage a module belongs to: its sub-package, or "" for a module at the package root."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()) else ""


def test_the_drawing_sees_relative_lazy_and_from_imports():
    """Relative imports, imports inside functions and ``from package import module`` all count."""
    source = (
        "from . import problem\n"
        "from .zones import make_zones\n"
        "def solve():\n"
        "    from planner.settings import Settings\n"
        "    import planner.geo.travel as travel\n"
    )
    found = imported_modules(source, "planner.routing.improve", is_package=False)
    assert {
        "planner.routing.problem",
        "planner.routing.zones",
        "planner.settings",
        "planner.geo.travel",
    } <= found


def test_the_drawing_finds_the_known_edges(graph):
    """The drawing is not empty: a district's plan uses the routing engine, reading uses the districts."""
    assert "planner.routing.problem" in graph["planner.planning.plan"]
    assert "planner.geo.districts" in graph["planner.io.columns"]


def test_routing_imports_nothing_of_planner_outside_routing(graph):
    """The routing engine is generic: no settings, travel, planning, campaign or report inside it."""
    outside = {
        module: sorted(
            name for name in imports if name != "planner.routing" and not name.startswith("planner.routing.")
        )
        for module, imports in graph.items()
        if stage(module) == "routing"
    }
    assert {module: names for module, names in outside.items() if names} == {}


def test_no_module_imports_the_cli(graph):
    """The command line is the top: nothing outside ``planner.cli`` (and ``python -m planner``) imports it."""
    importers = {
        module: sorted(name for name in imports if stage(name) == "cli")
        for module, imports in graph.items()
        if stage(module) != "cli" and module != ENTRY_POINT
    }
    assert {module: names for module, names in importers.items() if names} == {}


def test_each_stage_imports_only_itself_and_the_stages_before_it(graph):
    """Imports flow one way along the pipeline (io knows no planning; planning knows no campaign or report)."""
    backwards = {}
    for module, imports in graph.items():
        if module in ("planner", ENTRY_POINT):  # the public API re-exports every stage; -m runs the CLI
            continue
        own = STAGES.index(stage(module))
        allowed = {stage(module)} if stage(module) == "routing" else set(STAGES[: own + 1])
        names = sorted(name for name in imports if name != "planner" and stage(name) not in allowed)
        if names:
            backwards[module] = names
    assert backwards == {}


def test_the_package_root_holds_only_cross_cutting_modules():
    """Every pipeline step lives in its stage's sub-package; the root keeps the API, errors, settings, schema."""
    assert {path.stem for path in PACKAGE.glob("*.py")} == ROOT_MODULES
    assert {path.name for path in PACKAGE.iterdir() if (path / "__init__.py").exists()} == set(STAGES) - {""}
