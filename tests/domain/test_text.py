"""Issue 9: one input boundary for text — NUL and other controls never stored, line separators
never reach a mail header."""
from __future__ import annotations

from hypothesis import given, strategies as st

from domain.text import clean_header, clean_line, clean_text, clean_tree, has_controls


def test_nul_and_c0_controls_are_removed_but_tab_and_newline_kept():
    assert clean_text("a\x00b\x01c\td\ne\x7f\x9b") == "abc\td\ne"


def test_line_endings_become_lf_and_unicode_separators_too():
    assert clean_text("a\r\nb\rc\u2028d\u2029e\x85f") == "a\nb\nc\nd\ne\nf"


def test_one_line_text_has_no_breaks_and_single_spaces():
    assert clean_line("  Printer\u2028på  afsnit\r\n3 \x00 ") == "Printer på afsnit 3"


def test_lone_surrogates_are_removed():
    assert clean_text("ok\ud800") == "ok"


def test_json_trees_are_cleaned_everywhere():
    assert clean_tree({"a\x00": ["x\x00", {"b": "c\u2028"}], "n": 3}) == {"a": ["x", {"b": "c\n"}], "n": 3}


@given(st.text())
def test_a_header_never_contains_a_line_break_or_control(value):
    header = clean_header(value)
    assert not any(ch in header for ch in "\r\n\x85\u2028\u2029\x00\x0b\x0c")
    assert not has_controls(header)


@given(st.text())
def test_clean_text_is_storable_utf8_without_nul(value):
    cleaned = clean_text(value)
    assert "\x00" not in cleaned
    cleaned.encode("utf-8")
    assert clean_text(cleaned) == cleaned
