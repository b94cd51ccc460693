"""Whom to contact for an escalation at a given time (H-E1, H-E2; used by H-V1.2).

H-E1: in normal working hours (Mon-Fri 08:30-15:00 Europe/Copenhagen, not on public
holidays or configured closures) escalations go to the IRT representative or the person
on duty via the duty phone. H-E2: outside working hours, call the Rød hat leder or the
duty phone.

The contact hours are their own ``BusinessCalendar`` (same default as the SLA daytime
but configured separately). Windows are half-open: 08:30 exactly is working hours,
15:00 exactly is already outside. Only role keys are returned; names, phone numbers
and e-mail addresses live in configuration (``config/sla.yaml`` ``contacts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.calendar import BusinessCalendar

IRT_REPRESENTATIVE = "irt_representative"
DUTY_PHONE = "duty_phone"
RED_HAT_LEADER = "red_hat_leader"


class EscalationError(ValueError):
    """Invalid escalation policy."""


@dataclass(frozen=True)
class EscalationPolicy:
    """Contact hours and the contact roles (in order of preference) inside and outside them."""

    contact_hours: BusinessCalendar = field(default_factory=BusinessCalendar.weekday_hours)
    in_hours: tuple[str, ...] = (IRT_REPRESENTATIVE, DUTY_PHONE)
    after_hours: tuple[str, ...] = (RED_HAT_LEADER, DUTY_PHONE)

    def __post_init__(self) -> None:
        object.__setattr__(self, "in_hours", tuple(self.in_hours))
        object.__setattr__(self, "after_hours", tuple(self.after_hours))
        if not self.in_hours or not self.after_hours:
            raise EscalationError("escalation needs at least one contact role in and after hours")


def escalation_contacts(*, at: datetime, policy: EscalationPolicy) -> list[str]:
    """Contact role keys for an escalation at ``at`` (aware datetime), most preferred first."""
    if policy.contact_hours.is_open(at):
        return list(policy.in_hours)
    return list(policy.after_hours)
