"""Domain errors: every refusal carries a clear, user-facing message (bad input changes nothing)."""
from __future__ import annotations


class SagsflowError(Exception):
    """Base class; `code` is stable for API/CLI clients."""

    code = "error"


class NotFound(SagsflowError):
    code = "not_found"


class Forbidden(SagsflowError):
    """The user may not do this (wrong role or team)."""

    code = "forbidden"


class InvalidState(SagsflowError):
    """The action does not fit the current state (task already completed, case closed …)."""

    code = "invalid_state"


class ConcurrencyConflict(SagsflowError):
    """Someone else changed the same instance first; retry with fresh data."""

    code = "conflict"


class UnsafeExpression(SagsflowError):
    code = "unsafe_expression"


class FormInvalid(SagsflowError):
    """Per-field validation errors: {field_id: message}."""

    code = "invalid_form"

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
