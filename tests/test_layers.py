"""The package's layers point only down, without cycles (docs/architecture.md).

Every module's imports are parsed: top-level, inside functions, under ``TYPE_CHECKING``, and module
names passed to ``importlib.import_module``. An import that points up the layer order or closes a
cycle fails the test with both modules named; an import of a riskplan module inside a function needs
a comment saying why (an optional heavy dependency).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "riskplan"

LAYERS: tuple[tuple[str, ...], ...] = (
    # 0 foundation
    ("riskplan._version", "riskplan.errors", "riskplan._settings", "riskplan._problems",
     "riskplan.tables", "riskplan.timeofday", "riskplan.interrupts", "riskplan.cpsat",
     "riskplan.workers"),
    # 1 settings
    ("riskplan.settings",),
    # 2 data: the registry, the container, reading, validation, loaders, synthetic districts
    ("riskplan.schema",),
    ("riskplan.dataset",),
    ("riskplan.roles", "riskplan.subset"),
    ("riskplan.io",),
    ("riskplan.templates",),
    ("riskplan.validation",),
    ("riskplan.datasets",),
    ("riskplan.synthetic",),
    # 3 calendar
    ("riskplan.calendar",),
    # 4 stages, each above the ones before it
    ("riskplan.risk",),
    ("riskplan.allocation",),
    ("riskplan.schedule",),
    ("riskplan.selection",),
    ("riskplan.routing",),
    # 5 plotting
    ("riskplan.plotting",),
    # 6 configuration
    ("riskplan.config",),
    ("riskplan.configure",),
    # 7 pipeline
    ("riskplan.pipeline",),
    # 8 plan folder
    ("riskplan.export",),
    # 9 monitoring
    ("riskplan.monitoring",),
    # 10 many districts
    ("riskplan.province",),
    # 11 front door
    ("riskplan.api", "riskplan.cli", "riskplan.commands", "riskplan.__main__", "riskplan"),
)
"""Layer order, lowest first: a module may import its own layer or the layers before it."""


@dataclass(frozen=True)
class Import:
    """One import of a riskplan module by another."""

    source: str
    target: str
    line: int
    in_function: bool
    explained: bool


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The riskplan module a dotted import target names (``riskplan.io.read_table`` -> ``riskplan.io``)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _layer(module: str) -> int:
    best, best_len = -1, -1
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best_len:
                best, best_len = i, len(p)
    return best


def _function_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom, ast.Call)):
                    lines.add(node.lineno)
    return lines


def _targets(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """Dotted names an import node (or an ``importlib.import_module`` call) may load."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            mod = ".".join(base + ([node.module] if node.module else []))
        else:
            mod = node.module or ""
        return [f"{mod}.{a.name}" for a in node.names] + [mod]
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("import_module", "__import__") and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                return [arg.value]
            if isinstance(arg, ast.JoinedStr):  # f"riskplan.commands.{name}": the package
                head = "".join(v.value for v in arg.values if isinstance(v, ast.Constant))
                return [head.rstrip(".")]
    return []


def imports_in(text: str, module: str, is_package: bool = False) -> list[Import]:
    """Every import of another riskplan module in the source ``text`` of ``module``.

    A package's ``__init__`` importing its own modules counts too: importing the package runs it,
    so a module of another package that imports the package depends on all of them.
    """
    out = []
    source_lines = text.splitlines()
    tree = ast.parse(text)
    in_fn = _function_lines(tree)
    # a module that uses importlib may import any module whose name it spells out as text
    # (config.py once kept {"quota": ("riskplan.allocation", "QuotaRules"), ...})
    uses_importlib = "importlib" in text
    for node in ast.walk(tree):
        if uses_importlib and isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and re.fullmatch(r"riskplan(\.\w+)+", node.value):
            targets = [node.value]
        elif isinstance(node, (ast.Import, ast.ImportFrom, ast.Call)):
            targets = _targets(node, module, is_package)
        else:
            continue
        seen: set[str] = set()
        for target in targets:
            if not target.startswith("riskplan"):
                continue
            resolved = _resolve(target)
            if resolved is None or resolved == module or resolved in seen:
                continue
            seen.add(resolved)
            line = node.lineno
            here = source_lines[line - 1]
            above = source_lines[line - 2] if line >= 2 else ""
            explained = "#" in here or above.strip().startswith("#")
            out.append(Import(module, resolved, line, line in in_fn, explained))
    return out


def all_imports() -> list[Import]:
    """Every import of a riskplan module by a riskplan module."""
    return [imp for module, path in MODULES.items()
            for imp in imports_in(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")]


IMPORTS = all_imports()


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(m for m in MODULES if _layer(m) < 0)
    assert not unplaced, f"modules without a layer in tests/test_layers.py: {unplaced}"


def test_imports_point_down() -> None:
    upward = [
        f"{i.source} (layer {_layer(i.source)}) imports {i.target} (layer {_layer(i.target)}) "
        f"at line {i.line}"
        for i in IMPORTS
        if _layer(i.target) > _layer(i.source)
    ]
    assert not upward, "imports pointing up the layer order:\n" + "\n".join(upward)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles() -> None:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for i in IMPORTS:
        edges[i.source].add(i.target)
    cycles = _cycles(edges)
    described = []
    for comp in cycles:
        links = [f"{i.source} -> {i.target} (line {i.line})" for i in IMPORTS
                 if i.source in comp and i.target in comp]
        described.append(" <-> ".join(comp) + ":\n    " + "\n    ".join(links))
    assert not cycles, "import cycles:\n" + "\n".join(described)


def test_function_level_imports_say_why() -> None:
    silent = [f"{i.source} imports {i.target} inside a function at line {i.line}"
              for i in IMPORTS if i.in_function and not i.explained]
    assert not silent, ("imports of riskplan modules inside functions need a comment saying why "
                        "(an optional heavy dependency):\n" + "\n".join(silent))


def test_the_checker_sees_every_kind_of_import() -> None:
    """The parser finds function-level, TYPE_CHECKING and importlib imports (it could miss them)."""
    code = (
        "from typing import TYPE_CHECKING\n"
        "import importlib\n"
        "SECTIONS = {'quota': ('riskplan.allocation', 'QuotaRules')}\n"
        "if TYPE_CHECKING:\n"
        "    from riskplan.pipeline import PlanResult\n"
        "def f(name):\n"
        "    from riskplan.config import Config\n"
        "    importlib.import_module('riskplan.monitoring')\n"
        "    return importlib.import_module(f'riskplan.commands.{name}')\n"
    )
    found = {i.target: i for i in imports_in(code, "riskplan.tables")}
    assert set(found) == {"riskplan.allocation", "riskplan.pipeline", "riskplan.config",
                          "riskplan.monitoring", "riskplan.commands"}
    assert {t for t, i in found.items() if i.in_function} == {
        "riskplan.config", "riskplan.monitoring", "riskplan.commands"}


@pytest.mark.parametrize("doc", ["docs/architecture.md"])
def test_architecture_page_names_every_layer(doc: str) -> None:
    """docs/architecture.md's diagram names the top-level package of every layer in this order."""
    text = (PACKAGE.parent / doc).read_text(encoding="utf-8")
    for prefixes in LAYERS:
        for p in prefixes:
            if p == "riskplan":
                continue
            path = p.replace(".", "/")
            assert re.search(rf"{re.escape(path)}(\.py|/)", text), f"{doc} does not mention {path}"
