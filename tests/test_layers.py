"""Every arrow of the import graph runs one way (README "Architecture"): a package imports only the
packages below it, including imports made lazily inside functions."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# lowest first; a package may import any package of a lower rank, never one of its own rank or above
LAYERS = [
    {"domain"},
    {"connectors"},
    {"config"},
    {"engine"},
    {"store"},
    {"tasks"},
    {"services"},
    {"workflows"},
    {"web"},
    {"cli"},
]
RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found & RANK.keys()


def upward_imports() -> list[str]:
    wrong = []
    for package, rank in RANK.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for target in imports_of(path):
                if target != package and RANK[target] >= rank:
                    wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    return wrong


def test_every_package_is_placed_in_a_layer():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name not in {"tests", "benchmarks"}}
    assert packages == set(RANK), "add the new package to LAYERS (and the README's architecture table)"


def test_imports_run_one_way():
    assert upward_imports() == []


def test_the_check_sees_an_upward_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def late():\n    from services.runtime import Runtime\n    import web.app\n")
    assert imports_of(sample) == {"services", "web"}


def test_only_the_engine_imports_spiffworkflow():
    importers = {str(path.relative_to(ROOT)) for package in RANK for path in (ROOT / package).rglob("*.py")
                 if "SpiffWorkflow" in {m.split(".")[0] for m in _all_modules(path)}}
    assert importers and all(name.startswith("engine/") for name in importers), sorted(importers)


def _all_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
