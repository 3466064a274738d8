"""The public API: every name ``planner`` exports imports, and public functions carry numpydoc sections.

Run as a script (``python -m tests.test_api``) to print the numpydoc coverage of the package.
"""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import planner

PACKAGE = Path(planner.__file__).resolve().parent
SECTION = "^[ \t]*{}[ \t]*\\n[ \t]*-{{3,}}[ \t]*$"
# Report libraries, loaded when a report name is first used; scikit-learn when zones are first cut.
HEAVY = ("folium", "matplotlib", "jinja2", "sklearn")


@dataclass(frozen=True)
class Public:
    """A public function, method or class of the package and what its docstring lacks."""

    where: str
    missing: tuple[str, ...]


def has_section(doc: str, name: str) -> bool:
    """True if the docstring has a numpydoc section ``name`` (a title underlined with dashes)."""
    return re.search(SECTION.format(name), doc, flags=re.MULTILINE) is not None


def _own_nodes(function: ast.FunctionDef | ast.AsyncFunctionDef):
    """The nodes of a function's body, not those of the functions and classes defined inside it."""
    todo = list(function.body)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            todo.extend(ast.iter_child_nodes(node))


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> list[str]:
    """The names a caller passes: every argument but a method's ``self`` or ``cls``."""
    args = function.args
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.decorator_list)
    return names[1:] if method and not static and names else names


def _returns_value(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """True if the function gives its caller something: a non-None annotation or a ``return x``."""
    if function.returns is not None:
        return not (isinstance(function.returns, ast.Constant) and function.returns.value in (None, "None"))
    return any(isinstance(n, ast.Return) and n.value is not None for n in _own_nodes(function))


def _yields(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """True if the function is a generator."""
    return any(isinstance(n, ast.Yield | ast.YieldFrom) for n in _own_nodes(function))


def _raises(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """True if the function raises an exception itself (a bare ``raise`` passes one on)."""
    return any(isinstance(n, ast.Raise) and n.exc is not None for n in _own_nodes(function))


def _decorators(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> set[str]:
    """The last dotted part of each decorator: ``app.command("x")`` gives ``command``."""
    names = set()
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute):
            names.add(target.attr)
        elif isinstance(target, ast.Name):
            names.add(target.id)
    return names


def function_gaps(function: ast.FunctionDef | ast.AsyncFunctionDef, method: bool = False) -> tuple[str, ...]:
    """The numpydoc parts a public function's docstring lacks.

    A command of the CLI needs only a summary: its docstring is the command's ``--help`` text and
    its options carry their own help. A property needs only a summary.
    """
    doc = ast.get_docstring(function) or ""
    if not doc.strip():
        return ("docstring",)
    decorators = _decorators(function)
    if decorators & {"command", "callback", "property", "cached_property", "setter"}:
        return ()
    missing = []
    if _parameters(function, method) and not has_section(doc, "Parameters"):
        missing.append("Parameters")
    if _yields(function):
        if not has_section(doc, "Yields") and not has_section(doc, "Returns"):
            missing.append("Yields")
    elif _returns_value(function) and not has_section(doc, "Returns"):
        missing.append("Returns")
    if _raises(function) and not has_section(doc, "Raises"):
        missing.append("Raises")
    return tuple(missing)


def module_publics(path: Path) -> list[Public]:
    """Every public function, method and class of one module, with what its docstring lacks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(PACKAGE.parent).as_posix()
    found = []
    for node in tree.body:
        if node.name.startswith("_") if hasattr(node, "name") else True:
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append(Public(f"{where}:{node.lineno} {node.name}", function_gaps(node)))
        elif isinstance(node, ast.ClassDef):
            doc = ast.get_docstring(node) or ""
            found.append(Public(f"{where}:{node.lineno} {node.name}", () if doc.strip() else ("docstring",)))
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and not item.name.startswith("_"):
                    label = f"{where}:{item.lineno} {node.name}.{item.name}"
                    found.append(Public(label, function_gaps(item, method=True)))
    return found


def package_publics() -> list[Public]:
    """Every public function, method and class of the package (modules named ``_x`` are private)."""
    modules = sorted(PACKAGE.rglob("*.py"))
    return [
        public
        for path in modules
        if not any(part.startswith("_") and part != "__init__.py" for part in path.relative_to(PACKAGE).parts)
        for public in module_publics(path)
    ]


def coverage() -> str:
    """One line: how many public names have complete numpydoc docstrings."""
    publics = package_publics()
    complete = sum(not p.missing for p in publics)
    return f"{complete}/{len(publics)} public functions, methods and classes complete ({complete / len(publics):.0%})"


@pytest.mark.parametrize("name", planner.__all__)
def test_every_exported_name_imports(name: str):
    """Each name in ``planner.__all__`` is an attribute of ``planner`` (imported now or on first use)."""
    assert getattr(planner, name) is not None


def test_exports_are_listed_once_and_star_import_gives_them():
    """``planner.__all__`` names each export once, and ``from planner import *`` gives exactly those."""
    assert len(set(planner.__all__)) == len(planner.__all__)
    namespace: dict = {}
    exec("from planner import *", namespace)
    assert set(planner.__all__) <= set(namespace)


def test_import_is_light():
    """``import planner`` loads no map, chart, template or k-means library; each comes with its first use."""
    code = f"import sys, planner; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""


def test_notebooks_import_only_the_public_api():
    """The notebooks import planner's names from ``planner`` itself, never from its modules."""
    notebooks = sorted((PACKAGE.parent / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        internal = re.findall(r"(?:from|import) (planner\.[\w.]+)", path.read_text(encoding="utf-8"))
        assert internal == [], f"{path.name} imports {internal}"


def test_public_functions_have_numpydoc_sections():
    """Every public function documents its parameters, what it returns and what it raises (numpydoc)."""
    gaps = [f"{p.where}: {', '.join(p.missing)}" for p in package_publics() if p.missing]
    assert gaps == [], f"{len(gaps)} public functions lack numpydoc sections:\n" + "\n".join(gaps)


def test_the_checker_finds_a_missing_section():
    """The numpydoc check reports a function whose parameters or return value go undocumented."""
    source = '''
def documented(x: int) -> int:
    """Double.

    Parameters
    ----------
    x
        A number.

    Returns
    -------
    int
        Twice ``x``.
    """
    return 2 * x


def undocumented(x: int) -> int:
    """Double."""
    if x < 0:
        raise ValueError(x)
    return 2 * x
'''
    first, second = ast.parse(source).body
    assert function_gaps(first) == ()
    assert function_gaps(second) == ("Parameters", "Returns", "Raises")


def test_every_module_of_the_package_imports():
    """Every module of the package imports on its own (the checker above reads them all)."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))


if __name__ == "__main__":
    for public in package_publics():
        if public.missing:
            print(f"{public.where}: {', '.join(public.missing)}")
    print(coverage())
