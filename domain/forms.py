"""Form definitions as data and their server-side validation (H-V1, H-V1.1, H-V2).

Forms live in the diagrams (Camunda `formData`), so a process owner changes questions without code.
Constraint vocabulary (camunda:constraint name / config):
  required · required_if <expr> · minlength N · maxlength N · min N · max N · pattern <regex>
  min_items "N" or "N if <expr>"  (non-empty lines, or ';'-separated entries)
  must_be_true · team_member <data key holding a team> · differs_from <data key>
Field property `prefill=true`: the field starts from the case data and keeps it when not submitted.
Field property `prefill_from <expr>`: without a value of its own in the case data, the field starts from
this expression over the case data (e.g. a proposal carried over from Remedy); an expression that cannot
be evaluated, or an enum value the field does not offer, proposes nothing.
Field property `error_<constraint>`: a custom error message.
Field property `show_if <expr>`: shown only while the expression holds; a hidden field's value is
dropped and it is never required (domain.form_conditions). Constraint `excludes <field>`: refused
when both this field and that one are answered truthfully.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from domain.errors import FormInvalid, UnsafeExpression
from domain.expressions import ExpressionError, check_expression, evaluate
from domain.form_conditions import excluded_by, is_shown, lint_show_if, show_if_of
from domain.patterns import PatternError, compile_pattern, fullmatch as pattern_fullmatch

FieldType = Literal["string", "long", "boolean", "date", "enum"]
CONSTRAINTS = {"required", "required_if", "minlength", "maxlength", "min", "max", "pattern",
               "min_items", "must_be_true", "team_member", "differs_from", "readonly", "excludes"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRUE = {"true", "1", "on", "yes", "ja"}
_FALSE = {"false", "0", "off", "no", "nej", ""}
MAX_TEXT = 20000


class Option(BaseModel):
    id: str
    name: str


class Constraint(BaseModel):
    name: str
    config: str | None = None


class FieldSpec(BaseModel):
    id: str
    type: FieldType
    label: str
    default: str | None = None
    options: list[Option] = []
    constraints: list[Constraint] = []
    properties: dict[str, str] = {}

    @property
    def required(self) -> bool:
        return any(c.name == "required" for c in self.constraints)

    @property
    def prefill(self) -> bool:
        return self.properties.get("prefill", "").lower() == "true"

    @property
    def show_if(self) -> str | None:
        return show_if_of(self.properties)

    def starting_value(self, data: dict[str, Any]) -> Any:
        """What the field shows (and takes when not submitted): its own case data when prefilled,
        else the value of ``prefill_from``, else its default."""
        if self.prefill and data.get(self.id) is not None:
            return data[self.id]
        proposal = self.properties.get("prefill_from")
        if proposal:
            try:
                value = evaluate(proposal, data)
            except (ExpressionError, UnsafeExpression):
                value = None
            if value is not None and (self.type != "enum" or str(value) in {o.id for o in self.options}):
                return value
        return self.default


class FormSpec(BaseModel):
    fields: list[FieldSpec] = []

    def field(self, field_id: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.id == field_id), None)


class MemberDirectory(Protocol):
    def is_member(self, username: str, team: str) -> bool: ...


def lint_form(form: FormSpec) -> list[str]:
    """Problems in a form definition (checked at diagram validation)."""
    problems: list[str] = []
    seen: set[str] = set()
    for f in form.fields:
        if f.id in seen:
            problems.append(f"field {f.id}: duplicate field id")
        seen.add(f.id)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", f.id or ""):
            problems.append(f"field {f.id!r}: ids must be lower-case English identifiers")
        if f.type == "enum" and not f.options:
            problems.append(f"field {f.id}: enum without values")
        for c in f.constraints:
            problems.extend(f"field {f.id}: {p}" for p in _lint_constraint(c))
            if c.name == "excludes" and c.config not in {other.id for other in form.fields}:
                problems.append(f"field {f.id}: excludes needs the id of another field of this form")
        if f.show_if:
            problems.extend(f"field {f.id}: {p}" for p in lint_show_if(f.show_if))
        if "prefill_from" in f.properties:
            try:
                check_expression(f.properties["prefill_from"])
            except UnsafeExpression as exc:
                problems.append(f"field {f.id}: prefill_from: {exc}")
    return problems


def _lint_constraint(c: Constraint) -> list[str]:
    if c.name not in CONSTRAINTS:
        return [f"unknown constraint {c.name!r} (known: {', '.join(sorted(CONSTRAINTS))})"]
    try:
        if c.name in ("minlength", "maxlength", "min", "max"):
            int(c.config or "")
        elif c.name == "pattern":
            compile_pattern(c.config or "")   # RE2: linear time, or refused here
        elif c.name == "required_if":
            check_expression(c.config or "")
        elif c.name == "min_items":
            _parse_min_items(c.config)
        elif c.name in ("team_member", "differs_from") and not (c.config or "").isidentifier():
            return [f"{c.name} needs the name of a data key as config"]
    except (ValueError, PatternError, UnsafeExpression) as exc:
        return [f"constraint {c.name}: invalid config {c.config!r}: {exc}"]
    return []


def _parse_min_items(config: str | None) -> tuple[int, str | None]:
    count, _, condition = (config or "").partition(" if ")
    return int(count.strip()), (check_expression(condition.strip()) and condition.strip()) if condition else None


def _clean_text(value: Any) -> str | None:
    text = _CONTROL.sub("", str(value)).strip()
    return text[:MAX_TEXT] if text else None


def _coerce(f: FieldSpec, value: Any) -> Any:
    """Convert a submitted value to the field's type or raise ValueError with a Danish message."""
    if value is None or (isinstance(value, str) and value.strip() == "" and f.type != "boolean"):
        return None
    if f.type == "string":
        if isinstance(value, (dict, list)):
            raise ValueError("Skal være tekst.")
        text = _clean_text(value)
        if text and any(c.name == "team_member" for c in f.constraints):
            return text.lower()   # usernames match case-insensitively ("App.Koordinator")
        return text
    if f.type == "long":
        if isinstance(value, bool) or not re.fullmatch(r"\s*-?\d{1,12}\s*", str(value)):
            raise ValueError("Skal være et helt tal.")
        return int(value)
    if f.type == "boolean":
        if isinstance(value, bool):
            return value
        lowered = str(value).strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError("Skal være ja eller nej.")
    if f.type == "date":
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValueError("Skal være en dato (ÅÅÅÅ-MM-DD).") from None
    if f.type == "enum":
        ids = [o.id for o in f.options]
        if str(value) not in ids:
            raise ValueError(f"Ugyldigt valg; vælg en af: {', '.join(ids)}.")
        return str(value)
    raise ValueError(f"Ukendt felttype {f.type}.")


