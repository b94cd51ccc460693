"""Timers parsed at validation (issue 10; H-R1.3's contact attempts and the SLA escalations wait on
timers): durations, dates and cycles must be ISO 8601, which SpiffWorkflow runs; cron is refused
with the ISO spelling to use; a near-miss such as `P2H` or `PT2` gets the fix. Timers computed from
case data are checked for the names they read by the data-flow check."""
from __future__ import annotations

import re

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from domain.errors import UnsafeExpression
from domain.expressions import ExpressionError, check_expression, evaluate
from engine.diagram_xml import Problem

CRON = re.compile(r"^[0-9*?/,LW#A-Za-z-]+(\s+[0-9*?/,LW#A-Za-z-]+){4,6}$")
ISO_ATTEMPT = re.compile(r"^(?=.*\d)R?\d*/?P[0-9A-Za-z.,/:+-]*$")
DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
CYCLE_HINT = ("use an ISO 8601 cycle instead, e.g. R/PT5M (every 5 minutes) or "
              "R/2026-01-05T08:00:00+01:00/P1D (every day at 08:00)")


def _hint(text: str) -> str:
    core = text.split("/")[-1]
    if re.fullmatch(r"P\d+[HS]|P\d+M", core) and not re.fullmatch(r"P\d+M", core):
        return f"; hours, minutes and seconds come after T: PT{core[1:]}"
    if re.fullmatch(r"PT\d+(\.\d+)?", core):
        return f"; the number needs a unit: {core}H, {core}M or {core}S"
    if re.fullmatch(r"P\d+", core):
        return f"; the number needs a unit: {core}D, {core}W, {core}M or {core}Y"
    return "; write e.g. PT2H, PT30M, P2D or R/PT5M"


def lint_timer(name: str, node, kind: str) -> list[Problem]:
    event = node.getparent().getparent()
    element = event.get("id") or "timer"
    text = (node.text or "").strip().strip('"')

    def problem(message: str) -> list[Problem]:
        return [Problem(name, node.sourceline, element, message, event.get("name"))]

    if CRON.match(text):
        return problem(f"timer {text!r}: cron timers are not supported; {CYCLE_HINT}")
    if ISO_ATTEMPT.match(text) and not _valid_literal(kind, text):
        return problem(f"timer {text!r} is not valid ISO 8601{_hint(text)}")
    try:
        check_expression(node.text or "")
        value = evaluate(node.text or "", {})
    except UnsafeExpression as exc:
        return problem(f"timer: {exc}")
    except ExpressionError:
        return []  # computed from case data: the data-flow check covers the names it reads
    if not isinstance(value, str) or not _valid_literal(kind, value):
        return problem(f"timer {value!r} is not valid ISO 8601; write e.g. PT10M or \"PT10M\"")
    return []


def _valid_literal(kind: str, value: str) -> bool:
    try:
        if kind == "timeDuration":
            TimerEventDefinition.parse_iso_duration(value)
            return bool(DURATION.match(value))
        if kind == "timeDate":
            TimerEventDefinition.get_datetime(value)
            return True
        TimerEventDefinition.parse_iso_recurring_interval(value)
        return True
    except Exception:  # the library raises plain Exception/ValueError/TypeError variants
        return False
