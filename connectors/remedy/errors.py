"""Errors raised by the BMC Remedy connector (H-R1.1: Work Info is mirrored to Remedy).

The outbox dispatcher retries only :class:`RemedyTransientError`; every other
:class:`RemedyError` is permanent and needs a human (or a code fix).

Hierarchy::

    RemedyError
    ├── RemedyApiError            an HTTP exchange failed; carries status + AR messages
    │   ├── RemedyTransientError  AR timeouts/busy (ARERR 90-94, 9093), non-AR 5xx,
    │   │                         timeouts, connection errors  -> retry later
    │   └── RemedyPermanentError  any other AR message, at 400 or 500 alike; non-AR 4xx
    │                             (401 only after one re-login)  -> do not retry
    │       └── RemedyAuthError   login refused / token refused twice
    ├── RemedyDataError           Remedy answered, but the data is unusable
    └── RemedyUsageError          the caller passed something we cannot send
        └── QualificationError    a qualification could not be built or parsed
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

_MAX_TEXT = 300


@dataclass(frozen=True, slots=True)
class ArMessage:
    """One entry of the AR System status list that Remedy returns on errors."""

    message_type: str
    text: str
    appended_text: str | None = None
    number: int | None = None

    def __str__(self) -> str:
        number = f" {self.number}" if self.number is not None else ""
        appended = f" ({self.appended_text})" if self.appended_text else ""
        return f"{self.message_type}{number}: {self.text}{appended}"

    def to_json(self) -> dict[str, object]:
        return {
            "messageType": self.message_type,
            "messageText": self.text,
            "messageAppendedText": self.appended_text,
            "messageNumber": self.number,
        }


class RemedyError(Exception):
    """Base class of every error of the Remedy connector."""


class RemedyApiError(RemedyError):
    """An HTTP exchange with Remedy failed.

    ``status`` is the HTTP status (None when no response arrived) and
    ``messages`` the parsed AR status list (possibly empty).
    """

    def __init__(
        self,
        status: int | None,
        messages: Sequence[ArMessage] = (),
        detail: str | None = None,
    ) -> None:
        self.status = status
        self.messages = tuple(messages)
        self.detail = detail
        super().__init__(self._describe())

    def __reduce__(self) -> tuple[object, ...]:
        # keeps status/messages when the error crosses a process boundary (Prefect, outbox)
        return (type(self), (self.status, self.messages, self.detail))

    @property
    def message_numbers(self) -> tuple[int, ...]:
        return tuple(m.number for m in self.messages if m.number is not None)

    def _describe(self) -> str:
        head = f"Remedy HTTP {self.status}" if self.status is not None else "Remedy unreachable"
        parts = [str(m) for m in self.messages]
        if self.detail:
            parts.append(self.detail)
        text = "; ".join(parts) if parts else "no error details in response"
        return f"{head}: {text}"[:_MAX_TEXT * 2]


class RemedyTransientError(RemedyApiError):
    """A fault that may go away by itself (5xx, timeout, connection refused)."""


class RemedyPermanentError(RemedyApiError):
    """A fault that will repeat on retry (bad request, unknown form/entry, forbidden)."""


class RemedyAuthError(RemedyPermanentError):
    """Remedy refused the credentials, or refused a fresh token."""


class RemedyDataError(RemedyError):
    """Remedy answered, but the data is missing required parts or has unknown values."""


class RemedyUsageError(RemedyError, ValueError):
    """The caller passed a value the connector refuses to send (e.g. a bad form name)."""


class QualificationError(RemedyUsageError):
    """A qualification could not be built (bad field name/value) or parsed."""


def parse_ar_messages(body: bytes | str) -> tuple[ArMessage, ...]:
    """Parse the AR status list ``[{"messageType", "messageText", ...}]``.

    Returns an empty tuple when the body is not such a list (e.g. an HTML page
    from a proxy); callers then report the HTTP status and a body excerpt.
    """
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ()
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return ()
    messages = []
    for item in data:
        if not isinstance(item, dict) or "messageText" not in item:
            continue
        number = item.get("messageNumber")
        appended = item.get("messageAppendedText")
        messages.append(
            ArMessage(
                message_type=str(item.get("messageType") or "ERROR")[:_MAX_TEXT],
                text=str(item.get("messageText"))[:_MAX_TEXT],
                appended_text=str(appended)[:_MAX_TEXT] if appended is not None else None,
                number=number if isinstance(number, int) and not isinstance(number, bool) else None,
            )
        )
    return tuple(messages)


# AR message numbers that say "try again later" (BMC ARERR list): network, RPC and busy-server
# timeouts, and one user's overlapping sessions. Every other AR message is permanent.
TRANSIENT_AR_NUMBERS = frozenset({90, 91, 92, 93, 94, 9093})
# AR message numbers about who is calling: bad user/password, expired or unknown token.
AUTH_AR_NUMBERS = frozenset({623})


def error_for_status(
    status: int, messages: Sequence[ArMessage], *, detail: str | None = None
) -> RemedyApiError:
    """Choose the error class for a non-2xx response, by AR ``messageNumber`` first.

    BMC documents HTTP 500 as "the default response for any error", so the status alone says
    little: with an AR status list, authentication numbers are :class:`RemedyAuthError`, the
    network/timeout/busy numbers are transient and everything else (unknown form or field,
    qualification syntax, required fields, filter/workflow messages) is permanent — the same
    whether the server answers 400 or 500. Without an AR list (a proxy's HTML page, an empty
    body) 5xx, 408 and 429 are transient and other 4xx permanent; 401 is always authentication.
    """
    numbers = {m.number for m in messages if m.number is not None}
    if status == 401 or numbers & AUTH_AR_NUMBERS:
        return RemedyAuthError(status, messages, detail=detail)
    if numbers:
        if numbers <= TRANSIENT_AR_NUMBERS:
            return RemedyTransientError(status, messages, detail=detail)
        return RemedyPermanentError(status, messages, detail=detail)
    if status >= 500 or status in (408, 429):
        return RemedyTransientError(status, messages, detail=detail)
    return RemedyPermanentError(status, messages, detail=detail)
