"""Import structure: the `lint-imports` contracts in pyproject.toml cover every top-level package,
and no module-level import cycle exists anywhere in our code, across packages included.

`lint-imports` (run by `make test` before pytest, and by `make lint`) checks the layers and the
cycles among the modules of each package; the cycle test here also sees cycles that pass through
the CLI composition root, which the layers contract must ignore.
"""

from __future__ import annotations

import graphlib
import tomllib
from pathlib import Path
from typing import Any

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _importlinter() -> dict[str, Any]:
    config: dict[str, Any] = _pyproject()["tool"]["importlinter"]
    return config


def test_contracts_cover_every_top_level_package() -> None:
    on_disk = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    include = _pyproject()["tool"]["setuptools"]["packages"]["find"]["include"]
    packaged = {pattern.removesuffix("*") for pattern in include}
    config = _importlinter()
    assert set(config["root_packages"]) == on_disk == packaged
    layered = {
        name.strip().strip("()")
        for contract in config["contracts"]
        if contract["type"] == "layers"
        for layer in contract["layers"]
        for name in layer.replace(":", "|").split("|")
    }
    assert on_disk <= layered, f"packages in no layer: {sorted(on_disk - layered)}"
    acyclic = {a for c in config["contracts"] if c["type"] == "acyclic_siblings" for a in c["ancestors"]}
    assert acyclic == on_disk


def _allowed_edges() -> set[tuple[str, str]]:
    """Imports the acyclic contract ignores (temporary, each with its reason in pyproject.toml)."""
    edges: set[tuple[str, str]] = set()
    for contract in _importlinter()["contracts"]:
        if contract["type"] == "acyclic_siblings":
            for expr in contract.get("ignore_imports", []):
                importer, imported = (part.strip() for part in expr.split("->"))
                edges.add((importer, imported))
    return edges


def test_no_module_level_import_cycle() -> None:
    graph = grimp.build_graph(
        *_importlinter()["root_packages"], exclude_type_checking_imports=True, cache_dir=None
    )
    allowed = _allowed_edges()
    deps = {
        module: graph.find_modules_directly_imported_by(module) - {d for m, d in allowed if m == module}
        for module in graph.modules
    }
    try:
        graphlib.TopologicalSorter(deps).prepare()
    except graphlib.CycleError as err:
        pytest.fail("import cycle: " + " -> ".join(reversed(err.args[1])))


def test_the_cycle_check_sees_a_cycle() -> None:
    """The check itself can fail: a two-module loop is reported."""
    with pytest.raises(graphlib.CycleError):
        graphlib.TopologicalSorter({"a": {"b"}, "b": {"a"}}).prepare()
