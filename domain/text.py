"""The one input boundary for text (issue 9; H-R1.1: Work Info must be storable and readable).

Everything people or other systems send us — web forms, the REST API, the CLI, inbound mail, the
Remedy import — passes `clean_text` (free text) or `clean_line` (one line: summaries, names) before
it is stored, and `clean_header` before it becomes part of a mail header. The same rules on SQLite
and PostgreSQL (which cannot store NUL at all):

* NUL and the other C0 controls except tab and newline, DEL, the C1 controls, lone surrogates and
  the bidirectional marks and overrides (text that reads differently than it is) are removed;
* CR LF and lone CR become LF; the Unicode line and paragraph separators (U+2028, U+2029) and
  NEL (U+0085) become LF in free text and a space in one-line text;
* a header never contains any line break at all (RFC 5322 header injection), whatever the source.
"""
from __future__ import annotations

import re

_REMOVED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x84\x86-\x9f\ud800-\udfff"
                      "\u200e\u200f\u202a-\u202e\u2066-\u2069]")   # + bidi marks and overrides
_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")
_ANY_BREAK = re.compile("[\n\r\x85\u2028\u2029\x0b\x0c\x1c-\x1e]+")
_SPACES = re.compile(r"[ \t]+")


def clean_text(value: str) -> str:
    """Free text (notes, mail bodies, descriptions): storable everywhere, line breaks as LF."""
    if not isinstance(value, str):
        raise TypeError("text expected")
    return _REMOVED.sub("", _LINE_BREAKS.sub("\n", value))


def clean_line(value: str) -> str:
    """One line (summary, name, subject): every line break becomes a space, runs of blanks one space."""
    return _SPACES.sub(" ", clean_text(value).replace("\n", " ").replace("\t", " ")).strip()


def clean_header(value: str) -> str:
    """Text for a mail header: one line with no CR, LF, NEL, U+2028/U+2029 or other control."""
    return clean_line(_ANY_BREAK.sub(" ", value))


def has_controls(value: str) -> bool:
    """True when `clean_text` would change the text (for boundaries that refuse instead of clean)."""
    return bool(_REMOVED.search(value))


def clean_tree(value):
    """`clean_text` applied to every string inside parsed JSON (dict keys included)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_tree(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k) if isinstance(k, str) else k: clean_tree(v) for k, v in value.items()}
    return value
