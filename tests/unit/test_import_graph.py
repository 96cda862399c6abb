"""The import graph of the project's packages: no module imports itself round a circle."""

from __future__ import annotations

import tomllib
from pathlib import Path

import grimp
import pytest

PACKAGES = ("scorecard", "schemas")
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every group of modules that import one another round a circle (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1 or graph.direct_import_exists(importer=module, imported=module):
                    found.append(sorted(group))
    return sorted(found)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def test_no_import_cycles_among_the_projects_modules(graph: grimp.ImportGraph) -> None:
    # imports made only for type checking count too: they are circles for a reader
    assert import_cycles(graph) == []


def test_the_check_finds_a_circle_when_one_is_introduced() -> None:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert graph.direct_import_exists(
        importer="scorecard.reports.scoring", imported="scorecard.statistics.spc"
    )
    graph.add_import(importer="scorecard.statistics.spc", imported="scorecard.reports.scoring")
    found = import_cycles(graph)
    assert any(
        {"scorecard.statistics.spc", "scorecard.reports.scoring"} <= set(group) for group in found
    )


def test_the_check_finds_a_longer_circle() -> None:
    graph = grimp.ImportGraph()
    for a, b in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d"), ("p.e", "p.e")]:
        graph.add_import(importer=a, imported=b)
    assert import_cycles(graph) == [["p.a", "p.b", "p.c"], ["p.e"]]


def _layered() -> set[str]:
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    layers = [layer for c in contracts if c["type"] == "layers" for layer in c["layers"]]
    return {name.strip() for layer in layers for name in layer.split("|")}


def test_every_module_has_a_layer(graph: grimp.ImportGraph) -> None:
    # a module the layers contract does not name is not checked: place each new one there
    layered = _layered()
    unplaced = sorted(
        module
        for module in graph.modules
        if module not in PACKAGES
        and not any(module == name or module.startswith(name + ".") for name in layered)
    )
    assert unplaced == [], "add these to their layer in [tool.importlinter] in pyproject.toml"
