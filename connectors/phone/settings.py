"""Settings of the optional Asterisk ARI click-to-call adapter (H-R1.3).

A plain pydantic model so config/ can nest it in its pydantic-settings tree. Off by default:
without a PBX the technician calls from the ``tel:`` link and records the outcome by hand.
The password is a SecretStr: it prints as '**********' and is only unwrapped for the request.

Click-to-call flow: Asterisk first rings the technician's phone (``endpoint_template`` with
the technician's extension); when they pick up, it dials the customer's number as
``extension`` in ``context`` (dialplan mode). With ``app`` set, the answered channel is handed
to that Stasis application instead, with the number as ``appArgs``; ARI treats the two modes
as mutually exclusive.
"""

from __future__ import annotations

import re
from typing import Self
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,80}$")


class AriSettings(BaseModel):
    """Where and how to reach Asterisk's REST interface (``http.conf`` + ``ari.conf``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = False
    base_url: str = Field(
        default="http://127.0.0.1:8088",
        description="Asterisk HTTP server, including http.conf's prefix if any; '/ari/...' is appended",
    )
    username: str = ""
    password: SecretStr = SecretStr("")
    endpoint_template: str = Field(
        default="PJSIP/{extension}",
        description="Endpoint that rings the technician first; {extension} is their phone extension",
    )
    context: str = Field(default="default", description="Dialplan context that dials the customer")
    app: str | None = Field(default=None, description="Stasis application instead of dialplan mode")
    timeout_s: float = Field(default=10.0, gt=0, description="HTTP timeout of one ARI request")
    ring_timeout_s: int = Field(default=30, ge=1, le=300, description="ARI 'timeout': seconds to ring")
    caller_id: str | None = Field(default=None, description='ARI callerId, e.g. "Servicedesk" <70112233>')
    dial_prefix: str = Field(default="", pattern=r"^\d{0,4}$", description="Outside-line digits, e.g. '0'")
    verify_tls: bool = True

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("base_url must be http(s)://host[:port][/prefix] of Asterisk's HTTP server")
        if parsed.query or parsed.fragment or parsed.username or parsed.password:
            raise ValueError("base_url must not contain a query, fragment or credentials")
        return value.rstrip("/")

    @field_validator("endpoint_template")
    @classmethod
    def _technology_and_placeholder(cls, value: str) -> str:
        technology, _, resource = value.partition("/")
        if not technology or not resource or "{extension}" not in resource:
            raise ValueError(
                "endpoint_template must look like 'TECHNOLOGY/...{extension}...', e.g. 'PJSIP/{extension}'"
            )
        if any(char in value.replace("{extension}", "") for char in "{}"):
            raise ValueError("endpoint_template may contain no placeholder other than {extension}")
        return value

    @field_validator("context", "app")
    @classmethod
    def _dialplan_name(cls, value: str | None) -> str | None:
        if value is not None and not _NAME.match(value):
            raise ValueError("context and app must be 1-80 letters, digits, '_', '.' or '-'")
        return value

    @field_validator("caller_id")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and (not value.strip() or not value.isprintable() or len(value) > 80):
            raise ValueError("caller_id must be 1-80 printable characters")
        return value

    @model_validator(mode="after")
    def _credentials_when_enabled(self) -> Self:
        if self.enabled and (not self.username or not self.password.get_secret_value()):
            raise ValueError("username and password (ari.conf user) are required when click-to-call is enabled")
        return self
