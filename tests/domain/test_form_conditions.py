"""Forms that follow the answers (issue 12; H-V1.1, H-R1.2, H-R1.3, H-C): show_if hides a field,
a hidden field's value is dropped and it is never required; excludes refuses contradictory answers;
show_if is linted like required_if; the browser's tree says the same as the server."""
from __future__ import annotations

import pytest

from domain.errors import FormInvalid
from domain.form_conditions import is_shown, show_if_tree
from domain.forms import Constraint, FieldSpec, FormSpec, Option, lint_form, validate_submission


class NoDirectory:
    def is_member(self, username, team):
        return False


FORM = FormSpec(fields=[
    FieldSpec(id="outcome", type="enum", label="Næste skridt", options=[Option(id="resolved", name="Løst"),
                                                                          Option(id="escalate", name="Eskalér")],
              constraints=[Constraint(name="required")]),
    FieldSpec(id="solution", type="string", label="Løsning", properties={"show_if": 'outcome == "resolved"'},
              constraints=[Constraint(name="required"), Constraint(name="minlength", config="10")]),
    FieldSpec(id="waiver", type="boolean", label="Fravælg test", properties={"show_if": 'outcome == "resolved"'}),
    FieldSpec(id="reason", type="string", label="Hvorfor", properties={"show_if": 'outcome == "escalate"'},
              constraints=[Constraint(name="required_if", config='outcome == "escalate"')]),
    FieldSpec(id="owner", type="string", label="Ejer", properties={"show_if": 'outcome == "escalate"', "prefill": "true"}),
])


def validate(data, current=None):
    return validate_submission(FORM, data, current or {}, directory=NoDirectory())


def test_h_r1_2_a_hidden_field_is_dropped_and_never_required():
    values = validate({"outcome": "escalate", "reason": "Kræver leverandør", "solution": "x", "waiver": "true"})
    assert values["solution"] is None and values["waiver"] is None   # hidden: the submitted values are dropped
    assert values["reason"] == "Kræver leverandør"
    # the shown field's constraints still apply
    with pytest.raises(FormInvalid) as refused:
        validate({"outcome": "resolved", "solution": "kort"})
    assert set(refused.value.errors) == {"solution"}


def test_h_r1_2_a_hidden_prefilled_field_keeps_the_case_value():
    values = validate({"outcome": "resolved", "solution": "Genstartet serveren", "owner": "ny"}, {"owner": "app.tekniker"})
    assert values["owner"] == "app.tekniker"


def test_h_r1_3_mutually_exclusive_answers_are_refused_with_a_clear_message():
    form = FormSpec(fields=[
        FieldSpec(id="confirmed", type="boolean", label="Kunden bekræfter, at sagen er løst"),
        FieldSpec(id="unsolved", type="boolean", label="Kunden oplyser, at problemet ikke er løst",
                  constraints=[Constraint(name="excludes", config="confirmed")])])
    with pytest.raises(FormInvalid) as refused:
        validate_submission(form, {"confirmed": True, "unsolved": True}, {}, directory=NoDirectory())
    assert refused.value.errors == {"unsolved": "Kan ikke vælges sammen med »Kunden bekræfter, at sagen er løst«; vælg ét af dem."}
    assert validate_submission(form, {"confirmed": True, "unsolved": False}, {}, directory=NoDirectory())["confirmed"]


def test_show_if_and_excludes_are_linted_like_required_if():
    bad = FormSpec(fields=[FieldSpec(id="a", type="string", label="A", properties={"show_if": "__import__('os')"}),
                           FieldSpec(id="b", type="boolean", label="B",
                                     constraints=[Constraint(name="excludes", config="nope")])])
    problems = lint_form(bad)
    assert any(p.startswith("field a: show_if:") for p in problems)
    assert "field b: excludes needs the id of another field of this form" in problems
    assert lint_form(FORM) == []


@pytest.mark.parametrize("expression, names", [
    ('outcome == "resolved"', {"outcome": "resolved"}),
    ('outcome in ("a", "b") and not done', {"outcome": "b", "done": False}),
    ("documentation_changed == True", {"documentation_changed": True}),
    ("count >= 2 or team != 'unix'", {"count": 1, "team": "unix"}),
])
def test_the_browser_tree_is_the_server_expression(expression, names):
    tree = show_if_tree(expression, {k: "string" for k in names}, {})
    assert tree is not None
    assert _run(tree, names) == is_shown(expression, names)


def test_names_outside_the_form_become_case_values_and_calls_are_left_to_the_server():
    assert show_if_tree("team == 'unix'", {}, {"team": "unix"}) == {
        "op": "==", "args": [{"value": "unix"}, {"value": "unix"}]}
    assert show_if_tree("len(note) > 3", {"note": "string"}, {}) is None
    assert is_shown("unknown_name == 1", {}) is False


def _run(node, values):   # the same semantics as web/static/forms.js
    if "field" in node:
        return values.get(node["field"])
    if "value" in node:
        return node["value"]
    if "list" in node:
        return [_run(n, values) for n in node["list"]]
    a = [_run(n, values) for n in node["args"]]
    return {"and": lambda: all(a), "or": lambda: any(a), "not": lambda: not a[0], "==": lambda: a[0] == a[1],
            "!=": lambda: a[0] != a[1], "in": lambda: a[0] in a[1], "not in": lambda: a[0] not in a[1],
            "<": lambda: a[0] < a[1], "<=": lambda: a[0] <= a[1], ">": lambda: a[0] > a[1],
            ">=": lambda: a[0] >= a[1]}[node["op"]]()
