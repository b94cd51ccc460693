"""A case's registration input (H-V1), validated before anything is written; `services.cases.open_case`
registers it. Its own module so that reading a case does not import pydantic (issue 15: `sagsflow case show`
starts fast); `from services.cases import NewCase` still works."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from domain.text import clean_line


class NewCase(BaseModel):
    """Registration input, validated before anything is written."""

    case_type: Literal["incident", "service_request", "change"]
    summary: str = Field(min_length=3, max_length=300)
    impact: int = Field(ge=1, le=4)
    urgency: int = Field(ge=1, le=4)
    sla_level: Literal["platinum", "gold", "silver", "bronze"]
    customer_name: str = Field(min_length=1, max_length=200)
    customer_email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    customer_phone: str | None = Field(default=None, max_length=40, pattern=r"^\+?[0-9 ]{4,20}$")

    @field_validator("summary", "customer_name")
    @classmethod
    def _plain_text(cls, value: str) -> str:
        value = clean_line(value)   # the text boundary (domain/text.py)
        if not value:
            raise ValueError("must not be empty")
        return value
