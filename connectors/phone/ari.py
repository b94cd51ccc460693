"""Optional click-to-call through the Asterisk REST Interface (ARI) (H-R1.3).

``originate_call`` asks Asterisk to ring the technician's own phone and, once they answer,
to dial the customer: ``POST {base_url}/ari/channels`` ("Create a new channel (originate)",
Asterisk Channels REST API) with the query parameters ``endpoint`` (the technician's phone,
from ``endpoint_template``), ``extension`` (the customer's number, national 8 digits after
``dial_prefix``), ``context``, ``priority=1``, ``timeout`` (seconds to ring) and ``callerId``
(when configured); the case number travels as the channel variable ``SAGSFLOW_CASE`` in the
JSON body ``{"variables": {...}}``. With ``AriSettings.app`` set, ``app``/``appArgs`` replace
``extension``/``context``/``priority``. An optional ``channel_id`` is sent as ``channelId``,
which makes a repeated click idempotent: Asterisk answers 409 instead of ringing twice.

Authentication: HTTP basic auth with the ari.conf user. ARI also accepts
``?api_key=user:password``, but that puts the password into URLs (and access logs), so it is
not used.

Errors (ARI answers errors as JSON ``{"message": "..."}``): 401/403 -> AriAuthError;
400/404/409 and other 4xx -> AriPermanentError carrying the message; 5xx, timeouts and
connection errors -> AriTransientError. "Transient" means trying again later may work; an
originate is never retried automatically (a timed-out request may still have rung the phone).
The customer's number is validated before any request and never logged or put into an error:
requests' own exceptions quote the URL (with the number), so they are not chained.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import requests
from requests.auth import HTTPBasicAuth

from connectors.phone.outcomes import PhoneError, mask_phone, normalize_danish_number, redact_phone_numbers
from connectors.phone.settings import AriSettings

__all__ = [
    "CASE_VARIABLE", "AriAuthError", "AriDisabledError", "AriError", "AriPermanentError", "AriRequestError",
    "AriSettings", "AriTransientError", "originate_call",
]

log = logging.getLogger(__name__)

CHANNELS_PATH = "/ari/channels"
CASE_VARIABLE = "SAGSFLOW_CASE"
_TOKEN = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")
_CHANNEL_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")


class AriError(PhoneError):
    """Base class of the ARI adapter's errors."""


class AriDisabledError(AriError):
    """Click-to-call is switched off; the technician calls via the tel: link instead."""


class AriRequestError(AriError, ValueError):
    """The call request itself is invalid (extension, case number, channel id); nothing was sent."""


class AriPermanentError(AriError):
    """Asterisk refused the request; sending it again unchanged will not help."""

    def __init__(self, message: str, *, status: int | None = None, ari_message: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.ari_message = ari_message


class AriAuthError(AriPermanentError):
    """Asterisk rejected the ari.conf credentials (HTTP 401/403)."""


class AriTransientError(AriError):
    """Asterisk was unreachable, too slow or failed internally; a later attempt may work."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _checked(name: str, value: str, pattern: re.Pattern[str], rule: str) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise AriRequestError(f"{name} must be {rule}")
    return value


def originate_call(
    settings: AriSettings,
    *,
    technician_extension: str,
    customer_number: str,
    case_number: str,
    channel_id: str | None = None,
) -> str:
    """Ring the technician's phone, then connect it to the customer; returns ARI's channel id.

    Raises AriDisabledError, InvalidPhoneNumberError or AriRequestError (bad input, nothing
    sent), AriAuthError, AriPermanentError or AriTransientError.
    """
    if not settings.enabled:
        raise AriDisabledError("click-to-call is disabled (AriSettings.enabled is false); call via the tel: link")
    number = settings.dial_prefix + normalize_danish_number(customer_number)
    _checked("technician_extension", technician_extension, _TOKEN, "1-40 letters, digits, '_', '.' or '-'")
    _checked("case_number", case_number, _TOKEN, "1-40 letters, digits, '_', '.' or '-'")
    if channel_id is not None:
        _checked("channel_id", channel_id, _CHANNEL_ID, "1-128 letters, digits, '_', '.' or '-'")

    params: dict[str, Any] = {"endpoint": settings.endpoint_template.format(extension=technician_extension)}
    if settings.app is None:
        params.update(extension=number, context=settings.context, priority=1)
    else:
        params.update(app=settings.app, appArgs=number)
    params["timeout"] = settings.ring_timeout_s
    if settings.caller_id is not None:
        params["callerId"] = settings.caller_id
    if channel_id is not None:
        params["channelId"] = channel_id

    body = _request(settings, "POST", CHANNELS_PATH, params=params, json={"variables": {CASE_VARIABLE: case_number}})
    new_id = body.get("id") if isinstance(body, dict) else None
    if not isinstance(new_id, str) or not new_id:
        raise AriPermanentError("ARI accepted the originate but returned no channel id; check the PBX before retrying")
    log.info("ARI originate for case %s to %s: channel %s", case_number, mask_phone(number), new_id)
    return new_id


def _request(settings: AriSettings, method: str, path: str, **kwargs: Any) -> Any:
    where = settings.base_url.split("://", 1)[1]
    try:
        response = requests.request(
            method,
            settings.base_url + path,
            auth=HTTPBasicAuth(settings.username, settings.password.get_secret_value()),
            timeout=settings.timeout_s,
            verify=settings.verify_tls,
            **kwargs,
        )
    except requests.Timeout:
        raise AriTransientError(f"ARI at {where} did not answer within {settings.timeout_s} s") from None
    except requests.RequestException as error:  # connection refused, reset, DNS, broken response
        raise AriTransientError(f"cannot reach ARI at {where} ({type(error).__name__})") from None

    if response.status_code < 300:
        try:
            return response.json()
        except ValueError:
            raise AriPermanentError(
                f"ARI answered HTTP {response.status_code} without JSON; check the PBX before retrying",
                status=response.status_code,
            ) from None
    message = _ari_message(response)
    if response.status_code in (401, 403):
        raise AriAuthError(
            f"ARI rejected the credentials of user {settings.username!r} (HTTP {response.status_code}): {message}",
            status=response.status_code, ari_message=message,
        )
    if response.status_code >= 500:
        raise AriTransientError(f"ARI failed (HTTP {response.status_code}): {message}", status=response.status_code)
    raise AriPermanentError(
        f"ARI refused the request (HTTP {response.status_code}): {message}",
        status=response.status_code, ari_message=message,
    )


def _ari_message(response: requests.Response) -> str:
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        message = None
    if not isinstance(message, str) or not message.strip():
        message = response.reason or "no message"
    return redact_phone_numbers(message.strip())[:300]
