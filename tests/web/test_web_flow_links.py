"""Deep links to Prefect (issue 16; H-R1.1): the case page lists the task runs that touched the case
with their outcome and links into the Prefect UI; the admin outbox shows each item's recipient kind,
template, sent time, case link and its last Prefect run."""
from __future__ import annotations

from sqlalchemy import select

from services.cases import NewCase, open_case
from store.flow_runs import add_links
from store.models import OutboxRow
from webclient import T0

FLOW_RUN, TASK_RUN = "0b0e7a52-8f57-4d8e-a4f6-0f5d1c2b3a41", "6c1d9e2f-3a4b-4c5d-8e9f-0a1b2c3d4e5f"


def case_with_a_delivery(session, runtime) -> tuple[str, int]:
    runtime.deploy_current(session, actor="test", now=T0)
    case = open_case(session, runtime, actor="sd.tekniker", now=T0, new=NewCase(
        case_type="incident", summary="Printer virker ikke", impact=3, urgency=3, sla_level="gold",
        customer_name="Test Kunde", customer_email="kunde@example.org"))
    session.flush()
    receipt = session.scalars(select(OutboxRow).where(OutboxRow.case_id == case.id)).one()
    receipt.status, receipt.sent_at = "sent", T0
    add_links(session, [{"case_id": case.id, "outbox_id": receipt.id, "flow_name": "outbox-dispatcher",
                         "flow_run_id": FLOW_RUN, "task_run_id": TASK_RUN,
                         "task_name": f"kvittering-mail {case.number}", "state": "Sendt"},
                        {"case_id": case.id, "outbox_id": None, "flow_name": "sla-watchdog", "flow_run_id": FLOW_RUN,
                         "task_run_id": None, "task_name": f"sla-brud reaktion {case.number}",
                         "state": "Brud registreret"}], now=T0)
    session.commit()
    return case.number, receipt.id


def test_h_r1_1_the_case_page_lists_its_task_runs_with_links_into_prefect(session, runtime, web):
    number, _ = case_with_a_delivery(session, runtime)
    html = web("admin").get(f"/cases/{number}").text
    section = html.split('id="flow-runs"', 1)[1].split("</section>", 1)[0]
    assert f'href="http://127.0.0.1:4200/runs/task-run/{TASK_RUN}"' in section
    assert f'href="http://127.0.0.1:4200/runs/flow-run/{FLOW_RUN}"' in section
    assert f"kvittering-mail {number}" in section and "Sendt" in section and "Brud registreret" in section
    assert "23-11-2026" in section and "Udbakke" in section and "SLA-overvågning" in section


def test_h_r1_1_the_admin_outbox_shows_recipient_template_sent_case_and_run(session, runtime, web):
    number, item_id = case_with_a_delivery(session, runtime)
    html = web("admin").get("/admin/outbox").text
    row = html.split(f'data-item="{item_id}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="recipient">Kunden</td>' in row and "<td>receipt</td>" in row
    assert f'<a href="/cases/{number}">{number}</a>' in row and "23-11-2026" in row
    assert f'/runs/task-run/{TASK_RUN}"' in row and "Sendt" in row
    assert "kunde@example.org" not in row


def test_the_case_page_shows_the_cases_four_preconditions(session, runtime, web, clock):
    number, _ = case_with_a_delivery(session, runtime)
    clock.advance(days=10)                                       # only the receipt in ten days: silent
    html = web("admin").get(f"/cases/{number}").text
    section = html.split('id="case-insight"', 1)[1].split("</section>", 1)[0]
    assert "0 teamskift" in section and "10,0 dage siden sidste kontakt" in section
    assert section.count("✘") == 1 and "Dårligt forløb: Tavs over for kunden" in section
