"""AR System qualifications (the ``q=`` search language) built safely, and parsed.

Serves H-R1.1 (finding the Remedy incident and its Work Info entries). Values are
quoted per AR rules (``"`` doubled inside a value), field names are quoted with
``'`` and may not contain a quote, so caller data can never change the meaning
of a qualification. Only :class:`Qualification` objects produced here can be
combined or sent by the client, never free text.

The parser and :func:`matches` implement the subset the builder emits, plus what BMC documents
around it — parentheses, ``NOT``/``!``, ``AND``/``&&``, ``OR``/``||`` in either case, evaluated in
AR's order (parentheses, NOT, relational operators, AND, OR); the simulator uses them to answer
searches like Remedy does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, NoReturn

from connectors.remedy.errors import QualificationError

Operator = Literal["=", "!=", "<", "<=", ">", ">="]
_FORBIDDEN_VALUE_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORBIDDEN_FIELD_CHARS = re.compile(r"['\"\x00-\x1f\x7f]")
_MAX_FIELD_NAME = 254
_MAX_VALUE = 4000


class Qualification(str):
    """A qualification built by this module (a ``str``, so it prints as sent)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Comparison:
    """One parsed ``'Field' OP "value"`` term."""

    field: str
    operator: Operator
    value: str


def format_ar_date(moment: datetime) -> str:
    """Render an aware datetime in BMC's documented form ``yyyy-MM-ddTHH:mm:ss.SSSZ`` (UTC)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise QualificationError("a date in a qualification must be timezone-aware")
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def quote_field(field: str) -> str:
    """Quote a field name: ``Incident Number`` -> ``'Incident Number'``."""
    if not isinstance(field, str) or not field.strip():
        raise QualificationError("field name must be a non-empty string")
    if field != field.strip():
        raise QualificationError(f"field name {field!r} has leading or trailing spaces")
    if len(field) > _MAX_FIELD_NAME:
        raise QualificationError(f"field name is longer than {_MAX_FIELD_NAME} characters")
    if _FORBIDDEN_FIELD_CHARS.search(field):
        raise QualificationError(
            f"field name {field!r} contains a quote or control character, which AR cannot quote"
        )
    return f"'{field}'"


def quote_value(value: str | datetime) -> str:
    """Quote a value for AR: wrap in double quotes and double every ``"`` inside it.

    Example: the value ``a"b`` becomes ``"a""b"``.
    """
    if isinstance(value, datetime):
        return f'"{format_ar_date(value)}"'
    if not isinstance(value, str):
        raise QualificationError(
            f"qualification values must be str or datetime, got {type(value).__name__}"
        )
    if len(value) > _MAX_VALUE:
        raise QualificationError(f"qualification value is longer than {_MAX_VALUE} characters")
    if _FORBIDDEN_VALUE_CHARS.search(value):
        raise QualificationError("qualification value contains NUL or control characters")
    return '"' + value.replace('"', '""') + '"'


def compare(field: str, operator: Operator, value: str | datetime) -> Qualification:
    """``'field' <operator> "value"`` for any supported operator."""
    if operator not in ("=", "!=", "<", "<=", ">", ">="):
        raise QualificationError(f"unsupported operator {operator!r}")
    return Qualification(f"{quote_field(field)}{operator}{quote_value(value)}")


def field_equals(field: str, value: str | datetime) -> Qualification:
    return compare(field, "=", value)


def field_gt(field: str, value: str | datetime) -> Qualification:
    return compare(field, ">", value)


def field_ge(field: str, value: str | datetime) -> Qualification:
    return compare(field, ">=", value)


def field_lt(field: str, value: str | datetime) -> Qualification:
    return compare(field, "<", value)


def and_(*parts: Qualification) -> Qualification:
    """All parts must hold. Accepts only qualifications built by this module."""
    if not parts:
        raise QualificationError("and_() needs at least one qualification")
    for part in parts:
        if not isinstance(part, Qualification):
            raise QualificationError(
                "and_() accepts only Qualification objects from this module, not raw text"
            )
    return Qualification(" AND ".join(parts))


def or_(*parts: Qualification) -> Qualification:
    """Any part holds; each part is parenthesised so AND inside it keeps its meaning."""
    if not parts:
        raise QualificationError("or_() needs at least one qualification")
    for part in parts:
        if not isinstance(part, Qualification):
            raise QualificationError(
                "or_() accepts only Qualification objects from this module, not raw text"
            )
    return Qualification(" OR ".join(f"({part})" for part in parts)) if len(parts) > 1 else parts[0]


def group(part: Qualification) -> Qualification:
    """``(part)``: keeps an OR together when it is AND-ed with more terms."""
    if not isinstance(part, Qualification):
        raise QualificationError("group() accepts only Qualification objects from this module")
    return Qualification(f"({part})")


# --- parser (used by the simulator) --------------------------------------------------

_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")


Tree = Comparison | tuple  # ("and" | "or" | "not", [Tree, ...])


def parse(text: str) -> tuple[Comparison, ...]:
    """Parse a qualification of AND-ed comparisons (parentheses allowed); OR is refused here.

    Raises :class:`QualificationError` naming the position of the first problem.
    """
    tree = parse_tree(text)
    flat: list[Comparison] = []

    def walk(node: Tree) -> None:
        if isinstance(node, Comparison):
            flat.append(node)
        elif node[0] in ("or", "not"):
            raise QualificationError(f"{node[0].upper()} is not supported here")
        else:
            for child in node[1]:
                walk(child)

    walk(tree)
    return tuple(flat)


def parse_tree(text: str) -> Tree:
    """Parse NOT/AND/OR (NOT binds tightest, then AND) with parentheses into a tree."""
    parser = _Parser(text)
    tree = parser.disjunction()
    parser.skip_space()
    if parser.pos != len(text):
        parser.fail("unexpected text after the end of the qualification")
    return tree


def evaluate(tree: Tree, values: Mapping[str, Any]) -> bool:
    if isinstance(tree, Comparison):
        return _holds(tree, values.get(tree.field))
    if tree[0] == "not":
        return not evaluate(tree[1][0], values)
    results = (evaluate(child, values) for child in tree[1])
    return all(results) if tree[0] == "and" else any(results)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, reason: str) -> NoReturn:
        raise QualificationError(f"malformed qualification at position {self.pos}: {reason}")

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def keyword(self, word: str) -> bool:
        self.skip_space()
        if self.text[self.pos : self.pos + len(word)].upper() != word:
            return False
        after = self.text[self.pos + len(word) : self.pos + len(word) + 1]
        if after not in (" ", "(", "'", "\t", "\r", "\n"):
            self.fail(f"expected {word}")
        self.pos += len(word)
        return True

    def symbol(self, text: str) -> bool:
        """BMC's symbols for the logical operators: ``||`` (OR), ``&&`` (AND), ``!`` (NOT)."""
        self.skip_space()
        if not self.text.startswith(text, self.pos) or (text == "!" and self.text.startswith("!=", self.pos)):
            return False
        self.pos += len(text)
        return True

    def disjunction(self) -> Tree:
        parts = [self.conjunction()]
        while self.keyword("OR") or self.symbol("||"):
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def conjunction(self) -> Tree:
        parts = [self.term()]
        while self.keyword("AND") or self.symbol("&&"):
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def term(self) -> Tree:
        self.skip_space()
        if self.keyword("NOT") or self.symbol("!"):
            return ("not", [self.term()])
        if self.text.startswith("(", self.pos):
            self.pos += 1
            tree = self.disjunction()
            self.skip_space()
            if not self.text.startswith(")", self.pos):
                self.fail("missing closing parenthesis")
            self.pos += 1
            return tree
        return self.comparison()

    def comparison(self) -> Comparison:
        if not self.text.startswith("'", self.pos):
            self.fail("expected a quoted field name like 'Status'")
        end = self.text.find("'", self.pos + 1)
        if end == -1:
            self.fail("unterminated field name")
        field = self.text[self.pos + 1 : end]
        if not field:
            self.fail("empty field name")
        self.pos = end + 1
        self.skip_space()
        operator = next((op for op in _OPERATORS if self.text.startswith(op, self.pos)), None)
        if operator is None:
            self.fail("expected one of = != < <= > >=")
        self.pos += len(operator)
        self.skip_space()
        return Comparison(field=field, operator=operator, value=self.string())

    def string(self) -> str:
        if not self.text.startswith('"', self.pos):
            self.fail('expected a value in double quotes')
        chunks: list[str] = []
        index = self.pos + 1
        while True:
            end = self.text.find('"', index)
            if end == -1:
                self.fail("unterminated value")
            chunks.append(self.text[index:end])
            if self.text.startswith('"', end + 1):
                chunks.append('"')
                index = end + 2
                continue
            self.pos = end + 1
            return "".join(chunks)


def comparisons(tree: Tree) -> list[Comparison]:
    """Every comparison in a tree (the simulator checks their fields and dates)."""
    if isinstance(tree, Comparison):
        return [tree]
    return [c for child in tree[1] for c in comparisons(child)]


def matches(terms: tuple[Comparison, ...], values: Mapping[str, Any]) -> bool:
    """Evaluate parsed terms against an entry's values (dates compare as dates)."""
    return all(_holds(term, values.get(term.field)) for term in terms)


def _holds(term: Comparison, actual: Any) -> bool:
    if term.operator in ("=", "!="):
        equal = actual == term.value or (isinstance(actual, int) and str(actual) == term.value)
        return equal if term.operator == "=" else not equal
    if actual is None:
        return False
    left, right = _as_date(actual), _as_date(term.value)
    if left is None or right is None:
        left, right = str(actual), term.value
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[term.operator]


def _as_date(value: Any) -> datetime | None:
    if isinstance(value, str) and value.isdigit():
        return datetime.fromtimestamp(int(value), tz=UTC)
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None
