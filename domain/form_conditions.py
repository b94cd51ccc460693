"""Forms that follow the answers (H-V1.1, H-R1.2, H-R1.3, H-C): the `show_if <expression>` field
property and the `excludes <field>` constraint.

* A field with `show_if` is shown only while its safe expression (domain.expressions) is true over
  the answers so far and the case data. On the server a hidden field's submitted value is dropped
  (a prefilled field keeps the case's value) and none of its constraints apply — it is never required.
* In the browser the same rule runs on a small JSON tree of the expression (`show_if_tree`), so
  fields appear and disappear as the person answers; without JavaScript every field is shown.
  Expressions outside the tree's subset (function calls, arithmetic) are left to the server.
* `excludes <field id>` on a boolean or enum field: both answered truthfully at once is refused.
"""
from __future__ import annotations

import ast
from typing import Any

from domain.expressions import ExpressionError, check_expression, evaluate

_COMPARE = {ast.Eq: "==", ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in", ast.Lt: "<", ast.LtE: "<=",
            ast.Gt: ">", ast.GtE: ">=", ast.Is: "==", ast.IsNot: "!="}


def show_if_of(properties: dict[str, str]) -> str | None:
    expression = (properties.get("show_if") or "").strip()
    return expression or None


def is_shown(expression: str | None, context: dict[str, Any]) -> bool:
    """True when the field is shown: no condition, or the condition holds (an unknown name: hidden)."""
    if expression is None:
        return True
    try:
        return bool(evaluate(expression, context))
    except ExpressionError:
        return False


def show_if_tree(expression: str, field_types: dict[str, str], data: dict[str, Any]) -> dict | None:
    """The expression as a JSON tree for the browser: names of form fields stay fields, other names
    become their value from the case data. None when the expression uses more than the subset."""
    try:
        return _node(check_expression(expression).body, field_types, data)
    except (_Unsupported, Exception):   # noqa: BLE001 - anything unexpected: the server decides
        return None


class _Unsupported(Exception):
    pass


def _node(node: ast.AST, fields: dict[str, str], data: dict[str, Any]) -> dict:
    if isinstance(node, ast.BoolOp):
        return {"op": "and" if isinstance(node.op, ast.And) else "or",
                "args": [_node(v, fields, data) for v in node.values]}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return {"op": "not", "args": [_node(node.operand, fields, data)]}
    if isinstance(node, ast.Compare):
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators):
            if type(op) not in _COMPARE:
                raise _Unsupported
            parts.append({"op": _COMPARE[type(op)], "args": [_node(left, fields, data), _node(right, fields, data)]})
            left = right
        return parts[0] if len(parts) == 1 else {"op": "and", "args": parts}
    if isinstance(node, ast.Name):
        if node.id in fields:
            return {"field": node.id, "type": fields[node.id]}
        if node.id in ("True", "False", "None"):
            return {"value": {"True": True, "False": False, "None": None}[node.id]}
        return {"value": _plain(data.get(node.id))}
    if isinstance(node, ast.Constant):
        return {"value": _plain(node.value)}
    if isinstance(node, (ast.Tuple, ast.List)):
        return {"list": [_node(e, fields, data) for e in node.elts]}
    raise _Unsupported


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise _Unsupported


def lint_show_if(expression: str) -> list[str]:
    try:
        check_expression(expression)
    except Exception as exc:   # UnsafeExpression: a clear message for the process owner
        return [f"show_if: {exc}"]
    return []


def excluded_by(value: Any, other: Any) -> bool:
    """Both answers are given truthfully (a ticked box, a chosen option)."""
    return bool(value) and bool(other)
