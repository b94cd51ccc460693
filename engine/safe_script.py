"""The script engine every workflow runs with: safe expressions only, no script execution.

Diagram authors get no arbitrary Python (see domain.expressions). SpiffWorkflow gives a workflow
a fresh, unrestricted engine after deserialization, so engine.py re-attaches this one after every
load (reference/spiffworkflow.md §1.3).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from domain.errors import UnsafeExpression
from domain.expressions import evaluate


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression, context, external_context=None):
        names = {**(external_context or {}), **context}
        return evaluate(expression, names)

    def execute(self, script, context, external_context=None):
        raise UnsafeExpression("script tasks are not allowed; use a service task with a topic")

    def call_service(self, context, **kwargs):
        raise UnsafeExpression("service calls go through service-task topics")


def safe_script_engine() -> PythonScriptEngine:
    return PythonScriptEngine(environment=SafeEnvironment())
