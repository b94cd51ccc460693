"""Escalation contact by time of day (H-E1 in working hours, H-E2 outside; H-V1.2)."""

from datetime import UTC, datetime

import pytest

from config.sla_config import load_sla_config
from domain.calendar import COPENHAGEN, CalendarError
from domain.escalation import EscalationError, EscalationPolicy, escalation_contacts

POLICY = load_sla_config().escalation_policy
IN_HOURS = ["irt_representative", "duty_phone"]
AFTER_HOURS = ["red_hat_leader", "duty_phone"]


def cph(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=COPENHAGEN)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(cph("2024-03-04 10:00"), IN_HOURS, id="monday_in_hours"),
        pytest.param(cph("2024-03-04 08:30"), IN_HOURS, id="08_30_exactly_is_in_hours"),
        pytest.param(cph("2024-03-04 08:29:59"), AFTER_HOURS, id="just_before_08_30"),
        pytest.param(cph("2024-03-04 14:59:59"), IN_HOURS, id="just_before_15_00"),
        pytest.param(cph("2024-03-04 15:00"), AFTER_HOURS, id="15_00_exactly_is_after_hours"),
        pytest.param(cph("2024-03-04 22:00"), AFTER_HOURS, id="evening"),
        pytest.param(cph("2024-03-05 03:00"), AFTER_HOURS, id="night"),
        pytest.param(cph("2024-03-09 10:00"), AFTER_HOURS, id="saturday"),
        pytest.param(cph("2024-03-10 10:00"), AFTER_HOURS, id="sunday"),
        pytest.param(cph("2024-04-01 10:00"), AFTER_HOURS, id="easter_monday_holiday"),
        pytest.param(cph("2023-05-05 10:00"), AFTER_HOURS, id="store_bededag_2023_holiday"),
        pytest.param(cph("2024-04-26 10:00"), IN_HOURS, id="former_store_bededag_2024_working"),
        pytest.param(cph("2024-12-24 10:00"), AFTER_HOURS, id="christmas_eve_closed"),
        pytest.param(datetime(2024, 3, 4, 7, 30, tzinfo=UTC), IN_HOURS, id="utc_input_winter_08_30_local"),
        pytest.param(datetime(2024, 7, 1, 6, 30, tzinfo=UTC), IN_HOURS, id="utc_input_summer_08_30_local"),
        pytest.param(datetime(2024, 7, 1, 13, 0, tzinfo=UTC), AFTER_HOURS, id="utc_input_summer_15_00_local"),
    ],
)
def test_h_e1_h_e2_escalation_contact_table(at, expected):
    assert escalation_contacts(at=at, policy=POLICY) == expected


def test_h_e1_default_policy_matches_the_handbook_without_config():
    default = EscalationPolicy()
    assert escalation_contacts(at=cph("2024-03-04 08:30"), policy=default) == IN_HOURS
    assert escalation_contacts(at=cph("2024-03-04 15:00"), policy=default) == AFTER_HOURS


def test_h_e_contacts_in_config_are_placeholders_for_every_role():
    contacts = load_sla_config().contacts
    assert set(IN_HOURS + AFTER_HOURS) <= set(contacts)
    assert contacts["red_hat_leader"].label == "Rød hat leder"
    assert all(c.email is None or c.email.endswith("@example.invalid") for c in contacts.values())


def test_h_e_naive_time_and_empty_roles_are_rejected():
    with pytest.raises(CalendarError, match="timezone-aware"):
        escalation_contacts(at=datetime(2024, 3, 4, 10), policy=POLICY)
    with pytest.raises(EscalationError, match="at least one contact role"):
        EscalationPolicy(in_hours=())