def _items(value: Any) -> list[str]:
    if not value:
        return []
    return [p.strip() for p in re.split(r"[\n;]", str(value)) if p.strip()]


def validate_submission(form: FormSpec, submitted: dict[str, Any], current: dict[str, Any], *,
                        directory: MemberDirectory) -> dict[str, Any]:
    """Coerce and validate; return a value for EVERY field of the form or raise FormInvalid."""
    if not isinstance(submitted, dict):
        raise FormInvalid({"_form": "Data skal være et JSON-objekt med feltnavne som nøgler."})
    errors: dict[str, str] = {}
    known = {f.id for f in form.fields}
    for key in submitted:
        if key not in known:
            errors[str(key)[:80]] = "Ukendt felt i denne formular."
    values: dict[str, Any] = {}
    for f in form.fields:
        raw = submitted.get(f.id)
        if f.id not in submitted:
            raw = f.starting_value(current)
        try:
            values[f.id] = _coerce(f, raw)
        except ValueError as exc:
            errors[f.id] = str(exc)
            values[f.id] = None
    context = {**current, **values}
    hidden = set()
    for f in form.fields:   # in form order, so a field hidden by a hidden field is hidden too
        if not is_shown(f.show_if, context):
            hidden.add(f.id)
            values[f.id] = current.get(f.id) if f.prefill else None
            context[f.id] = values[f.id]
            errors.pop(f.id, None)
    for f in form.fields:
        if f.id in errors or f.id in hidden:
            continue
        message = _check_constraints(f, values[f.id], context, directory) or _excluded(form, f, values, hidden)
        if message:
            errors[f.id] = f.properties.get(f"error_{message[0]}", message[1])
    if errors:
        raise FormInvalid(errors)
    return values


def _excluded(form: FormSpec, f: FieldSpec, values: dict[str, Any], hidden: set[str]) -> tuple[str, str] | None:
    for c in f.constraints:
        other = form.field(c.config or "") if c.name == "excludes" else None
        if other is not None and other.id not in hidden and excluded_by(values.get(f.id), values.get(other.id)):
            return "excludes", f"Kan ikke vælges sammen med »{other.label}«; vælg ét af dem."
    return None


def _check_constraints(f: FieldSpec, value: Any, context: dict[str, Any],
                       directory: MemberDirectory) -> tuple[str, str] | None:
    for c in f.constraints:
        name, config = c.name, c.config
        if name == "required" and value is None:
            return name, "Feltet skal udfyldes."
        if name == "required_if" and value is None and _truthy(config, context):
            return name, "Feltet skal udfyldes i denne situation."
        if value is None:
            continue
        if name == "minlength" and len(str(value)) < int(config):
            return name, f"Skal være mindst {config} tegn."
        if name == "maxlength" and len(str(value)) > int(config):
            return name, f"Må højst være {config} tegn."
        if name == "min" and value < int(config):
            return name, f"Skal være mindst {config}."
        if name == "max" and value > int(config):
            return name, f"Må højst være {config}."
        if name == "pattern" and not pattern_fullmatch(config, str(value)):
            return name, "Har ikke det rigtige format."
        if name == "must_be_true" and value is not True:
            return name, "Skal bekræftes, før du kan fortsætte."
        if name == "team_member":
            team = context.get(config)
            if not team or not directory.is_member(str(value), str(team)):
                return name, f"{value} er ikke koordinator eller medlem af teamet {team or '(intet team valgt)'}."
            absent = getattr(directory, "absence_reason", None)   # issue 13: no new work for the absent
            if absent is not None and (reason := absent(str(value))):
                return name, reason
        if name == "differs_from" and value == context.get(config):
            return name, "Skal være forskellig fra den nuværende værdi."
    for c in f.constraints:
        if c.name == "min_items":
            count, condition = _parse_min_items(c.config)
            if (condition is None or _truthy(condition, context)) and len(_items(value)) < count:
                return "min_items", (f"Angiv mindst {count} (én pr. linje)"
                                     + (f", når {condition}." if condition else "."))
    return None


def _truthy(expression: str, context: dict[str, Any]) -> bool:
    try:
        return bool(evaluate(expression, context))
    except ExpressionError:
        return False
