"""Form `pattern` constraints run on RE2, a linear-time regular-expression engine (issue 9: a
diagram must not be able to block the process with a catastrophic-backtracking pattern such as
`(a+)+$`). H-V1.1 / H-V2: the triage forms' format rules come from the diagrams, so process owners
write them; RE2 guarantees that matching time grows linearly with the input. Features RE2 cannot
run in linear time (back-references, look-around) are refused at diagram validation with a hint."""
from __future__ import annotations

from functools import lru_cache

import re2

MAX_PATTERN = 500
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False   # a bad pattern is reported to the author, not written to stderr


class PatternError(ValueError):
    """The pattern cannot be used (syntax, or a feature without a linear-time guarantee)."""


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str):
    if not isinstance(pattern, str) or not pattern:
        raise PatternError("empty pattern")
    if len(pattern) > MAX_PATTERN:
        raise PatternError(f"pattern longer than {MAX_PATTERN} characters")
    try:
        return re2.compile(pattern, options=_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        hint = ""
        if "(?=" in pattern or "(?!" in pattern or "(?<" in pattern:
            hint = "; look-ahead/look-behind cannot run in linear time — describe the format without them"
        elif "\\1" in pattern or "(?P=" in pattern:
            hint = "; back-references cannot run in linear time — describe the format without them"
        raise PatternError(f"{detail}{hint}") from None


def fullmatch(pattern: str, value: str) -> bool:
    """True when the whole value matches (linear time in len(value))."""
    return compile_pattern(pattern).fullmatch(value) is not None
