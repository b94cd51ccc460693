"""`make bench` is not run by the suite (it takes minutes); this at least proves that every name
the benchmark modules use is defined — a lost import once made `make bench` fail after a minute."""
from __future__ import annotations

import ast
import builtins
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def undefined_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    defined = set(dir(builtins)) | {"__file__", "__name__"}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
            args = node.args if not isinstance(node, ast.ClassDef) else None
            if args:
                defined.update(a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs])
                defined.update(a.arg for a in (args.vararg, args.kwarg) if a)
        elif isinstance(node, ast.Lambda):
            defined.update(a.arg for a in [*node.args.args, *node.args.kwonlyargs])
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            defined.add(node.id)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            defined.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            defined.update(node.names)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return used - defined


def test_every_benchmark_module_defines_what_it_uses():
    problems = {p.name: sorted(undefined_names(p)) for p in sorted(BENCHMARKS.glob("*.py"))}
    assert {name: names for name, names in problems.items() if names} == {}


def test_the_check_sees_a_lost_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from benchmarks import lifecycle\n\ndef main():\n    return completion.run(), lifecycle\n")
    assert undefined_names(sample) == {"completion"}
