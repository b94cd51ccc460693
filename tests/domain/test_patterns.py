"""Issue 9 (ReDoS): form `pattern`s run on a linear-time engine (RE2); patterns RE2 cannot run in
linear time are refused at diagram validation with a hint, never at a customer's submission."""
from __future__ import annotations

import time

import pytest

from domain.errors import FormInvalid
from domain.forms import Constraint, FieldSpec, FormSpec, lint_form, validate_submission


class NoDirectory:
    def is_member(self, username: str, team: str) -> bool:
        return False


def _form(pattern: str) -> FormSpec:
    return FormSpec(fields=[FieldSpec(id="socket_number", type="string", label="Stiknummer",
                                      constraints=[Constraint(name="pattern", config=pattern)])])


def test_a_catastrophic_backtracking_pattern_matches_in_linear_time():
    form = _form("(a+)+$")
    assert lint_form(form) == []
    started = time.perf_counter()
    with pytest.raises(FormInvalid) as err:
        validate_submission(form, {"socket_number": "a" * 28 + "!"}, {}, directory=NoDirectory())
    with pytest.raises(FormInvalid):
        validate_submission(form, {"socket_number": "a" * 19_000 + "!"}, {}, directory=NoDirectory())
    assert time.perf_counter() - started < 0.5            # Python's re: ~20 s for the first, for ever for the second
    assert err.value.errors == {"socket_number": "Har ikke det rigtige format."}
    assert validate_submission(form, {"socket_number": "aaaa"}, {}, directory=NoDirectory()) == {"socket_number": "aaaa"}


@pytest.mark.parametrize("pattern, hint", [
    (r"(\d)\1", "back-references cannot run in linear time"),
    (r"(?=\d{2})\d+", "look-ahead/look-behind cannot run in linear time"),
    (r"[a-", "missing ]"),
])
def test_patterns_without_a_linear_time_guarantee_are_refused_at_validation(pattern, hint):
    [problem] = lint_form(_form(pattern))
    assert problem.startswith("field socket_number: constraint pattern: invalid config") and hint in problem


def test_danish_letters_still_match():
    form = _form(r"[0-9A-Za-zæøåÆØÅ\- ]{2,20}")
    assert validate_submission(form, {"socket_number": "60-143B Ø"}, {}, directory=NoDirectory())
