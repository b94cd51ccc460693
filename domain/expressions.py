"""Safe expressions for diagram authors (gateway conditions, timers, DMN cells, form rules).

Process owners edit diagrams, so no expression may run arbitrary Python on the server. Two layers:
1. `check_expression` walks the AST against a whitelist: names, literals, comparisons, boolean and
   arithmetic operators (no power), conditional expressions, subscripts and calls of a few named
   functions. No attribute access at all, no names starting with "_", no lambdas or comprehensions.
   Used at diagram validation and again before every evaluation.
2. Evaluation uses simpleeval (a maintained safe evaluator) with the task data as its only names.
"""
from __future__ import annotations

import ast
import re
import threading
from functools import lru_cache
from typing import Any, Mapping

from simpleeval import EvalWithCompoundTypes, NameNotDefined

from domain.errors import UnsafeExpression

MAX_LENGTH = 2000

FUNCTIONS = {
    "len": len, "str": str, "int": int, "float": float, "bool": bool, "min": min, "max": max,
    "abs": abs, "round": round, "any": any, "all": all, "sorted": sorted,
    "lower": lambda s: str(s).lower(), "upper": lambda s: str(s).upper(),
}

_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is,
    ast.IsNot, ast.Name, ast.Load, ast.Constant, ast.Tuple, ast.List, ast.BinOp, ast.Add, ast.Sub,
    ast.Mult, ast.Div, ast.Mod, ast.FloorDiv, ast.IfExp, ast.Call, ast.Subscript, ast.Slice,
)


@lru_cache(maxsize=4096)
def check_expression(text: str) -> ast.Expression:
    """Return the parsed expression or raise UnsafeExpression with a message saying what to fix."""
    if not isinstance(text, str) or not text.strip():
        raise UnsafeExpression("empty expression")
    if len(text) > MAX_LENGTH:
        raise UnsafeExpression(f"expression longer than {MAX_LENGTH} characters")
    stripped = text.strip()
    if stripped.startswith("${") or stripped.startswith("#{"):
        raise UnsafeExpression(
            f"{stripped!r} uses Camunda/JUEL syntax; write the plain expression without ${{…}}, "
            'e.g. priority == "high"')
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        hint = habit_hint(stripped)
        raise UnsafeExpression(f"syntax error in {stripped!r}: " + (hint or exc.msg)) from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise UnsafeExpression(
                f"{type(node).__name__} is not allowed in diagram expressions ({stripped!r}); "
                "use names, literals, comparisons, and/or/not and the functions "
                + ", ".join(sorted(FUNCTIONS)))
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            raise UnsafeExpression(f"names starting with '_' are not allowed ({node.id!r})")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise UnsafeExpression(
                    f"only these functions may be called: {', '.join(sorted(FUNCTIONS))} ({stripped!r})")
            if node.keywords:
                raise UnsafeExpression(f"keyword arguments are not allowed ({stripped!r})")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("__"):
            raise UnsafeExpression(f"string constants starting with '__' are not allowed ({stripped!r})")
    return tree


_OUTSIDE_QUOTES = re.compile(r"""("[^"]*"|'[^']*')""")
HABITS = [  # (pattern outside string literals, what to write instead) — JUEL (Camunda) and FEEL (DMN)
    (r"&&", "and"), (r"\|\|", "or"), (r"===", "=="), (r"!(?!=)", "not"), (r"\beq\b", "=="), (r"\bne\b", "!="),
    (r"\blt\b", "<"), (r"\bgt\b", ">"), (r"\ble\b", "<="), (r"\bge\b", ">="), (r"\bempty\b", "not x / len(x) == 0"),
    (r"\bnull\b", "None"),
]
FEEL_RANGE = re.compile(r"^([\[\]\(])\s*([^.\s]+)\s*\.\.\s*([^.\s]+)\s*([\[\]\)])$")


def habit_hint(text: str) -> str | None:
    """The supported spelling for a JUEL or FEEL habit in `text`, or None."""
    range_ = FEEL_RANGE.match(text.strip())
    if range_:
        low = "<=" if range_.group(1) == "[" else "<"
        high = "<=" if range_.group(4) == "]" else "<"
        return (f"FEEL range {text.strip()} is not supported; write {range_.group(2)} {low} ? {high} "
                f"{range_.group(3)} (in a DMN cell) or {range_.group(2)} {low} name {high} {range_.group(3)}")
    code = _OUTSIDE_QUOTES.sub('""', text)
    found = [(re.search(pattern, code).group(0), instead) for pattern, instead in HABITS if re.search(pattern, code)]
    if not found:
        return None
    return "JUEL/FEEL spelling is not supported; write " + ", ".join(f"{instead} instead of {used}"
                                                                     for used, instead in found)


# One evaluator per thread, reused: building simpleeval's evaluator runs warnings.catch_warnings(), which
# rewrites the process's warning filters and is not thread-safe (the web app evaluates in many threads);
# it also rebuilds the operator and node tables. An evaluation started inside another takes a fresh one.
_evaluators = threading.local()


class ExpressionError(Exception):
    """Evaluation failed (unknown name, type error) — a diagram or data problem."""


def evaluate(text: str, names: Mapping[str, Any]) -> Any:
    """Evaluate a checked expression against `names` (task data)."""
    tree = check_expression(text)
    evaluator = _evaluators.__dict__.pop("free", None) or EvalWithCompoundTypes(functions=dict(FUNCTIONS))
    evaluator.names = dict(names)
    try:
        return evaluator.eval(text.strip(), previously_parsed=tree.body)
    except NameNotDefined as exc:
        raise ExpressionError(f"{text.strip()!r}: unknown name {exc.name!r}") from None
    except UnsafeExpression:
        raise
    except Exception as exc:  # simpleeval raises many types; surface them as one clear error
        raise ExpressionError(f"{text.strip()!r}: {type(exc).__name__}: {exc}") from None
    finally:
        evaluator.names = {}
        _evaluators.free = evaluator   # this thread's next evaluation reuses it
