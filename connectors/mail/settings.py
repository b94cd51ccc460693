"""Connection settings of the mail connector (H-R1.3, H-R1.4, H-C2).

Plain pydantic models so config/ can nest them in its pydantic-settings tree.
Passwords are SecretStr: they print as '**********' and are only unwrapped at login.
TLS always verifies the server certificate; `ca_file` adds a private CA (or a test
server's self-signed certificate) instead of switching verification off.
"""

from __future__ import annotations

from email.headerregistry import Address
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

Security = Literal["none", "starttls", "ssl"]


def _check_credentials(username: str | None, password: SecretStr | None) -> None:
    if (username is None) != (password is None):
        raise ValueError("username and password must be given together, or neither")


class SmtpSettings(BaseModel):
    """Outgoing mail server. Login happens only when username and password are set."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    security: Security = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    from_address: str = Field(description="Envelope sender (MAIL FROM): where bounces go")
    timeout: float = Field(default=30.0, gt=0)
    ca_file: Path | None = None
    plus_addressing: bool = Field(default=False, description="Reply-To servicedesk+<case>-<token>@…: the "
                                  "mail server delivers plus-addresses to the service desk's mailbox")

    @field_validator("from_address")
    @classmethod
    def _single_address(cls, value: str) -> str:
        try:
            Address(addr_spec=value)
        except ValueError as error:
            raise ValueError("from_address must be one plain e-mail address") from error
        return value

    @model_validator(mode="after")
    def _credentials_together(self) -> Self:
        _check_credentials(self.username, self.password)
        return self


class ImapSettings(BaseModel):
    """Mailbox the customers' replies arrive in.

    `security` mirrors SmtpSettings: "ssl" (port 993) by default, "starttls" for on-premise
    servers on port 143, "none" only for local test servers.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1)
    port: int = Field(default=993, ge=1, le=65535)
    security: Security = "ssl"
    username: str = Field(min_length=1)
    password: SecretStr
    mailbox: str = Field(default="INBOX", min_length=1)
    timeout: float = Field(default=30.0, gt=0)
    ca_file: Path | None = None

    @field_validator("mailbox")
    @classmethod
    def _no_quotes_or_breaks(cls, value: str) -> str:
        if any(char in value for char in '"\\\r\n'):
            raise ValueError("mailbox name must not contain quotes, backslashes or line breaks")
        return value
