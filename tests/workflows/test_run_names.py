"""Task-run names carry the case number and say what the work was, in Danish (issue 16); log text
never carries a mail address or phone number (H-R1.1, no personal data in logs)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workflows.run_names import delivery_name, local_time, scrub, sla_event_name, timer_name

N = "INC000000000042"


@pytest.mark.parametrize(("kind", "payload", "name"), [
    ("mail", {"purpose": "receipt"}, f"kvittering-mail {N}"),
    ("mail", {"purpose": "resolution_notice_1"}, f"kontaktforsøg-1 {N}"),
    ("mail", {"purpose": "contact_attempt_2"}, f"kontaktforsøg-2 {N}"),
    ("mail", {"purpose": "cmdb_update"}, f"cmdb-mail {N}"),
    ("mail", {"purpose": "route_service_design"}, f"videresendelse-mail {N}"),
    ("notification", {"purpose": "sla_breach", "target": "reaction"}, f"sla-brud-besked reaktion {N}"),
    ("notification", {"purpose": "on_call"}, f"driftsvagt-besked {N}"),
    ("remedy", {"purpose": "remedy_worklog"}, f"remedy-worklog {N}"),
    ("call", {}, f"opkald {N}"),
])
def test_delivery_names_say_what_and_which_case(kind, payload, name):
    assert delivery_name(kind, {**payload, "case_number": N}) == name


def test_sla_timer_names_and_the_case_less_item():
    assert sla_event_name("breach", "reaction", N) == f"sla-brud reaktion {N}"
    assert sla_event_name("warning", "resolution", N) == f"sla-advarsel løsning {N}"
    assert timer_name(["Vent på næste forsøg eller svar"], N) == f"vent-på-næste-forsøg-eller-svar {N}"
    assert delivery_name("mail", {"purpose": "receipt"}) == "kvittering-mail uden-sag"


def test_scrub_masks_addresses_and_phone_numbers_and_times_are_copenhagen():
    text = scrub("550 rejected <hanne.hansen@example.org>, ring +45 70 10 20 30 eller 12345678")
    assert "hanne" not in text and "70 10" not in text and "12345678" not in text
    assert text == "550 rejected <[mail]>, ring [telefon] eller [telefon]"
    assert local_time(datetime(2026, 12, 1, 10, 3, tzinfo=UTC)) == "01-12-2026 kl. 11:03"
